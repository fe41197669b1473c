import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ComplexFft, RealFft, isPowerOfTwo } from '../../src/dsp/index.js';
import { makeWindow } from '../../src/dsp/index.js';

/** Direct O(n²) DFT in double precision. */
function naiveDft(re: ArrayLike<number>, im: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a);
      const s = Math.sin(a);
      sr += re[j] * c - im[j] * s;
      si += re[j] * s + im[j] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

function signal(n: number, seed: number): Float64Array {
  const x = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296 - 0.5 + 0.3 * Math.sin(0.37 * i);
  }
  return x;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = b.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Powers of two (radix-4/2), smooth sizes (radix 3/5/7/11/13), 400 (torchaudio's n_fft),
// and sizes with large prime factors (Bluestein: 17, 97, 101·2, 509).
const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 16, 17, 30, 64, 97, 100, 128, 143, 200, 202, 256, 400, 509, 512, 800, 1024];

for (const n of SIZES) {
  test(`ComplexFft(${n}) matches the naive DFT and inverts`, () => {
    const re = signal(n, n);
    const im = signal(n, n + 7);
    const ref = naiveDft(re, im);
    const f = new ComplexFft(n);
    const a = Float64Array.from(re);
    const b = Float64Array.from(im);
    f.forward(a, b);
    const tol = 1e-12 * n * Math.max(1, Math.log2(n));
    assert.ok(maxAbsDiff(a, ref.re) < tol, `re error ${maxAbsDiff(a, ref.re)}`);
    assert.ok(maxAbsDiff(b, ref.im) < tol, `im error ${maxAbsDiff(b, ref.im)}`);
    f.inverse(a, b);
    assert.ok(maxAbsDiff(a, re) < 1e-12 * n, 'inverse re');
    assert.ok(maxAbsDiff(b, im) < 1e-12 * n, 'inverse im');
  });

  test(`RealFft(${n}) matches the naive DFT (one-sided)`, () => {
    const x = signal(n, 3 * n + 1);
    const ref = naiveDft(x, new Float64Array(n));
    const f = new RealFft(n);
    assert.equal(f.bins, Math.floor(n / 2) + 1);
    const re = new Float64Array(f.bins);
    const im = new Float64Array(f.bins);
    f.forward(x, re, im);
    const tol = 1e-12 * n * Math.max(1, Math.log2(n));
    assert.ok(maxAbsDiff(re, ref.re, f.bins) < tol);
    assert.ok(maxAbsDiff(im, ref.im, f.bins) < tol);
    // A reused plan gives identical results (no state leaks between calls).
    const re2 = new Float64Array(f.bins);
    const im2 = new Float64Array(f.bins);
    f.forward(x, re2, im2);
    assert.deepEqual(re2, re);
    assert.deepEqual(im2, im);
  });
}

test('RealFft packed fast path equals forward()', () => {
  const n = 400;
  const x = signal(n, 5);
  const f = new RealFft(n);
  const re = new Float64Array(f.bins);
  const im = new Float64Array(f.bins);
  f.forward(x, re, im);
  for (let j = 0; j < n / 2; j++) {
    f.packedRe[j] = x[2 * j];
    f.packedIm[j] = x[2 * j + 1];
  }
  const pow = new Float32Array(f.bins + 3);
  f.powerFromPacked(pow, 3, 2);
  for (let k = 0; k < f.bins; k++) {
    const p = re[k] * re[k] + im[k] * im[k];
    assert.ok(Math.abs(pow[3 + k] - p) <= 1e-6 * Math.max(1, p));
  }
});

test('FFT sizes are validated', () => {
  assert.throws(() => new ComplexFft(0), /size must be an integer/);
  assert.throws(() => new RealFft(2.5), /size must be an integer/);
  assert.throws(() => new ComplexFft(8).forward(new Float64Array(4), new Float64Array(4)), /must hold 8/);
  assert.equal(isPowerOfTwo(512), true);
  assert.equal(isPowerOfTwo(400), false);
});

test('windows match the torch / Kaldi definitions', () => {
  const hann = makeWindow('hann', 8);
  assert.ok(Math.abs(hann[0]) < 1e-15);
  assert.ok(Math.abs(hann[4] - 1) < 1e-15); // periodic: peak at N/2
  assert.ok(Math.abs(hann[2] - 0.5) < 1e-15);
  const ham = makeWindow('hamming', 8);
  assert.ok(Math.abs(ham[0] - 0.08) < 1e-15);
  assert.ok(Math.abs(ham[4] - 1) < 1e-15);
  const povey = makeWindow('povey', 5); // symmetric over N − 1
  assert.ok(Math.abs(povey[0]) < 1e-15 && Math.abs(povey[4]) < 1e-15);
  assert.ok(Math.abs(povey[2] - 1) < 1e-15);
  assert.ok(Math.abs(povey[1] - 0.5 ** 0.85) < 1e-15);
  assert.deepEqual(Array.from(makeWindow('rect', 3)), [1, 1, 1]);
  assert.deepEqual(Array.from(makeWindow('hann', 1)), [1]);
  assert.throws(() => makeWindow('hann', 0), /positive integer/);
  assert.throws(() => makeWindow('blackman' as never, 4), /unknown window/);
});
