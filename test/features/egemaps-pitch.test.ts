// egemaps-ts pitch: YIN F0 on synthetic tones and glottal-pulse vowels with known F0, and on
// espeak-ng speech whose reference F0 is measured independently by counting glottal periods.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAudio } from '../../src/audio/load.js';
import { computeEgemaps, computeEgemapsLlds } from '../../src/features/egemaps/index.js';
import { harmonicTone, normalizePeak, vowel } from '../fixtures/egemaps/synth.js';

const FS = 16000;
/** Required accuracy of F0 (relative). */
const MAX_F0_ERROR = 0.02;

function voicedF0(x: Float32Array, fs = FS): { t: number; f0: number }[] {
  const l = computeEgemapsLlds(x, fs);
  const hopS = l.framing.hopSamples / fs;
  const out: { t: number; f0: number }[] = [];
  l.pitch.f0Hz.forEach((f0, i) => {
    if (Number.isFinite(f0)) out.push({ t: i * hopS, f0 });
  });
  return out;
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

describe('egemaps-ts pitch: synthetic signals with known F0', () => {
  for (const f0 of [80, 110, 150, 220, 300, 400]) {
    it(`pure tone at ${f0} Hz: every voiced frame within 2 %, ≥ 90 % voiced`, () => {
      const x = normalizePeak(harmonicTone(FS, f0, 0.5, 1));
      const v = voicedF0(x);
      assert.ok(v.length >= 0.9 * (x.length / 160), `voiced frames ${v.length}`);
      for (const { f0: est } of v) assert.ok(Math.abs(est - f0) / f0 < MAX_F0_ERROR, `${est} vs ${f0}`);
    });

    it(`harmonic-rich tone (30 harmonics, 1/k) and glottal vowel at ${f0} Hz within 2 %`, () => {
      const tone = voicedF0(normalizePeak(harmonicTone(FS, f0, 0.5, 30, 1, f0)));
      const v = voicedF0(
        normalizePeak(vowel({ sampleRateHz: FS, durationS: 0.5, f0Hz: f0, formantsHz: [700, 1220, 2600], bandwidthsHz: [80, 90, 120] })),
      );
      for (const track of [tone, v]) {
        assert.ok(track.length >= 40, `voiced frames ${track.length}`);
        for (const { f0: est } of track) assert.ok(Math.abs(est - f0) / f0 < MAX_F0_ERROR, `${est} vs ${f0}`);
      }
    });
  }

  it('follows a gliding F0 (180 → 120 Hz) frame by frame within 2 %', () => {
    const durationS = 1;
    const x = normalizePeak(
      vowel({ sampleRateHz: FS, durationS, f0Hz: 180, f0EndHz: 120, formantsHz: [530, 1840, 2480], bandwidthsHz: [70, 100, 140] }),
    );
    const v = voicedF0(x).filter(({ t }) => t > 0.05 && t < durationS - 0.05);
    assert.ok(v.length > 80);
    for (const { t, f0 } of v) {
      const truth = 180 + (120 - 180) * (t / durationS);
      assert.ok(Math.abs(f0 - truth) / truth < MAX_F0_ERROR, `t=${t.toFixed(2)}: ${f0} vs ${truth}`);
    }
  });

  it('reports semitones from 27.5 Hz (220 Hz = 36 st) and flat contours have ~0 range', () => {
    const r = computeEgemaps(normalizePeak(harmonicTone(FS, 220, 0.5, 10)), FS, { strict: true });
    const get = (n: string) => r.values[r.names.indexOf(n)];
    assert.ok(Math.abs(get('F0semitoneFrom27.5Hz_mean') - 36) < 0.05);
    assert.ok(Math.abs(get('F0Hz_mean') - 220) < 1);
    assert.ok(get('F0semitoneFrom27.5Hz_range20to80') < 0.05);
    assert.ok(get('F0semitoneFrom27.5Hz_cv') < 0.001);
  });
});

/** True when espeak-ng can be run. */
function haveEspeak(): boolean {
  const r = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/**
 * Reference mean F0 of a sustained vowel, independent of YIN: the signal is low-passed by six
 * one-pole sections at `cutoffHz` (leaving essentially the fundamental), and the glottal periods
 * are counted as positive-going zero crossings (armed by a dip below −20 % of the peak, so noise
 * cannot double-count) between `t0S` and `t1S`; F0 = (crossings − 1) / time between first and last.
 */
function countedF0(x: Float32Array, fs: number, t0S: number, t1S: number, cutoffHz: number): { f0: number; fromS: number; toS: number } {
  const y = Float64Array.from(x);
  const a = Math.exp((-2 * Math.PI * cutoffHz) / fs);
  for (let k = 0; k < 6; k++) {
    let p = 0;
    for (let i = 0; i < y.length; i++) {
      p = (1 - a) * y[i] + a * p;
      y[i] = p;
    }
  }
  const s = Math.round(t0S * fs);
  const e = Math.round(t1S * fs);
  let peak = 0;
  for (let i = s; i < e; i++) peak = Math.max(peak, Math.abs(y[i]));
  const crossings: number[] = [];
  let armed = false;
  for (let i = s + 1; i < e; i++) {
    if (y[i] < -0.2 * peak) armed = true;
    if (armed && y[i - 1] < 0 && y[i] >= 0) {
      crossings.push(i - 1 + -y[i - 1] / (y[i] - y[i - 1]));
      armed = false;
    }
  }
  const first = crossings[0];
  const last = crossings[crossings.length - 1];
  return { f0: (crossings.length - 1) / ((last - first) / fs), fromS: first / fs, toS: last / fs };
}

describe('egemaps-ts pitch: espeak-ng speech', () => {
  const skip = haveEspeak() ? false : 'espeak-ng is not installed (apt-get install espeak-ng)';
  const cases: [voice: string, pitch: number][] = [
    ['en', 20],
    ['en', 50],
    ['en', 80],
    ['en+f3', 50],
  ];
  for (const [voice, pitch] of cases) {
    it(`sustained "Ah" (voice ${voice}, -p ${pitch}): mean F0 within 2 % of the counted periods`, { skip }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'egemaps-espeak-'));
      try {
        const wav = join(dir, 'ah.wav');
        const ssml = '<speak><prosody range="x-low">Ah.</prosody></speak>';
        const r = spawnSync('espeak-ng', ['-v', voice, '-p', String(pitch), '-s', '80', '-m', '-w', wav, ssml], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const { samples, sampleRateHz } = await loadAudio(wav, { sampleRateHz: 22050 });
        const track = voicedF0(samples, sampleRateHz);
        assert.ok(track.length >= 25, `voiced frames: ${track.length}`);
        // Steady part: 0.1 s inside the voiced stretch; cutoff 1.3 × the rough F0.
        const t0 = track[0].t + 0.1;
        const t1 = track[track.length - 1].t - 0.1;
        const rough = mean(track.map((v) => v.f0));
        const ref = countedF0(samples, sampleRateHz, t0, t1, 1.3 * rough);
        const ours = mean(track.filter(({ t }) => t >= ref.fromS && t <= ref.toS).map((v) => v.f0));
        assert.ok(ref.f0 > 50 && ref.f0 < 400, `reference ${ref.f0}`);
        assert.ok(Math.abs(ours - ref.f0) / ref.f0 < MAX_F0_ERROR, `YIN ${ours.toFixed(2)} Hz vs counted ${ref.f0.toFixed(2)} Hz`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
