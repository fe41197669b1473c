/**
 * `trustser features extract`: computes a feature set for every input file on worker threads,
 * with a content-addressed cache (resumable after a kill) and an atomic output file.
 */
import { availableParallelism } from 'node:os';
import { dirname, extname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { serializeSafetensors } from '../../tensor-io/index.js';
import type { RawTensor } from '../../tensor-io/index.js';
import { removeStaleTemps, writeFileAtomic } from '../../core/index.js';
import { getFeatureSet } from '../pure.js';
import { defaultCacheDir } from './cache.js';
import { shapeOf, type Features } from '../types.js';
import { listInputs, type ListInputsOptions } from '../../audio/index.js';
import { threadRunner, type TaskRunner } from './pool.js';

export interface ExtractOptions {
  set: string;
  input: string;
  /** How the input is listed: CSV column mapping, recursion into sub-folders. */
  inputOptions?: ListInputsOptions;
  out: string;
  /** 'safetensors' (any set) or 'csv' (one row per file: functional sets only). Default from the extension. */
  format?: 'safetensors' | 'csv';
  /** Worker threads; default all cores; 0 runs in this thread. */
  workers?: number;
  /** Where the tasks run (default: `workers` threads of this process), e.g. queue workers. */
  runner?: TaskRunner;
  /** Cache folder; null disables the cache. Default {@link defaultCacheDir}. */
  cacheDir?: string | null;
  overrides?: Record<string, unknown>;
  /** Progress bar on stderr (default: when stderr is a TTY). */
  progress?: boolean;
}

export interface ExtractSummary {
  out: string;
  files: number;
  extracted: number;
  fromCache: number;
  failed: { path: string; reason: string }[];
}

function formatOf(o: ExtractOptions): 'safetensors' | 'csv' {
  if (o.format) return o.format;
  const ext = extname(o.out).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.safetensors') return 'safetensors';
  throw new Error(`${o.out}: unknown output format (use a .safetensors or .csv file name, or --format)`);
}

/** Runs an extraction; the output file is written only when at least one file succeeded. */
export async function extractFeatures(o: ExtractOptions): Promise<ExtractSummary> {
  const format = formatOf(o);
  const set = getFeatureSet(o.set, o.overrides); // validates the name before any work
  const items = await listInputs(o.input, o.inputOptions);
  removeStaleTemps(dirname(resolve(o.out)), { recursive: false });
  const cacheDir = o.cacheDir === undefined ? defaultCacheDir() : o.cacheDir;
  const results = new Map<string, Features>();
  const failed: ExtractSummary['failed'] = [];
  const pathOf = new Map(items.map((i) => [i.id, i.path]));
  let fromCache = 0;
  const bar =
    (o.progress ?? process.stderr.isTTY)
      ? new cliProgress.SingleBar(
          { stream: process.stderr, format: `${o.set} [{bar}] {value}/{total} files | {eta_formatted} left` },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(items.length, 0);
  const run = o.runner ?? threadRunner(o.workers ?? availableParallelism());
  await run(
    items.map((it) => ({ id: it.id, path: it.path, setName: o.set, overrides: o.overrides, cacheDir })),
    (r) => {
      if (r.ok) {
        results.set(r.id, r.features);
        if (r.cached) fromCache++;
      } else {
        failed.push({ path: pathOf.get(r.id) ?? r.id, reason: r.reason });
      }
      bar?.increment();
    },
  );
  bar?.stop();
  if (results.size === 0) throw new Error(`no file could be processed (${failed.length} failed; first: ${failed[0]?.reason})`);
  const ordered = items.filter((i) => results.has(i.id)).map((i) => [i.id, results.get(i.id)!] as const);
  if (format === 'csv') {
    const names = set.featureNames?.() ?? null;
    const dims = ordered[0][1].data.length;
    for (const [id, f] of ordered) {
      if (f.channels !== 1 || f.frames !== 1)
        throw new Error(`--format csv needs one feature vector per file; '${o.set}' gave [${shapeOf(f).join(', ')}] for ${id}`);
    }
    const header = ['id', ...(names ?? Array.from({ length: dims }, (_, i) => `f${i}`))];
    await writeFileAtomic(o.out, stringify([header, ...ordered.map(([id, f]) => [id, ...Array.from(f.data)])]));
  } else {
    const dict = new Map<string, RawTensor>(ordered.map(([id, f]) => [id, { dtype: 'float32', shape: shapeOf(f), data: f.data }]));
    const metadata = {
      set: o.set,
      settings: set.settingsKey(),
      sampleRateHz: String(set.sampleRateHz),
      failed: JSON.stringify(failed),
      ...(set.featureNames ? { featureNames: JSON.stringify(set.featureNames()) } : {}),
    };
    await writeFileAtomic(o.out, serializeSafetensors(dict, metadata));
  }
  return { out: o.out, files: items.length, extracted: results.size - fromCache, fromCache, failed };
}
