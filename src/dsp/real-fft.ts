/** Real-input FFT plans (see fft.ts for the algorithms and sign convention). */
import { checkSize, ComplexFft } from './fft.js';

/**
 * Forward FFT of a real signal of fixed length (a reusable plan with its own scratch; one
 * plan must not be used by two computations at once — JavaScript's single thread makes that
 * a non-issue unless calls are interleaved by hand).
 *
 * Output: the one-sided spectrum, bins k = 0 … ⌊N/2⌋ (`bins` = ⌊N/2⌋ + 1 values).
 *
 * Fast path for even N (what the STFT uses): write the frame straight into
 * {@link RealFft.packedRe} / {@link RealFft.packedIm} (sample 2j → packedRe[j], sample 2j+1 →
 * packedIm[j]) and call {@link RealFft.powerFromPacked}, which skips a copy and the complex
 * output arrays.
 */
export class RealFft {
  /** Transform length N (samples). */
  readonly size: number;
  /** Number of one-sided output bins, ⌊N/2⌋ + 1. */
  readonly bins: number;
  /** Packed input scratch, real parts (even samples); length N/2 for even N, else N. */
  readonly packedRe: Float64Array;
  /** Packed input scratch, imaginary parts (odd samples); length N/2 for even N, else N. */
  readonly packedIm: Float64Array;
  private readonly half: number;
  private readonly cfft: ComplexFft;
  /** e^{−2πik/N} for k ≤ N/2 (even N only). */
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;

  constructor(n: number) {
    checkSize(n, 'RealFft');
    this.size = n;
    this.bins = Math.floor(n / 2) + 1;
    const even = n % 2 === 0;
    const len = even ? n / 2 : n;
    this.half = even ? n / 2 : 0;
    this.cfft = new ComplexFft(len);
    this.packedRe = new Float64Array(len);
    this.packedIm = new Float64Array(len);
    this.wRe = new Float64Array(even ? n / 2 + 1 : 0);
    this.wIm = new Float64Array(even ? n / 2 + 1 : 0);
    for (let k = 0; k < this.wRe.length; k++) {
      const a = (-2 * Math.PI * k) / n;
      this.wRe[k] = Math.cos(a);
      this.wIm[k] = Math.sin(a);
    }
  }

  /** True when the packed fast path ({@link RealFft.powerFromPacked}) is available (even N). */
  get packed(): boolean {
    return this.half > 0;
  }

  /**
   * Computes the one-sided spectrum of `input` (first N values are used).
   * @param outRe - receives Re X[k] for k < `bins`.
   * @param outIm - receives Im X[k] for k < `bins`.
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const n = this.size;
    if (input.length < n) throw new RangeError(`RealFft.forward: input must hold ${n} samples, got ${input.length}`);
    if (outRe.length < this.bins || outIm.length < this.bins) {
      throw new RangeError(`RealFft.forward: outputs must hold ${this.bins} values`);
    }
    const zRe = this.packedRe;
    const zIm = this.packedIm;
    if (this.half === 0) {
      for (let i = 0; i < n; i++) {
        zRe[i] = input[i];
        zIm[i] = 0;
      }
      this.cfft.forward(zRe, zIm);
      for (let k = 0; k < this.bins; k++) {
        outRe[k] = zRe[k];
        outIm[k] = zIm[k];
      }
      return;
    }
    for (let j = 0; j < this.half; j++) {
      zRe[j] = input[2 * j];
      zIm[j] = input[2 * j + 1];
    }
    this.transformPacked(outRe, outIm);
  }

  /**
   * Transforms the frame held in {@link RealFft.packedRe}/{@link RealFft.packedIm} (which it
   * overwrites) and writes |X[k]|^power (power 2: re² + im²; power 1: magnitude) to
   * `out[offset + k]` for k < `bins`. Even N only.
   */
  powerFromPacked(out: Float32Array, offset: number, power: 1 | 2): void {
    const h = this.half;
    if (h === 0) throw new RangeError('RealFft.powerFromPacked: needs an even size');
    if (offset < 0 || offset + this.bins > out.length) throw new RangeError('RealFft.powerFromPacked: output too short');
    const zRe = this.packedRe;
    const zIm = this.packedIm;
    this.cfft.forward(zRe, zIm);
    const { wRe, wIm } = this;
    const x0 = zRe[0] + zIm[0];
    const xh = zRe[0] - zIm[0];
    out[offset] = x0 * x0;
    out[offset + h] = xh * xh;
    // Same split as transformPacked, fused with |X|².
    for (let k = 1; k < h; k++) {
      const zr = zRe[k],
        zi = zIm[k],
        cr = zRe[h - k],
        ci = zIm[h - k];
      const er = zr + cr,
        ei = zi - ci; // 2·E
      const or = zi + ci,
        oi = cr - zr; // 2·O
      const wr = wRe[k],
        wi = wIm[k];
      const xr = er + or * wr - oi * wi;
      const xi = ei + or * wi + oi * wr;
      out[offset + k] = 0.25 * (xr * xr + xi * xi);
    }
    if (power === 1) for (let k = 0; k <= h; k++) out[offset + k] = Math.sqrt(out[offset + k]);
  }

  /** Split step after the half-size complex FFT of the packed input (even N). */
  private transformPacked(outRe: Float64Array, outIm: Float64Array): void {
    const zRe = this.packedRe;
    const zIm = this.packedIm;
    const h = this.half;
    this.cfft.forward(zRe, zIm);
    const { wRe, wIm } = this;
    // k = 0 and k = h (Nyquist) are real: X0 = Re Z0 + Im Z0, X_h = Re Z0 − Im Z0.
    outRe[0] = zRe[0] + zIm[0];
    outIm[0] = 0;
    outRe[h] = zRe[0] - zIm[0];
    outIm[h] = 0;
    // X[k] = E[k] + w^k·O[k], E = (Z[k] + conj Z[h−k])/2, O = (Z[k] − conj Z[h−k])/(2i)
    for (let k = 1; k < h; k++) {
      const zr = zRe[k],
        zi = zIm[k],
        cr = zRe[h - k],
        ci = zIm[h - k];
      const er = 0.5 * (zr + cr),
        ei = 0.5 * (zi - ci);
      const or = 0.5 * (zi + ci),
        oi = 0.5 * (cr - zr);
      const wr = wRe[k],
        wi = wIm[k];
      outRe[k] = er + or * wr - oi * wi;
      outIm[k] = ei + or * wi + oi * wr;
    }
  }
}
