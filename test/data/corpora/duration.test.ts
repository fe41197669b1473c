import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { decodeAudio, durationSeconds } from '../../../src/audio/index.js';
import { audioDurationS, fillDurations, type Utterance } from '../../../src/data/corpora/index.js';
import { makeWav } from '../../audio/helpers.js';
import { fixture, flacHeaderOnly, LIBRISPEECH_DIR, sharedSkip } from './helpers.js';

describe('durations from headers', () => {
  const fx = fixture('durations');
  after(() => fx.cleanup());

  test('WAV: plain, stereo 24-bit, EXTENSIBLE, with a LIST chunk before the data, float', async () => {
    const n = 4410;
    const ramp = Array.from({ length: n }, (_, i) => (i % 100) * 10);
    const files = [
      fx.bytes('a.wav', makeWav({ format: 'pcm16', sampleRateHz: 22050, channels: [ramp] })),
      fx.bytes('b.wav', makeWav({ format: 'pcm24', sampleRateHz: 44100, channels: [ramp, ramp] })),
      fx.bytes('c.wav', makeWav({ format: 'pcm16', sampleRateHz: 8000, channels: [ramp], extensible: true })),
      fx.bytes('d.wav', makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [ramp], oddListChunk: true })),
      fx.bytes('e.wav', makeWav({ format: 'float32', sampleRateHz: 48000, channels: [ramp.map((v) => v / 1e4)] })),
    ];
    for (const f of files) {
      const bytes = readFileSync(f);
      const decoded = durationSeconds(await decodeAudio(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), f));
      assert.ok(Math.abs((await audioDurationS(f)) - decoded) < 1e-12, f);
    }
    assert.equal(await audioDurationS(files[0]), n / 22050);
  });

  test('WAV with an unknown (streamed) data size runs to the end of the file', async () => {
    const f = fx.bytes(
      'stream.wav',
      makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [new Array(800).fill(0)], dataSizeOverride: 0xffffffff }),
    );
    assert.equal(await audioDurationS(f), 0.05);
  });

  test('FLAC: from STREAMINFO without decoding', async () => {
    const f = fx.bytes('x.flac', flacHeaderOnly(44100, 441000));
    assert.equal(await audioDurationS(f), 10);
  });

  test('unreadable files name the file', async () => {
    await assert.rejects(audioDurationS(`${fx.root}/missing.wav`), /missing\.wav: cannot open/);
    const junk = fx.text('junk.wav', 'not audio at all');
    await assert.rejects(audioDurationS(junk), /junk\.wav/);
  });

  test('fillDurations sets every utterance (concurrently)', async () => {
    const utts: Utterance[] = Array.from({ length: 40 }, (_, i) => ({
      id: `u${i}`,
      path: fx.wav(`many/u${i}.wav`, 160 * (i + 1)),
      corpus: 'c',
      speaker: 'c:1',
      labels: {},
      attributes: {},
    }));
    await fillDurations(utts, 7);
    utts.forEach((u, i) => assert.ok(Math.abs(u.durationS! - 0.01 * (i + 1)) < 1e-12, u.id));
  });

  test('agrees with decoding on real FLAC files', { skip: sharedSkip(LIBRISPEECH_DIR) }, async () => {
    const f = `${LIBRISPEECH_DIR}/3005/3005-163389-0005.flac`;
    const bytes = readFileSync(f);
    const decoded = durationSeconds(await decodeAudio(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), f));
    assert.equal(await audioDurationS(f), decoded);
  });
});
