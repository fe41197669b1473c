/**
 * `compare-ts`: a ComParE-2013-style functional set (the INTERSPEECH 2013 Computational
 * Paralinguistics Challenge set, 6373 values per utterance) in plain TypeScript, from the
 * published definitions and the layout of the ComParE configuration; not bit-equal to
 * openSMILE. The pitch and voice-quality analysis is that of `egemaps-ts`.
 *
 * ```ts
 * const { names, values } = computeCompare(samples, 16000); // values.length === 6373
 * ```
 *
 * Input contract: a mono Float32Array in full scale (±1), any sample rate ≥ 8 kHz, at least
 * 0.1 s long, all samples finite — otherwise a `TypeError`/`RangeError` with a clear message.
 * Silence is valid and gives finite output (voicing functionals 0). Deterministic; the output
 * never contains NaN or ±∞. See docs/compare-ts.md.
 */
import { DEFAULT_SAMPLE_RATE_HZ } from '../../audio/pure.js';
import * as EGEMAPS_CONSTANTS from '../egemaps/constants.js';
import { listFeatureSets, registerFeatureSet, type FeatureOverrides, type FeatureSet } from '../registry.js';
import type { Features } from '../types.js';
import * as C from './constants.js';
import { validateInput } from './framing.js';
import { COMPARE_FEATURE_NAMES, COMPARE_LLDS, renderFunctionalTable, renderLayoutTable, renderLldTable } from './layout.js';
import { computeRawLlds, smoothAndDelta, type RawLlds } from './lld.js';
import { evaluateFunctionals } from './summary.js';

export { COMPARE_FEATURE_NAMES, COMPARE_LLDS, renderFunctionalTable, renderLayoutTable, renderLldTable };
export type { RawLlds };

/** Output of {@link computeCompare}. */
export interface CompareResult {
  /** Feature names, in the fixed order of {@link COMPARE_FEATURE_NAMES}. */
  names: string[];
  /** Feature values aligned with `names`; always finite. */
  values: Float32Array;
}

/** Options of {@link computeCompare}. */
export interface CompareOptions {
  /** Throw if a functional comes out non-finite instead of replacing it by 0 (tests). Default false. */
  strict?: boolean;
}

/**
 * Computes the 6373 `compare-ts` functionals of one utterance (deterministic).
 *
 * @param x mono samples, full scale ±1
 * @param sampleRateHz sample rate (Hz), ≥ 8000
 * @throws TypeError if `x` is not a Float32Array; RangeError for a sample rate below 8 kHz,
 *   input shorter than 0.1 s, or non-finite samples.
 */
export function computeCompare(x: Float32Array, sampleRateHz: number, options: CompareOptions = {}): CompareResult {
  validateInput(x, sampleRateHz);
  const raw = computeRawLlds(x, sampleRateHz);
  const stepS = raw.framing.hopSamples / sampleRateHz;
  const values = evaluateFunctionals(smoothAndDelta(raw), stepS, options.strict ?? false);
  return { names: [...COMPARE_FEATURE_NAMES], values };
}

/**
 * Raw per-frame LLDs (before smoothing; `contours[i]` is {@link COMPARE_LLDS}[i]), for
 * inspection and tests. Same input contract as {@link computeCompare}.
 */
export function computeCompareLlds(x: Float32Array, sampleRateHz: number): RawLlds {
  validateInput(x, sampleRateHz);
  return computeRawLlds(x, sampleRateHz);
}

const stringify = (v: unknown): string => (Array.isArray(v) ? v.map(stringify).join(',') : String(v));

/** Settings key: changes with any analysis constant of this set or of the reused egemaps-ts DSP. */
function compareSettingsKey(sampleRateHz: number): string {
  const entries = (m: object, prefix: string) =>
    Object.entries(m)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${prefix}${k}=${stringify(v)}`);
  const constants = [...entries(C, ''), ...entries(EGEMAPS_CONSTANTS, 'egemaps.')].join(';');
  return `${C.COMPARE_SET_NAME}/v${C.COMPARE_VERSION}/sr=${sampleRateHz}/n=${COMPARE_FEATURE_NAMES.length}/${constants}`;
}

/**
 * The `compare-ts` {@link FeatureSet} at a sample rate (Hz): `compute` returns `[1, 1, 6373]`
 * features, `featureNames` their names.
 * @throws RangeError for a sample rate below 8 kHz or not finite.
 */
export function makeCompareFeatureSet(sampleRateHz: number = DEFAULT_SAMPLE_RATE_HZ): FeatureSet {
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < C.MIN_SAMPLE_RATE_HZ) {
    throw new RangeError(`compare-ts: sampleRateHz must be a finite number ≥ ${C.MIN_SAMPLE_RATE_HZ}, got ${sampleRateHz}`);
  }
  let key: string | undefined;
  return {
    name: C.COMPARE_SET_NAME,
    sampleRateHz,
    frameRateHz: null,
    kind: 'vector',
    options: { sampleRateHz },
    settingsKey: () => {
      key ??= compareSettingsKey(sampleRateHz);
      return key;
    },
    compute(x: Float32Array): Features {
      const { values } = computeCompare(x, sampleRateHz);
      return { data: values, channels: 1, frames: 1, dims: values.length };
    },
    featureNames: () => [...COMPARE_FEATURE_NAMES],
  };
}

/** Accepted overrides of the registered set: only `sampleRateHz`. */
function createFromOverrides(overrides?: FeatureOverrides): FeatureSet {
  let sampleRateHz = DEFAULT_SAMPLE_RATE_HZ;
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (v === undefined) continue;
    if (k !== 'sampleRateHz') throw new Error(`feature set '${C.COMPARE_SET_NAME}': unknown option '${k}' (accepted: sampleRateHz)`);
    if (typeof v !== 'number') throw new Error(`feature set '${C.COMPARE_SET_NAME}': option 'sampleRateHz' must be a number`);
    sampleRateHz = v;
  }
  return makeCompareFeatureSet(sampleRateHz);
}

if (!listFeatureSets().includes(C.COMPARE_SET_NAME)) {
  registerFeatureSet({ name: C.COMPARE_SET_NAME, create: createFromOverrides });
}
