/**
 * Utterance-level functionals of spectral frame features, and their fusion with `egemaps-ts`:
 *
 * - `mel-functionals` `[1, 1104]`: over the utterance's *active* frames (frame energy within
 *   `activityDb` of the loudest frame, so RAVDESS' leading and trailing silence does not dilute
 *   the statistics), per dim of log-mel (64) and MFCC + Δ + ΔΔ (120): mean, standard deviation,
 *   10th / 50th / 90th percentile and the least-squares slope over time (units per second).
 * - `egemaps-mel` `[1, 1189]`: `egemaps-ts` (85) followed by `mel-functionals`.
 *
 * These are the brute-force functional sets of openSMILE-style SER baselines (emobase, ComParE),
 * built here on the project's own LLDs; a linear model on them is a strong speaker-independent
 * baseline when no pretrained backbone is available.
 */
import { makeEgemapsFeatureSet } from './egemaps/index.js';
import type { Features } from './types.js';
import { DEFAULT_SAMPLE_RATE_HZ } from '../audio/pure.js';
import { DEFAULT_HOP_SAMPLES, DEFAULT_N_MELS } from './mel.js';
import { DEFAULT_N_MFCC, logMelAndMfcc } from './mfcc.js';
import { withDeltas } from './deltas.js';
import {
  FEATURES_VERSION,
  getFeatureSet,
  mergeOverrides,
  registerFeatureSet,
  stableStringify,
  type FeatureOverrides,
  type FeatureSet,
} from './registry.js';

/** Activity threshold: frames more than this far below the loudest frame are left out (dB). */
export const DEFAULT_ACTIVITY_DB = 40;
/** Fewer active frames than this: every frame is used instead. */
const MIN_ACTIVE_FRAMES = 3;
/** Percentiles taken of every dim, in %. */
const FUNCTIONAL_PERCENTILES = [10, 50, 90] as const;
/** Names of the functionals, in output order within each dim block. */
export const FUNCTIONAL_NAMES = ['mean', 'std', ...FUNCTIONAL_PERCENTILES.map((p) => `p${p}`), 'slope'] as const;

export const MEL_FUNCTIONALS_SET = 'mel-functionals';
export const EGEMAPS_MEL_SET = 'egemaps-mel';

interface FunctionalOptions {
  sampleRateHz: number;
  activityDb: number;
}

/** Linear-interpolation percentile of sorted values (numpy's default definition). */
function percentileSorted(sorted: Float64Array, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Indices of the active frames of a natural-log mel spectrogram: total frame energy within
 * `activityDb` dB of the loudest frame (all frames when fewer than {@link MIN_ACTIVE_FRAMES}).
 */
export function activeFrames(logMel: Features, activityDb: number): number[] {
  const energy = new Float64Array(logMel.frames);
  for (let t = 0; t < logMel.frames; t++) {
    let s = 0;
    for (let k = 0; k < logMel.dims; k++) s += Math.exp(logMel.data[t * logMel.dims + k]);
    energy[t] = 10 * Math.log10(s + Number.MIN_VALUE);
  }
  const peak = energy.reduce((m, v) => Math.max(m, v), -Infinity);
  const active = [...energy.keys()].filter((t) => energy[t] >= peak - activityDb);
  return active.length >= MIN_ACTIVE_FRAMES ? active : [...energy.keys()];
}

/**
 * The {@link FUNCTIONAL_NAMES} of every dim of `m` over the frames `rows`, dim-major
 * (`[dim0 mean, dim0 std, …, dim1 mean, …]`). The slope is per second, with `frameRateHz` frames a second.
 */
export function frameFunctionals(m: Features, rows: number[], frameRateHz: number): Float32Array {
  const n = rows.length;
  const out = new Float32Array(m.dims * FUNCTIONAL_NAMES.length);
  const tMean = rows.reduce((s, t) => s + t, 0) / n / frameRateHz;
  const tVar = rows.reduce((s, t) => s + (t / frameRateHz - tMean) ** 2, 0);
  const col = new Float64Array(n);
  for (let k = 0; k < m.dims; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += col[i] = m.data[rows[i] * m.dims + k];
    const mean = sum / n;
    let sq = 0,
      cov = 0;
    for (let i = 0; i < n; i++) {
      sq += (col[i] - mean) ** 2;
      cov += (rows[i] / frameRateHz - tMean) * (col[i] - mean);
    }
    const sorted = col.slice().sort();
    const o = k * FUNCTIONAL_NAMES.length;
    out[o] = mean;
    out[o + 1] = Math.sqrt(sq / n);
    FUNCTIONAL_PERCENTILES.forEach((p, j) => (out[o + 2 + j] = percentileSorted(sorted, p)));
    out[o + 2 + FUNCTIONAL_PERCENTILES.length] = tVar > 0 ? cov / tVar : 0;
  }
  return out;
}

function resolveOptions(set: string, overrides: FeatureOverrides | undefined): FunctionalOptions {
  const o = mergeOverrides<FunctionalOptions>(set, { sampleRateHz: DEFAULT_SAMPLE_RATE_HZ, activityDb: DEFAULT_ACTIVITY_DB }, overrides);
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`feature set '${set}': option '${k}' must be a positive number`);
  }
  return o;
}

