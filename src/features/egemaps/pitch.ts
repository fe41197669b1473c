/**
 * F0 by YIN (de Cheveigné & Kawahara, 2002) with a voicing probability, octave-jump repair,
 * and HNR from the normalised autocorrelation at the chosen pitch period.
 *
 * Per frame t (centred on sample t·hop, {@link PITCH_WINDOW_S} = 60 ms long, zero-padded at the
 * signal edges, rectangular): with W = window − maxLag − 1 integration samples,
 * - difference function d(τ) = Σ_{j<W} (x_j − x_{j+τ})² = e₀ + e_τ − 2·r(τ), where r is the
 *   cross-correlation of the first W samples with the whole window (computed by FFT) and e the
 *   sliding energies;
 * - cumulative-mean-normalised difference d'(τ) = d(τ)·τ / Σ_{k=1..τ} d(k);
 * - the period is the first local minimum of d' in [fs/600 Hz, fs/55 Hz] below
 *   {@link YIN_DIP_THRESHOLD}, else the first local minimum within {@link YIN_GLOBAL_MARGIN} of the
 *   global minimum, refined by parabolic interpolation;
 * - voicing probability = 1 − d'(τ) clamped to [0, 1]; the frame is voiced when d'(τ) <
 *   {@link YIN_VOICING_THRESHOLD} and the frame is not silent (silence gate in `lld.ts`);
 * - HNR = 10·log10(ρ/(1 − ρ)) dB with ρ = r(τ)/√(e₀·e_τ) (parabolically interpolated maximum
 *   near τ, clamped to [{@link HNR_MIN_CORRELATION}, {@link HNR_MAX_CORRELATION}]).
 *
 * Post-processing: a voiced frame whose F0 departs from the running median of the voiced frames
 * around it (±{@link OCTAVE_REPAIR_HALF_WIDTH}) by more than {@link OCTAVE_REPAIR_RATIO} is
 * re-searched for a d' minimum near the median period (octave-jump repair); if there is none
 * below the voicing threshold the frame is set unvoiced. Voiced runs shorter than
 * {@link MIN_VOICED_FRAMES} frames are set unvoiced.
 */
import {
  F0_MAX_HZ,
  F0_MIN_HZ,
  HNR_MAX_CORRELATION,
  HNR_MIN_CORRELATION,
  MIN_VOICED_FRAMES,
  OCTAVE_REPAIR_HALF_WIDTH,
  OCTAVE_REPAIR_LAG_TOLERANCE,
  OCTAVE_REPAIR_RATIO,
  PITCH_WINDOW_S,
  YIN_DIP_THRESHOLD,
  YIN_GLOBAL_MARGIN,
  YIN_VOICING_THRESHOLD,
} from './constants.js';
import { Correlator } from './correlate.js';
import { runs } from './functionals.js';

/** Per-frame pitch analysis. All arrays have one entry per frame. */
export interface PitchTrack {
  /** F0 (Hz); `NaN` in unvoiced frames. */
  f0Hz: Float32Array;
  /** Voicing probability 1 − d'(τ) in [0, 1] (also in unvoiced frames). */
  voicingProb: Float32Array;
  /** 1 where voiced. */
  voiced: Uint8Array;
  /** Harmonics-to-noise ratio (dB) from the normalised autocorrelation; `NaN` in unvoiced frames. */
  hnrDb: Float32Array;
  /** Length of the pitch analysis window (samples). */
  windowSamples: number;
}

/** Geometry of the YIN analysis for one sample rate. */
interface YinGeometry {
  windowSamples: number;
  minLag: number;
  maxLag: number;
  integration: number;
}

function geometry(sampleRateHz: number): YinGeometry {
  const windowSamples = Math.round(PITCH_WINDOW_S * sampleRateHz);
  const maxLag = Math.ceil(sampleRateHz / F0_MIN_HZ);
  const minLag = Math.max(2, Math.floor(sampleRateHz / F0_MAX_HZ));
  return { windowSamples, minLag, maxLag, integration: windowSamples - maxLag - 1 };
}

