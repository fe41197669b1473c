/**
 * Feature sets built from other sets: the concatenation of utterance vectors (`a+b`), and any
 * set computed on the speech region only (silence before and after the speech trimmed by
 * voice-activity detection), which makes pooled features independent of how much silence a
 * recording has around the words.
 */
import { trimSilence } from '../audio/pure.js';
import type { FeatureSet } from './registry.js';
import type { Features } from './types.js';

/** Separator of fused set names: `egemaps-mel+speech-embedding-stats`. */
export const FUSION_SEPARATOR = '+';
/** Voice-activity trimming applied before a set computes (the `vad` option every set takes). */
export const VAD_MODES = ['none', 'energy'] as const;
export type VadMode = (typeof VAD_MODES)[number];

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
  return {
    name,
    kind: 'vector',
    sampleRateHz: parts[0].sampleRateHz,
    frameRateHz: null,
    options: Object.fromEntries(parts.map((p) => [p.name, p.options])),
    settingsKey: () => key,
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
    ...(parts.every((p) => p.featureNames) ? { featureNames: () => parts.flatMap((p) => p.featureNames!()) } : {}),
  };
}

/**
 * `set` computed on the speech region of each signal (energy VAD: leading and trailing
 * silence trimmed, pauses kept). A signal with no active frame is used whole.
 */
export function withVad(set: FeatureSet, mode: VadMode): FeatureSet {
  if (mode === 'none') return set;
  const key = `${set.settingsKey()}|vad=${mode}`;
  return {
    ...set,
    options: { ...set.options, vad: mode },
    settingsKey: () => key,
    compute(x: Float32Array) {
      const t = trimSilence(x, set.sampleRateHz);
      return set.compute(t.samples.length > 0 ? t.samples : x);
    },
  };
}
