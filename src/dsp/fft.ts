/**
 * Fast Fourier transforms for the DSP front end (STFT, features, convolution).
 *
 * Hand-written on purpose (no dependency): it must run unchanged in Node and in browsers,
 * with no native or WASM build, at a real-time factor of a few thousandths per thread. Plans
 * precompute twiddles and own their scratch, so the STFT reuses one plan for every frame
 * without allocating, and the packed real-input path lets the STFT window straight into the
 * FFT input and fuse the |X|² computation into the final split step.
 *
 * Algorithms:
 * - {@link ComplexFft}: Stockham autosort (self-sorting, no bit reversal) with radix-4 passes
 *   (plus one radix-2 pass when log2 N is odd) for powers of two; radix-3, radix-5 and
 *   direct small-prime passes (7, 11, 13) for other smooth sizes (e.g. 200 = 4·2·5·5 behind
 *   torchaudio's `n_fft=400`); Bluestein's chirp-z algorithm on a power-of-two transform for
 *   sizes with a prime factor above 13.
 * - RealFft (real-fft.ts): a real transform of even size N computed as one complex transform
 *   of size N/2 on the even/odd-packed input, followed by the usual split step.
 *
 * Sign convention (as numpy / torch): X[k] = Σₙ x[n]·e^{−2πi·kn/N}, unnormalised forward.
 * All arithmetic is double precision.
 */

import { Bluestein } from './bluestein.js';

/** Largest prime handled by a direct (O(p²)) butterfly; larger primes go to Bluestein. */
const MAX_DIRECT_PRIME = 13;

/** Largest transform size accepted (samples). */
export const MAX_FFT_SIZE = 1 << 24;

export function checkSize(n: number, who: string): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_FFT_SIZE) {
    throw new RangeError(`${who}: size must be an integer in [1, ${MAX_FFT_SIZE}], got ${n}`);
  }
}

/** True when `n` is a positive power of two. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Splits `n` into Stockham radices (4s first, then 2, 3, 5, 7, 11, 13), or null if not smooth. */
function factorize(n: number): number[] | null {
  const radices: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    radices.push(4);
    rest /= 4;
  }
  for (const p of [2, 3, 5, 7, 11, 13]) {
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  return rest === 1 ? radices : null;
}

/** One Stockham pass: radix `r`, sub-length `len` = r·m, stride `s`. */
interface Stage {
  r: number;
  m: number;
  s: number;
  /** Twiddles w_len^{p·k} for p < m, 1 ≤ k < r, at index p·(r−1) + (k−1). */
  twRe: Float64Array;
  twIm: Float64Array;
}

/**
 * In-place complex FFT of a fixed size (a reusable plan). Data is split into separate real
 * and imaginary arrays of length `size`.
 */
export class ComplexFft {
  /** Transform length (points). */
  readonly size: number;
  private readonly stages: Stage[] = [];
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  /** Scratch of the generic small-prime pass, and e^{−2πi·t/r} (t < r) indexed by r ≤ 13. */
  private readonly accRe: Float64Array;
  private readonly accIm: Float64Array;
  private readonly rootRe: Float64Array[] = [];
  private readonly rootIm: Float64Array[] = [];
  private readonly bluestein: Bluestein | null = null;

  constructor(n: number) {
    checkSize(n, 'ComplexFft');
    this.size = n;
    const radices = factorize(n);
    if (radices === null) {
      this.bluestein = new Bluestein(n, (m) => new ComplexFft(m));
      this.bufRe = new Float64Array(0);
      this.bufIm = new Float64Array(0);
      this.accRe = new Float64Array(0);
      this.accIm = new Float64Array(0);
      return;
    }
    this.bufRe = new Float64Array(n);
    this.bufIm = new Float64Array(n);
    let maxR = 1;
    let len = n;
    let s = 1;
    for (const r of radices) {
      const m = len / r;
      const twRe = new Float64Array(m * (r - 1));
      const twIm = new Float64Array(m * (r - 1));
      for (let p = 0; p < m; p++) {
        for (let k = 1; k < r; k++) {
          const a = (-2 * Math.PI * ((p * k) % len)) / len;
          twRe[p * (r - 1) + k - 1] = Math.cos(a);
          twIm[p * (r - 1) + k - 1] = Math.sin(a);
        }
      }
      this.stages.push({ r, m, s, twRe, twIm });
      maxR = Math.max(maxR, r);
      len = m;
      s *= r;
    }
    for (let r = 0; r <= MAX_DIRECT_PRIME; r++) {
      const re = new Float64Array(r);
      const im = new Float64Array(r);
      for (let t = 0; t < r; t++) {
        re[t] = Math.cos((-2 * Math.PI * t) / r);
        im[t] = Math.sin((-2 * Math.PI * t) / r);
      }
      this.rootRe.push(re);
      this.rootIm.push(im);
    }
    this.accRe = new Float64Array(maxR);
    this.accIm = new Float64Array(maxR);
  }