/** The `mel-functionals` set (see the module comment). */
function makeMelFunctionals(overrides?: FeatureOverrides): FeatureSet {
  return melFunctionals(resolveOptions(MEL_FUNCTIONALS_SET, overrides));
}

function melFunctionals(o: FunctionalOptions): FeatureSet {
  // The LLDs are those of the registered `logmel` and `mfcc-delta` sets (their keys go into this
  // set's key), computed from one STFT + filterbank pass.
  const logmel = getFeatureSet('logmel', { sampleRateHz: o.sampleRateHz });
  const mfcc = getFeatureSet('mfcc-delta', { sampleRateHz: o.sampleRateHz });
  const frameRateHz = o.sampleRateHz / DEFAULT_HOP_SAMPLES;
  const blocks = [
    { name: 'logmel', dims: DEFAULT_N_MELS },
    { name: 'mfcc', dims: DEFAULT_N_MFCC },
    { name: 'mfcc_d', dims: DEFAULT_N_MFCC },
    { name: 'mfcc_dd', dims: DEFAULT_N_MFCC },
  ];
  const names = blocks.flatMap((b) => Array.from({ length: b.dims }, (_, k) => FUNCTIONAL_NAMES.map((f) => `${b.name}${k}_${f}`)).flat());
  const key = `${MEL_FUNCTIONALS_SET}@v${FEATURES_VERSION}:${stableStringify({ ...o, logmel: logmel.settingsKey(), mfcc: mfcc.settingsKey() })}`;
  return {
    name: MEL_FUNCTIONALS_SET,
    sampleRateHz: o.sampleRateHz,
    frameRateHz: null,
    kind: 'vector',
    options: { ...o },
    settingsKey: () => key,
    compute(x: Float32Array): Features {
      const { logMel: lm, mfcc: cepstra } = logMelAndMfcc(x, { sampleRateHz: o.sampleRateHz });
      const mf = withDeltas(cepstra);
      const rows = activeFrames(lm, o.activityDb);
      const a = frameFunctionals(lm, rows, frameRateHz),
        b = frameFunctionals(mf, rows, frameRateHz);
      const data = new Float32Array(a.length + b.length);
      data.set(a);
      data.set(b, a.length);
      return { data, channels: 1, frames: 1, dims: data.length };
    },
    featureNames: () => [...names],
  };
}

/** The `egemaps-ts` + `mel-functionals` fusion (see the module comment). */
function makeEgemapsMel(overrides?: FeatureOverrides): FeatureSet {
  const mel = melFunctionals(resolveOptions(EGEMAPS_MEL_SET, overrides));
  const ege = makeEgemapsFeatureSet(mel.sampleRateHz);
  const key = `${EGEMAPS_MEL_SET}@v${FEATURES_VERSION}:${stableStringify({ egemaps: ege.settingsKey(), mel: mel.settingsKey() })}`;
  return {
    name: EGEMAPS_MEL_SET,
    sampleRateHz: mel.sampleRateHz,
    frameRateHz: null,
    kind: 'vector',
    options: { ...mel.options },
    settingsKey: () => key,
    async compute(x: Float32Array): Promise<Features> {
      const a = (await ege.compute(x)).data,
        b = (await mel.compute(x)).data;
      const data = new Float32Array(a.length + b.length);
      data.set(a);
      data.set(b, a.length);
      return { data, channels: 1, frames: 1, dims: data.length };
    },
    featureNames: () => [...ege.featureNames!(), ...mel.featureNames!()],
  };
}

registerFeatureSet({ name: MEL_FUNCTIONALS_SET, create: makeMelFunctionals });
registerFeatureSet({ name: EGEMAPS_MEL_SET, create: makeEgemapsMel });
