/**
 * Spectral LLDs of `compare-ts`, from per-frame power spectra of the short (20 ms) Hamming
 * window.
 *
 * Power spectra are periodograms P[k] = |X[k]|² / Σₙ w[n]² (white noise of variance σ² gives
 * E[P[k]] = σ² in every bin, whatever the window), k = 0 … K−1 with K = nFft/2 + 1 and
 * f_k = k·fs/nFft. Every statistic below runs over bins 1 … K−1 (the DC bin is excluded);
 * p_k = P[k] / Σ P is the normalised spectrum.
 *
 * - band energy [lo, hi) = (2/nFft)·Σ_{lo ≤ f_k < hi} P[k]: the mean-square power of the band
 *   (full-scale units; a sine of amplitude A inside the band gives ≈ A²/2);
 * - roll-off X = the lowest f_k at which the cumulative power reaches X·Σ P (Hz);
 * - flux = √(mean_k (√P_t[k] − √P_{t−1}[k])²) (0 in frame 0);
 * - centroid c = Σ f_k p_k (Hz); variance = Σ (f_k − c)² p_k (Hz²); skewness and kurtosis
 *   = Σ (f_k − c)³ p_k / σ³ and Σ (f_k − c)⁴ p_k / σ⁴;
 * - entropy = −Σ p_k log₂ p_k / log₂(K − 1) (0 … 1; 1 for a flat spectrum);
 * - slope = least-squares slope of 10·log10(P[k] + floor) against f_k (dB/kHz);
 * - sharpness = 0.11·Σ z_k·g(z_k)·p_k (acum), z = critical-band rate (Bark, Zwicker &
 *   Terhardt 1980), g(z) = 1 for z ≤ 15.8 Bark, 0.066·e^{0.171 z} above;
 * - harmonicity = mean |ΔL| between consecutive local extrema of the dB spectrum
 *   L[k] = 10·log10(P[k] + floor) (an extremum is above / below its two neighbours on each
 *   side); a harmonic spectrum gives deep peak-to-valley steps (dB).
 *
 * All-zero spectra give 0 for every statistic. Band edges above Nyquist are clipped.
 */
import {
  ENERGY_BANDS_HZ,
  HARMONICITY_NEIGHBOURS,
  ROLL_OFF_FRACTIONS,
  SHARPNESS_KNEE_BARK,
  SHARPNESS_SCALE,
  SHARPNESS_WEIGHT_A,
  SHARPNESS_WEIGHT_B,
  SPECTRUM_POWER_FLOOR,
} from './constants.js';

/** Number of spectral LLD contours (bands, roll-offs and 9 statistics). */
const SPECTRAL_LLD_COUNT = ENERGY_BANDS_HZ.length + ROLL_OFF_FRACTIONS.length + 9;

/** Critical-band rate (Bark) of a frequency (Hz), Zwicker & Terhardt (1980). */
function hzToBark(hz: number): number {
  return 13 * Math.atan(0.00076 * hz) + 3.5 * Math.atan((hz / 7500) ** 2);
}

/** Per-frame spectral LLD computation with tables for one (sample rate, nFft). */
export class SpectralAnalyzer {
  private readonly bins: number;
  private readonly nFft: number;
  private readonly freqHz: Float64Array;
  private readonly sharpWeight: Float64Array;
  private readonly bands: [number, number][];
  private readonly prevMag: Float64Array;
  private readonly mag: Float64Array;
  private readonly db: Float64Array;
  /** Σ f and Σ f² (kHz) over bins 1 … K−1, for the slope regression. */
  private readonly sumKHz: number;
  private readonly sumKHz2: number;

