/**
 * Spectral LLDs from per-frame power spectra (25 ms Hamming window, 10 ms hop).
 *
 * Power spectra are scaled as P[k] = |X[k]|² / Σₙ w[n]² (periodogram scaling: white noise of
 * variance σ² gives E[P[k]] = σ² in every bin, whatever the window). With `binHz` = fs / nFft
 * and f_k = k·binHz:
 *
 * - loudness = Σ_b E_b^0.3 over {@link MEL_BANDS} triangular mel bands E_b = Σ_k M_bk·P[k]
 *   (HTK mel scale, peak-1 triangles, 20–8000 Hz clipped to Nyquist; Stevens' power law; not
 *   calibrated to sone);
 * - alpha ratio = 10·log10(Σ_{1–5 kHz} P / Σ_{50–1000 Hz} P) dB (negative for typical speech);
 * - Hammarberg index = 10·log10(max_{0–2 kHz} P / max_{2–5 kHz} P) dB (positive for typical
 *   speech; the DC bin is excluded so that a DC offset cannot dominate);
 * - spectral slope 0–500 Hz and 500–1500 Hz = least-squares slope of 10·log10(P[k]) against
 *   f_k in kHz over the bins with lo < f_k ≤ hi (dB/kHz; the DC bin is excluded);
 * - spectral flux = Σ_k (m_t[k] − m_{t−1}[k])² with m_t = √P_t / ‖√P_t‖₂ (L2-normalised
 *   magnitude spectra, so the flux is level-independent, in [0, 2]); missing in frame 0;
 *
 * All band edges above Nyquist are clipped to Nyquist; logarithms use {@link POWER_FLOOR}.
 */
import {
  ALPHA_HIGH_BAND_HZ,
  ALPHA_LOW_BAND_HZ,
  HAMMARBERG_HIGH_BAND_HZ,
  HAMMARBERG_LOW_BAND_HZ,
  LOUDNESS_EXPONENT,
  MEL_BANDS,
  POWER_FLOOR,
  SLOPE_HIGH_BAND_HZ,
  SLOPE_LOW_BAND_HZ,
} from './constants.js';

/** Per-frame spectral LLD contours (one value per frame). */
export interface SpectralLlds {
  loudness: Float32Array;
  alphaRatioDb: Float32Array;
  hammarbergDb: Float32Array;
  slope0to500DbPerKHz: Float32Array;
  slope500to1500DbPerKHz: Float32Array;
  spectralFlux: Float32Array;
}

/** Bin range [lo, hi] (inclusive) of frequencies in (loHz, hiHz] or [loHz, hiHz]. */
function binRange(loHz: number, hiHz: number, binHz: number, bins: number, excludeLo: boolean): [number, number] {
  const lo = excludeLo ? Math.floor(loHz / binHz) + 1 : Math.ceil(loHz / binHz);
  const hi = Math.min(bins - 1, Math.floor(hiHz / binHz));
  return [Math.max(0, lo), hi];
}

/**
 * Precomputed band tables for one (sample rate, nFft).
 */
export class SpectralAnalyzer {
  private readonly bins: number;
  private readonly alphaLow: [number, number];
  private readonly alphaHigh: [number, number];
  private readonly hamLow: [number, number];
  private readonly hamHigh: [number, number];
  private readonly slopeLow: [number, number];
  private readonly slopeHigh: [number, number];
  private readonly binKHz: number;

  /**
   * @param sampleRateHz sample rate (Hz)
   * @param nFft FFT size of the power spectra
   */
  constructor(sampleRateHz: number, nFft: number) {
    const bins = nFft / 2 + 1;
    this.bins = bins;
    const binHz = sampleRateHz / nFft;
    this.binKHz = binHz / 1000;
    this.alphaLow = binRange(ALPHA_LOW_BAND_HZ[0], ALPHA_LOW_BAND_HZ[1], binHz, bins, false);
    this.alphaHigh = binRange(ALPHA_HIGH_BAND_HZ[0], ALPHA_HIGH_BAND_HZ[1], binHz, bins, true);
    this.hamLow = binRange(HAMMARBERG_LOW_BAND_HZ[0], HAMMARBERG_LOW_BAND_HZ[1], binHz, bins, true);
    this.hamHigh = binRange(HAMMARBERG_HIGH_BAND_HZ[0], HAMMARBERG_HIGH_BAND_HZ[1], binHz, bins, true);
    this.slopeLow = binRange(SLOPE_LOW_BAND_HZ[0], SLOPE_LOW_BAND_HZ[1], binHz, bins, true);
    this.slopeHigh = binRange(SLOPE_HIGH_BAND_HZ[0], SLOPE_HIGH_BAND_HZ[1], binHz, bins, true);
  }

