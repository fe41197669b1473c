/**
 * Curriculum training from the DeepMI metric: the metric file a DeepEmoCluster fold writes
 * (fold-K/deepmi.json), the ranking of a fold's training utterances (DeepMI high → low, its
 * reverse for the anti-curriculum, or a seeded random order as the control), and the pacing:
 * `levels` steps, each `epochsPerLevel` epochs long, the k-th training on the first k/levels of
 * the ranking (the published setting: 10 levels of 5 epochs, then the whole set).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { makeRng, readJsonWith, shuffle, writeFileAtomicSync, type Rng } from '../core/index.js';
import { ATTRIBUTES } from '../data/index.js';
import { foldDir } from '../run/index.js';
import type { CurriculumConfig } from './config.js';

/** fold-K/deepmi.json of a deep-emo-cluster run. */
export const DEEPMI_FILE = 'deepmi.json';

const DeepMiFileSchema = z.object({
  targets: z.array(z.enum(ATTRIBUTES)).min(1),
  levels: z.number().int().min(2),
  /** The [low, high] range each target's levels were cut from. */
  ranges: z.array(z.tuple([z.number(), z.number()])),
  alpha: z.array(z.number().min(0).max(1)),
  /** Sum of the per-utterance values per target (the "global MI" the published code prints). */
  globalMi: z.array(z.number()),
  /** Utterance id → DeepMI per target. */
  values: z.record(z.string(), z.array(z.number())),
});
export type DeepMiFile = z.infer<typeof DeepMiFileSchema>;

export const writeDeepMi = (runDir: string, k: number, d: DeepMiFile) =>
  writeFileAtomicSync(join(foldDir(runDir, k), DEEPMI_FILE), JSON.stringify(d));
export const readDeepMi = (runDir: string, k: number): DeepMiFile =>
  readJsonWith(join(foldDir(runDir, k), DEEPMI_FILE), DeepMiFileSchema, "the fold's DeepMI metric", {
    hint: '; train a deep-emo-cluster run with the same split first (method: deep-emo-cluster)',
  });

/** Epochs before a curriculum reaches the whole training set (early stopping waits for them). */
export const curriculumRamp = (c: CurriculumConfig) => (c.levels - 1) * c.epochsPerLevel;

/**
 * Indices of `trainIds` from easy to hard: by the mean over `targets` of the DeepMI of `metric`
 * (descending; ascending for `anti`), or a random order seeded by `seed` (`random`).
 * @throws Error naming the metric file when it was computed on another training set or lacks a target.
 */
export function curriculumRanking(
  c: CurriculumConfig,
  metric: DeepMiFile | null,
  trainIds: readonly string[],
  targets: readonly string[],
  seed: number,
  where: string,
): number[] {
  const idx = [...trainIds.keys()];
  if (c.order === 'random' || metric === null) return shuffle(idx, makeRng(seed));
  const cols = targets.map((t) => {
    const j = metric.targets.indexOf(t as (typeof ATTRIBUTES)[number]);
    if (j < 0) throw new Error(`${where}: has DeepMI for ${metric.targets.join(', ')}, not for '${t}'`);
    return j;
  });
  const known = Object.keys(metric.values).length;
  if (known !== trainIds.length)
    throw new Error(
      `${where}: DeepMI of ${known} training utterances, but this fold trains on ${trainIds.length} (use the same corpus and protocol as that run)`,
    );
  const score = trainIds.map((id) => {
    const v = metric.values[id];
    if (!v) throw new Error(`${where}: no DeepMI for training utterance '${id}' (was it computed on another split?)`);
    return cols.reduce((s, j) => s + v[j], 0) / cols.length;
  });
  // Ties keep the utterance order, so the ranking is deterministic.
  const sign = c.order === 'anti' ? 1 : -1;
  return idx.sort((a, b) => sign * (score[a] - score[b]) || a - b);
}

/** The training examples of `epoch` (1-based): the current level's share of `ranking`, shuffled. */
export function curriculumOrder(ranking: readonly number[], c: CurriculumConfig, epoch: number, rng: Rng): number[] {
  const level = Math.min(c.levels, Math.ceil(epoch / c.epochsPerLevel));
  const n = Math.max(2, Math.floor((level / c.levels) * ranking.length));
  return shuffle(ranking.slice(0, n), rng);
}
