/**
 * Named feature sets: `getFeatureSet('logmel')` returns an object that turns a mono signal at
 * `sampleRateHz` into features, plus a `settingsKey()` string that identifies every setting
 * that affects the output (use it as the input of a cache key hash).
 *
 * Built-in sets (defaults tuned for 16 kHz; `listFeatureSets()` lists all, including sets
 * registered by other modules such as `egemaps-ts`):
 * - `logmel`     `[T, 64]`  ln(mel + 1e-6), 64 HTK mels, nFft 512, hann 400, hop 160
 * - `mfcc`       `[T, 40]`  torchaudio MFCC (dB log-mel, top_db 80, DCT-II ortho) on the same mel front end
 * - `mfcc-delta` `[T, 120]` each row [MFCC, Δ, ΔΔ] (N = 2)
 * - `logspec`, `logmelspec`, `logmeldeltaspec`, `lognrevspec`: the spectrogram-image sets (SER with pre-trained image classifiers)
 *   (see sets.ts), `[C, T, D]`
 *
 * Overrides: `getFeatureSet(name, { nMels: 80 })` replaces defaults; unknown keys or values of
 * the wrong type are errors naming the accepted keys.
 */
import { DEFAULT_SAMPLE_RATE_HZ } from '../audio/pure.js';
import type { PretrainedUse } from '../backbones/pure.js';
import { closestName } from '../core/pure.js';
import {
  FUSION_SEPARATOR,
  DC_REMOVALS,
  LEVEL_NORMS,
  fuseSets,
  withDcRemoval,
  withLevelNorm,
  type DcRemoval,
  type LevelNorm,
  UTTERANCE_NORMS,
  VAD_MODES,
  withUtteranceNorm,
  withVad,
  type UtteranceNorm,
  type VadMode,
} from './compose.js';
import type { Features } from './types.js';
import { withDeltas, DEFAULT_DELTA_N } from './deltas.js';
import {
  DEFAULT_F_MIN_HZ,
  DEFAULT_HOP_SAMPLES,
  DEFAULT_MEL_NORM,
  DEFAULT_MEL_SCALE,
  DEFAULT_N_FFT,
  DEFAULT_N_MELS,
  DEFAULT_WIN_SAMPLES,
  getMelFilterbank,
  logMelSpectrogram,
  type MelSpectrogramOptions,
} from './mel.js';
import { checkMfccOptions, DEFAULT_DCT_NORM, DEFAULT_LIFTER, DEFAULT_MFCC_TOP_DB, DEFAULT_N_MFCC, mfcc } from './mfcc.js';
import { resolveSpecSetOptions, SPEC_SETS, type SpecSetName, type SpecSetOptions } from './sets.js';
import {
  applyLog,
  DEFAULT_CENTER,
  DEFAULT_DB_AMIN,
  DEFAULT_LN_EPS,
  DEFAULT_PAD_MODE,
  DEFAULT_WINDOW,
  resolveStftOptions,
  type LogOptions,
} from './stft.js';

/**
 * Version of the built-in feature algorithms; part of every built-in `settingsKey()`, bump it
 * when an algorithm change alters outputs so caches are invalidated.
 */
export const FEATURES_VERSION = 1;

/**
 * What a feature set outputs: frame features [1, T, D], channel images [C, T, D], one vector
 * [1, 1, D], or a backbone's hidden states, one plane per layer [L, T, D].
 */
export type FeatureKind = 'frames' | 'image' | 'vector' | 'layers';

/** A configured feature extractor. */
export interface FeatureSet {
  /** Registry name. */
  name: string;
  /** Sample rate (Hz) the input signal must have. */
  sampleRateHz: number;
  /** Output frames per second (Hz) for frame and image sets; null for a vector (one per signal). */
  frameRateHz: number | null;
  kind: FeatureKind;
  /** The resolved settings: every option that affects the output (the settings key hashes them). */
  options: Readonly<Record<string, unknown>>;
  /** Stable string of every output-affecting setting (hash input for caches). */
  settingsKey(): string;
  /**
   * Features of a mono signal at `sampleRateHz`. Signal-processing sets compute synchronously;
   * backbone sets run a model and return a promise, so callers always `await` the result.
   */
  compute(x: Float32Array): Features | Promise<Features>;
  /** Optional names of the output dims (D), e.g. for functional sets written as CSV columns. */
  featureNames?(): string[];
  /** Fused sets: each part's name and width, in input order (when every part names its features). */
  partDims?(): { name: string; dims: number }[];
  /** The pretrained models its computation runs in the browser too (a backbone, a VAD); absent for signal-processing sets. */
  models?: readonly PretrainedUse[];
  /** The backbone whose hidden states the set is made of (its size and compute count in the model's cost). */
  backbone?: PretrainedUse;
}

