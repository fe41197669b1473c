/**
 * Training of one fold with DeepEmoCluster. Each epoch: (1) the unlabelled pool's embeddings are
 * clustered, the cluster top layer re-initialised, and the encoder + cluster branch trained to
 * classify the pseudo-labels (examples drawn uniformly over clusters); (2) the labelled training
 * set is clustered the same way and the whole network trained on cluster cross-entropy + the
 * regression loss (1 − CCC). The encoder and both branches share one AdamW; the re-initialised
 * top layer has its own SGD per stage. After training, the DeepMI metric of every training
 * utterance is computed with the best model.
 */
import type { Rng } from '../core/index.js';
import { AdamW, F, SGD, noGrad, settle, tensor, tidy, type Tensor } from '../engine/index.js';
import type { FoldProgress } from '../train/index.js';
import { clusterEmbeddings, uniformOverClusters } from './clustering.js';
import type { ClusterConfig, DimensionalTraining } from './config.js';
import type { DeepEmoCluster } from './deep-emo-cluster.js';
import { regressionLoss } from './loss.js';
import { batch, checkFoldData, devCcc, rowsOf, runEpochs, targetTensor, type DimensionalEpoch, type RegressionExample } from './loop.js';

/** Seed offset of the labelled clustering within an epoch (the unlabelled one uses the epoch's seed). */
const LABELLED_CLUSTER_SEED = 7_919;

/** Embeddings [N][w] of examples (eval mode, no gradients). */
function embeddings(model: DeepEmoCluster, ex: readonly { features: RegressionExample['features'] }[], batchSize: number): Float32Array[] {
  model.eval();
  return rowsOf(ex, 'vector', 1, batchSize, (x) => model.embedding(x));
}

/** Cluster index (argmax of the cluster head) and attribute outputs of every example. */
export function clusterHeads(
  model: DeepEmoCluster,
  ex: readonly RegressionExample[],
  batchSize: number,
): { clusters: number[]; outputs: Float32Array[] } {
  model.eval();
  const clusters: number[] = [];
  const outputs: Float32Array[] = [];
  for (let i = 0; i < ex.length; i += batchSize) {
    const part = ex.slice(i, i + batchSize);
    const [c, a] = noGrad(() =>
      tidy(() => {
        const h = model.heads(batch(part, 'vector', 1, null).x);
        return [h.clusters.argmax(-1).toArray() as BigInt64Array, h.attributes.toArray() as Float32Array] as const;
      }),
    );
    const t = a.length / part.length;
    for (let j = 0; j < part.length; j++) {
      clusters.push(Number(c[j]));
      outputs.push(a.slice(j * t, (j + 1) * t));
    }
  }
  return { clusters, outputs };
}

/**
 * Trains `model` on a fold (labelled `train`, `dev`, and `unlabelled` examples whose targets are
 * unused) with DeepEmoCluster's two stages per epoch; checkpoints and resumes as every
 * dimensional loop ({@link runEpochs}). `model` holds the best weights on return.
 */
export async function trainClusterFold(
  model: DeepEmoCluster,
  data: { train: RegressionExample[]; dev: RegressionExample[]; unlabelled: RegressionExample[] },
  cfg: DimensionalTraining,
  cluster: ClusterConfig,
  dir: string,
  fold: number,
  onProgress?: (p: FoldProgress) => void,
): Promise<{ bestEpoch: number; devCcc: number[]; history: DimensionalEpoch[] }> {
  checkFoldData(fold, data.train, data.dev);
  const opt = new AdamW(model.sharedParameters(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
  /** One stage: cluster `pool`, reset the top layer, then minibatches drawn uniformly over the clusters. */
  const stage = async (pool: RegressionExample[], seed: number, rng: Rng, withTargets: boolean, epoch: number): Promise<number> => {
    const assignment = clusterEmbeddings(embeddings(model, pool, cfg.batchSize), cluster.k, seed);
    model.resetTopLayer();
    const topOpt = new SGD(model.topLayer.parameters(), { lr: cluster.topLayerLr });
    const order = uniformOverClusters(assignment, pool.length, rng);
    const batches = Math.ceil(order.length / cfg.batchSize);
    let lossSum = 0;
    let counted = 0;
    model.train();
    for (let b = 0; b < batches; b++) {
      const idx = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize);
      if (idx.length < 2) continue;
      const part = idx.map((i) => pool[i]);
      lossSum += tidy(() => {
        opt.zeroGrad();
        topOpt.zeroGrad();
        const h = model.heads(batch(part, 'vector', 1, rng).x);
        const pseudo = tensor(
          BigInt64Array.from(idx, (i) => BigInt(assignment[i])),
          [idx.length],
        );
        let loss: Tensor = F.crossEntropy(h.clusters, pseudo);
        if (withTargets) loss = loss.add(regressionLoss(cfg.loss, h.attributes, targetTensor(part)));
        loss.backward();
        opt.step();
        topOpt.step();
        return loss.item();
      });
      counted++;
      onProgress?.({ epoch, epochs: cfg.epochs, batch: b + 1, batches });
      await settle();
    }
    return counted > 0 ? lossSum / counted : Number.NaN;
  };
  return runEpochs(model, opt, cfg, dir, fold, {
    train: async (epoch, rng) => {
      const seed = cfg.seed * 1_000_003 + fold * 10_007 + epoch;
      if (data.unlabelled.length > 0) await stage(data.unlabelled, seed, rng, false, epoch);
      return stage(data.train, seed + LABELLED_CLUSTER_SEED, rng, true, epoch);
    },
    dev: () => devCcc(model, data.dev, 'vector', 1, cfg.batchSize),
  });
}
