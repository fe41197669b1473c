/**
 * Formant frequencies and bandwidths by selective linear prediction.
 *
 * Method (per frame):
 * 1. Take the power spectrum `P[k]` of the 25 ms Hamming-windowed frame (bin spacing fs/nFft)
 *    and multiply it by the pre-emphasis gain |1 − α·e^{−jω}|², α = exp(−2π·50 Hz/fs) (Praat's
 *    pre-emphasis "from 50 Hz"), done in the spectral domain so no extra FFT is needed.
 * 2. Keep the bins 0…{@link FORMANT_BAND_HZ} (5.5 kHz) and treat them as the full spectrum
 *    (0…π) of a signal sampled at fsEff = 2·5.5 kHz = 11 kHz: the autocorrelation is the inverse
 *    cosine transform r(m) = P₀ + (−1)^m·P_M + 2·Σ_{j=1}^{M−1} P_j·cos(π·m·j/M). This equals
 *    downsampling to 11 kHz before LPC (as Praat does) without a resampler.
 * 3. LPC of order {@link LPC_ORDER} (10) by Levinson–Durbin on r(0…10).
 * 4. Roots of A(z) = 1 + a₁z⁻¹ + … + a₁₀z⁻¹⁰ (i.e. of the monic polynomial
 *    z¹⁰ + a₁z⁹ + … + a₁₀) by the Durand–Kerner (Weierstrass) simultaneous iteration.
 * 5. Each root z = r·e^{jθ} with θ > 0 gives a resonance at F = θ·fsEff/(2π) Hz with bandwidth
 *    B = −ln(r)·fsEff/π Hz. Resonances below {@link FORMANT_MIN_HZ} or wider than
 *    {@link FORMANT_MAX_BANDWIDTH_HZ} are dropped; the lowest three remaining are F1–F3.
 */
import {
  FORMANT_BAND_HZ,
  FORMANT_COUNT,
  FORMANT_MAX_BANDWIDTH_HZ,
  FORMANT_MIN_HZ,
  LPC_ORDER,
  PRE_EMPHASIS_HZ,
  ROOT_MAX_ITERATIONS,
  ROOT_TOLERANCE,
} from './constants.js';

/** Result of Levinson–Durbin recursion. */
export interface LpcResult {
  /** Predictor polynomial [1, a₁, …, a_p] of A(z) = Σ a_k z^{−k}. */
  a: Float64Array;
  /** Final prediction-error power. */
  error: number;
}

/**
 * Levinson–Durbin recursion: solves the Toeplitz normal equations for the LPC polynomial of
 * order `order` from autocorrelation lags `r[0..order]`. Returns `null` when `r[0]` is not
 * positive (silent frame).
 */
export function levinsonDurbin(r: ArrayLike<number>, order: number): LpcResult | null {
  if (!(r[0] > 0)) return null;
  const a = new Float64Array(order + 1);
  const tmp = new Float64Array(order + 1);
  a[0] = 1;
  let err = r[0];
  for (let i = 1; i <= order; i++) {
    let acc = r[i];
    for (let j = 1; j < i; j++) acc += a[j] * r[i - j];
    const k = -acc / err;
    tmp.set(a);
    for (let j = 1; j < i; j++) a[j] = tmp[j] + k * tmp[i - j];
    a[i] = k;
    err *= 1 - k * k;
    if (!(err > 0)) break;
  }
  return { a, error: err };
}

/**
 * Complex roots of the monic polynomial z^n + c[1]·z^{n−1} + … + c[n] (c[0] is ignored and
 * taken as 1) by the Durand–Kerner iteration. Returns interleaved `[re0, im0, re1, im1, …]`.
 */
export function polynomialRoots(c: ArrayLike<number>): Float64Array {
  const n = c.length - 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  // Classic start: powers of a complex number that is neither real nor a root of unity.
  let pr = 1;
  let pi = 0;
  const sr = 0.4;
  const si = 0.9;
  for (let i = 0; i < n; i++) {
    re[i] = pr;
    im[i] = pi;
    const nr = pr * sr - pi * si;
    pi = pr * si + pi * sr;
    pr = nr;
  }
  for (let iter = 0; iter < ROOT_MAX_ITERATIONS; iter++) {
    let maxStep = 0;
    for (let i = 0; i < n; i++) {
      // p(z_i) by Horner.
      let vr = 1;
      let vi = 0;
      for (let k = 1; k <= n; k++) {
        const t = vr * re[i] - vi * im[i] + c[k];
        vi = vr * im[i] + vi * re[i];
        vr = t;
      }
      // Π_{j≠i} (z_i − z_j)
      let dr = 1;
      let di = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const xr = re[i] - re[j];
        const xi = im[i] - im[j];
        const t = dr * xr - di * xi;
        di = dr * xi + di * xr;
        dr = t;
      }
      const den = dr * dr + di * di;
      if (den === 0) continue;
      const qr = (vr * dr + vi * di) / den;
      const qi = (vi * dr - vr * di) / den;
      re[i] -= qr;
      im[i] -= qi;
      const step = Math.hypot(qr, qi);
      if (step > maxStep) maxStep = step;
    }
    if (maxStep < ROOT_TOLERANCE) break;
  }
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = re[i];
    out[2 * i + 1] = im[i];
  }
  return out;
}