/** Option overrides passed to {@link getFeatureSet}. */
export type FeatureOverrides = Readonly<Record<string, unknown>>;

/** Builds a configured {@link FeatureSet}; lets a registered set accept overrides. */
export interface FeatureSetFactory {
  name: string;
  create(overrides?: FeatureOverrides): FeatureSet;
}

const registry = new Map<string, FeatureSetFactory>();

/**
 * Registers a feature set under `set.name`: either a ready {@link FeatureSet} (then
 * {@link getFeatureSet} rejects overrides for it) or a {@link FeatureSetFactory}.
 * @throws Error if the name is taken and `replace` is not set, or the name is empty.
 */
export function registerFeatureSet(set: FeatureSet | FeatureSetFactory, opts: { replace?: boolean } = {}): void {
  const name = set.name;
  if (typeof name !== 'string' || name.length === 0) throw new Error('registerFeatureSet: the set needs a non-empty name');
  if (registry.has(name) && !opts.replace) throw new Error(`registerFeatureSet: a feature set named '${name}' is already registered`);
  if ('create' in set) {
    registry.set(name, set);
    return;
  }
  registry.set(name, {
    name,
    create(overrides?: FeatureOverrides): FeatureSet {
      if (overrides && Object.keys(overrides).length > 0) {
        throw new Error(`feature set '${name}' takes no overrides (got ${Object.keys(overrides).join(', ')})`);
      }
      return set;
    },
  });
}

/** Names of all registered feature sets, sorted. */
export function listFeatureSets(): string[] {
  return [...registry.keys()].sort();
}

function registered(name: string, overrides: FeatureOverrides | undefined): FeatureSet {
  const f = registry.get(name);
  if (f === undefined) {
    const near = closestName(name, listFeatureSets());
    throw new Error(`unknown feature set '${name}' (${near ? `did you mean '${near}'? ` : ''}known: ${listFeatureSets().join(', ')})`);
  }
  return f.create(overrides);
}

/**
 * The feature set `name`, configured with `overrides`.
 *
 * `name` may fuse utterance-vector sets with `+` (`egemaps-mel+speech-embedding-stats`); the
 * overrides of a fused set's parts are spelled `part.option`. Every set also takes the option
 * `vad` ({@link VAD_MODES}): compute on the speech region only, and `levelNorm`
 * ({@link LEVEL_NORMS}): scale the speech to a fixed active level first, and `dcRemoval`
 * ({@link DC_REMOVALS}): subtract the signal's mean before anything else; frame and image sets take
 * `utteranceNorm` ({@link UTTERANCE_NORMS}): normalize each dim over the utterance's frames.
 * @throws Error listing the known names for an unknown name, or naming a bad override.
 */
export function getFeatureSet(name: string, overrides?: FeatureOverrides): FeatureSet {
  const { vad = 'none', utteranceNorm = 'none', levelNorm = 'none', dcRemoval = 'none', ...rest } = overrides ?? {};
  if (typeof vad !== 'string' || !(VAD_MODES as readonly string[]).includes(vad))
    throw new Error(`feature set '${name}': option 'vad' must be one of ${VAD_MODES.join(', ')}, got ${JSON.stringify(vad)}`);
  if (typeof levelNorm !== 'string' || !(LEVEL_NORMS as readonly string[]).includes(levelNorm))
    throw new Error(`feature set '${name}': option 'levelNorm' must be one of ${LEVEL_NORMS.join(', ')}, got ${JSON.stringify(levelNorm)}`);
  if (typeof dcRemoval !== 'string' || !(DC_REMOVALS as readonly string[]).includes(dcRemoval))
    throw new Error(`feature set '${name}': option 'dcRemoval' must be one of ${DC_REMOVALS.join(', ')}, got ${JSON.stringify(dcRemoval)}`);
  // The offset removed first, then the speech region, then its level, then the set itself.
  const wrap = (set: FeatureSet) =>
    withUtteranceNorm(
      withDcRemoval(withVad(withLevelNorm(set, levelNorm as LevelNorm), vad as VadMode), dcRemoval as DcRemoval),
      utteranceNorm as UtteranceNorm,
    );
  if (typeof utteranceNorm !== 'string' || !(UTTERANCE_NORMS as readonly string[]).includes(utteranceNorm))
    throw new Error(
      `feature set '${name}': option 'utteranceNorm' must be one of ${UTTERANCE_NORMS.join(', ')}, got ${JSON.stringify(utteranceNorm)}`,
    );
  if (!name.includes(FUSION_SEPARATOR)) return wrap(registered(name, rest));
  const names = name.split(FUSION_SEPARATOR);
  for (const k of Object.keys(rest)) {
    const part = k.slice(0, k.indexOf('.'));
    if (!k.includes('.') || !names.includes(part))
      throw new Error(`feature set '${name}': fused sets take options as 'part.option' with part one of ${names.join(', ')}, got '${k}'`);
  }
  const partOverrides = (part: string) =>
    Object.fromEntries(
      Object.entries(rest)
        .filter(([k]) => k.startsWith(`${part}.`))
        .map(([k, v]) => [k.slice(part.length + 1), v]),
    );
  return wrap(
    fuseSets(
      name,
      names.map((n) => registered(n, partOverrides(n))),
    ),
  );
}

