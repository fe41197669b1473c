/**
 * Bad inputs: each must fail with exactly one AudioError that names the file, and batch
 * loading must report and skip such files.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AudioError, decodeAudio, loadAudio, loadAudioBatch, type AudioErrorKind, type BatchProgress } from '../../src/audio/index.js';
import { FIXTURES, hasSox, makeWav, sox, tempDir, tone, wavFromFloat } from './helpers.js';

/** Loads `path` and checks it fails once, with the expected kind, naming the file. */
async function expectFailure(path: string, kind: AudioErrorKind, messagePart: RegExp): Promise<AudioError> {
  let caught: unknown;
  let resolved = false;
  try {
    await loadAudio(path);
    resolved = true;
  } catch (err) {
    caught = err;
  }
  assert.equal(resolved, false, `${path} should not load`);
  assert.ok(caught instanceof AudioError, `expected an AudioError, got ${String(caught)}`);
  assert.equal(caught.file, path);
  assert.equal(caught.kind, kind, `kind for ${path}: ${caught.message}`);
  assert.ok(caught.message.startsWith(`${path}: `), `message names the file: ${caught.message}`);
  assert.match(caught.reason, messagePart);
  return caught;
}

const goodTone = tone(300, 16000, 1600, 0.5);

describe('bad inputs give one clear AudioError naming the file', () => {
  let dir = '';
  let cleanup = (): void => {};
  const file = (name: string, bytes: Uint8Array | string): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('missing file', async () => {
    await expectFailure(join(dir, 'nope.wav'), 'missing', /does not exist/);
  });

  it('directory', async () => {
    const d = join(dir, 'a-directory.wav');
    mkdirSync(d);
    await expectFailure(d, 'not-a-file', /directory/);
  });

  it('empty file', async () => {
    await expectFailure(file('empty.wav', new Uint8Array(0)), 'empty', /empty \(0 bytes\)/);
  });

  it('truncated WAV (data chunk cut short)', async () => {
    const wav = wavFromFloat(goodTone, 16000);
    await expectFailure(file('cut.wav', wav.subarray(0, wav.length - 1001)), 'truncated', /declares 3200 bytes but only 2199/);
  });

  it('truncated WAV (only the RIFF header)', async () => {
    await expectFailure(file('riff-only.wav', wavFromFloat(goodTone, 16000).subarray(0, 12)), 'truncated', /no 'fmt ' chunk|no 'data'/);
  });

  it('WAV cut inside the header', async () => {
    await expectFailure(file('hdr.wav', wavFromFloat(goodTone, 16000).subarray(0, 8)), 'truncated', /shorter than a RIFF\/WAVE header/);
  });

  it('corrupt WAV header (fmt chunk too small)', async () => {
    const wav = wavFromFloat(goodTone, 16000).slice();
    new DataView(wav.buffer).setUint32(16, 4, true);
    await expectFailure(file('fmt4.wav', wav), 'corrupt', /'fmt ' chunk is 4 bytes/);
  });

  it('corrupt WAV header (zero channels)', async () => {
    const wav = wavFromFloat(goodTone, 16000).slice();
    new DataView(wav.buffer).setUint16(22, 0, true);
    await expectFailure(file('ch0.wav', wav), 'corrupt', /0 channels/);
  });

  it('corrupt WAV header (RIFF id but not WAVE)', async () => {
    const wav = wavFromFloat(goodTone, 16000).slice();
    wav.set([0x41, 0x56, 0x49, 0x20], 8); // "AVI "
    await expectFailure(file('avi.wav', wav), 'corrupt', /missing RIFF\/WAVE header \(form type "AVI "\)/);
  });

  it('a sample rate no audio has (a damaged header claiming 604 MHz): refused before any resampling', async () => {
    const wav = wavFromFloat(goodTone, 16000);
    new DataView(wav.buffer).setUint32(24, 603_987_776, true);
    await expectFailure(file('mhz.wav', wav), 'unsupported', /sample rate 603987776 Hz is outside 1000…768000 Hz/);
  });

  it("PCM's tag flipped to IMA ADPCM (16 bits, 2-byte blocks): refused instead of expanding into millions of samples", async () => {
    const wav = wavFromFloat(goodTone, 16000);
    wav[20] = 0x11; // WAVE_FORMAT_IMA_ADPCM
    await expectFailure(file('adpcm.wav', wav), 'corrupt', /IMA ADPCM\) has 4 bits per sample, the header says 16/);
  });

  it('zero samples (empty data chunk)', async () => {
    await expectFailure(file('zero.wav', makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [[]] })), 'no-samples', /zero samples/);
  });

  it('NaN sample in a float32 WAV', async () => {
    const wav = makeWav({ format: 'float32', sampleRateHz: 16000, channels: [[0.1, 0.2, Number.NaN, 0.3]] });
    await expectFailure(file('nan.wav', wav), 'non-finite', /sample 2 of channel 0 is NaN/);
  });

  it('Infinity sample in a float64 stereo WAV', async () => {
    const wav = makeWav({
      format: 'float64',
      sampleRateHz: 16000,
      channels: [
        [0, 0, 0],
        [0, -Infinity, 0],
      ],
    });
    await expectFailure(file('inf.wav', wav), 'non-finite', /sample 1 of channel 1 is -Infinity/);
  });

  it('unsupported WAV codec: MP3 inside WAV (format 0x55)', async () => {
    const wav = makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [[1, 2, 3]], formatTag: 0x55 });
    await expectFailure(file('mp3in.wav', wav), 'unsupported', /0x0055 \(MPEG Layer III \(MP3 inside WAV\)\)/);
  });

  it('unsupported WAV sample width (12-bit container)', async () => {
    const wav = makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [[1, 2, 3]] }).slice();
    const dv = new DataView(wav.buffer);
    dv.setUint16(32, 3, true); // blockAlign 3 bytes for 1 channel = 24-bit container...
    dv.setUint16(34, 32, true); // ...but 32 declared bits do not fit
    await expectFailure(file('bits.wav', wav), 'corrupt', /32 bits per sample do not fit/);
  });

  it('unknown container (text file)', async () => {
    await expectFailure(
      file('notes.wav', 'hello, this is not audio at all\n'),
      'unsupported',
      /unrecognised audio container \(first bytes 68 65 6c 6c/,
    );
  });

  it('recognised but unsupported container (AIFF)', async () => {
    await expectFailure(
      file('x.aiff', new TextEncoder().encode('FORM\x00\x00\x00\x20AIFFCOMM')),
      'unsupported',
      /AIFF files are not supported/,
    );
  });

  it('truncated MP3 (last frame cut)', async () => {
    const mp3 = readFileSync(join(FIXTURES, 'chirp-16k-mono.mp3'));
    await expectFailure(file('cut.mp3', mp3.subarray(0, mp3.length - 50)), 'truncated', /file ends inside MPEG frame/);
  });

  it('corrupt MP3 (frame headers damaged)', async () => {
    const mp3 = Uint8Array.from(readFileSync(join(FIXTURES, 'chirp-16k-mono.mp3')));
    for (let i = 600; i < mp3.length; i += 7) mp3[i] ^= 0x5a;
    await expectFailure(file('bad.mp3', mp3), 'corrupt', /MPEG frame sync lost|changes the sample rate/);
  });

  it('truncated Ogg Opus', async () => {
    const opus = readFileSync(join(FIXTURES, 'chirp-48k-stereo.opus'));
    await expectFailure(file('cut.opus', opus.subarray(0, Math.floor(opus.length / 2))), 'truncated', /file ends inside Ogg page/);
  });

  it('corrupt Ogg Opus (CRC mismatch)', async () => {
    const opus = Uint8Array.from(readFileSync(join(FIXTURES, 'chirp-48k-stereo.opus')));
    opus[opus.length - 100] ^= 0xff;
    await expectFailure(file('bad.opus', opus), 'corrupt', /fails its CRC check/);
  });

  it('truncated FLAC and corrupt FLAC (made with SoX)', { skip: hasSox() ? false : 'sox not installed' }, async () => {
    const wav = file('src.wav', wavFromFloat(tone(440, 16000, 32000, 0.5), 16000));
    const flacPath = join(dir, 'src.flac');
    sox([wav, flacPath]);
    const flac = readFileSync(flacPath);
    await expectFailure(
      file('cut.flac', flac.subarray(0, Math.floor(flac.length * 0.6))),
      'truncated',
      /declares 32000 samples per channel but \d+ were decoded/,
    );
    await expectFailure(file('stub.flac', flac.subarray(0, 20)), 'truncated', /inside the FLAC STREAMINFO/);
    const bad = Uint8Array.from(flac);
    for (let i = 200; i < bad.length; i += 5) bad[i] ^= 0x33;
    const err = await expectFailure(file('bad.flac', bad), 'corrupt', /FLAC decoder produced no samples|declares 32000 samples/);
    assert.ok(err.kind === 'corrupt');
  });

  it('zero-sample FLAC and Ogg Vorbis (made with SoX)', { skip: hasSox() ? false : 'sox not installed' }, async () => {
    for (const ext of ['flac', 'ogg']) {
      const p = join(dir, `nothing.${ext}`);
      sox(['-n', '-r', '16000', '-c', '1', p, 'trim', '0', '0']);
      await expectFailure(p, 'no-samples', /holds no audio \(zero samples\)/);
    }
  });

  it('truncated Ogg Vorbis (made with SoX)', { skip: hasSox() ? false : 'sox not installed' }, async () => {
    const wav = file('v.wav', wavFromFloat(tone(440, 16000, 16000, 0.5), 16000));
    const oggPath = join(dir, 'v.ogg');
    sox([wav, oggPath]);
    const ogg = readFileSync(oggPath);
    await expectFailure(file('cut.ogg', ogg.subarray(0, ogg.length - 10)), 'truncated', /file ends inside Ogg page/);
  });

  it('decodeAudio errors use the label as file', async () => {
    await assert.rejects(
      decodeAudio(new Uint8Array(0), 'label.wav'),
      (err: unknown) => err instanceof AudioError && err.file === 'label.wav' && err.message === 'label.wav: file is empty (0 bytes)',
    );
  });
});