/** Parabolic vertex offset in [−0.5, 0.5] for three equally spaced samples (a, b, c). */
function parabolicOffset(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  if (den === 0) return 0;
  const off = (0.5 * (a - c)) / den;
  return Math.max(-0.5, Math.min(0.5, off));
}

/** Local minima of d' kept per frame (the lowest ones). */
const MAX_CANDIDATES = 12;

/**
 * Candidate periods of one frame: local minima of d', ordered by lag. Stored in flat arrays
 * with {@link MAX_CANDIDATES} slots per frame.
 */
interface Candidates {
  count: Uint8Array;
  /** Refined lag (samples). */
  lag: Float64Array;
  /** d' at the integer minimum. */
  dip: Float64Array;
  /** Interpolated maximum of the normalised autocorrelation next to the minimum. */
  rho: Float64Array;
}

/** Index (within the frame's slots) of the candidate chosen by YIN's absolute-threshold rule. */
function chooseCandidate(c: Candidates, base: number): number {
  const n = c.count[base / MAX_CANDIDATES];
  if (n === 0) return -1;
  let global = Infinity;
  for (let i = 0; i < n; i++) global = Math.min(global, c.dip[base + i]);
  for (let i = 0; i < n; i++) if (c.dip[base + i] < YIN_DIP_THRESHOLD) return i;
  for (let i = 0; i < n; i++) if (c.dip[base + i] <= global + YIN_GLOBAL_MARGIN) return i;
  return -1;
}

/**
 * Tracks F0, voicing and HNR.
 *
 * @param x signal (full scale ±1)
 * @param sampleRateHz sample rate (Hz)
 * @param frameCount number of frames; frame t is centred on sample t·hopSamples
 * @param hopSamples hop (samples)
 * @param active 1 for frames that are not silent; silent frames are never voiced
 */