  /**
   * @param sampleRateHz sample rate (Hz)
   * @param nFft FFT size of the power spectra (samples)
   */
  constructor(sampleRateHz: number, nFft: number) {
    const bins = nFft / 2 + 1;
    this.bins = bins;
    this.nFft = nFft;
    const binHz = sampleRateHz / nFft;
    this.freqHz = new Float64Array(bins);
    this.sharpWeight = new Float64Array(bins);
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < bins; k++) {
      const f = k * binHz;
      this.freqHz[k] = f;
      const z = hzToBark(f);
      this.sharpWeight[k] = z * (z <= SHARPNESS_KNEE_BARK ? 1 : SHARPNESS_WEIGHT_A * Math.exp(SHARPNESS_WEIGHT_B * z));
      if (k >= 1) {
        s1 += f / 1000;
        s2 += (f / 1000) ** 2;
      }
    }
    this.sumKHz = s1;
    this.sumKHz2 = s2;
    this.bands = ENERGY_BANDS_HZ.map(([lo, hi]) => [Math.max(1, Math.ceil(lo / binHz)), Math.min(bins, Math.ceil(hi / binHz))]);
    this.prevMag = new Float64Array(bins);
    this.mag = new Float64Array(bins);
    this.db = new Float64Array(bins);
  }

  /**
   * Computes the {@link SPECTRAL_LLD_COUNT} contours, in the order: band energies
   * ({@link ENERGY_BANDS_HZ}), roll-offs ({@link ROLL_OFF_FRACTIONS}), flux, centroid, entropy,
   * variance, skewness, kurtosis, slope, sharpness, harmonicity.
   * @param power row-major `[frames × (nFft/2 + 1)]` periodograms
   * @param frames number of frames
   */
  analyze(power: Float32Array, frames: number): Float32Array[] {
    const out = Array.from({ length: SPECTRAL_LLD_COUNT }, () => new Float32Array(frames));
    const { bins, freqHz, mag, prevMag, db } = this;
    const nb = ENERGY_BANDS_HZ.length;
    const nr = ROLL_OFF_FRACTIONS.length;
    const base = nb + nr;
    const logDen = Math.log2(bins - 1);
    for (let t = 0; t < frames; t++) {
      const off = t * bins;
      // Band energies.
      for (let b = 0; b < nb; b++) {
        const [lo, hi] = this.bands[b];
        let s = 0;
        for (let k = lo; k < hi; k++) s += power[off + k];
        out[b][t] = (2 / this.nFft) * s;
      }
      // Totals, centroid, sharpness, magnitudes and the dB spectrum.
      let total = 0;
      let sumF = 0;
      let sumSharp = 0;
      let flux = 0;
      let sy = 0;
      let sxy = 0;
      for (let k = 1; k < bins; k++) {
        const p = power[off + k];
        total += p;
        sumF += freqHz[k] * p;
        sumSharp += this.sharpWeight[k] * p;
        const m = Math.sqrt(p);
        mag[k] = m;
        const d = m - prevMag[k];
        flux += d * d;
        const y = 10 * Math.log10(p + SPECTRUM_POWER_FLOOR);
        db[k] = y;
        sy += y;
        sxy += (freqHz[k] / 1000) * y;
      }
      out[base][t] = t === 0 ? 0 : Math.sqrt(flux / (bins - 1));
      prevMag.set(mag);
      const n = bins - 1;
      const den = n * this.sumKHz2 - this.sumKHz * this.sumKHz;
      out[base + 6][t] = den > 0 ? (n * sxy - this.sumKHz * sy) / den : 0;
      out[base + 8][t] = this.harmonicity();
      if (!(total > 0)) continue; // all-zero spectrum: the remaining statistics stay 0
      // Roll-offs.
      let cum = 0;
      let r = 0;
      for (let k = 1; k < bins && r < nr; k++) {
        cum += power[off + k];
        while (r < nr && cum >= ROLL_OFF_FRACTIONS[r] * total) out[nb + r++][t] = freqHz[k];
      }
      const c = sumF / total;
      let m2 = 0;
      let m3 = 0;
      let m4 = 0;
      let h = 0;
      for (let k = 1; k < bins; k++) {
        const p = power[off + k] / total;
        const d = freqHz[k] - c;
        const d2 = d * d * p;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d * d;
        if (p > 0) h -= p * Math.log2(p);
      }
      out[base + 1][t] = c;
      out[base + 2][t] = logDen > 0 ? h / logDen : 0;
      out[base + 3][t] = m2;
      out[base + 4][t] = m2 > 0 ? m3 / m2 ** 1.5 : 0;
      out[base + 5][t] = m2 > 0 ? m4 / (m2 * m2) : 0;
      out[base + 7][t] = (SHARPNESS_SCALE * sumSharp) / total;
    }
    return out;
  }

  /** Mean |ΔL| between consecutive local extrema of the current frame's dB spectrum (bins 1 … K−1). */
  private harmonicity(): number {
    const { db, bins } = this;
    const w = HARMONICITY_NEIGHBOURS;
    let last = Number.NaN;
    let sum = 0;
    let steps = 0;
    for (let k = 1 + w; k < bins - w; k++) {
      const v = db[k];
      let isMax = true;
      let isMin = true;
      for (let j = 1; j <= w; j++) {
        if (!(v > db[k - j] && v > db[k + j])) isMax = false;
        if (!(v < db[k - j] && v < db[k + j])) isMin = false;
      }
      if (!isMax && !isMin) continue;
      if (!Number.isNaN(last)) {
        sum += Math.abs(v - last);
        steps++;
      }
      last = v;
    }
    return steps > 0 ? sum / steps : 0;
  }
}
