// compare-ts: layout (6373 unique names, docs tables), input contract, silence / noise / tones,
// determinism, known-answer checks of the functionals and LLDs, voicing-only functionals,
// the registry, worker-thread extraction with the cache, and a RAVDESS sanity check.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAudio } from '../../src/audio/load.js';
import { COMPARE_FEATURE_COUNT } from '../../src/features/compare/constants.js';
import { peaks, thresholdSegments, voicedSegments } from '../../src/features/compare/events.js';
import {
  COMPARE_FEATURE_NAMES,
  COMPARE_LLDS,
  computeCompare,
  computeCompareLlds,
  makeCompareFeatureSet,
  renderFunctionalTable,
  renderLayoutTable,
  renderLldTable,
} from '../../src/features/compare/index.js';
import {
  contourLpc,
  extremes,
  flatness,
  limitedRatio,
  moments,
  percentiles,
  posamean,
  regression,
  rqmean,
  summarize,
  times,
} from '../../src/features/compare/stats.js';
import { computeFeatures, extractFeatures } from '../../src/features/extract/index.js';
import { getFeatureSet, listFeatureSets } from '../../src/features/index.js';
import { RAVDESS_DIR, sharedSkip, tempDir, tone, wavFromFloat } from '../audio/helpers.js';
import { normalizePeak, vowel, whiteNoise } from '../fixtures/egemaps/synth.js';

const FS = 16000;
const STEP = 0.01;
const DOC = new URL('../../docs/compare-ts.md', import.meta.url);

function lookup(x: Float32Array, fs = FS): (name: string) => number {
  const r = computeCompare(x, fs, { strict: true });
  assert.equal(r.values.length, COMPARE_FEATURE_COUNT);
  return (name) => {
    const i = r.names.indexOf(name);
    assert.ok(i >= 0, `feature ${name} exists`);
    return r.values[i];
  };
}