  /** Forward transform in place: X[k] = Σₙ x[n]·e^{−2πi·kn/N} (no scaling). */
  forward(re: Float64Array, im: Float64Array): void {
    if (re.length < this.size || im.length < this.size) {
      throw new RangeError(`ComplexFft.forward: arrays must hold ${this.size} values`);
    }
    if (this.bluestein !== null) {
      this.bluestein.forward(re, im);
      return;
    }
    let xr = re;
    let xi = im;
    let yr = this.bufRe;
    let yi = this.bufIm;
    for (const st of this.stages) {
      this.pass(st, xr, xi, yr, yi);
      const tr = xr;
      const ti = xi;
      xr = yr;
      xi = yi;
      yr = tr;
      yi = ti;
    }
    if (xr !== re) {
      re.set(xr.subarray(0, this.size));
      im.set(xi.subarray(0, this.size));
    }
  }

  /** Inverse transform in place, scaled by 1/N so that inverse(forward(x)) = x. */
  inverse(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    for (let i = 0; i < n; i++) im[i] = -im[i];
    this.forward(re, im);
    const scale = 1 / n;
    for (let i = 0; i < n; i++) {
      re[i] *= scale;
      im[i] = -im[i] * scale;
    }
  }

  private pass(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    switch (st.r) {
      case 4:
        if (st.m === 1) this.pass4Last(st, xr, xi, yr, yi);
        else this.pass4(st, xr, xi, yr, yi);
        return;
      case 2:
        this.pass2(st, xr, xi, yr, yi);
        return;
      case 3:
        this.pass3(st, xr, xi, yr, yi);
        return;
      case 5:
        this.pass5(st, xr, xi, yr, yi);
        return;
      default:
        this.passGeneric(st, xr, xi, yr, yi);
    }
  }

  /** Radix-4 pass with m = 1 (the last pass of a power-of-four size): no twiddles. */
  private pass4Last(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { s } = st;
    for (let q = 0; q < s; q++) {
      const a0r = xr[q],
        a0i = xi[q];
      const a1r = xr[q + s],
        a1i = xi[q + s];
      const a2r = xr[q + 2 * s],
        a2i = xi[q + 2 * s];
      const a3r = xr[q + 3 * s],
        a3i = xi[q + 3 * s];
      const s02r = a0r + a2r,
        s02i = a0i + a2i,
        d02r = a0r - a2r,
        d02i = a0i - a2i;
      const s13r = a1r + a3r,
        s13i = a1i + a3i,
        d13r = a1r - a3r,
        d13i = a1i - a3i;
      yr[q] = s02r + s13r;
      yi[q] = s02i + s13i;
      yr[q + s] = d02r + d13i;
      yi[q + s] = d02i - d13r;
      yr[q + 2 * s] = s02r - s13r;
      yi[q + 2 * s] = s02i - s13i;
      yr[q + 3 * s] = d02r - d13i;
      yi[q + 3 * s] = d02i + d13r;
    }
  }

