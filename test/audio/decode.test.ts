/**
 * Compressed formats and real corpus files: FLAC and Ogg Vorbis made with SoX from a
 * generated chirp (a chirp, unlike a steady tone, has one unambiguous alignment), MP3 and Ogg Opus from tiny fixtures (this SoX has neither encoder; see
 * test/fixtures/audio/README.md), A-law WAV, one RAVDESS WAV and one LibriSpeech FLAC.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeAudio, loadAudio } from '../../src/audio/index.js';
import { resample } from '../../src/dsp/index.js';
import {
  FIXTURES,
  LIBRISPEECH_DIR,
  RAVDESS_DIR,
  bestCorrelation,
  hasSox,
  makeWav,
  sharedSkip,
  sox,
  soxFormats,
  soxToInt16,
  tempDir,
  tone,
  wavFromFloat,
} from './helpers.js';

const TONE_AMPLITUDE = 0.5;
const TONE_RATE_HZ = 16000;
const TONE_SAMPLES = 16000; // 1 s

/** Linear chirp f0 → f1 Hz over n samples, amplitude 0.5 (as in the fixture generator). */
function chirp(f0: number, f1: number, sampleRateHz: number, n: number): Float32Array {
  const x = new Float32Array(n);
  const dur = n / sampleRateHz;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRateHz;
    x[i] = TONE_AMPLITUDE * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * dur)));
  }
  return x;
}
const noSox = hasSox() ? false : 'sox is not installed; skipping SoX-generated formats';

describe('compressed formats generated with SoX', { skip: noSox }, () => {
  let dir = '';
  let cleanup = (): void => {};
  let wavPath = '';
  const x = chirp(100, 6000, TONE_RATE_HZ, TONE_SAMPLES);
  const ints = Array.from(x, (v) => Math.round(v * 32768) + 0);
  before(() => {
    ({ dir, cleanup } = tempDir());
    wavPath = join(dir, 'tone.wav');
    writeFileSync(wavPath, makeWav({ format: 'pcm16', sampleRateHz: TONE_RATE_HZ, channels: [ints] }));
  });
  after(() => cleanup());

  it('FLAC (16-bit mono) decodes bit-exactly', async () => {
    const flac = join(dir, 'tone.flac');
    sox([wavPath, flac]);
    const audio = await decodeAudio(readFileSync(flac), 'tone.flac');
    assert.equal(audio.sampleRateHz, TONE_RATE_HZ);
    assert.equal(audio.channels.length, 1);
    assert.equal(audio.channels[0].length, TONE_SAMPLES);
    ints.forEach((v, i) => assert.equal(audio.channels[0][i], v / 32768 + 0, `sample ${i}`));
  });

  it('FLAC (24-bit stereo, 44.1 kHz) keeps channels and matches SoX', async () => {
    const stereo = join(dir, 'stereo.wav');
    writeFileSync(stereo, makeWav({ format: 'pcm16', sampleRateHz: 44100, channels: [ints, ints.map((v) => -v)] }));
    const flac = join(dir, 'stereo24.flac');
    sox([stereo, '-b', '24', flac]);
    const audio = await decodeAudio(readFileSync(flac), 'stereo24.flac');
    assert.equal(audio.sampleRateHz, 44100);
    assert.equal(audio.channels.length, 2);
    assert.equal(audio.channels[1].length, TONE_SAMPLES);
    for (let i = 0; i < TONE_SAMPLES; i += 97) {
      assert.equal(audio.channels[0][i], ints[i] / 32768);
      assert.equal(audio.channels[1][i], (-ints[i] || 0) / 32768);
    }
  });

  it('Ogg Vorbis decodes to the chirp (duration exact, no delay, correlation > 0.999)', async () => {
    const ogg = join(dir, 'tone.ogg');
    sox([wavPath, '-C', '5', ogg]);
    const audio = await decodeAudio(readFileSync(ogg), 'tone.ogg');
    assert.equal(audio.sampleRateHz, TONE_RATE_HZ);
    assert.equal(audio.channels[0].length, TONE_SAMPLES);
    const { r, lag } = bestCorrelation(x, audio.channels[0], 200);
    assert.equal(lag, 0, 'no delay');
    assert.ok(r > 0.999, `correlation ${r}`);
  });

  it('MP3 via SoX (skipped when SoX lacks the mp3 handler)', async (t) => {
    if (!soxFormats().has('mp3')) {
      t.skip('this SoX has no mp3 handler; MP3 is covered by the fixture test instead');
      return;
    }
    const mp3 = join(dir, 'tone.mp3');
    sox([wavPath, mp3]);
    const audio = await decodeAudio(readFileSync(mp3), 'tone.mp3');
    assert.equal(audio.sampleRateHz, TONE_RATE_HZ);
    // LAME pads with encoder delay and a partial last frame (no gapless trimming): at most two
    // 1152-sample frames longer; SoX's own decoder reports the same length.
    assert.ok(Math.abs(audio.channels[0].length - TONE_SAMPLES) <= 2 * 1152, `length ${audio.channels[0].length}`);
    // Lossy coding band-limits the chirp; against SoX's own decoding of the same file the match is exact.
    // (LAME's low-pass near 5.5 kHz at 16 kHz removes the chirp's top: measured r = 0.977.)
    assert.ok(bestCorrelation(x, audio.channels[0], 1200).r > 0.95);
    const soxDecoded = join(dir, 'tone-mp3-by-sox.wav');
    sox([mp3, '-b', '16', soxDecoded]);
    const ref = await decodeAudio(readFileSync(soxDecoded), 'tone-mp3-by-sox.wav');
    assert.ok(bestCorrelation(ref.channels[0], audio.channels[0], 1200).r > 0.9999);
  });

  it('A-law WAV is delegated to audio-decode and decodes close to the chirp', async () => {
    const alaw = join(dir, 'alaw.wav');
    sox([wavPath, '-e', 'a-law', alaw]);
    const audio = await decodeAudio(readFileSync(alaw), 'alaw.wav');
    assert.equal(audio.channels[0].length, TONE_SAMPLES);
    const { r, lag } = bestCorrelation(x, audio.channels[0], 50);
    assert.equal(lag, 0);
    assert.ok(r > 0.999, `correlation ${r}`);
  });
});

