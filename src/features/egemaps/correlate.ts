/**
 * Short-lag cross-correlation by FFT, used by the YIN difference function.
 */
import { ComplexFft } from '../../dsp/index.js';

/**
 * Computes out[τ] = Σ_{j<w} x[j]·x[j+τ] for τ = 0..lags−1 (x zero beyond its length) with one
 * forward and one inverse complex FFT of size N ≥ x.length (the two real inputs are packed into
 * the real and imaginary parts of one complex sequence).
 */
export class Correlator {
  private readonly n: number;
  private readonly fft: ComplexFft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  /** @param maxLength longest `x` that will be passed (samples) */
  constructor(maxLength: number) {
    let n = 1;
    while (n < maxLength) n <<= 1;
    this.n = n;
    this.fft = new ComplexFft(n);
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
  }

  /**
   * @param x signal window (length ≤ maxLength)
   * @param w number of leading samples correlated against the whole window
   * @param lags number of lags computed (lags − 1 + w ≤ x.length keeps the result exact)
   * @param out receives the correlation, length ≥ lags
   */
  crossCorrelate(x: ArrayLike<number>, w: number, lags: number, out: Float64Array): void {
    const { n, re, im } = this;
    // z = a + i·b with a = x[0..w) (zero-padded), b = x.
    for (let j = 0; j < n; j++) {
      re[j] = j < w ? x[j] : 0;
      im[j] = j < x.length ? x[j] : 0;
    }
    this.fft.forward(re, im);
    // A_k = (Z_k + conj Z_{N−k})/2, B_k = (Z_k − conj Z_{N−k})/(2i); C_k = conj(A_k)·B_k.
    // C is Hermitian, so its inverse transform is real. Compute k = 0..N/2 and mirror.
    const half = n >> 1;
    for (let k = 0; k <= half; k++) {
      const m = (n - k) & (n - 1);
      const zr = re[k];
      const zi = im[k];
      const wr = re[m];
      const wi = im[m];
      const ar = 0.5 * (zr + wr);
      const ai = 0.5 * (zi - wi);
      const br = 0.5 * (zi + wi);
      const bi = -0.5 * (zr - wr);
      const cr = ar * br + ai * bi;
      const ci = ar * bi - ai * br;
      re[k] = cr;
      im[k] = ci;
      if (m !== k) {
        re[m] = cr;
        im[m] = -ci;
      }
    }
    this.fft.inverse(re, im);
    for (let t = 0; t < lags; t++) out[t] = re[t];
  }
}
