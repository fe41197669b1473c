/**
 * Glottal period marking for jitter and shimmer.
 *
 * Per voiced run of frames (signal region from half a hop before the first voiced frame centre
 * to half a hop after the last):
 * 1. Anchors (glottal closure instants, integer samples). The LPC residual e of the run
 *    (order round(fs/1 kHz) + 2, coefficients re-estimated every hop from a 25 ms Hamming
 *    window) is polarity-corrected so that its larger extreme is positive; the waveform y
 *    likewise. The first anchor is the maximum of e within the first local pitch period T (from
 *    the F0 track). The next one is predicted at anchor + L, with L ∈ [0.8·T, 1.25·T] maximising
 *    the normalised cross-correlation of y around the anchor (±T/2) with y around anchor + L,
 *    and placed on the maximum of e within ±min(0.1·T, 1 ms) of the prediction. A correlation
 *    below {@link PERIOD_MIN_CORRELATION} (or a degenerate step) ends the chain; a new chain
 *    starts half a period later.
 * 2. Sub-sample period lengths. For consecutive anchors a₀, a₁ of a chain, one set of LPC
 *    coefficients (those of the hop block containing their midpoint) inverse-filters both
 *    neighbourhoods, and
 *    the residual is low-passed (two one-pole sections at 1.5 kHz). The smoothed residual from
 *    0.05·T before to 0.8·T after a₀ is aligned with the one around a₁ by normalised
 *    cross-correlation over lags ±max(0.05·T, 2 samples) with parabolic refinement δ; the
 *    period is P = a₁ − a₀ + δ. Why this domain: aligning the raw waveform is biased because
 *    the previous period's formant ringing overlaps the window (alternating ±1 % periods read
 *    0.35–1.2 × the truth depending on F0); the full-band residual removes the ringing but is
 *    noise-sensitive (inverse filtering boosts the low-SNR spectral valleys); the low-passed
 *    residual keeps the excitation timing with most of the noise robustness (see
 *    docs/egemaps-ts.md for the measurements).
 * 3. Period amplitude: the maximum of y between a₀ and a₁ (parabolically refined).
 */
import {
  ALIGN_LOWPASS_HZ,
  ALIGN_LOWPASS_SECTIONS,
  ALIGN_LOWPASS_SETTLE_S,
  ALIGN_MAX_LAG_FRACTION,
  ALIGN_MIN_LAG_SAMPLES,
  ALIGN_POST_FRACTION,
  ALIGN_PRE_FRACTION,
  PEAK_SEARCH_FRACTION,
  PEAK_SEARCH_MAX_S,
  PERIOD_MIN_CORRELATION,
  PERIOD_SEARCH_MAX_FACTOR,
  PERIOD_SEARCH_MIN_FACTOR,
  RESIDUAL_LPC_EXTRA_ORDER,
  RESIDUAL_LPC_NOISE_FLOOR,
  RESIDUAL_LPC_WINDOW_S,
} from './constants.js';
import { levinsonDurbin } from './formants.js';
import { runs } from './functionals.js';

/** Glottal periods, one entry per measured period, sorted by start. */
export interface Periods {
  /** Start of each period (samples, fractional; the start anchor refined cumulatively). */
  start: Float64Array;
  /** Period length (samples, fractional). */
  length: Float64Array;
  /** Peak amplitude of the polarity-corrected waveform within the period. */
  amplitude: Float64Array;
  /** Chain index: consecutive periods of one chain are adjacent in time. */
  chain: Int32Array;
}

/** Short-time LPC inverse filter of a signal. */
class InverseFilter {
  readonly order: number;
  private readonly w: Float64Array;
  private readonly seg: Float64Array;
  private readonly r: Float64Array;
  private readonly lowpassPole: number;
  private readonly settleSamples: number;
  private scratch = new Float64Array(0);

  constructor(
    private readonly x: Float32Array,
    sampleRateHz: number,
  ) {
    this.order = Math.round(sampleRateHz / 1000) + RESIDUAL_LPC_EXTRA_ORDER;
    const win = Math.round(RESIDUAL_LPC_WINDOW_S * sampleRateHz);
    this.w = new Float64Array(win);
    for (let i = 0; i < win; i++) this.w[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (win - 1));
    this.seg = new Float64Array(win);
    this.r = new Float64Array(this.order + 1);
    this.lowpassPole = Math.exp((-2 * Math.PI * ALIGN_LOWPASS_HZ) / sampleRateHz);
    this.settleSamples = Math.round(ALIGN_LOWPASS_SETTLE_S * sampleRateHz);
  }

  /** LPC polynomial [1, a₁, …] of the window centred on sample `center`, or null if silent. */
  coefficients(center: number): Float64Array | null {
    const { x, w, seg, r, order } = this;
    const win = w.length;
    const start = Math.round(center - win / 2);
    for (let i = 0; i < win; i++) {
      const j = start + i;
      seg[i] = j >= 0 && j < x.length ? x[j] * w[i] : 0;
    }
    for (let k = 0; k <= order; k++) {
      let acc = 0;
      for (let i = k; i < win; i++) acc += seg[i] * seg[i - k];
      r[k] = acc;
    }
    r[0] *= 1 + RESIDUAL_LPC_NOISE_FLOOR;
    return levinsonDurbin(r, order)?.a ?? null;
  }