/** JSON with object keys sorted, so equal settings give equal strings. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

/**
 * Merges overrides into defaults, checking keys and value types: a value must have the
 * default's type; null is accepted for keys in `nullable`; keys in `loose` accept a number or
 * a string. Values are fully validated afterwards by the set's own resolver.
 */
export function mergeOverrides<T extends object>(
  set: string,
  defaults: T,
  overrides: FeatureOverrides | undefined,
  nullable: readonly string[] = [],
  loose: readonly string[] = [],
): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (v === undefined) continue;
    if (!(k in defaults)) {
      throw new Error(`feature set '${set}': unknown option '${k}' (accepted: ${Object.keys(defaults).sort().join(', ')})`);
    }
    const d = out[k];
    let ok: boolean;
    if (v === null) ok = nullable.includes(k);
    else if (loose.includes(k)) ok = typeof v === 'number' || typeof v === 'string';
    else ok = d === null ? typeof v === 'number' || typeof v === 'string' : typeof v === typeof d;
    if (!ok) throw new Error(`feature set '${set}': option '${k}' has the wrong type (${v === null ? 'null' : typeof v})`);
    out[k] = v;
  }
  return out as T;
}

/** The mel front end shared by `logmel`, `mfcc` and `mfcc-delta` (fMaxHz null = Nyquist). */
type MelFront = Required<Omit<MelSpectrogramOptions, 'fMaxHz' | 'norm'>> & { fMaxHz: number | null; norm: 'slaney' | null };

function melFrontDefaults(): MelFront {
  return {
    sampleRateHz: DEFAULT_SAMPLE_RATE_HZ,
    nFft: DEFAULT_N_FFT,
    winSamples: DEFAULT_WIN_SAMPLES,
    hopSamples: DEFAULT_HOP_SAMPLES,
    window: DEFAULT_WINDOW,
    center: DEFAULT_CENTER,
    padMode: DEFAULT_PAD_MODE,
    nMels: DEFAULT_N_MELS,
    fMinHz: DEFAULT_F_MIN_HZ,
    fMaxHz: null,
    scale: DEFAULT_MEL_SCALE,
    norm: DEFAULT_MEL_NORM,
    power: 2,
  };
}

/**
 * Resolves fMaxHz (null → ⌊sr/2⌋) and, as mel.ts's `resolveMelStftOptions` does, makes the window
 * nFft samples long when nFft is overridden without winSamples; then validates the front end
 * once, at creation.
 */
function checkMel<T extends MelFront>(o: T, overrides: FeatureOverrides | undefined): T & { fMaxHz: number } {
  const given = overrides ?? {};
  const winSamples = given.nFft !== undefined && given.winSamples === undefined ? o.nFft : o.winSamples;
  const r = { ...o, winSamples, fMaxHz: o.fMaxHz ?? Math.floor(o.sampleRateHz / 2) };
  resolveStftOptions(r);
  getMelFilterbank(r);
  if (r.power !== 1 && r.power !== 2) throw new RangeError(`mel: power must be 1 or 2, got ${String(r.power)}`);
  return r;
}