const near = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, expected ${want} ± ${tol}`);

/** Functional outputs of one helper on `values` (10 ms apart). */
function run(values: number[], fn: (s: ReturnType<typeof summarize>, out: Float64Array, o: number) => void, width: number): number[] {
  const out = new Float64Array(width);
  fn(summarize(values, values.length, STEP), out, 0);
  return Array.from(out);
}

describe('compare-ts: layout and documentation', () => {
  it('has 6373 unique names in the documented order', () => {
    assert.equal(COMPARE_FEATURE_NAMES.length, 6373);
    assert.equal(new Set(COMPARE_FEATURE_NAMES).size, 6373);
    assert.equal(COMPARE_LLDS.length, 65);
    assert.equal(COMPARE_FEATURE_NAMES[0], 'audspec_lengthL1norm_sma_range');
    assert.equal(COMPARE_FEATURE_NAMES[31 * 4], 'audspec_lengthL1norm_sma_de_range');
    const f0 = COMPARE_FEATURE_NAMES.indexOf('F0final_sma_ff0_nnz');
    assert.equal(f0, 31 * 8 + 31 * 110 + 39 * 12);
    assert.equal(COMPARE_FEATURE_NAMES[f0 + 5], 'audspec_lengthL1norm_sma_amean');
    assert.equal(COMPARE_FEATURE_NAMES[6372], 'mfcc_sma_de[14]_stddevFallingSlope');
    for (const n of COMPARE_FEATURE_NAMES) assert.match(n, /^[A-Za-z0-9_.\-[\]]+$/, n);
  });

  it('docs/compare-ts.md embeds exactly the generated tables', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const [marker, text] of [
      ['compare-llds', renderLldTable()],
      ['compare-functionals', renderFunctionalTable()],
      ['compare-layout', renderLayoutTable()],
    ] as const) {
      const m = new RegExp(`<!-- ${marker}:start -->\\n([\\s\\S]*?)\\n<!-- ${marker}:end -->`).exec(doc);
      assert.ok(m, `doc has the ${marker} markers`);
      assert.equal(m[1], text, `regenerate the ${marker} table`);
    }
    const last = [...renderLayoutTable().matchAll(/^\| \d+–(\d+) \|/gm)].pop();
    assert.equal(Number(last?.[1]), 6372);
  });
});

describe('compare-ts: functionals on known series', () => {
  it('percentiles, quartile ranges and extremes', () => {
    const p = run([5, 1, 4, 2, 3], (s, out, o) => percentiles(s, [0.01, 0.99], out, o), 9);
    assert.deepEqual(p.slice(0, 6), [2, 3, 4, 1, 1, 2]);
    near(p[6], 1.04, 1e-12, 'percentile1.0');
    near(p[7], 4.96, 1e-12, 'percentile99.0');
    near(p[8], 3.92, 1e-12, 'pctlrange0-1');
    assert.deepEqual(run([5, 1, 4, 2, 3], extremes, 3), [4, 0, 0.2]);
    assert.deepEqual(run([], extremes, 3), [0, 0, 0]);
  });

  it('regression of a linear ramp and a parabola, in units per second', () => {
    const ramp = Array.from({ length: 50 }, (_, i) => 2 + 0.5 * i); // +0.5 per 10 ms frame
    const r = run(ramp, regression, 8);
    near(r[0], 50, 1e-9, 'linregc1 (1/s)');
    near(r[1], 2, 1e-9, 'linregc2');
    near(r[2], 0, 1e-12, 'linregerrQ');
    near(r[3], 0, 1e-6, 'qregc1');
    near(r[4], 50, 1e-6, 'qregc2');
    near(r[5], 2, 1e-9, 'qregc3');
    // centroid of |x| = Σ i·x_i / (N·Σ x_i)
    const num = ramp.reduce((a, x, i) => a + i * x, 0);
    near(r[7], num / (50 * ramp.reduce((a, x) => a + x, 0)), 1e-12, 'centroid');
    // x = 3·t² − t + 4, t = i·0.01 s
    const q = run(
      Array.from({ length: 40 }, (_, i) => 3 * (i * STEP) ** 2 - i * STEP + 4),
      regression,
      8,
    );
    near(q[3], 3, 1e-6, 'qregc1 (1/s²)');
    near(q[4], -1, 1e-6, 'qregc2');
    near(q[5], 4, 1e-9, 'qregc3');
    near(q[6], 0, 1e-12, 'qregerrQ');
    assert.ok(q[2] > 0, 'a line does not fit a parabola');
  });

  it('moments, means, flatness, times', () => {
    assert.deepEqual(run([1, 3, 1, 3], moments, 3), [1, 0, 1]); // two-point distribution: σ 1, skew 0, kurtosis 1
    assert.deepEqual(run([7, 7, 7], moments, 3), [0, 0, 0]);
    const s = summarize([1, -2, 4, 0], 4, STEP);
    assert.equal(posamean(s), 2.5);
    assert.equal(rqmean(s), Math.sqrt(21 / 4));
    near(flatness(s), 2 / (7 / 4), 1e-12, 'flatness = geometric mean of non-zero |x| / mean |x|');
    near(flatness(summarize([3, 3, 3], 3, STEP)), 1, 1e-12, 'flatness of a constant');
    // min 0, max 10: above 2.5 / 5 / 7.5 / 9; rises 3 of 4 steps; left curvature at 2 of 3 inner points.
    assert.deepEqual(
      run([0, 4, 6, 10, 9], (s2, out, o) => times(s2, [0.25, 0.5, 0.75, 0.9], out, o), 6),
      [0.8, 0.6, 0.4, 0.2, 0.75, 1 / 3],
    );
  });

  it('linear prediction of an AR(1)-like decay', () => {
    const x = Array.from({ length: 400 }, (_, i) => 0.9 ** i);
    const l = run(x, (s, out, o) => contourLpc(s, 5, out, o), 6);
    near(l[1], -0.9, 1e-3, 'a1');
    for (let k = 2; k <= 5; k++) near(l[k], 0, 1e-3, `a${k}`);
    near(l[0], 1 / 400, 2e-4, 'lpgain: only x₀ = 1 is unpredictable, error 1 over 400 values');
    assert.deepEqual(
      run([0, 0, 0], (s, out, o) => contourLpc(s, 5, out, o), 6),
      [0, 0, 0, 0, 0, 0],
    );
  });

  it('peaks and slopes of a sampled sine contour', () => {
    // Period 20 frames = 0.2 s, amplitude 1, five periods.
    const x = Array.from({ length: 100 }, (_, i) => Math.sin((2 * Math.PI * i) / 20));
    const p = run(x, peaks, 12);
    near(p[0], 0.2, 1e-9, 'meanPeakDist (s)');
    near(p[1], 0, 1e-9, 'peakDistStddev');
    near(p[4], 1, 1e-9, 'peakMeanAbs');
    near(p[3], 0, 1e-9, 'peakRangeRel');
    // Straight lines from peak (+1) to valley (−1) over 10 frames: 2 / 0.1 s = 20 /s.
    near(p[10], 20, 1e-6, 'meanFallingSlope');
    // Rising: start → first peak (1/0.05 s), four valley → peak lines (20 /s), last valley → last frame.
    near(p[8], (20 * 5 + (x[99] + 1) / 0.04) / 6, 1e-6, 'meanRisingSlope');
    assert.deepEqual(run([1, 1, 1, 1], peaks, 12), Array(12).fill(0));
    assert.equal(limitedRatio(1, 0), 20);
    near(limitedRatio(25, 1), 10 + 10 * Math.tanh(1.5), 1e-12, 'soft limit above 10');
    assert.equal(limitedRatio(3, 2), 1.5);
  });

  it('threshold segments and voiced segments', () => {
    // A square wave 0/1 with 10-frame halves: the running average crosses 0.25 and 0.75 once per edge.
    const sq = Array.from({ length: 100 }, (_, i) => (Math.floor(i / 10) % 2 === 0 ? 0 : 1));
    const seg = run(sq, thresholdSegments, 4);
    near(seg[0], 0.1, 0.011, 'meanSegLen ≈ 10 frames');
    assert.deepEqual(run([2, 2, 2], thresholdSegments, 4), [0, 0, 0, 0]);
    const out = new Float64Array(5);
    // Voiced runs: 5 frames, a 1-frame gap (merged), 4 frames → one 10-frame segment; a 2-frame run is too short.
    voicedSegments([0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0], STEP, out, 0);
    near(out[0], 11 / 16, 1e-12, 'nnz');
    near(out[1], 0.1, 1e-12, 'meanSegLen');
    near(out[2], 0.1, 1e-12, 'maxSegLen');
    near(out[3], 0.1, 1e-12, 'minSegLen');
    assert.equal(out[4], 0);
  });
});

describe('compare-ts: LLDs and pipeline', () => {
  it('a sine gives its F0, zero-crossing rate, RMS energy and spectral centroid', () => {
    const f = 210.3;
    const get = lookup(tone(f, FS, FS, 0.5));
    near(get('F0final_sma_amean'), f, 0.01 * f, 'F0 mean');
    near(get('F0final_sma_ff0_nnz'), 1, 0.03, 'voiced fraction');
    near(get('pcm_zcr_sma_quartile2'), (2 * f) / FS, 0.002, 'zcr (crossings per sample)');
    near(get('pcm_RMSenergy_sma_quartile2'), 0.5 / Math.SQRT2, 0.005, 'RMS energy');
    near(get('pcm_fftMag_spectralCentroid_sma_quartile2'), f, 15, 'centroid (Hz)');
    near(get('pcm_fftMag_spectralRollOff50.0_sma_quartile2'), f, 40, 'roll-off 50 % (Hz)');
    assert.ok(get('jitterLocal_sma_amean') < 0.002, 'a pure tone has no jitter');
    assert.ok(get('logHNR_sma_amean') > 30, 'a pure tone is harmonic');
    // A 400 Hz tone lies in the 250–650 Hz band: its power there is A²/2.
    const inBand = lookup(tone(400, FS, FS, 0.2));
    near(inBand('pcm_fftMag_fband250-650_sma_quartile2'), 0.02, 0.001, 'band power');
    assert.ok(inBand('pcm_fftMag_fband1000-4000_sma_quartile2') < 1e-5, 'no power at 1–4 kHz');
  });

  it('jitter (local, DDP) and shimmer of synthetic vowels with known perturbations', () => {
    const synth = (o: { jitterAlt?: number; shimmerRatio?: number }) =>
      normalizePeak(
        vowel({ sampleRateHz: FS, durationS: 0.8, f0Hz: 120, formantsHz: [700, 1220, 2600], bandwidthsHz: [80, 90, 120], ...o }),
      );
    // Periods T(1 ± 0.01) alternating: |ΔT| = 0.02·T (local 2 %), |T₊ − 2T₋ + T₊| = 0.04·T (DDP 4 %).
    const j = lookup(synth({ jitterAlt: 0.01 }));
    near(j('jitterLocal_sma_amean'), 0.02, 0.003, 'jitter local');
    near(j('jitterDDP_sma_amean'), 0.04, 0.006, 'jitter DDP');
    near(j('F0final_sma_amean'), 120, 2, 'F0 of the vowel');
    // Period amplitudes alternating by 1 dB (ratio r): |ΔA| / mean A = 2(r − 1)/(r + 1).
    const r = 10 ** (1 / 20);
    const sh = lookup(synth({ shimmerRatio: r }));
    near(sh('shimmerLocal_sma_amean'), (2 * (r - 1)) / (r + 1), 0.01, 'shimmer local');
    assert.ok(sh('jitterLocal_sma_amean') < 0.003, 'no jitter in the shimmer-only vowel');
    // Alternating periods change how much formant ringing overlaps each peak: a little real shimmer (2.5 %).
    assert.ok(j('shimmerLocal_sma_amean') < 0.05, 'little shimmer in the jitter-only vowel');
  });

  it('an amplitude ramp gives the RMS regression slope', () => {
    const n = 2 * FS;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (0.1 + 0.4 * (i / n)) * Math.sin((2 * Math.PI * 300.7 * i) / FS);
    const get = lookup(x);
    // RMS(t) = (0.1 + 0.2·t)/√2 → slope 0.2/√2 per second.
    near(get('pcm_RMSenergy_sma_linregc1'), 0.2 / Math.SQRT2, 0.01, 'RMS slope (1/s)');
    assert.ok(get('audspec_lengthL1norm_sma_linregc1') > 0, 'loudness rises');
    assert.ok(get('pcm_RMSenergy_sma_de_posamean') > 0, 'positive deltas');
  });

  it('is deterministic and finite on silence, noise and tones; raw LLDs are frame-aligned', () => {
    const noise = Float32Array.from(whiteNoise(FS, 0.1, 7));
    const a = computeCompare(noise, FS, { strict: true });
    const b = computeCompare(noise, FS, { strict: true });
    assert.deepEqual(a.values, b.values);
    for (const x of [new Float32Array(FS), Float32Array.from(whiteNoise(FS, 1e-5, 3)), tone(1000, FS, FS / 2, 0.9)]) {
      const r = computeCompare(x, FS, { strict: true });
      assert.ok(r.values.every(Number.isFinite));
    }
    const silent = lookup(new Float32Array(FS));
    assert.equal(silent('pcm_RMSenergy_sma_quartile3'), 0);
    assert.equal(silent('F0final_sma_ff0_nnz'), 0);
    const raw = computeCompareLlds(tone(150, FS, 8000, 0.5), FS);
    assert.equal(raw.framing.frameCount, Math.floor(8000 / 160) + 1);
    assert.equal(raw.contours.length, 65);
    for (const c of raw.contours) assert.equal(c.length, raw.framing.frameCount);
  });

  it('voicing functionals react to voicing only', () => {
    const noise = lookup(Float32Array.from(whiteNoise(FS, 0.1, 11)));
    assert.equal(noise('F0final_sma_ff0_nnz'), 0);
    for (const n of [
      'F0final_sma_amean',
      'F0final_sma_quartile2',
      'jitterLocal_sma_amean',
      'shimmerLocal_sma_amean',
      'logHNR_sma_amean',
      'F0final_sma_ff0_meanSegLen',
    ]) {
      assert.equal(noise(n), 0, n);
    }
    assert.ok(noise('pcm_RMSenergy_sma_quartile2') > 0.05, 'noise has energy');
    // Half a tone, half noise: half the frames voiced, F0 of the voiced half only.
    const x = new Float32Array(2 * FS);
    x.set(tone(180.4, FS, FS, 0.5));
    x.set(Float32Array.from(whiteNoise(FS, 0.1, 5)), FS);
    const mixed = lookup(x);
    near(mixed('F0final_sma_ff0_nnz'), 0.5, 0.05, 'voiced fraction');
    near(mixed('F0final_sma_amean'), 180.4, 2, 'F0 over voiced frames only');
    near(mixed('F0final_sma_ff0_maxSegLen'), 1, 0.05, 'one voiced segment of 1 s');
  });

  it('rejects short, non-finite, mistyped input and too low sample rates', () => {
    assert.throws(() => computeCompare(new Float32Array(0), FS), { name: 'RangeError', message: /compare-ts: input too short.*0\.1 s/ });
    assert.throws(() => computeCompare(new Float32Array(1599), FS), { name: 'RangeError', message: /too short/ });
    const bad = tone(200, FS, 4000, 0.5);
    bad[123] = Number.NaN;
    assert.throws(() => computeCompare(bad, FS), { name: 'RangeError', message: /sample 123 is not finite/ });
    assert.throws(() => computeCompare([0, 1] as unknown as Float32Array, FS), { name: 'TypeError' });
    assert.throws(() => computeCompare(tone(200, FS, 4000), 4000), { name: 'RangeError', message: /sampleRateHz/ });
    assert.ok(computeCompare(tone(200, FS, 1600, 0.5), FS, { strict: true }).values.every(Number.isFinite), 'exactly 0.1 s works');
    const at8k = computeCompare(tone(200, 8000, 8000, 0.5), 8000, { strict: true });
    assert.ok(at8k.values.every(Number.isFinite), 'finite at 8 kHz');
  });
});

describe('compare-ts: registry and extraction', () => {
  it('is registered as a vector set of [1, 1, 6373]', async () => {
    assert.ok(listFeatureSets().includes('compare-ts'));
    const set = getFeatureSet('compare-ts');
    assert.equal(set.kind, 'vector');
    assert.equal(set.frameRateHz, null);
    const out = await set.compute(tone(200, FS, 4800, 0.5));
    assert.deepEqual([out.channels, out.frames, out.dims], [1, 1, 6373]);
    assert.deepEqual(set.featureNames?.(), [...COMPARE_FEATURE_NAMES]);
    assert.match(set.settingsKey(), /^compare-ts\/v\d+\/sr=16000\/n=6373\//);
    assert.match(set.settingsKey(), /egemaps\.F0_MIN_HZ=/, 'the reused DSP is part of the key');
    const at8k = getFeatureSet('compare-ts', { sampleRateHz: 8000 });
    assert.notEqual(at8k.settingsKey(), set.settingsKey());
    assert.throws(() => getFeatureSet('compare-ts', { nMels: 40 }), /unknown option 'nMels'/);
    assert.throws(() => makeCompareFeatureSet(4000), /sampleRateHz/);
  });

  it('gives the same values on a worker thread, and serves a second run from the cache', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const audio = join(dir, 'audio');
      mkdirSync(audio);
      const wav = join(audio, 'a.wav');
      writeFileSync(wav, wavFromFloat(tone(170.2, FS, FS, 0.4), FS));
      const viaWorker = await computeFeatures([{ id: 'a', path: wav }], 'compare-ts', {}, { workers: 1, cacheDir: null });
      const direct = await getFeatureSet('compare-ts').compute((await loadAudio(wav)).samples);
      assert.deepEqual(Array.from(viaWorker.get('a')!.data), Array.from(direct.data));
      const cacheDir = join(dir, 'cache');
      const o = { set: 'compare-ts', input: audio, out: join(dir, 'f.csv'), workers: 0, cacheDir, progress: false };
      assert.equal((await extractFeatures(o)).fromCache, 0);
      assert.equal((await extractFeatures(o)).fromCache, 1);
      const header = readFileSync(join(dir, 'f.csv'), 'utf8').split('\n')[0];
      assert.ok(header.includes('F0final_sma_ff0_nnz'), 'CSV columns are the feature names');
    } finally {
      cleanup();
    }
  });
});

describe('compare-ts on RAVDESS', () => {
  const skip = sharedSkip(RAVDESS_DIR);

  it('loud angry speech has more energy than soft sad speech (same actor and sentence)', { skip }, async () => {
    for (const actor of ['03', '08', '15']) {
      const file = (emotion: string) => join(RAVDESS_DIR, `Actor_${actor}`, `03-01-${emotion}-01-01-${actor}.wav`);
      if (!existsSync(file('05-02')) || !existsSync(file('04-01'))) assert.fail(`RAVDESS clips of actor ${actor} missing`);
      const angry = lookup((await loadAudio(file('05-02'), { sampleRateHz: FS })).samples);
      const sad = lookup((await loadAudio(file('04-01'), { sampleRateHz: FS })).samples);
      for (const n of [
        'pcm_RMSenergy_sma_quartile3',
        'audspec_lengthL1norm_sma_amean',
        'pcm_RMSenergy_sma_rqmean',
        'pcm_fftMag_fband1000-4000_sma_amean',
      ]) {
        assert.ok(angry(n) > 2 * sad(n), `actor ${actor} ${n}: angry ${angry(n)} vs sad ${sad(n)}`);
      }
      assert.ok(angry('F0final_sma_ff0_nnz') > 0.05 && sad('F0final_sma_ff0_nnz') > 0.05, 'both are voiced');
    }
  });
});
