// Parity with torchaudio 0.13 on reference arrays written by
// scripts/fixtures/make-feature-fixtures.py (float64 torch, stored as float32).
//
// Metrics, both required ≤ 1e-4:
// - relErr = max|ours − ref| / max|ref| over the whole array (peak-relative);
// - elementwise = max_i |ours_i − ref_i| / max(|ref_i|, 1e-3·max|ref|), i.e. relative per
//   element with an absolute floor of 1e-3 of the peak (so near-zero entries, e.g. MFCC
//   coefficients crossing 0, do not blow up the ratio).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { melFilterbank, spectrogram, logMelSpectrogram, mfcc, deltas, type MelScale, type MelNorm } from '../../src/features/index.js';
import type { WindowName } from '../../src/dsp/index.js';
import { typescriptPath } from './paths.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'features');
const TOLERANCE = 1e-4;
/** Absolute floor of the elementwise metric, relative to the array's peak magnitude. */
const ELEMENT_FLOOR = 1e-3;

interface Case {
  name: string;
  kind: string;
  file: string;
  shape: number[];
  params: Record<string, unknown>;
}
interface Manifest {
  signal: { file: string; sampleRateHz: number; samples: number };
  cases: Case[];
}

const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Manifest;

function readF32(file: string): Float32Array {
  const buf = readFileSync(join(DIR, file));
  const out = new Float32Array(buf.length / 4);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function caseByName(name: string): Case {
  const c = manifest.cases.find((k) => k.name === name);
  assert.ok(c, `fixture case ${name} missing`);
  return c;
}

/** max|a − b| / max|b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    peak = Math.max(peak, Math.abs(b[i]));
  }
  return diff / peak;
}

/** max_i |a_i − b_i| / max(|b_i|, floor·max|b|): elementwise, with an absolute floor. */
function elementErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = ELEMENT_FLOOR): number {
  let peak = 0;
  for (let i = 0; i < b.length; i++) peak = Math.max(peak, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor * peak));
  return worst;
}

function check(name: string, ours: Float32Array, shape?: [number, number]): void {
  const c = caseByName(name);
  if (shape) assert.deepEqual(shape, c.shape, `${name}: shape`);
  const ref = readF32(c.file);
  const err = relErr(ours, ref);
  const el = elementErr(ours, ref);
  if (process.env.FEATURE_PARITY_VERBOSE) console.log(`${name}: relErr ${err.toExponential(2)}, elementwise ${el.toExponential(2)}`);
  assert.ok(err <= TOLERANCE, `${name}: relErr ${err} > ${TOLERANCE}`);
  assert.ok(el <= TOLERANCE, `${name}: elementwise error ${el} > ${TOLERANCE}`);
}

/**
 * Registers `fn` twice: on the libtorch engine (Node's default for mel spectrograms) and on the
 * TypeScript path (the browser's).
 */
function onBothPaths(name: string, fn: () => void): void {
  test(`${name} (libtorch engine)`, fn);
  test(`${name} (TypeScript)`, () => typescriptPath(fn));
}

const signal = readF32(manifest.signal.file);
const SR = manifest.signal.sampleRateHz;

test('fixture signal is the expected length', () => {
  assert.equal(signal.length, manifest.signal.samples);
});

for (const name of ['fbank_htk_none', 'fbank_slaney_slaney', 'fbank_htk_slaney', 'fbank_slaney_none']) {
  test(`mel filterbank parity: ${name}`, () => {
    const p = caseByName(name).params;
    const fb = melFilterbank({
      sampleRateHz: p.sampleRateHz as number,
      nFft: p.nFft as number,
      nMels: p.nMels as number,
      fMinHz: p.fMinHz as number | undefined,
      fMaxHz: p.fMaxHz as number | undefined,
      scale: p.scale as MelScale,
      norm: p.norm as MelNorm,
    });
    check(name, fb);
  });
}

test('spectrogram parity: magnitude, hamming 300 in nFft 400, constant padding', () => {
  const s = spectrogram(signal, {
    nFft: 400,
    winSamples: 300,
    hopSamples: 160,
    window: 'hamming',
    power: 1,
    center: true,
    padMode: 'constant',
  });
  check('spec_mag_hamming_400', s.data, [s.frames, s.dims]);
});

test('spectrogram parity: power, hann 400 in nFft 512, reflect padding, hop 123 (first 96 bins)', () => {
  const s = spectrogram(signal, { nFft: 512, winSamples: 400, hopSamples: 123, window: 'hann', power: 2 });
  const cols = 96;
  const sub = new Float32Array(s.frames * cols);
  for (let t = 0; t < s.frames; t++) sub.set(s.data.subarray(t * s.dims, t * s.dims + cols), t * cols);
  check('spec_pow_hann_512', sub, [s.frames, cols]);
});

for (const name of ['logmel_ln_htk', 'logmel_ln_slaney']) {
  onBothPaths(`log-mel parity: ${name}`, () => {
    const p = caseByName(name).params;
    const m = logMelSpectrogram(signal, {
      sampleRateHz: SR,
      nFft: p.nFft as number,
      winSamples: p.winSamples as number | undefined,
      hopSamples: p.hopSamples as number,
      nMels: p.nMels as number,
      fMinHz: p.fMinHz as number | undefined,
      fMaxHz: p.fMaxHz as number | undefined,
      scale: p.scale as MelScale,
      norm: p.norm as MelNorm,
      window: (p.window as WindowName | undefined) ?? 'hann',
      log: 'ln',
      lnEps: 1e-6,
    });
    check(name, m.data, [m.frames, m.dims]);
  });
}

onBothPaths('MFCC parity: dB log-mel with top_db 80 (torchaudio default), nFft 400', () => {
  const m = mfcc(signal, { sampleRateHz: SR, nFft: 400, hopSamples: 160, nMels: 40, nMfcc: 20 });
  check('mfcc_db', m.data, [m.frames, m.dims]);
});

onBothPaths('MFCC parity: log_mels, hamming, center=false, slaney mel', () => {
  const m = mfcc(signal, {
    sampleRateHz: SR,
    nFft: 512,
    winSamples: 400,
    hopSamples: 160,
    nMels: 64,
    nMfcc: 13,
    logMels: true,
    window: 'hamming',
    center: false,
    scale: 'slaney',
    norm: 'slaney',
  });
  check('mfcc_ln', m.data, [m.frames, m.dims]);
});

for (const n of [2, 4]) {
  test(`deltas parity: compute_deltas win_length ${2 * n + 1}`, () => {
    const base = caseByName('mfcc_db');
    const input = { data: readF32(base.file), channels: 1, frames: base.shape[0], dims: base.shape[1] };
    const d = deltas(input, n);
    check(`deltas_n${n}`, d.data, [d.frames, d.dims]);
  });
}
