/**
 * Prediction with a trained run: every fold's best model (an ensemble: posteriors averaged),
 * on audio files, with the run's feature settings and each fold's normalization.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAudio } from '../audio/index.js';
import { getFeatureSet } from '../features/index.js';
import { loadModule } from '../torch/index.js';
import { loadRunConfig } from './config.js';
import { makeExamples, normalize, type Normalizer } from './data.js';
import { predictUtterances } from './loop.js';
import { buildModel, type InputGeometry } from './model.js';

export interface FilePrediction {
  path: string;
  /** Class probabilities, in `classes` order. */
  probs: number[];
  label: string;
}

interface FoldModelInfo {
  model: { name: string; options: Record<string, unknown> };
  classes: string[];
  geometry: InputGeometry;
}

/** Predicts the emotion of each file with the run in `runDir`. Bad files throw an error naming them. */
export async function predictFiles(runDir: string, paths: string[], o: { fold?: number } = {}): Promise<{ classes: string[]; predictions: FilePrediction[] }> {
  const dir = resolve(runDir);
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new Error(`${dir}: not a trustser run directory (no config.json)`);
  const cfg = loadRunConfig(cfgPath);
  const foldDirs = readdirSync(dir)
    .filter((f) => /^fold-\d+$/.test(f) && existsSync(join(dir, f, 'best.safetensors')) && existsSync(join(dir, f, 'model.json')))
    .filter((f) => o.fold === undefined || f === `fold-${o.fold}`)
    .sort();
  if (foldDirs.length === 0) throw new Error(`${dir}: no trained fold${o.fold === undefined ? '' : ` ${o.fold}`} (fold-K/best.safetensors)`);
  const set = getFeatureSet(cfg.features.set, cfg.features.overrides);
  const feats = await Promise.all(paths.map(async (p) => set.compute((await loadAudio(p, { sampleRateHz: set.sampleRateHz })).samples)));
  const arrays = feats.map((f) => ('channels' in f ? { shape: [f.channels, f.frames, f.dims], data: f.data } : { shape: [f.frames, f.dims], data: f.data }));
  let classes: string[] = [];
  const sum = paths.map(() => [] as number[]);
  for (const fd of foldDirs) {
    const info = JSON.parse(readFileSync(join(dir, fd, 'model.json'), 'utf8')) as FoldModelInfo;
    const norm = JSON.parse(readFileSync(join(dir, fd, 'norm.json'), 'utf8')) as Normalizer;
    classes = info.classes;
    const model = buildModel(info.model, info.classes.length, info.geometry);
    await loadModule(model, join(dir, fd, 'best.safetensors'));
    const ex = makeExamples(arrays.map((a) => normalize(a, norm)), paths.map(() => 0), model.inputKind, {
      frames: cfg.features.segmentFrames, hop: cfg.features.segmentHopFrames,
    });
    const post = predictUtterances(model, ex, model.inputKind, cfg.features.maxFrames, cfg.training.batchSize);
    model.dispose();
    post.forEach((p, u) => {
      sum[u] = sum[u].length === 0 ? [...p] : sum[u].map((v, k) => v + p[k]);
    });
  }
  return {
    classes,
    predictions: paths.map((path, u) => {
      const probs = sum[u].map((v) => v / foldDirs.length);
      const best = probs.indexOf(Math.max(...probs));
      return { path, probs, label: classes[best] };
    }),
  };
}