/** Formants of one frame (Hz); `NaN` where fewer than three resonances were found. */
export interface FrameFormants {
  frequencyHz: Float64Array;
  bandwidthHz: Float64Array;
}

/**
 * Precomputed tables for {@link FormantAnalyzer.analyze}: cosine table of the selective
 * autocorrelation and the pre-emphasis gain per kept bin.
 */
export class FormantAnalyzer {
  /** Index of the last kept bin (M). */
  readonly lastBin: number;
  /** Sample rate of the equivalent band-limited signal (Hz). */
  readonly effectiveRateHz: number;
  private readonly cosTable: Float64Array;
  private readonly gain: Float64Array;
  private readonly r = new Float64Array(LPC_ORDER + 1);
  private readonly weighted: Float64Array;

  /**
   * @param sampleRateHz sample rate of the analysed signal (Hz)
   * @param nFft FFT size of the power spectra passed to {@link analyze}
   */
  constructor(sampleRateHz: number, nFft: number) {
    const binHz = sampleRateHz / nFft;
    const bandHz = Math.min(FORMANT_BAND_HZ, sampleRateHz / 2);
    this.lastBin = Math.max(LPC_ORDER + 1, Math.min(nFft / 2, Math.round(bandHz / binHz)));
    const m = this.lastBin;
    this.effectiveRateHz = 2 * m * binHz;
    this.cosTable = new Float64Array((LPC_ORDER + 1) * (m + 1));
    for (let lag = 0; lag <= LPC_ORDER; lag++) {
      for (let j = 0; j <= m; j++) {
        const w = j === 0 || j === m ? 1 : 2;
        this.cosTable[lag * (m + 1) + j] = w * Math.cos((Math.PI * lag * j) / m);
      }
    }
    const alpha = Math.exp((-2 * Math.PI * PRE_EMPHASIS_HZ) / sampleRateHz);
    this.gain = new Float64Array(m + 1);
    for (let j = 0; j <= m; j++) {
      const w = (2 * Math.PI * j) / nFft;
      this.gain[j] = 1 + alpha * alpha - 2 * alpha * Math.cos(w);
    }
    this.weighted = new Float64Array(m + 1);
  }

  /**
   * Formants F1..F3 (Hz) and their bandwidths (Hz) from one power spectrum (bins 0..nFft/2).
   * Writes `NaN` for formants that could not be found (silent frame, too few resonances).
   */
  analyze(power: ArrayLike<number>, out: FrameFormants): void {
    out.frequencyHz.fill(NaN);
    out.bandwidthHz.fill(NaN);
    const m = this.lastBin;
    for (let j = 0; j <= m; j++) this.weighted[j] = power[j] * this.gain[j];
    for (let lag = 0; lag <= LPC_ORDER; lag++) {
      let s = 0;
      const base = lag * (m + 1);
      for (let j = 0; j <= m; j++) s += this.weighted[j] * this.cosTable[base + j];
      this.r[lag] = s;
    }
    const lpc = levinsonDurbin(this.r, LPC_ORDER);
    if (!lpc) return;
    const roots = polynomialRoots(lpc.a);
    const freqs: number[] = [];
    const bws: number[] = [];
    for (let i = 0; i < roots.length / 2; i++) {
      const re = roots[2 * i];
      const im = roots[2 * i + 1];
      if (!(im > 0)) continue;
      const radius = Math.hypot(re, im);
      const f = (Math.atan2(im, re) * this.effectiveRateHz) / (2 * Math.PI);
      const b = (-Math.log(radius) * this.effectiveRateHz) / Math.PI;
      if (!(f >= FORMANT_MIN_HZ) || !(b > 0) || b > FORMANT_MAX_BANDWIDTH_HZ) continue;
      if (f >= this.effectiveRateHz / 2 - FORMANT_MIN_HZ) continue;
      freqs.push(f);
      bws.push(b);
    }
    const order = freqs.map((_, i) => i).sort((x, y) => freqs[x] - freqs[y]);
    for (let k = 0; k < FORMANT_COUNT && k < order.length; k++) {
      out.frequencyHz[k] = freqs[order[k]];
      out.bandwidthHz[k] = bws[order[k]];
    }
  }
}