  /**
   * Residual over [from, from + n) low-passed by {@link ALIGN_LOWPASS_SECTIONS} one-pole
   * sections at {@link ALIGN_LOWPASS_HZ} (started {@link ALIGN_LOWPASS_SETTLE_S} earlier so the
   * filter has settled); written to out[0..n).
   */
  smoothedResidual(a: Float64Array | null, from: number, n: number, out: Float64Array): void {
    const settle = this.settleSamples;
    if (this.scratch.length < n + settle) this.scratch = new Float64Array(n + settle);
    const tmp = this.scratch;
    this.residual(a, from - settle, from + n, tmp);
    for (let s = 0; s < ALIGN_LOWPASS_SECTIONS; s++) {
      let p = 0;
      for (let i = 0; i < n + settle; i++) {
        p = (1 - this.lowpassPole) * tmp[i] + this.lowpassPole * p;
        tmp[i] = p;
      }
    }
    for (let i = 0; i < n; i++) out[i] = tmp[i + settle];
  }

  /** out[i − from] = Σ_k a_k·x[i − k] for i in [from, to) (x is zero outside its range). */
  residual(a: Float64Array | null, from: number, to: number, out: Float64Array): void {
    const { x, order } = this;
    for (let n = from; n < to; n++) {
      let acc = n >= 0 && n < x.length ? x[n] : 0;
      if (a) {
        for (let k = 1; k <= order; k++) {
          const j = n - k;
          if (j >= 0 && j < x.length) acc += a[k] * x[j];
        }
      }
      out[n - from] = acc;
    }
  }
}

/** Index of the maximum of y over [a, b) clipped to the array, or −1 if empty. */
function argmax(y: Float64Array, a: number, b: number): number {
  let best = -1;
  for (let i = Math.max(0, a); i < Math.min(b, y.length); i++) if (best < 0 || y[i] > y[best]) best = i;
  return best;
}

/** Parabolic vertex (offset in [−0.5, 0.5], value) through (−1, a), (0, b), (1, c). */
function vertex(a: number, b: number, c: number): [number, number] {
  const den = a - 2 * b + c;
  if (!(den < 0)) return [0, b];
  const off = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
  return [off, b - 0.25 * (a - c) * off];
}

/** Lag L ∈ [lMin, lMax] maximising the normalised correlation of y[a..b) and y[a+L..b+L). */
function bestLag(y: Float64Array, a: number, b: number, lMin: number, lMax: number): [number, number] {
  let e1 = 0;
  for (let i = a; i < b; i++) e1 += y[i] * y[i];
  let bestL = -1;
  let bestC = -Infinity;
  for (let l = lMin; l <= lMax; l++) {
    let c = 0;
    let e2 = 0;
    for (let i = a; i < b; i++) {
      const v = y[i + l];
      c += y[i] * v;
      e2 += v * v;
    }
    const nc = e1 > 0 && e2 > 0 ? c / Math.sqrt(e1 * e2) : 0;
    if (nc > bestC) {
      bestC = nc;
      bestL = l;
    }
  }
  return [bestL, bestC];
}

/**
 * Offset δ ∈ [−d, d] maximising the normalised correlation of r1 with r2[d + δ …] (r2 holds
 * d extra samples on each side), parabolically refined unless the maximum is at the border.
 */
function alignOffset(r1: Float64Array, n: number, r2: Float64Array, d: number, c: Float64Array): number {
  let e1 = 0;
  for (let i = 0; i < n; i++) e1 += r1[i] * r1[i];
  let best = 0;
  for (let j = 0; j <= 2 * d; j++) {
    let acc = 0;
    let e2 = 0;
    for (let i = 0; i < n; i++) {
      const v = r2[i + j];
      acc += r1[i] * v;
      e2 += v * v;
    }
    c[j] = e1 > 0 && e2 > 0 ? acc / Math.sqrt(e1 * e2) : 0;
    if (c[j] > c[best]) best = j;
  }
  const off = best > 0 && best < 2 * d ? vertex(c[best - 1], c[best], c[best + 1])[0] : 0;
  return best - d + off;
}

/**
 * Measures glottal periods in the voiced runs of a pitch track (see the module notes).
 *
 * @param x signal
 * @param sampleRateHz sample rate (Hz)
 * @param f0Hz per-frame F0 (Hz), `NaN` when unvoiced
 * @param voiced per-frame voicing (1 = voiced)
 * @param hopSamples frame hop (samples); frame t is centred on sample t·hop
 */
