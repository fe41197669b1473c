/**
 * A dimensional run measured on another corpus (cross-corpus, as DeepMI reports MSP-Podcast →
 * IEMOCAP / MSP-IMPROV): the target's ratings (or proxies from its classes), the run's fold
 * ensemble on every target file, CCC / r / RMSE per attribute → RUN/evaluations/ID.json.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync, type FileFailure } from '../core/index.js';
import { regressionMetrics, type RegressionMetrics } from '../metrics/index.js';
import { EVALUATIONS_DIR, type TargetCorpus } from '../run/index.js';
import type { DimensionalConfig } from './config.js';
import { dimensionalRunConfig } from './files.js';
import { predictDimensionalFiles } from './predict.js';
import { listRatedUtterances } from './utterances.js';

export interface DimensionalCrossEvaluation {
  run: string;
  target: string;
  root: string;
  attributes: 'corpus' | 'proxy';
  targets: string[];
  /** Target utterances scored (files without speech or that failed are left out). */
  n: number;
  metrics: Record<string, RegressionMetrics>;
  noSpeech: number;
  failed: FileFailure[];
}

/**
 * Measures the dimensional run in `runDir` on `target`. `attributes` says where the target's
 * values come from (default: as the run was trained). Writes RUN/evaluations/ID.json.
 * @throws Error naming the target folder when it has no usable values.
 */
export async function evaluateDimensionalOn(
  runDir: string,
  target: TargetCorpus,
  o: { attributes?: 'corpus' | 'proxy'; fold?: number } = {},
): Promise<DimensionalCrossEvaluation> {
  const dir = resolve(runDir);
  const cfg = dimensionalRunConfig(dir);
  const attributes = o.attributes ?? cfg.attributes;
  const probe: DimensionalConfig = {
    ...cfg,
    attributes,
    range: undefined,
    corpus: [{ name: target.name, root: target.root, labelMap: target.labelMap, options: target.options ?? {} }],
  };
  const { utterances } = await listRatedUtterances(probe);
  const r = await predictDimensionalFiles(
    dir,
    utterances.map((u) => u.path),
    { fold: o.fold },
  );
  const byPath = new Map(r.predictions.filter((p) => p.values.length > 0).map((p) => [p.path, p.values]));
  const scored = utterances.filter((u) => byPath.has(u.path));
  if (scored.length < 2) throw new Error(`${target.root}: ${scored.length} target utterance(s) could be scored; a CCC needs at least 2`);
  const metrics = Object.fromEntries(
    cfg.targets.map((t, i) => [
      t,
      regressionMetrics(
        scored.map((u) => u.targets[i]),
        scored.map((u) => byPath.get(u.path)![i]),
      ),
    ]),
  );
  const result: DimensionalCrossEvaluation = {
    run: dir,
    target: target.id ?? target.name,
    root: resolve(target.root),
    attributes,
    targets: [...cfg.targets],
    n: scored.length,
    metrics,
    noSpeech: r.predictions.filter((p) => p.values.length === 0).length,
    failed: r.failed,
  };
  const out = join(dir, EVALUATIONS_DIR);
  mkdirSync(out, { recursive: true });
  writeFileAtomicSync(join(out, `${result.target}.json`), JSON.stringify(result, null, 2));
  return result;
}
