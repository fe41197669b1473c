/** `trustser train --task dimensional` (or a config with `task: dimensional`): arousal / valence / dominance regression. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  isDimensionalConfig,
  loadDimensionalConfig,
  parseDimensionalConfig,
  readConfigValue,
  trainDimensional,
  type DimensionalConfig,
  type DimensionalMetrics,
} from '../dimensional/index.js';
import { defaultCacheDir } from '../features/index.js';
import { trainingProgress } from './common.js';
import { mergeFlags, type TrainFlags } from './train-flags.js';

const TASKS = ['categorical', 'dimensional'];

/** True when the flags or the config file ask for a dimensional run; refuses an unknown --task. */
export function wantsDimensional(f: TrainFlags): boolean {
  if (f.task !== undefined && !TASKS.includes(f.task)) throw new Error(`--task: expected ${TASKS.join(' or ')}, got '${f.task}'`);
  const dimensional =
    f.task === 'dimensional' || (f.task === undefined && f.config !== undefined && isDimensionalConfig(readConfigValue(f.config)));
  if (!dimensional) {
    const only = (['targets', 'attributes', 'loss'] as const).filter((k) => f[k] !== undefined);
    if (only.length > 0) throw new Error(`--${only[0]}: applies to dimensional runs only (add --task dimensional)`);
  }
  if (dimensional && f.queue)
    throw new Error('--queue: dimensional runs train in this process (queued folds are categorical only for now)');
  return dimensional;
}

/** The dimensional config from --config, with the command-line flags laid over it. */
function dimensionalConfig(f: TrainFlags): DimensionalConfig {
  const base = f.config ? (loadDimensionalConfig(f.config) as unknown as Record<string, unknown>) : { task: 'dimensional' };
  const merged = mergeFlags(base, f);
  const training = { ...(merged.training as object), ...(f.loss ? { loss: f.loss } : {}) };
  // An unset features/model section takes the dimensional defaults (functionals + mlp).
  const features = merged.features as Record<string, unknown>;
  const model = merged.model as Record<string, unknown>;
  return parseDimensionalConfig(
    {
      ...merged,
      task: 'dimensional',
      ...(f.targets ? { targets: f.targets } : {}),
      ...(f.attributes ? { attributes: f.attributes } : {}),
      ...(Object.keys(features).length > 0 ? { features } : { features: undefined }),
      ...(Object.keys(model).length > 0 ? { model } : { model: undefined }),
      training,
    },
    f.config ?? 'command line',
  );
}

/** The per-fold CCC table and mean ± std per attribute. */
export function formatDimensionalMetrics(m: DimensionalMetrics): string {
  const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));
  const head = `${'fold'.padEnd(16)}${m.targets.map((t) => `CCC ${t}`.padStart(16)).join('')}   best epoch`;
  const lines = [`${m.attributes === 'proxy' ? 'PROXY attributes (derived from the classes; not perceived ratings)\n' : ''}${head}`];
  for (const f of m.folds)
    lines.push(`${f.name.padEnd(16)}${f.ccc.map((c) => f3(c).padStart(16)).join('')}${String(f.bestEpoch).padStart(13)}`);
  lines.push(`${'mean ± std'.padEnd(16)}${m.targets.map((t) => `${f3(m.ccc[t]?.mean)} ± ${f3(m.ccc[t]?.std)}`.padStart(16)).join('')}`);
  lines.push('', `${'pooled'.padEnd(16)}${'CCC'.padStart(8)}${'r'.padStart(8)}${'RMSE'.padStart(8)}`);
  for (const t of m.targets) {
    const p = m.pooled[t];
    lines.push(`  ${t.padEnd(14)}${f3(p?.ccc).padStart(8)}${f3(p?.pearson).padStart(8)}${f3(p?.rmse).padStart(8)}`);
  }
  return lines.join('\n');
}

/** Trains (or resumes) the dimensional run the flags describe and prints its metrics. */
export async function trainDimensionalCommand(f: TrainFlags): Promise<void> {
  const cfg = dimensionalConfig(f);
  const progress = trainingProgress(f.json);
  const metrics = await trainDimensional(cfg, f.out!, {
    cacheDir: resolve(f.cache ?? defaultCacheDir()),
    workers: f.workers ?? availableParallelism(),
    log: progress.log,
    onProgress: progress.onProgress,
  });
  progress.stop();
  process.stdout.write(
    f.json ? `${JSON.stringify(metrics)}\n` : `${formatDimensionalMetrics(metrics)}\n\nrun directory: ${resolve(f.out!)}\n`,
  );
}
