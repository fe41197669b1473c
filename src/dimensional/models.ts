/** The models of a dimensional fold, rebuilt from fold-K/model.json: a registry model, or DeepEmoCluster. */
import type { nn } from '../engine/index.js';
import { buildModel, type InputKind } from '../models/index.js';
import type { DimensionalConfig } from './config.js';
import { DeepEmoCluster } from './deep-emo-cluster.js';
import type { DimensionalModelInfo } from './files.js';
import type { RegressionModel } from './loop.js';

/** Name DeepEmoCluster folds record in model.json. */
const DEEP_EMO_CLUSTER_MODEL = 'deep-emo-cluster';

/** The model.json of a DeepEmoCluster fold on `inputDim` functionals. */
export function deepEmoClusterInfo(cfg: DimensionalConfig, inputDim: number): DimensionalModelInfo {
  return {
    model: { name: DEEP_EMO_CLUSTER_MODEL, options: { k: cfg.cluster.k, widths: [...cfg.cluster.widths] } },
    targets: [...cfg.targets],
    geometry: { inputShape: [inputDim] },
    inputKind: 'vector',
  };
}

/** A fresh (untrained) model of the architecture `info` describes. */
export function buildDimensionalModel(info: DimensionalModelInfo): RegressionModel & nn.Module & { inputKind: InputKind } {
  if (info.model.name === DEEP_EMO_CLUSTER_MODEL) {
    const o = info.model.options as { k: number; widths: number[] };
    return new DeepEmoCluster(info.geometry.inputShape[0], info.targets.length, o.k, o.widths);
  }
  return buildModel(info.model, info.targets.length, info.geometry);
}
