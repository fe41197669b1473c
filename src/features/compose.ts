/**
 * Feature sets built from other sets: the concatenation of utterance vectors (`a+b`), and any
 * set computed on the speech region only (silence before and after the speech trimmed by
 * voice-activity detection), which makes pooled features independent of how much silence a
 * recording has around the words.
 */
import { normalizeActiveLevel, trimSilence, VAD_HANGOVER_MS } from '../audio/pure.js';
import { modelSource, SILERO_SAMPLE_RATE_HZ, SILERO_VAD, type PretrainedUse, type SpeechDetector } from '../backbones/pure.js';
import type { FeatureSet } from './registry.js';
import type { Features } from './types.js';

/** Separator of fused set names: `egemaps-mel+speech-embedding-stats`. */
export const FUSION_SEPARATOR = '+';
/** Voice-activity trimming applied before a set computes (the `vad` option every set takes). */
export const VAD_MODES = ['none', 'energy', 'silero'] as const;
export type VadMode = (typeof VAD_MODES)[number];
/** Silero frames at or above this speech probability are speech (the model's usual threshold). */
const SILERO_SPEECH_THRESHOLD = 0.5;

/** The span from the first to the last Silero speech frame, widened by the hangover; null when no frame is speech. */
async function sileroSpan(x: Float32Array): Promise<{ start: number; end: number } | null> {
  const detector = await modelSource<SpeechDetector>(SILERO_VAD).load({ weights: null });
  const p = await detector.speechProbabilities(x);
  const first = p.findIndex((v) => v >= SILERO_SPEECH_THRESHOLD);
  if (first < 0) return null;
  let last = p.length - 1;
  while (p[last] < SILERO_SPEECH_THRESHOLD) last--;
  const pad = Math.round((VAD_HANGOVER_MS * SILERO_SAMPLE_RATE_HZ) / 1000);
  return { start: Math.max(0, first * detector.frameSamples - pad), end: Math.min(x.length, (last + 1) * detector.frameSamples + pad) };
}

