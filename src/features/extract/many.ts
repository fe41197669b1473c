/**
 * Features of many utterances at once, through the content-addressed cache and the worker pool;
 * any failure aborts with every file's reason listed.
 */
import { availableParallelism } from 'node:os';
import { defaultCacheDir } from './cache.js';
import type { Features } from '../types.js';
import type { TaskAugmentation } from './compute.js';
import { threadRunner, type TaskRunner } from './pool.js';

/**
 * Computes features for `items` (cached by content + settings); failures abort with every reason
 * listed. An item with `augment` gets the features of that augmented copy of its audio.
 */
export async function computeFeatures(
  items: { id: string; path: string; augment?: TaskAugmentation }[],
  setName: string,
  overrides: Record<string, unknown>,
  o: {
    workers?: number;
    cacheDir?: string | null;
    onProgress?: (done: number, total: number) => void;
    /** Where the tasks run (default: `workers` threads of this process). */
    runner?: TaskRunner;
  } = {},
): Promise<Map<string, Features>> {
  const out = new Map<string, Features>();
  const failed: string[] = [];
  const run = o.runner ?? threadRunner(o.workers ?? availableParallelism());
  await run(
    items.map((it) => ({
      id: it.id,
      path: it.path,
      ...(it.augment ? { augment: it.augment } : {}),
      setName,
      overrides,
      cacheDir: o.cacheDir === undefined ? defaultCacheDir() : o.cacheDir,
    })),
    (r) => {
      if (r.ok) out.set(r.id, r.features);
      else failed.push(r.reason);
      o.onProgress?.(out.size + failed.length, items.length);
    },
  );
  if (failed.length > 0) throw new Error(`${failed.length} file(s) could not be read for training:\n  ${failed.join('\n  ')}`);
  return out;
}
