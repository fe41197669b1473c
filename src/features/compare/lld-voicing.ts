/**
 * Voicing-related LLDs of `compare-ts`, on the pitch and glottal-period analysis of
 * `egemaps-ts` (reused, not re-implemented): YIN F0 with its voicing probability and HNR
 * (`egemaps/pitch.ts`), glottal periods from the LPC residual (`egemaps/periods.ts`) and local
 * jitter (`egemaps/voice-quality.ts`). This module adds what the eGeMAPS-like set does not
 * need: the jitter DDP and the relative (non-dB) local shimmer, over the same 60 ms windows.
 *
 * Per voiced frame, over consecutive periods P_i with amplitudes A_i of one chain whose
 * midpoints lie in the frame's pitch window:
 * - jitter DDP = mean |P_{i+1} − 2P_i + P_{i−1}| / mean P (Praat's "ddp", a fraction; every
 *   ratio of neighbouring periods ≤ {@link MAX_PERIOD_FACTOR});
 * - shimmer (local) = mean |A_{i+1} − A_i| / mean A (a fraction; ratio ≤
 *   {@link MAX_AMPLITUDE_FACTOR}).
 * Missing values (unvoiced frames, no valid period pair) are `NaN`.
 */
import { F0_MAX_HZ, F0_MIN_HZ, MAX_AMPLITUDE_FACTOR, MAX_PERIOD_FACTOR, SILENCE_ABS_DB, SILENCE_REL_DB } from '../egemaps/constants.js';
import { measurePeriods, type Periods } from '../egemaps/periods.js';
import { trackPitch } from '../egemaps/pitch.js';
import { jitterShimmer } from '../egemaps/voice-quality.js';

/** Voicing contours (one value per frame, `NaN` = missing). */
export interface VoicingLlds {
  /** 1 for voiced frames. */
  voiced: Uint8Array;
  /** F0 (Hz), voiced frames only. */
  f0Hz: Float32Array;
  /** Voicing probability 1 − d′(τ) of YIN, non-silent frames only. */
  voicingProb: Float32Array;
  /** Local jitter (fraction). */
  jitterLocal: Float32Array;
  /** Jitter DDP (fraction). */
  jitterDdp: Float32Array;
  /** Local shimmer (fraction of the mean period amplitude). */
  shimmerLocal: Float32Array;
  /** Harmonics-to-noise ratio (dB), voiced frames only. */
  hnrDb: Float32Array;
}

/**
 * The silence gate of `egemaps-ts` on this set's RMS contour: a frame is active when its level
 * 20·log10(RMS) is at least max({@link SILENCE_ABS_DB}, loudest frame − {@link SILENCE_REL_DB}).
 * @param rms frame RMS energy (full-scale units)
 */
export function activeFrames(rms: Float32Array): Uint8Array {
  let max = 0;
  for (let t = 0; t < rms.length; t++) if (rms[t] > max) max = rms[t];
  const out = new Uint8Array(rms.length);
  if (!(max > 0)) return out;
  const gateDb = Math.max(SILENCE_ABS_DB, 20 * Math.log10(max) - SILENCE_REL_DB);
  const gate = 10 ** (gateDb / 20);
  for (let t = 0; t < rms.length; t++) out[t] = rms[t] >= gate ? 1 : 0;
  return out;
}

/**
 * Jitter DDP and relative shimmer per voiced frame (see the module notes).
 * @param periods glottal periods (`measurePeriods`)
 * @param voiced per-frame voicing
 * @param hopSamples frame hop (samples); frame t is centred on sample t·hop
 * @param windowSamples pitch window (samples) centred on each frame
 * @param sampleRateHz sample rate (Hz)
 */
function ddpAndShimmer(
  periods: Periods,
  voiced: Uint8Array,
  hopSamples: number,
  windowSamples: number,
  sampleRateHz: number,
): { jitterDdp: Float32Array; shimmerLocal: Float32Array } {
  const frames = voiced.length;
  const jitterDdp = new Float32Array(frames).fill(Number.NaN);
  const shimmerLocal = new Float32Array(frames).fill(Number.NaN);
  const { start, length, amplitude, chain } = periods;
  const m = start.length;
  const minPeriod = sampleRateHz / F0_MAX_HZ;
  const maxPeriod = sampleRateHz / F0_MIN_HZ;
  const valid = (i: number) => length[i] >= minPeriod && length[i] <= maxPeriod;
  const close = (p: number, q: number) => Math.max(p, q) / Math.min(p, q) <= MAX_PERIOD_FACTOR;
  const half = windowSamples / 2;
  let first = 0;
  for (let t = 0; t < frames; t++) {
    if (!voiced[t]) continue;
    const lo = t * hopSamples - half;
    const hi = t * hopSamples + half;
    while (first < m && start[first] + length[first] / 2 < lo) first++;
    let ddpSum = 0;
    let ddpPeriods = 0;
    let ddpCount = 0;
    let ampDiff = 0;
    let ampSum = 0;
    let ampCount = 0;
    for (let i = first; i + 1 < m && start[i + 1] + length[i + 1] / 2 < hi; i++) {
      if (chain[i] !== chain[i + 1] || !valid(i) || !valid(i + 1)) continue;
      const a = amplitude[i];
      const b = amplitude[i + 1];
      if (a > 0 && b > 0 && Math.max(a, b) / Math.min(a, b) <= MAX_AMPLITUDE_FACTOR) {
        ampDiff += Math.abs(b - a);
        ampSum += a + b;
        ampCount++;
      }
      const j = i + 2;
      if (j >= m || start[j] + length[j] / 2 >= hi || chain[j] !== chain[i] || !valid(j)) continue;
      if (!close(length[i], length[i + 1]) || !close(length[i + 1], length[j])) continue;
      ddpSum += Math.abs(length[j] - 2 * length[i + 1] + length[i]);
      ddpPeriods += length[i] + length[i + 1] + length[j];
      ddpCount++;
    }
    if (ddpCount > 0) jitterDdp[t] = ddpSum / ddpCount / (ddpPeriods / (3 * ddpCount));
    if (ampCount > 0) shimmerLocal[t] = ampDiff / ampCount / (ampSum / (2 * ampCount));
  }
  return { jitterDdp, shimmerLocal };
}

/**
 * Computes the voicing LLDs.
 * @param x signal (full scale ±1)
 * @param sampleRateHz sample rate (Hz)
 * @param frameCount number of frames
 * @param hopSamples hop (samples)
 * @param active 1 for non-silent frames ({@link activeFrames})
 */
export function voicingLlds(
  x: Float32Array,
  sampleRateHz: number,
  frameCount: number,
  hopSamples: number,
  active: Uint8Array,
): VoicingLlds {
  const pitch = trackPitch(x, sampleRateHz, frameCount, hopSamples, active);
  const periods = measurePeriods(x, sampleRateHz, pitch.f0Hz, pitch.voiced, hopSamples);
  const { jitterLocal } = jitterShimmer(periods, pitch.voiced, hopSamples, pitch.windowSamples, sampleRateHz);
  const { jitterDdp, shimmerLocal } = ddpAndShimmer(periods, pitch.voiced, hopSamples, pitch.windowSamples, sampleRateHz);
  const voicingProb = new Float32Array(frameCount);
  for (let t = 0; t < frameCount; t++) voicingProb[t] = active[t] ? pitch.voicingProb[t] : Number.NaN;
  return { voiced: pitch.voiced, f0Hz: pitch.f0Hz, voicingProb, jitterLocal, jitterDdp, shimmerLocal, hnrDb: pitch.hnrDb };
}
