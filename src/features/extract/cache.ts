/**
 * A content-addressed feature cache: one small safetensors file per (audio content, feature
 * settings) pair, written atomically, so an interrupted extraction resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, serializeSafetensors } from '../../tensor-io/index.js';
import { writeFileAtomicSync } from '../../core/index.js';
import { fromShape, shapeOf, type Features } from '../types.js';

/** Bump when the extraction code changes numerically, so stale cache entries are not reused. */
export const CACHE_FORMAT_VERSION = 1;

/** The default cache folder: $TRUSTSER_CACHE, else $XDG_CACHE_HOME/trustser/features, else ~/.cache/trustser/features. */
export function defaultCacheDir(): string {
  if (process.env.TRUSTSER_CACHE) return process.env.TRUSTSER_CACHE;
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'trustser', 'features');
}

/** The cache key of one file's features: SHA-256 over the audio bytes and the settings string. */
export function cacheKey(audioBytes: Uint8Array, settingsKey: string): string {
  return createHash('sha256').update(`v${CACHE_FORMAT_VERSION}\0${settingsKey}\0`).update(audioBytes).digest('hex');
}

export class FeatureCache {
  constructor(readonly dir: string) {}

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.safetensors`);
  }

  /** The cached features, or null when absent or unreadable (a corrupt entry is treated as a miss). */
  get(key: string): Features | null {
    const p = this.pathOf(key);
    if (!existsSync(p)) return null;
    try {
      const t = parseSafetensors(readFileSync(p), p).tensors.get('features');
      return t && t.data instanceof Float32Array ? fromShape(t.shape, t.data, p) : null;
    } catch {
      return null;
    }
  }

  /** Stores features atomically (temp file + rename). */
  put(key: string, value: Features): void {
    const p = this.pathOf(key);
    mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true });
    writeFileAtomicSync(p, serializeSafetensors(new Map([['features', { dtype: 'float32', shape: shapeOf(value), data: value.data }]])));
  }
}
