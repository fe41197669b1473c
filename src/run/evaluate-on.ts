/**
 * A trained run measured on another corpus (`trustser evaluate RUN --on CORPUS`): the target's
 * classes are matched to the run's by name (or an explicit mapping), the run's posteriors are
 * restricted to the shared classes and renormalized, and UA/WA/macro-F1/confusion are reported
 * with the chance level. Written to RUN/evaluations/<target>.json.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { argmax, writeFileAtomicSync, type FileFailure } from '../core/index.js';
import { loadCorpus } from '../data/index.js';
import { classificationMetrics } from '../metrics/index.js';
import { ClassificationMetricsSchema } from './schemas.js';
import { readFoldModelInfo, runConfig, trainedFolds } from './files.js';
import { EVALUATIONS_DIR } from './layout.js';
import { NO_SPEECH_LABEL, predictFiles } from './predict.js';

/** The corpus a run is evaluated on. */
export interface TargetCorpus {
  /** Adapter name (e.g. 'tess', 'manifest'). */
  name: string;
  root: string;
  labelMap?: string;
  options?: Record<string, unknown>;
  /** Name of the evaluation (file name); default: the adapter name. */
  id?: string;
}

export interface EvaluateOnOptions {
  /** Target class → run class, for classes whose names differ (e.g. `{ surprise: 'surprised' }`). */
  classMap?: Record<string, string>;
  /** Feature statistics from the target's own (unlabelled) audio instead of the training set's. */
  targetNorm?: boolean;
  /** Only this fold (default: the ensemble of every trained fold). */
  fold?: number;
}

export const CrossEvaluationSchema = z.object({
  run: z.string(),
  target: z.string(),
  root: z.string(),
  /** The shared classes, in the run's order (the confusion's rows and columns). */
  classes: z.array(z.string()),
  /** Target class → run class for every target class that was evaluated. */
  mapping: z.record(z.string(), z.string()),
  /** Target utterances left out per target class the run does not know. */
  leftOut: z.record(z.string(), z.number().int()),
  /** Run classes the target does not have (their probability mass is dropped before renormalizing). */
  unusedRunClasses: z.array(z.string()),
  chanceUa: z.number(),
  metrics: ClassificationMetricsSchema,
  /** Files without speech (no emotion given; not scored). */
  noSpeech: z.number().int(),
  failed: z.array(z.object({ path: z.string(), reason: z.string() })),
  normalization: z.enum(['training', 'target']),
  /** True when the run normalizes per speaker: the target speakers were enrolled from their own utterances. */
  speakerNormalized: z.boolean(),
  folds: z.array(z.number().int()),
});
export type CrossEvaluation = z.infer<typeof CrossEvaluationSchema>;

/**
 * Evaluates the run in `runDir` on `target`.
 * @throws Error naming the classes when the target shares fewer than two with the run.
 */
export async function evaluateOn(runDir: string, target: TargetCorpus, o: EvaluateOnOptions = {}): Promise<CrossEvaluation> {
  const dir = resolve(runDir);
  const cfg = runConfig(dir);
  const loaded = await loadCorpus(target.name, target.root, { ...target.options, labelMap: target.labelMap });
  const classMap = o.classMap ?? {};
  for (const [from] of Object.entries(classMap))
    if (!loaded.classes.includes(from))
      throw new Error(`class mapping: '${from}' is not a class of ${target.name} (its classes: ${loaded.classes.join(', ')})`);
  const runClassOf = (c: string) => classMap[c] ?? c;
  const folds = trainedFolds(dir).filter((k) => o.fold === undefined || k === o.fold);
  if (folds.length === 0) throw new Error(`${dir}: no trained fold${o.fold === undefined ? '' : ` ${o.fold}`} (fold-K/best.safetensors)`);
  const runClasses = readFoldModelInfo(dir, folds[0]).classes;
  for (const [from, to] of Object.entries(classMap))
    if (!runClasses.includes(to))
      throw new Error(`class mapping: '${from}=${to}': the run has no class '${to}' (${runClasses.join(', ')})`);
  const mapping = Object.fromEntries(loaded.classes.filter((c) => runClasses.includes(runClassOf(c))).map((c) => [c, runClassOf(c)]));
  const shared = runClasses.filter((c) => Object.values(mapping).includes(c));
  if (shared.length < 2)
    throw new Error(
      `${target.name} shares ${shared.length} class(es) with the run (target: ${loaded.classes.join(', ')}; run: ${runClasses.join(', ')}); map classes with --map target=run`,
    );
  const utts = loaded.utterances.filter((u) => mapping[u.labels.emotion as string] !== undefined);
  const leftOut: Record<string, number> = {};
  for (const u of loaded.utterances) {
    const c = u.labels.emotion as string;
    if (mapping[c] === undefined) leftOut[c] = (leftOut[c] ?? 0) + 1;
  }
  const speakerOf = new Map(utts.map((u) => [u.path, u.speaker]));
  const r = await predictFiles(
    dir,
    utts.map((u) => u.path),
    { fold: o.fold, speakerOf: (p) => speakerOf.get(p)!, normalization: o.targetNorm ? 'target' : 'training' },
  );
  const truthOf = new Map(utts.map((u) => [u.path, shared.indexOf(mapping[u.labels.emotion as string])]));
  const keep = shared.map((c) => runClasses.indexOf(c));
  const scored = r.predictions.filter((p) => p.label !== NO_SPEECH_LABEL);
  const preds = scored.map((p) => argmax(keep.map((k) => p.probs[k])));
  if (scored.length === 0) throw new Error(`${target.root}: no target utterance could be scored (${r.failed.length} failed)`);
  const result: CrossEvaluation = {
    run: dir,
    target: target.id ?? target.name,
    root: resolve(target.root),
    classes: shared,
    mapping,
    leftOut,
    unusedRunClasses: runClasses.filter((c) => !shared.includes(c)),
    chanceUa: 1 / shared.length,
    metrics: classificationMetrics(
      scored.map((p) => truthOf.get(p.path)!),
      preds,
      shared.length,
    ),
    noSpeech: r.predictions.length - scored.length,
    failed: r.failed as FileFailure[],
    normalization: o.targetNorm ? 'target' : 'training',
    speakerNormalized: cfg.features.speakerNorm,
    folds,
  };
  const out = join(dir, EVALUATIONS_DIR);
  mkdirSync(out, { recursive: true });
  writeFileAtomicSync(join(out, `${result.target}${o.targetNorm ? '.target-norm' : ''}.json`), JSON.stringify(result, null, 2));
  return result;
}