/** A set of frames computed every `hopSamples` of a signal at `sampleRateHz` (both in `settings`). */
function makeSet(
  name: string,
  kind: FeatureKind,
  settings: { sampleRateHz: number; hopSamples: number },
  compute: (x: Float32Array) => Features,
): FeatureSet {
  const key = `${name}@v${FEATURES_VERSION}:${stableStringify(settings)}`;
  return {
    name,
    kind,
    sampleRateHz: settings.sampleRateHz,
    frameRateHz: settings.sampleRateHz / settings.hopSamples,
    options: { ...settings },
    settingsKey: () => key,
    compute,
  };
}

/** The resolved options of a `logmel` set, typed (the waveform front end of the attacks rebuilds it from them). */
export type LogMelSetOptions = MelFront & Required<LogOptions> & { fMaxHz: number };

/** The options of `set`, which must be a `logmel` set (errors name it otherwise). */
export function logMelOptions(set: FeatureSet): LogMelSetOptions {
  if (set.name !== 'logmel') throw new Error(`feature set '${set.name}' is not a log-mel set`);
  // Built by the 'logmel' factory below from exactly this type.
  return set.options as LogMelSetOptions;
}

registerFeatureSet({
  name: 'logmel',
  create(overrides) {
    const defaults: MelFront & Required<LogOptions> = {
      ...melFrontDefaults(),
      log: 'ln',
      lnEps: DEFAULT_LN_EPS,
      dbAmin: DEFAULT_DB_AMIN,
      dbRef: 1,
      topDb: null,
    };
    const o = checkMel(mergeOverrides('logmel', defaults, overrides, ['fMaxHz', 'norm', 'topDb'], ['dbRef']), overrides);
    applyLog(new Float32Array(1), o); // validates the log settings up front
    return makeSet('logmel', 'frames', o, (x) => logMelSpectrogram(x, o));
  },
});

type MfccSet = MelFront & { nMfcc: number; dctNorm: 'ortho' | null; logMels: boolean; topDb: number | null; lifter: number };

function mfccDefaults(): MfccSet {
  return {
    ...melFrontDefaults(),
    nMfcc: DEFAULT_N_MFCC,
    dctNorm: DEFAULT_DCT_NORM,
    logMels: false,
    topDb: DEFAULT_MFCC_TOP_DB,
    lifter: DEFAULT_LIFTER,
  };
}

const MFCC_NULLABLE = ['fMaxHz', 'norm', 'dctNorm', 'topDb'];

registerFeatureSet({
  name: 'mfcc',
  create(overrides) {
    const o = checkMel(mergeOverrides('mfcc', mfccDefaults(), overrides, MFCC_NULLABLE), overrides);
    checkMfccOptions(o);
    return makeSet('mfcc', 'frames', o, (x) => mfcc(x, o));
  },
});

registerFeatureSet({
  name: 'mfcc-delta',
  create(overrides) {
    const o = checkMel(mergeOverrides('mfcc-delta', { ...mfccDefaults(), deltaN: DEFAULT_DELTA_N }, overrides, MFCC_NULLABLE), overrides);
    checkMfccOptions(o);
    if (!Number.isInteger(o.deltaN) || o.deltaN < 1) throw new RangeError(`deltas: N must be a positive integer (frames), got ${o.deltaN}`);
    return makeSet('mfcc-delta', 'frames', o, (x) => withDeltas(mfcc(x, o), o.deltaN));
  },
});

for (const name of Object.keys(SPEC_SETS) as SpecSetName[]) {
  registerFeatureSet({
    name,
    create(overrides) {
      const defaults = resolveSpecSetOptions({});
      const merged = mergeOverrides<SpecSetOptions>(name, defaults, overrides, ['melNorm', 'topDb']);
      // Re-derive sample-rate-dependent defaults unless they were given explicitly.
      const given = overrides ?? {};
      const pick = <K extends keyof SpecSetOptions>(k: K) => (k in given ? merged[k] : undefined);
      const o = resolveSpecSetOptions({
        ...merged,
        winSamples: pick('winSamples'),
        hopSamples: pick('hopSamples'),
        fMaxHz: pick('fMaxHz'),
      });
      resolveStftOptions(o);
      if (name === 'logmelspec' || name === 'logmeldeltaspec') {
        getMelFilterbank({
          sampleRateHz: o.sampleRateHz,
          nFft: o.nFft,
          nMels: o.nMels,
          fMinHz: o.fMinHz,
          fMaxHz: o.fMaxHz,
          scale: o.melScale,
          norm: o.melNorm,
        });
      }
      const fn = SPEC_SETS[name];
      return makeSet(name, 'image', o, (x) => fn(x, o));
    },
  });
}