describe('loadAudioBatch reports and skips bad files', () => {
  let dir = '';
  let cleanup = (): void => {};
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('returns good files in order, lists every failure with its reason, reports progress', async () => {
    const good1 = join(dir, 'good1.wav');
    const good2 = join(dir, 'good2.wav');
    writeFileSync(good1, wavFromFloat(goodTone, 16000));
    writeFileSync(
      good2,
      makeWav({ format: 'pcm16', sampleRateHz: 8000, channels: [Array.from({ length: 800 }, (_, i) => (i % 50) * 100)] }),
    );
    const empty = join(dir, 'empty.wav');
    writeFileSync(empty, new Uint8Array(0));
    const missing = join(dir, 'missing.flac');
    const nan = join(dir, 'nan.wav');
    writeFileSync(nan, makeWav({ format: 'float32', sampleRateHz: 16000, channels: [[0, Number.NaN]] }));
    const paths = [empty, good1, missing, good2, nan, dir];
    const progress: BatchProgress[] = [];
    const result = await loadAudioBatch(paths, {}, (p) => progress.push(p));
    assert.equal(result.sampleRateHz, 16000);
    assert.deepEqual(
      result.ok.map((o) => o.path),
      [good1, good2],
    );
    assert.equal(result.ok[0].samples.length, 1600);
    assert.equal(result.ok[1].samples.length, 1600, '8 kHz file resampled to 16 kHz');
    assert.deepEqual(
      result.failed.map((f) => f.path),
      [empty, missing, nan, dir],
    );
    assert.deepEqual(
      result.failed.map((f) => f.error.kind),
      ['empty', 'missing', 'non-finite', 'not-a-file'],
    );
    for (const f of result.failed) assert.ok(f.reason.length > 0 && f.error.message === `${f.path}: ${f.reason}`);
    assert.equal(progress.length, paths.length);
    assert.deepEqual(
      progress.map((p) => p.done),
      [1, 2, 3, 4, 5, 6],
    );
    assert.ok(progress.every((p) => p.total === paths.length));
    assert.equal(progress.filter((p) => p.error).length, 4);
  });

  it('an empty batch is fine; invalid options still throw', async () => {
    assert.deepEqual(await loadAudioBatch([]), { ok: [], failed: [], sampleRateHz: 16000 });
    await assert.rejects(loadAudioBatch(['x.wav'], { sampleRateHz: 0 }), RangeError);
  });
});