export function trackPitch(x: Float32Array, sampleRateHz: number, frameCount: number, hopSamples: number, active: Uint8Array): PitchTrack {
  const { windowSamples, minLag, maxLag, integration: w } = geometry(sampleRateHz);
  const slots = frameCount * MAX_CANDIDATES;
  const cand: Candidates = {
    count: new Uint8Array(frameCount),
    lag: new Float64Array(slots),
    dip: new Float64Array(slots),
    rho: new Float64Array(slots),
  };
  const chosen = new Int32Array(frameCount).fill(-1);
  const f0Hz = new Float32Array(frameCount).fill(NaN);
  const voicingProb = new Float32Array(frameCount);
  const voiced = new Uint8Array(frameCount);
  const hnrDb = new Float32Array(frameCount).fill(NaN);

  const corr = new Correlator(windowSamples);
  const frame = new Float64Array(windowSamples);
  const r = new Float64Array(maxLag + 2);
  const dn = new Float64Array(maxLag + 2);
  const nacf = new Float64Array(maxLag + 2);
  const cum = new Float64Array(windowSamples + 1);
  const minima: number[] = [];
  const half = Math.floor(windowSamples / 2);

  for (let t = 0; t < frameCount; t++) {
    if (!active[t]) continue;
    const start = t * hopSamples - half;
    for (let j = 0; j < windowSamples; j++) {
      const i = start + j;
      frame[j] = i >= 0 && i < x.length ? x[i] : 0;
    }
    cum[0] = 0;
    for (let j = 0; j < windowSamples; j++) cum[j + 1] = cum[j] + frame[j] * frame[j];
    const e0 = cum[w];
    if (!(e0 > 0)) continue;
    corr.crossCorrelate(frame, w, maxLag + 2, r);
    let running = 0;
    dn[0] = 1;
    for (let tau = 1; tau <= maxLag + 1; tau++) {
      const et = cum[tau + w] - cum[tau];
      const d = Math.max(0, e0 + et - 2 * r[tau]);
      running += d;
      dn[tau] = running > 0 ? (d * tau) / running : 1;
      nacf[tau] = et > 0 ? r[tau] / Math.sqrt(e0 * et) : 0;
    }
    minima.length = 0;
    for (let tau = minLag; tau <= maxLag; tau++) {
      if ((tau === minLag || dn[tau] <= dn[tau - 1]) && dn[tau] < dn[tau + 1]) minima.push(tau);
    }
    if (minima.length > MAX_CANDIDATES) {
      minima.sort((a, b) => dn[a] - dn[b]);
      minima.length = MAX_CANDIDATES;
      minima.sort((a, b) => a - b);
    }
    const base = t * MAX_CANDIDATES;
    cand.count[t] = minima.length;
    for (let i = 0; i < minima.length; i++) {
      const tau = minima[i];
      cand.lag[base + i] = tau + parabolicOffset(dn[tau - 1], dn[tau], dn[tau + 1]);
      cand.dip[base + i] = dn[tau];
      // Maximum of the normalised autocorrelation next to the d' minimum (parabolic).
      let p = tau;
      if (nacf[tau + 1] > nacf[p]) p = tau + 1;
      if (nacf[tau - 1] > nacf[p]) p = tau - 1;
      const a = nacf[p - 1];
      const b = nacf[p];
      const c = p + 1 <= maxLag + 1 ? nacf[p + 1] : b;
      cand.rho[base + i] = b - 0.25 * (a - c) * parabolicOffset(-a, -b, -c);
    }
    chosen[t] = chooseCandidate(cand, base);
  }

  // Octave-jump repair against a running median of the provisional voiced lags.
  const provisionalLag = new Float64Array(frameCount);
  for (let t = 0; t < frameCount; t++) {
    const i = chosen[t];
    const k = t * MAX_CANDIDATES + i;
    if (i >= 0 && cand.dip[k] < YIN_VOICING_THRESHOLD) provisionalLag[t] = cand.lag[k];
  }
  const neighbours: number[] = [];
  const rejected = new Uint8Array(frameCount);
  for (let t = 0; t < frameCount; t++) {
    if (!(provisionalLag[t] > 0)) continue;
    neighbours.length = 0;
    for (let k = t - OCTAVE_REPAIR_HALF_WIDTH; k <= t + OCTAVE_REPAIR_HALF_WIDTH; k++) {
      if (k >= 0 && k < frameCount && provisionalLag[k] > 0) neighbours.push(provisionalLag[k]);
    }
    if (neighbours.length < 3) continue;
    neighbours.sort((a, b) => a - b);
    const med = neighbours[neighbours.length >> 1];
    const ratio = provisionalLag[t] / med;
    if (ratio < OCTAVE_REPAIR_RATIO && ratio > 1 / OCTAVE_REPAIR_RATIO) continue;
    const base = t * MAX_CANDIDATES;
    let best = -1;
    for (let i = 0; i < cand.count[t]; i++) {
      const lag = cand.lag[base + i];
      if (Math.abs(lag - med) > OCTAVE_REPAIR_LAG_TOLERANCE * med) continue;
      if (cand.dip[base + i] >= YIN_VOICING_THRESHOLD) continue;
      if (best < 0 || cand.dip[base + i] < cand.dip[base + best]) best = i;
    }
    if (best >= 0) chosen[t] = best;
    else rejected[t] = 1;
  }

  for (let t = 0; t < frameCount; t++) {
    const i = chosen[t];
    if (i < 0) continue;
    const k = t * MAX_CANDIDATES + i;
    const dip = cand.dip[k];
    voicingProb[t] = Math.max(0, Math.min(1, 1 - dip));
    if (!(dip < YIN_VOICING_THRESHOLD) || rejected[t]) continue;
    voiced[t] = 1;
    f0Hz[t] = sampleRateHz / cand.lag[k];
    const rho = Math.max(HNR_MIN_CORRELATION, Math.min(HNR_MAX_CORRELATION, cand.rho[k]));
    hnrDb[t] = 10 * Math.log10(rho / (1 - rho));
  }

  for (const run of runs(voiced, 1)) {
    if (run.end - run.start >= MIN_VOICED_FRAMES) continue;
    for (let t = run.start; t < run.end; t++) {
      voiced[t] = 0;
      f0Hz[t] = NaN;
      hnrDb[t] = NaN;
    }
  }
  return { f0Hz, voicingProb, voiced, hnrDb, windowSamples };
}