/** Each model once (by name and weights), in first-use order. */
function uniqueModels(uses: readonly PretrainedUse[]): PretrainedUse[] {
  const seen = new Set<string>();
  return uses.filter((u) => {
    const k = `${u.name}\u0000${u.weights ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The concatenation of utterance-vector sets, in order: `[1, 1, ΣD]`.
 * @throws Error when a part is not a vector set or the parts' sample rates differ.
 */
export function fuseSets(name: string, parts: FeatureSet[]): FeatureSet {
  for (const p of parts) {
    if (p.kind !== 'vector')
      throw new Error(`feature set '${name}': only utterance-vector sets can be fused, '${p.name}' gives ${p.kind} features`);
    if (p.sampleRateHz !== parts[0].sampleRateHz)
      throw new Error(`feature set '${name}': '${p.name}' takes ${p.sampleRateHz} Hz, '${parts[0].name}' ${parts[0].sampleRateHz} Hz`);
  }
  const key = `${name}@fused:${JSON.stringify(parts.map((p) => p.settingsKey()))}`;
  const models = uniqueModels(parts.flatMap((p) => p.models ?? []));
  return {
    name,
    kind: 'vector',
    sampleRateHz: parts[0].sampleRateHz,
    frameRateHz: null,
    options: Object.fromEntries(parts.map((p) => [p.name, p.options])),
    settingsKey: () => key,
    ...(models.length > 0 ? { models } : {}),
    async compute(x: Float32Array): Promise<Features> {
      const vs: Float32Array[] = [];
      for (const p of parts) vs.push((await p.compute(x)).data);
      const data = new Float32Array(vs.reduce((n, v) => n + v.length, 0));
      let at = 0;
      for (const v of vs) {
        data.set(v, at);
        at += v.length;
      }
      return { data, channels: 1, frames: 1, dims: data.length };
    },
    ...(parts.every((p) => p.featureNames)
      ? {
          featureNames: () => parts.flatMap((p) => p.featureNames!()),
          partDims: () => parts.map((p) => ({ name: p.name, dims: p.featureNames!().length })),
        }
      : {}),
  };
}

/** Per-utterance normalization of frame features (the `utteranceNorm` option every frame set takes). */
export const UTTERANCE_NORMS = ['none', 'mean', 'mean-var'] as const;
export type UtteranceNorm = (typeof UTTERANCE_NORMS)[number];
/** Floor of a dim's standard deviation in per-utterance variance normalization. */
const UTTERANCE_STD_FLOOR = 1e-5;

/**
 * Each dim of every channel centred on the utterance's own mean over frames (`mean`, cepstral
 * mean normalization), and divided by its own standard deviation (`mean-var`). Removes
 * stationary channel and speaker offsets without any other utterance's statistics.
 */
export function normalizeUtterance(f: Features, mode: UtteranceNorm): Features {
  if (mode === 'none') return f;
  const { channels: C, frames: T, dims: D } = f;
  const data = new Float32Array(f.data);
  for (let c = 0; c < C; c++) {
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += data[(c * T + t) * D + d];
      const mean = s / T;
      let v = 0;
      for (let t = 0; t < T; t++) v += (data[(c * T + t) * D + d] - mean) ** 2;
      const scale = mode === 'mean-var' ? 1 / Math.max(Math.sqrt(v / T), UTTERANCE_STD_FLOOR) : 1;
      for (let t = 0; t < T; t++) data[(c * T + t) * D + d] = (data[(c * T + t) * D + d] - mean) * scale;
    }
  }
  return { ...f, data };
}

/** `set` with {@link normalizeUtterance} applied to its output; frame and image sets only. */
export function withUtteranceNorm(set: FeatureSet, mode: UtteranceNorm): FeatureSet {
  if (mode === 'none') return set;
  if (set.kind === 'vector')
    throw new Error(`feature set '${set.name}': utteranceNorm applies to frame features; '${set.name}' gives one vector per utterance`);
  const key = `${set.settingsKey()}|utteranceNorm=${mode}`;
  return {
    ...set,
    options: { ...set.options, utteranceNorm: mode },
    settingsKey: () => key,
    compute: async (x) => normalizeUtterance(await set.compute(x), mode),
  };
}

/** Removal of a constant offset before a set computes (the `dcRemoval` option every set takes). */
export const DC_REMOVALS = ['none', 'mean'] as const;
export type DcRemoval = (typeof DC_REMOVALS)[number];

/** `x` minus its mean (a new array; an empty signal is returned as a copy). */
function removeDc(x: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  const mean = x.length > 0 ? sum / x.length : 0;
  return x.map((v) => v - mean);
}

/**
 * `set` computed on each signal minus its mean: a DC offset (an ADC's or a sound card's, which
 * moves the lowest STFT bins, the loudness and an energy VAD) no longer reaches the features.
 * Applied before `vad` and `levelNorm`, so they see the centred signal too.
 */
export function withDcRemoval(set: FeatureSet, mode: DcRemoval): FeatureSet {
  if (mode === 'none') return set;
  let key: string | null = null;
  return {
    ...set,
    options: { ...set.options, dcRemoval: mode },
    settingsKey: () => (key ??= `${set.settingsKey()}|dcRemoval=${mode}`),
    compute: (x) => set.compute(removeDc(x)),
  };
}

/** Recording-level normalization before a set computes (the `levelNorm` option every set takes). */
export const LEVEL_NORMS = ['none', 'active-rms'] as const;
export type LevelNorm = (typeof LEVEL_NORMS)[number];

/**
 * `set` computed on each signal scaled to a fixed active speech level (−26 dBFS; audio
 * normalizeActiveLevel): the features no longer depend on microphone gain or a corpus'
 * mastering level. Uses the signal alone.
 */
export function withLevelNorm(set: FeatureSet, mode: LevelNorm): FeatureSet {
  if (mode === 'none') return set;
  const key = `${set.settingsKey()}|levelNorm=${mode}`;
  return {
    ...set,
    options: { ...set.options, levelNorm: mode },
    settingsKey: () => key,
    compute: (x) => set.compute(normalizeActiveLevel(x, set.sampleRateHz)),
  };
}

/**
 * `set` computed on the speech region of each signal: leading and trailing silence trimmed,
 * pauses kept, by frame energy (`energy`, src/audio trimSilence) or by the Silero VAD model
 * (`silero`, 16 kHz sets only). A signal with no speech frame is used whole.
 * @throws Error when `silero` is asked of a set at another rate, or the model is not available.
 */
export function withVad(set: FeatureSet, mode: VadMode): FeatureSet {
  if (mode === 'none') return set;
  if (mode === 'silero' && set.sampleRateHz !== SILERO_SAMPLE_RATE_HZ)
    throw new Error(
      `feature set '${set.name}': vad 'silero' needs ${SILERO_SAMPLE_RATE_HZ} Hz input, the set takes ${set.sampleRateHz} Hz`,
    );
  const key = `${set.settingsKey()}|vad=${mode === 'silero' ? `silero:${modelSource(SILERO_VAD).identity({ weights: null })}` : mode}`;
  return {
    ...set,
    options: { ...set.options, vad: mode },
    settingsKey: () => key,
    ...(mode === 'silero' ? { models: uniqueModels([...(set.models ?? []), { name: SILERO_VAD, weights: null }]) } : {}),
    async compute(x: Float32Array) {
      if (mode === 'energy') {
        const t = trimSilence(x, set.sampleRateHz);
        return set.compute(t.samples.length > 0 ? t.samples : x);
      }
      const span = await sileroSpan(x);
      return set.compute(span ? x.slice(span.start, span.end) : x);
    },
  };
}
