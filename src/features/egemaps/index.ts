/**
 * `egemaps-ts`: an eGeMAPS-like handcrafted functional feature set (openSMILE-style LLDs and
 * functionals, implemented from the published definitions; not bit-equal to openSMILE).
 *
 * ```ts
 * const { names, values } = computeEgemaps(samples, 16000); // values.length === names.length
 * ```
 *
 * Input contract: a mono Float32Array in full scale (±1), any sample rate ≥ 8 kHz, at least
 * 0.1 s long, all samples finite — otherwise a `TypeError`/`RangeError` with a clear message is
 * thrown. Silence (or any input without voiced frames) is valid and gives finite output:
 * voiced-only features are 0 and `voicedFraction` is 0. The output never contains NaN or ±∞.
 *
 * See docs/egemaps-ts.md for the feature table and the method.
 */
import { DEFAULT_SAMPLE_RATE_HZ } from '../../audio/pure.js';
import type { Features } from '../types.js';
import { listFeatureSets, registerFeatureSet, type FeatureOverrides, type FeatureSet } from '../registry.js';
import * as C from './constants.js';
import { computeRawLlds, smoothLlds, validateInput, type RawLlds } from './lld.js';
import { EGEMAPS_FEATURE_NAMES, EGEMAPS_FEATURES, summarize } from './summary.js';

export { EGEMAPS_FEATURES, EGEMAPS_FEATURE_NAMES };
export type { RawLlds };

/** Output of {@link computeEgemaps}. */
export interface EgemapsResult {
  /** Feature names, in the fixed order of {@link EGEMAPS_FEATURES}. */
  names: string[];
  /** Feature values, aligned with `names`; always finite. */
  values: Float32Array;
}

/** Options of {@link computeEgemaps}. */
export interface EgemapsOptions {
  /**
   * Throw if any functional comes out non-finite instead of replacing it by 0 (a safety net
   * that should never trigger; tests enable it so that it cannot hide bugs). Default false.
   */
  strict?: boolean;
}

/**
 * Computes the `egemaps-ts` functionals of one utterance (deterministic).
 *
 * @param x mono samples, full scale ±1
 * @param sampleRateHz sample rate (Hz), ≥ 8000
 * @throws TypeError if `x` is not a Float32Array; RangeError for a sample rate below 8 kHz,
 *   input shorter than 0.1 s, or non-finite samples.
 */
export function computeEgemaps(x: Float32Array, sampleRateHz: number, options: EgemapsOptions = {}): EgemapsResult {
  validateInput(x, sampleRateHz);
  const raw = computeRawLlds(x, sampleRateHz);
  const values = summarize(smoothLlds(raw, x.length, sampleRateHz), options.strict ?? false);
  return { names: [...EGEMAPS_FEATURE_NAMES], values };
}

/**
 * Raw per-frame LLDs (before smoothing), for inspection, plots and tests. Same input contract
 * as {@link computeEgemaps}.
 */
export function computeEgemapsLlds(x: Float32Array, sampleRateHz: number): RawLlds {
  validateInput(x, sampleRateHz);
  return computeRawLlds(x, sampleRateHz);
}

/**
 * Settings key: changes whenever any analysis constant or the definition version changes
 * (feature caches key on it).
 */
function egemapsSettingsKey(sampleRateHz: number): string {
  const constants = Object.entries(C)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(';');
  return `${C.EGEMAPS_SET_NAME}/v${C.EGEMAPS_VERSION}/sr=${sampleRateHz}/n=${EGEMAPS_FEATURE_NAMES.length}/${constants}`;
}

/**
 * Markdown table (name | unit | definition) of {@link EGEMAPS_FEATURES}; docs/egemaps-ts.md
 * embeds exactly this text between its `egemaps-table` markers (a test checks it).
 */
export function renderEgemapsTable(): string {
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  const rows = EGEMAPS_FEATURES.map((f, i) => `| ${i} | \`${f.name}\` | ${esc(f.unit)} | ${esc(f.definition)} |`);
  return ['| # | name | unit | definition |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * The `egemaps-ts` {@link FeatureSet} at a given sample rate: `compute` returns `[1, D]` frames
 * (one row of {@link EGEMAPS_FEATURES}.length functionals), `featureNames` their names.
 */
export function makeEgemapsFeatureSet(sampleRateHz: number = DEFAULT_SAMPLE_RATE_HZ): FeatureSet {
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < C.MIN_SAMPLE_RATE_HZ) {
    throw new RangeError(`egemaps-ts: sampleRateHz must be a finite number ≥ ${C.MIN_SAMPLE_RATE_HZ}, got ${sampleRateHz}`);
  }
  const key = egemapsSettingsKey(sampleRateHz);
  return {
    name: C.EGEMAPS_SET_NAME,
    sampleRateHz,
    frameRateHz: null,
    kind: 'vector',
    options: { sampleRateHz },
    settingsKey: () => key,
    compute(x: Float32Array): Features {
      const { values } = computeEgemaps(x, sampleRateHz);
      return { data: values, channels: 1, frames: 1, dims: values.length };
    },
    featureNames: () => [...EGEMAPS_FEATURE_NAMES],
  };
}

/** Accepted overrides of the registered set: only `sampleRateHz`. */
function createFromOverrides(overrides?: FeatureOverrides): FeatureSet {
  let sampleRateHz = DEFAULT_SAMPLE_RATE_HZ;
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (v === undefined) continue;
    if (k !== 'sampleRateHz') throw new Error(`feature set '${C.EGEMAPS_SET_NAME}': unknown option '${k}' (accepted: sampleRateHz)`);
    if (typeof v !== 'number') throw new Error(`feature set '${C.EGEMAPS_SET_NAME}': option 'sampleRateHz' must be a number`);
    sampleRateHz = v;
  }
  return makeEgemapsFeatureSet(sampleRateHz);
}

if (!listFeatureSets().includes(C.EGEMAPS_SET_NAME)) {
  registerFeatureSet({ name: C.EGEMAPS_SET_NAME, create: createFromOverrides });
}