describe('MP3 and Ogg Opus fixtures (made with libsndfile)', () => {
  it('MP3: 16 kHz mono 0.5 s chirp 200 → 4000 Hz', async () => {
    const audio = await decodeAudio(readFileSync(join(FIXTURES, 'chirp-16k-mono.mp3')), 'chirp.mp3');
    assert.equal(audio.sampleRateHz, 16000);
    assert.equal(audio.channels.length, 1);
    // The decoder honours the LAME gapless header, so the duration is exact.
    assert.equal(audio.channels[0].length, 8000);
    const ref = chirp(200, 4000, 16000, 8000);
    const { r, lag } = bestCorrelation(ref, audio.channels[0], 1200);
    assert.equal(lag, 0, 'no delay');
    assert.ok(r > 0.99, `correlation ${r}`);
  });

  it('MP3 wrapped in ID3v2 and ID3v1 tags decodes the same', async () => {
    const mp3 = readFileSync(join(FIXTURES, 'chirp-16k-mono.mp3'));
    const id3v2 = new Uint8Array(30);
    id3v2.set([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 20]); // "ID3", v2.3, 20-byte body
    const id3v1 = new Uint8Array(128);
    id3v1.set([0x54, 0x41, 0x47]); // "TAG"
    const tagged = new Uint8Array(id3v2.length + mp3.length + id3v1.length);
    tagged.set(id3v2);
    tagged.set(mp3, id3v2.length);
    tagged.set(id3v1, id3v2.length + mp3.length);
    const plain = await decodeAudio(mp3, 'plain.mp3');
    const audio = await decodeAudio(tagged, 'tagged.mp3');
    assert.deepEqual(audio.channels, plain.channels);
  });

  it('Ogg Opus: 48 kHz stereo 0.5 s (left chirps up, right chirps down)', async () => {
    const audio = await decodeAudio(readFileSync(join(FIXTURES, 'chirp-48k-stereo.opus')), 'chirp.opus');
    assert.equal(audio.sampleRateHz, 48000);
    assert.equal(audio.channels.length, 2);
    assert.equal(audio.channels[0].length, 24000);
    for (const [c, f0, f1] of [
      [0, 200, 4000],
      [1, 4000, 200],
    ] as const) {
      const ref = chirp(f0, f1, 48000, 24000);
      const { r, lag } = bestCorrelation(ref, audio.channels[c], 400);
      assert.equal(lag, 0, `channel ${c} delay`);
      // Opus at libsndfile's default bitrate is clearly lossy on a fast 4 kHz sweep.
      assert.ok(r > 0.98, `channel ${c} correlation ${r}`);
    }
  });

  it('loadAudio mixes the Opus fixture to mono and resamples it to 16 kHz', async () => {
    const { samples, sampleRateHz, channels } = await loadAudio(join(FIXTURES, 'chirp-48k-stereo.opus'));
    assert.equal(sampleRateHz, 16000);
    assert.equal(samples.length, 8000);
    assert.equal(channels.length, 1);
    const expected = chirp(200, 4000, 16000, 8000).map((v, i) => (v + chirp(4000, 200, 16000, 8000)[i]) / 2);
    const { r, lag } = bestCorrelation(expected, samples, 100);
    assert.equal(lag, 0);
    assert.ok(r > 0.99, `correlation ${r}`);
    const stereo = await loadAudio(join(FIXTURES, 'chirp-48k-stereo.opus'), { mono: false, sampleRateHz: 24000 });
    assert.equal(stereo.channels.length, 2);
    assert.equal(stereo.samples, stereo.channels[0]);
    assert.equal(stereo.samples.length, 12000);
  });
});

