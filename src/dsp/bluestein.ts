/**
 * Bluestein's chirp-z algorithm for the FFT sizes with a prime factor above the direct
 * butterflies' (see fft.ts): a size-n DFT as a convolution done by power-of-two transforms,
 * which the caller provides (so this file does not depend on the transform it serves).
 */

/** An in-place complex transform of one size: forward unnormalised, inverse scaled by 1/N (as ComplexFft). */
export interface InPlaceFft {
  forward(re: Float64Array, im: Float64Array): void;
  inverse(re: Float64Array, im: Float64Array): void;
}

/** Bluestein's chirp-z transform: a size-n DFT as a convolution done by power-of-two FFTs. */
export class Bluestein {
  private readonly n: number;
  private readonly m: number;
  private readonly inner: InPlaceFft;
  /** Chirp e^{−iπk²/n}, k < n. */
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** FFT of the conjugate chirp, wrapped to length m. */
  private readonly kernRe: Float64Array;
  private readonly kernIm: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  /** @param powerOfTwoFft - makes the inner transform of a power-of-two size. */
  constructor(n: number, powerOfTwoFft: (m: number) => InPlaceFft) {
    this.n = n;
    let m = 1;
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.inner = powerOfTwoFft(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle small (exact integer arithmetic below 2^53).
      const k2 = (k * k) % (2 * n);
      const a = (-Math.PI * k2) / n;
      this.chirpRe[k] = Math.cos(a);
      this.chirpIm[k] = Math.sin(a);
    }
    this.kernRe = new Float64Array(m);
    this.kernIm = new Float64Array(m);
    this.kernRe[0] = this.chirpRe[0];
    this.kernIm[0] = -this.chirpIm[0];
    for (let k = 1; k < n; k++) {
      this.kernRe[k] = this.kernRe[m - k] = this.chirpRe[k];
      this.kernIm[k] = this.kernIm[m - k] = -this.chirpIm[k];
    }
    this.inner.forward(this.kernRe, this.kernIm);
    this.workRe = new Float64Array(m);
    this.workIm = new Float64Array(m);
  }

  forward(re: Float64Array, im: Float64Array): void {
    const { n, m, chirpRe, chirpIm, kernRe, kernIm, workRe, workIm } = this;
    for (let k = 0; k < n; k++) {
      workRe[k] = re[k] * chirpRe[k] - im[k] * chirpIm[k];
      workIm[k] = re[k] * chirpIm[k] + im[k] * chirpRe[k];
    }
    workRe.fill(0, n);
    workIm.fill(0, n);
    this.inner.forward(workRe, workIm);
    for (let k = 0; k < m; k++) {
      const ar = workRe[k],
        ai = workIm[k];
      workRe[k] = ar * kernRe[k] - ai * kernIm[k];
      workIm[k] = ar * kernIm[k] + ai * kernRe[k];
    }
    this.inner.inverse(workRe, workIm);
    for (let k = 0; k < n; k++) {
      const ar = workRe[k],
        ai = workIm[k];
      re[k] = ar * chirpRe[k] - ai * chirpIm[k];
      im[k] = ar * chirpIm[k] + ai * chirpRe[k];
    }
  }
}