  private sum(p: Float32Array, off: number, [lo, hi]: [number, number]): number {
    let s = 0;
    for (let k = lo; k <= hi; k++) s += p[off + k];
    return s;
  }

  private max(p: Float32Array, off: number, [lo, hi]: [number, number]): number {
    let m = 0;
    for (let k = lo; k <= hi; k++) if (p[off + k] > m) m = p[off + k];
    return m;
  }

  /** Least-squares slope of 10·log10(P) against frequency (dB/kHz) over bins lo..hi. */
  private slope(p: Float32Array, off: number, [lo, hi]: [number, number]): number {
    const n = hi - lo + 1;
    if (n < 2) return 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let k = lo; k <= hi; k++) {
      const f = k * this.binKHz;
      const y = 10 * Math.log10(p[off + k] + POWER_FLOOR);
      sx += f;
      sy += y;
      sxx += f * f;
      sxy += f * y;
    }
    const den = n * sxx - sx * sx;
    return den > 0 ? (n * sxy - sx * sy) / den : 0;
  }

  /**
   * Computes all spectral LLDs.
   * @param power row-major `[frames × (nFft/2+1)]` power spectra (scaled as described above)
   * @param mel row-major `[frames × MEL_BANDS]` mel band energies of `power`
   * @param frames number of frames
   */
  analyze(power: Float32Array, mel: Float32Array, frames: number): SpectralLlds {
    const bins = this.bins;
    const out: SpectralLlds = {
      loudness: new Float32Array(frames),
      alphaRatioDb: new Float32Array(frames),
      hammarbergDb: new Float32Array(frames),
      slope0to500DbPerKHz: new Float32Array(frames),
      slope500to1500DbPerKHz: new Float32Array(frames),
      spectralFlux: new Float32Array(frames),
    };
    const prevMag = new Float64Array(bins);
    const mag = new Float64Array(bins);
    for (let t = 0; t < frames; t++) {
      const off = t * bins;
      let loud = 0;
      for (let b = t * MEL_BANDS; b < (t + 1) * MEL_BANDS; b++) loud += mel[b] ** LOUDNESS_EXPONENT;
      out.loudness[t] = loud;
      // Tilt measures.
      const lowA = this.sum(power, off, this.alphaLow);
      const highA = this.sum(power, off, this.alphaHigh);
      out.alphaRatioDb[t] = 10 * Math.log10((highA + POWER_FLOOR) / (lowA + POWER_FLOOR));
      const lowH = this.max(power, off, this.hamLow);
      const highH = this.max(power, off, this.hamHigh);
      out.hammarbergDb[t] = 10 * Math.log10((lowH + POWER_FLOOR) / (highH + POWER_FLOOR));
      out.slope0to500DbPerKHz[t] = this.slope(power, off, this.slopeLow);
      out.slope500to1500DbPerKHz[t] = this.slope(power, off, this.slopeHigh);
      // Flux of L2-normalised magnitude spectra.
      let norm = 0;
      for (let k = 0; k < bins; k++) {
        mag[k] = Math.sqrt(power[off + k]);
        norm += power[off + k];
      }
      norm = Math.sqrt(norm);
      for (let k = 0; k < bins; k++) mag[k] = norm > 0 ? mag[k] / norm : 0;
      if (t === 0) out.spectralFlux[t] = NaN;
      else {
        let f = 0;
        for (let k = 0; k < bins; k++) f += (mag[k] - prevMag[k]) * (mag[k] - prevMag[k]);
        out.spectralFlux[t] = f;
      }
      prevMag.set(mag);
    }
    return out;
  }
}