  /** Radix-4 pass: X1 = d02 − i·d13, X2 = s02 − s13, X3 = d02 + i·d13, then twiddles. */
  private pass4(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s, twRe, twIm } = st;
    const sm = s * m;
    const rs = 4 * s;
    for (let p = 0; p < m; p++) {
      const w = p * 3;
      const w1r = twRe[w],
        w1i = twIm[w],
        w2r = twRe[w + 1],
        w2i = twIm[w + 1],
        w3r = twRe[w + 2],
        w3i = twIm[w + 2];
      const inBase = s * p;
      const outBase = rs * p;
      for (let q = 0; q < s; q++) {
        const i0 = inBase + q;
        const a0r = xr[i0],
          a0i = xi[i0];
        const a1r = xr[i0 + sm],
          a1i = xi[i0 + sm];
        const a2r = xr[i0 + 2 * sm],
          a2i = xi[i0 + 2 * sm];
        const a3r = xr[i0 + 3 * sm],
          a3i = xi[i0 + 3 * sm];
        const s02r = a0r + a2r,
          s02i = a0i + a2i,
          d02r = a0r - a2r,
          d02i = a0i - a2i;
        const s13r = a1r + a3r,
          s13i = a1i + a3i,
          d13r = a1r - a3r,
          d13i = a1i - a3i;
        const o = outBase + q;
        yr[o] = s02r + s13r;
        yi[o] = s02i + s13i;
        // X1 = d02 − i·d13, X2 = s02 − s13, X3 = d02 + i·d13
        const x1r = d02r + d13i,
          x1i = d02i - d13r;
        const x2r = s02r - s13r,
          x2i = s02i - s13i;
        const x3r = d02r - d13i,
          x3i = d02i + d13r;
        yr[o + s] = x1r * w1r - x1i * w1i;
        yi[o + s] = x1r * w1i + x1i * w1r;
        yr[o + 2 * s] = x2r * w2r - x2i * w2i;
        yi[o + 2 * s] = x2r * w2i + x2i * w2r;
        yr[o + 3 * s] = x3r * w3r - x3i * w3i;
        yi[o + 3 * s] = x3r * w3i + x3i * w3r;
      }
    }
  }

  /** Radix-2 pass. */
  private pass2(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s, twRe, twIm } = st;
    const sm = s * m;
    const rs = 2 * s;
    for (let p = 0; p < m; p++) {
      const wr = twRe[p],
        wi = twIm[p];
      const inBase = s * p;
      const outBase = rs * p;
      for (let q = 0; q < s; q++) {
        const i0 = inBase + q;
        const a0r = xr[i0],
          a0i = xi[i0],
          a1r = xr[i0 + sm],
          a1i = xi[i0 + sm];
        const o = outBase + q;
        yr[o] = a0r + a1r;
        yi[o] = a0i + a1i;
        const dr = a0r - a1r,
          di = a0i - a1i;
        yr[o + s] = dr * wr - di * wi;
        yi[o + s] = dr * wi + di * wr;
      }
    }
  }

  /** Radix-3 pass. */
  private pass3(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s, twRe, twIm } = st;
    const sm = s * m;
    const rs = 3 * s;
    const h = Math.sqrt(3) / 2;
    for (let p = 0; p < m; p++) {
      const w = p * 2;
      const w1r = twRe[w],
        w1i = twIm[w],
        w2r = twRe[w + 1],
        w2i = twIm[w + 1];
      const inBase = s * p;
      const outBase = rs * p;
      for (let q = 0; q < s; q++) {
        const i0 = inBase + q;
        const a0r = xr[i0],
          a0i = xi[i0];
        const a1r = xr[i0 + sm],
          a1i = xi[i0 + sm];
        const a2r = xr[i0 + 2 * sm],
          a2i = xi[i0 + 2 * sm];
        const tr = a1r + a2r,
          ti = a1i + a2i;
        const br = a0r - 0.5 * tr,
          bi = a0i - 0.5 * ti;
        const zr = h * (a1r - a2r),
          zi = h * (a1i - a2i);
        const o = outBase + q;
        yr[o] = a0r + tr;
        yi[o] = a0i + ti;
        const x1r = br + zi,
          x1i = bi - zr;
        const x2r = br - zi,
          x2i = bi + zr;
        yr[o + s] = x1r * w1r - x1i * w1i;
        yi[o + s] = x1r * w1i + x1i * w1r;
        yr[o + 2 * s] = x2r * w2r - x2i * w2i;
        yi[o + 2 * s] = x2r * w2i + x2i * w2r;
      }
    }
  }

  /** Radix-5 pass. */
  private pass5(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { m, s, twRe, twIm } = st;
    const sm = s * m;
    const rs = 5 * s;
    const c1 = Math.cos((2 * Math.PI) / 5),
      c2 = Math.cos((4 * Math.PI) / 5);
    const s1 = Math.sin((2 * Math.PI) / 5),
      s2 = Math.sin((4 * Math.PI) / 5);
    for (let p = 0; p < m; p++) {
      const w = p * 4;
      const inBase = s * p;
      const outBase = rs * p;
      for (let q = 0; q < s; q++) {
        const i0 = inBase + q;
        const a0r = xr[i0],
          a0i = xi[i0];
        const a1r = xr[i0 + sm],
          a1i = xi[i0 + sm];
        const a2r = xr[i0 + 2 * sm],
          a2i = xi[i0 + 2 * sm];
        const a3r = xr[i0 + 3 * sm],
          a3i = xi[i0 + 3 * sm];
        const a4r = xr[i0 + 4 * sm],
          a4i = xi[i0 + 4 * sm];
        const t1r = a1r + a4r,
          t1i = a1i + a4i,
          t2r = a2r + a3r,
          t2i = a2i + a3i;
        const t3r = a1r - a4r,
          t3i = a1i - a4i,
          t4r = a2r - a3r,
          t4i = a2i - a3i;
        const b1r = a0r + c1 * t1r + c2 * t2r,
          b1i = a0i + c1 * t1i + c2 * t2i;
        const b2r = a0r + c2 * t1r + c1 * t2r,
          b2i = a0i + c2 * t1i + c1 * t2i;
        const z1r = s1 * t3r + s2 * t4r,
          z1i = s1 * t3i + s2 * t4i;
        const z2r = s2 * t3r - s1 * t4r,
          z2i = s2 * t3i - s1 * t4i;
        const o = outBase + q;
        yr[o] = a0r + t1r + t2r;
        yi[o] = a0i + t1i + t2i;
        // X1 = b1 − i·z1, X4 = b1 + i·z1, X2 = b2 − i·z2, X3 = b2 + i·z2
        this.twiddleStore(yr, yi, o + s, b1r + z1i, b1i - z1r, twRe[w], twIm[w]);
        this.twiddleStore(yr, yi, o + 2 * s, b2r + z2i, b2i - z2r, twRe[w + 1], twIm[w + 1]);
        this.twiddleStore(yr, yi, o + 3 * s, b2r - z2i, b2i + z2r, twRe[w + 2], twIm[w + 2]);
        this.twiddleStore(yr, yi, o + 4 * s, b1r - z1i, b1i + z1r, twRe[w + 3], twIm[w + 3]);
      }
    }
  }

  /** Direct O(r²) pass for a small prime radix r (7, 11, 13). */
  private passGeneric(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { r, m, s, twRe, twIm } = st;
    const sm = s * m;
    const rs = r * s;
    const rootRe = this.rootRe[r],
      rootIm = this.rootIm[r];
    const accRe = this.accRe,
      accIm = this.accIm;
    for (let p = 0; p < m; p++) {
      const w = p * (r - 1);
      const inBase = s * p;
      const outBase = rs * p;
      for (let q = 0; q < s; q++) {
        const i0 = inBase + q;
        for (let k = 0; k < r; k++) {
          let sr = 0,
            si = 0;
          for (let j = 0; j < r; j++) {
            const t = (j * k) % r;
            const ar = xr[i0 + j * sm],
              ai = xi[i0 + j * sm];
            sr += ar * rootRe[t] - ai * rootIm[t];
            si += ar * rootIm[t] + ai * rootRe[t];
          }
          accRe[k] = sr;
          accIm[k] = si;
        }
        const o = outBase + q;
        yr[o] = accRe[0];
        yi[o] = accIm[0];
        for (let k = 1; k < r; k++) this.twiddleStore(yr, yi, o + k * s, accRe[k], accIm[k], twRe[w + k - 1], twIm[w + k - 1]);
      }
    }
  }

  private twiddleStore(yr: Float64Array, yi: Float64Array, at: number, xr: number, xi: number, wr: number, wi: number): void {
    yr[at] = xr * wr - xi * wi;
    yi[at] = xr * wi + xi * wr;
  }
}
