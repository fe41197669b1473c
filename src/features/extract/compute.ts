/**
 * One extraction task: read a file, look it up in the cache, else decode, resample and compute
 * the feature set, and store the result. Runs inside worker threads (or in-process).
 */
import { readFile, stat } from 'node:fs/promises';
import { decodeAudio, prepareAudio } from '../../audio/index.js';
// The face (not registry.js alone): its imports register every feature set, also in worker threads.
import { getFeatureSet, type FeatureSet } from '../pure.js';
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
}

/** A task's outcome. */
export type ExtractResult = { id: string; ok: true; cached: boolean; features: Features } | { id: string; ok: false; reason: string };

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

/** Runs one task; failures (unreadable or bad audio) become `{ ok: false, reason }`, never throws. */
export async function runTask(task: ExtractTask): Promise<ExtractResult> {
  try {
    const set = featureSet(task.setName, task.overrides);
    const st = await stat(task.path);
    if (!st.isFile()) throw new Error(`${task.path}: not a regular file`);
    const bytes = new Uint8Array(await readFile(task.path));
    const cache = task.cacheDir === null ? null : new FeatureCache(task.cacheDir);
    const key = cacheKey(bytes, set.settingsKey());
    const hit = cache?.get(key);
    if (hit) return { id: task.id, ok: true, cached: true, features: hit };
    const audio = await decodeAudio(bytes, task.path);
    const features = set.compute(prepareAudio(audio, set.sampleRateHz));
    cache?.put(key, features);
    return { id: task.id, ok: true, cached: false, features };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { id: task.id, ok: false, reason: msg.includes(task.path) ? msg : `${task.path}: ${msg}` };
  }
}