describe('real corpus files', () => {
  const ravdess = join(RAVDESS_DIR, 'Actor_01', '03-01-01-01-01-01-01.wav');
  const libri = join(LIBRISPEECH_DIR, '1688', '1688-142285-0000.flac');

  it('RAVDESS WAV: 52853 samples at 16 kHz, identical to SoX', { skip: sharedSkip(RAVDESS_DIR) }, async () => {
    const audio = await decodeAudio(readFileSync(ravdess), ravdess);
    assert.equal(audio.sampleRateHz, 16000);
    assert.equal(audio.channels.length, 1);
    assert.equal(audio.channels[0].length, 52853); // soxi -s
    if (hasSox()) {
      const ref = soxToInt16(ravdess);
      assert.equal(ref.length, 52853);
      for (let i = 0; i < ref.length; i++)
        if (audio.channels[0][i] !== ref[i] / 32768) assert.fail(`sample ${i}: ${audio.channels[0][i]} vs ${ref[i] / 32768}`);
    }
  });

  it('LibriSpeech FLAC: 240000 samples at 16 kHz, identical to SoX', { skip: sharedSkip(LIBRISPEECH_DIR) }, async () => {
    const { samples, sampleRateHz } = await loadAudio(libri);
    assert.equal(sampleRateHz, 16000);
    assert.equal(samples.length, 240000); // soxi -s
    if (hasSox()) {
      const ref = soxToInt16(libri);
      for (let i = 0; i < ref.length; i++)
        if (samples[i] !== ref[i] / 32768) assert.fail(`sample ${i}: ${samples[i]} vs ${ref[i] / 32768}`);
    }
  });

  it('a 16 kHz file resampled to 8 kHz and back keeps the 0–3.6 kHz band', { skip: sharedSkip(RAVDESS_DIR) }, async () => {
    const { samples } = await loadAudio(ravdess);
    const down = resample(samples, 16000, 8000);
    assert.equal(down.length, Math.ceil(52853 / 2));
    const up = resample(down, 8000, 16000);
    // Compare after removing content above 3.6 kHz from the original with the same filter pair.
    assert.ok(up.length >= samples.length);
    const again = resample(resample(up, 16000, 8000), 8000, 16000);
    let err = 0;
    let ref = 0;
    for (let i = 0; i < samples.length; i++) {
      err += (again[i] - up[i]) ** 2;
      ref += up[i] ** 2;
    }
    // A second pass through the (flat) pass band changes almost nothing.
    assert.ok(10 * Math.log10(err / ref) < -40, `re-filtering error ${10 * Math.log10(err / ref)} dB`);
  });

  it('wavFromFloat helper round-trips through decodeAudio', async () => {
    const x = tone(1000, 16000, 100, 0.25);
    const audio = await decodeAudio(wavFromFloat(x, 16000), 'rt.wav');
    for (let i = 0; i < 100; i++) assert.ok(Math.abs(audio.channels[0][i] - x[i]) <= 0.5 / 32768 + 1e-9);
  });
});