export function measurePeriods(x: Float32Array, sampleRateHz: number, f0Hz: Float32Array, voiced: Uint8Array, hopSamples: number): Periods {
  const starts: number[] = [];
  const lengths: number[] = [];
  const amps: number[] = [];
  const chains: number[] = [];
  let chain = 0;
  const halfHop = Math.floor(hopSamples / 2);
  const searchMax = Math.max(1, Math.round(PEAK_SEARCH_MAX_S * sampleRateHz));
  const filter = new InverseFilter(x, sampleRateHz);
  const maxPeriod = Math.ceil(sampleRateHz / 20);
  const r1 = new Float64Array(2 * maxPeriod);
  const r2 = new Float64Array(3 * maxPeriod);
  const corr = new Float64Array(maxPeriod);

  for (const run of runs(voiced, 1)) {
    const s0 = Math.max(0, run.start * hopSamples - halfHop);
    const s1 = Math.min(x.length, (run.end - 1) * hopSamples + halfHop + 1);
    const len = s1 - s0;
    // Polarity-corrected waveform y and block-wise residual e, both indexed from s0.
    const y = new Float64Array(len);
    const e = new Float64Array(len);
    const blockCoefs: (Float64Array | null)[] = [];
    for (let b = 0; b < len; b += hopSamples) {
      const end = Math.min(len, b + hopSamples);
      const a = filter.coefficients(s0 + (b + end) / 2);
      blockCoefs.push(a);
      filter.residual(a, s0 + b, s0 + end, e.subarray(b, end));
    }
    let yHi = 0;
    let yLo = 0;
    let eHi = 0;
    let eLo = 0;
    for (let i = 0; i < len; i++) {
      y[i] = x[s0 + i];
      yHi = Math.max(yHi, y[i]);
      yLo = Math.min(yLo, y[i]);
      eHi = Math.max(eHi, e[i]);
      eLo = Math.min(eLo, e[i]);
    }
    if (yHi < -yLo) for (let i = 0; i < len; i++) y[i] = -y[i];
    if (eHi < -eLo) for (let i = 0; i < len; i++) e[i] = -e[i];
    const periodAt = (p: number): number => {
      const f = Math.min(run.end - 1, Math.max(run.start, Math.round((p + s0) / hopSamples)));
      return sampleRateHz / f0Hz[f];
    };

    // Pass 1: integer anchors.
    const anchors: number[] = [];
    const anchorChain: number[] = [];
    const startChain = (from: number): number => {
      const i = argmax(e, from, from + Math.round(periodAt(from)));
      if (i < 0) return -1;
      chain++;
      anchors.push(i);
      anchorChain.push(chain);
      return i;
    };
    let m = startChain(0);
    while (m >= 0) {
      const t = periodAt(m);
      const h = Math.max(1, Math.round(t / 2));
      const lMin = Math.floor(PERIOD_SEARCH_MIN_FACTOR * t);
      const lMax = Math.ceil(PERIOD_SEARCH_MAX_FACTOR * t);
      if (m + lMax + h >= len) break;
      const [bestL, bestC] = bestLag(y, Math.max(0, m - h), m + h, lMin, lMax);
      if (bestC < PERIOD_MIN_CORRELATION) {
        m = startChain(m + h);
        continue;
      }
      const radius = Math.max(1, Math.min(Math.round(PEAK_SEARCH_FRACTION * t), searchMax));
      const q = m + bestL;
      const i = argmax(e, q - radius, q + radius + 1);
      if (!(i > m + 0.5 * t)) {
        m = startChain(m + h);
        continue;
      }
      anchors.push(i);
      anchorChain.push(chain);
      m = i;
    }

    // Pass 2: sub-sample period lengths and amplitudes.
    let startPos = 0;
    for (let k = 0; k + 1 < anchors.length; k++) {
      if (anchorChain[k + 1] !== anchorChain[k]) continue;
      if (k === 0 || anchorChain[k - 1] !== anchorChain[k]) startPos = anchors[k];
      const a0 = anchors[k] + s0;
      const a1 = anchors[k + 1] + s0;
      const t = a1 - a0;
      if (t >= maxPeriod) continue;
      const d = Math.max(ALIGN_MIN_LAG_SAMPLES, Math.round(ALIGN_MAX_LAG_FRACTION * t));
      const lo = Math.round(ALIGN_PRE_FRACTION * t);
      const n = lo + Math.max(1, Math.round(ALIGN_POST_FRACTION * t));
      // One filter for both neighbourhoods: that of the hop block containing the midpoint.
      const block = Math.min(blockCoefs.length - 1, Math.floor((anchors[k] + anchors[k + 1]) / 2 / hopSamples));
      const coef = blockCoefs[block];
      filter.smoothedResidual(coef, a0 - lo, n, r1);
      filter.smoothedResidual(coef, a1 - lo - d, n + 2 * d, r2);
      const length = t + alignOffset(r1, n, r2, d, corr);
      const i = argmax(y, anchors[k], anchors[k + 1]);
      const peak = i < 0 ? NaN : i > 0 && i + 1 < len ? vertex(y[i - 1], y[i], y[i + 1])[1] : y[i];
      starts.push(startPos + s0);
      lengths.push(length);
      amps.push(peak);
      chains.push(anchorChain[k]);
      startPos += length;
    }
  }
  return {
    start: Float64Array.from(starts),
    length: Float64Array.from(lengths),
    amplitude: Float64Array.from(amps),
    chain: Int32Array.from(chains),
  };
}
