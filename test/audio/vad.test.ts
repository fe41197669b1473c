/**
 * Energy-based silence trimming on synthetic bursts and on a real RAVDESS utterance.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAudio, meanPower, speechSpan, trimSilence, whiteNoise } from '../../src/audio/index.js';
import { makeRng } from '../../src/core/index.js';
import { RAVDESS_DIR, sharedSkip, tone } from './helpers.js';

const FS = 16000;

/** `lead` s of `floor`-level noise, `burst` s of a 300 Hz tone, `tail` s of noise. */
function burst(lead: number, burstS: number, tail: number, floorRms = 0): { x: Float32Array; on: number; off: number } {
  const on = Math.round(lead * FS);
  const off = on + Math.round(burstS * FS);
  const n = off + Math.round(tail * FS);
  const x = whiteNoise(n, makeRng(1)).map((v) => v * floorRms);
  const t = tone(300, FS, off - on, 0.5);
  for (let i = on; i < off; i++) x[i] += t[i - on];
  return { x, on, off };
}

describe('speechSpan', () => {
  it('is the trimmed burst, or the whole clip when nothing is active', () => {
    const { x } = burst(1, 0.5, 1);
    assert.deepEqual(speechSpan(x, FS), trimSilence(x, FS).samples);
    assert.ok(speechSpan(x, FS).length < x.length);
    const silent = new Float32Array(FS);
    assert.equal(speechSpan(silent, FS), silent);
  });
});

describe('trimSilence', () => {
  it('keeps the burst plus the hangover on each side', () => {
    const { x, on, off } = burst(1, 0.5, 1);
    const r = trimSilence(x, FS, { hangoverMs: 100 });
    const frame = 400;
    const hang = 1600;
    // Any frame overlapping the burst is active, so the first active frame starts less than
    // one frame before the onset and the last one ends less than one frame after the offset.
    assert.ok(r.start <= on - hang && r.start > on - hang - frame, `start ${r.start} vs onset ${on}`);
    assert.ok(r.end >= off + hang && r.end < off + hang + frame, `end ${r.end} vs offset ${off}`);
    assert.equal(r.samples.length, r.end - r.start);
    assert.deepEqual(r.samples, x.slice(r.start, r.end));
  });

  it('works above a noise floor 50 dB below the speech', () => {
    const { x, on, off } = burst(0.7, 0.4, 0.9, 0.5 * Math.SQRT1_2 * 10 ** (-50 / 20));
    const r = trimSilence(x, FS, { hangoverMs: 0 });
    assert.ok(Math.abs(r.start - on) <= 400 && Math.abs(r.end - off) <= 400, `[${r.start}, ${r.end}) vs [${on}, ${off})`);
  });

  it('keeps pauses inside the utterance', () => {
    const a = burst(0.5, 0.3, 0.4);
    const b = burst(0, 0.3, 0.5);
    const x = new Float32Array(a.x.length + b.x.length);
    x.set(a.x);
    x.set(b.x, a.x.length);
    const r = trimSilence(x, FS, { hangoverMs: 0 });
    assert.ok(r.start <= a.on && r.end >= a.x.length + b.off);
  });

  it('returns an empty range for digital silence, low-level noise and empty input', () => {
    for (const x of [new Float32Array(16000), whiteNoise(16000, makeRng(3)).map((v) => v * 1e-4), new Float32Array(0)]) {
      const r = trimSilence(x, FS);
      assert.deepEqual([r.start, r.end, r.samples.length], [0, 0, 0]);
    }
  });

  it('a signal active throughout is kept whole', () => {
    const x = tone(200, FS, 5000, 0.3);
    const r = trimSilence(x, FS);
    assert.deepEqual([r.start, r.end], [0, 5000]);
  });

  it('rejects bad options', () => {
    assert.throws(() => trimSilence(new Float32Array(10), 0), RangeError);
    assert.throws(() => trimSilence(new Float32Array(10), FS, { thresholdDb: 3 }), RangeError);
  });

  it('trims a RAVDESS utterance but keeps > 99.9 % of its energy', { skip: sharedSkip(RAVDESS_DIR) }, async () => {
    const { samples } = await loadAudio(join(RAVDESS_DIR, 'Actor_01', '03-01-01-01-01-01-01.wav'));
    const r = trimSilence(samples, FS);
    assert.ok(r.samples.length < samples.length * 0.8, `kept ${r.samples.length} of ${samples.length}`);
    assert.ok(r.samples.length > FS * 0.8, 'the sentence itself is longer than 0.8 s');
    const kept = meanPower(r.samples) * r.samples.length;
    const total = meanPower(samples) * samples.length;
    assert.ok(kept / total > 0.999, `energy kept ${kept / total}`);
  });
});
