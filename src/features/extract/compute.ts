/**
 * One extraction task: read a file, look it up in the cache, else decode, resample and compute
 * the feature set, and store the result. Runs inside worker threads (or in-process).
 */
import { readFile, stat } from 'node:fs/promises';
import { augmentSignal, decodeAudio, loadAudio, prepareAudio, type AugmentSpec } from '../../audio/index.js';
import { makeRng } from '../../core/index.js';
// The face (not registry.js alone): its imports register every feature set, also in worker threads.
import { getFeatureSet, type FeatureSet } from '../pure.js';
// Side effects (worker threads load this file, not the face): the Node sources of the backbones,
// and mel spectrograms on the libtorch engine.
import '../../backbones/index.js';
import '../engine-mel.js';
import { cacheKey, FeatureCache } from './cache.js';
import type { Features } from '../types.js';

/** What a worker is asked to do. */
export interface ExtractTask {
  id: string;
  path: string;
  setName: string;
  /** Overrides passed to getFeatureSet (JSON-serializable). */
  overrides?: Record<string, unknown>;
  /** Cache folder, or null to disable caching. */
  cacheDir: string | null;
  /** Compute the features of an augmented copy of the audio instead (see augmentSignal). */
  augment?: TaskAugmentation;
}

/** The augmented copy a task computes: the chain, its seed, and babble sources (audio files). */
export interface TaskAugmentation {
  spec: AugmentSpec;
  seed: number;
  babble: string[];
}

/** Decoded babble sources, by path and rate (a worker reuses them across tasks). */
const babbleCache = new Map<string, Promise<Float32Array>>();
function babbleSignal(path: string, rateHz: number): Promise<Float32Array> {
  const k = `${rateHz}\0${path}`;
  let p = babbleCache.get(k);
  if (!p) {
    p = loadAudio(path, { sampleRateHz: rateHz }).then((a) => a.samples);
    babbleCache.set(k, p);
  }
  return p;
}

/** A task's outcome. */
export type ExtractResult =
  | { id: string; ok: true; cached: boolean; features: Features /** The cache key of the features (cache.ts cacheKey). */; key: string }
  | { id: string; ok: false; reason: string };

const sets = new Map<string, FeatureSet>();
function featureSet(name: string, overrides?: Record<string, unknown>): FeatureSet {
  const k = `${name}\0${JSON.stringify(overrides ?? {})}`;
  let s = sets.get(k);
  if (s === undefined) {
    s = getFeatureSet(name, overrides);
    sets.set(k, s);
  }
  return s;
}

/** The task's audio bytes, feature set and cache key. */
async function lookUp(task: ExtractTask): Promise<{ bytes: Uint8Array; set: FeatureSet; key: string }> {
  const set = featureSet(task.setName, task.overrides);
  const st = await stat(task.path);
  if (!st.isFile()) throw new Error(`${task.path}: not a regular file`);
  const bytes = new Uint8Array(await readFile(task.path));
  const aug = task.augment;
  // An augmented copy is identified by the chain, its seed and its babble sources, besides the audio.
  const settings = aug ? `${set.settingsKey()}|augment:${JSON.stringify(aug)}` : set.settingsKey();
  return { bytes, set, key: cacheKey(bytes, settings) };
}

/**
 * The task's result when its features are already in the cache, else null (also for any
 * problem reading the file: {@link runTask} reports those).
 */
export async function cachedResult(task: ExtractTask): Promise<ExtractResult | null> {
  if (task.cacheDir === null) return null;
  try {
    const { key } = await lookUp(task);
    const hit = new FeatureCache(task.cacheDir).get(key);
    return hit ? { id: task.id, ok: true, cached: true, features: hit, key } : null;
  } catch {
    return null;
  }
}

/** Runs one task; failures (unreadable or bad audio) become `{ ok: false, reason }`, never throws. */
export async function runTask(task: ExtractTask): Promise<ExtractResult> {
  try {
    const { bytes, set, key } = await lookUp(task);
    const cache = task.cacheDir === null ? null : new FeatureCache(task.cacheDir);
    const aug = task.augment;
    const hit = cache?.get(key);
    if (hit) return { id: task.id, ok: true, cached: true, features: hit, key };
    const audio = await decodeAudio(bytes, task.path);
    let samples = prepareAudio(audio, set.sampleRateHz);
    if (aug) {
      const babble = await Promise.all(aug.babble.map((p) => babbleSignal(p, set.sampleRateHz)));
      samples = (await augmentSignal(samples, set.sampleRateHz, aug.spec, makeRng(aug.seed), babble)).samples;
    }
    const features = await set.compute(samples);
    cache?.put(key, features);
    return { id: task.id, ok: true, cached: false, features, key };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { id: task.id, ok: false, reason: msg.includes(task.path) ? msg : `${task.path}: ${msg}` };
  }
}
