/**
 * Fine-tuning an engine backbone inside a run (`features.finetune`): the backbone network, the
 * fold's feature normalization (fitted on the pretrained backbone's features, then fixed) and
 * the downstream model become one network trained from the waveform, the backbone at its own
 * learning rate. A finished fold keeps the downstream in best.safetensors, as any fold, and the
 * backbone in backbone.safetensors, which its feature set loads over the checkpoint
 * (foldFeatureOverrides) — so evaluation, prediction, the audit and export see the tuned network.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { saveTunedBackbone, setLayers, trainableBackbone, type TrainableBackbone } from '../backbones/index.js';
import type { Split } from '../data/index.js';
import { cat, nn, saveModule, tensor, zeros, type Tensor } from '../engine/index.js';
import { centreCropStart, computeFeatures, getFeatureSet, type FeatureSet, type Features, type Normalizer } from '../features/index.js';
import type { Example, InputKind, SerModel, TrainableModel } from '../models/index.js';
import {
  BEST_FILE,
  CHECKPOINT_FILE,
  FINETUNE_BEST_FILE,
  TUNED_BACKBONE_FILE,
  foldFeatureOverrides,
  statTensor,
  type LabelledUtterance,
  type RunConfig,
} from '../run/index.js';
import type { AugmentedCopy } from './augment.js';
import { trainFold, type EpochRecord, type FoldProgress } from './loop.js';

/** The feature set whose audio a fine-tuned run trains on: the signal itself, centred, trimmed and levelled as the backbone's input. */
function waveformSetOverrides(cfg: RunConfig, set: FeatureSet): Record<string, unknown> {
  const { vad, levelNorm, dcRemoval } = cfg.features.overrides;
  return {
    sampleRateHz: set.sampleRateHz,
    ...(vad === undefined ? {} : { vad }),
    ...(levelNorm === undefined ? {} : { levelNorm }),
    ...(dcRemoval === undefined ? {} : { dcRemoval }),
  };
}

/** Waveforms `[S, 1]` of the items (augmented copies included), decoded and resampled as the backbone's features are. */
function waveformsOf(
  items: Parameters<typeof computeFeatures>[0],
  cfg: RunConfig,
  set: FeatureSet,
  workers: number | undefined,
): Promise<Map<string, Features>> {
  // Not cached: decoding is cheaper than a cache lookup of raw audio.
  return computeFeatures(items, 'waveform', waveformSetOverrides(cfg, set), { workers, cacheDir: null });
}

/**
 * The samples covering `maxFrames` frames of a backbone at `frameRateHz`: training crops each
 * waveform to this many samples (at random; dev evaluation at the centre), as frozen runs crop frames.
 */
function samplesFor(maxFrames: number, set: FeatureSet): number {
  return Math.ceil((maxFrames * set.sampleRateHz) / (set.frameRateHz ?? set.sampleRateHz));
}

/** The backbone of a run's feature set as a network of its own, trainable (its learned front end frozen unless configured). */
function tunedBackbone(cfg: RunConfig, set: FeatureSet): TrainableBackbone {
  const use = set.backbone;
  if (!use) throw new Error(`features.finetune: feature set '${set.name}' has no backbone`);
  const b = trainableBackbone(use.name, use);
  if (cfg.features.finetune?.freezeFrontEnd) for (const p of b.frontEnd) p.requiresGrad_(false);
  return b;
}

/**
 * Backbone → the fold's normalization → downstream model, as one trainable model of waveform
 * batches `[N, S, 1]` with their lengths in samples (`frames` examples of one dim): each
 * waveform runs through the backbone on its own, its hidden states (every layer as wide as the
 * output, or the set's one layer) are normalized, cropped to `maxFrames` at the centre and
 * zero-padded to the batch's longest.
 */
class FinetuneChain extends nn.Module implements TrainableModel {
  readonly inputKind: InputKind = 'frames';
  readonly numClasses: number;
  private readonly mean: Tensor;
  private readonly std: Tensor;
  constructor(
    readonly backbone: TrainableBackbone,
    readonly head: SerModel,
    norm: Normalizer,
    private readonly layer: number | 'all',
    private readonly maxFrames: number,
    private readonly backboneLr: number,
  ) {
    super();
    this.module('backbone', backbone.module);
    this.module('head', head);
    this.numClasses = head.numClasses;
    this.mean = statTensor(norm.mean, norm);
    this.std = statTensor(norm.std, norm);
  }

  /** The downstream's input: normalized hidden states [N, (L,) T, D] and their lengths in frames. */
  private inputs(x: Tensor, lengths: Tensor | null | undefined): { x: Tensor; lengths: Tensor } {
    const n = x.shape[0];
    const samples = lengths ? Array.from(lengths.toArray() as BigInt64Array, Number) : new Array<number>(n).fill(x.shape[1]);
    const feats = samples.map((len, i) => {
      const wave = x.narrow(0, i, 1).narrow(1, 0, len).reshape([1, len]);
      const z = setLayers(this.backbone.hiddenStates(wave), this.layer).sub(this.mean).div(this.std);
      const timeDim = z.ndim - 2;
      const t = z.shape[timeDim];
      return t > this.maxFrames ? z.narrow(timeDim, centreCropStart(t, this.maxFrames), this.maxFrames) : z;
    });
    const timeDim = feats[0].ndim - 2;
    const frames = feats.map((f) => f.shape[timeDim]);
    const longest = Math.max(...frames);
    const padded = feats.map((f, i) => {
      if (frames[i] === longest) return f;
      const shape = [...f.shape];
      shape[timeDim] = longest - frames[i];
      return cat([f, zeros(shape)], timeDim);
    });
    return { x: cat(padded, 0), lengths: tensor(BigInt64Array.from(frames, BigInt), [n]) };
  }

  forward(x: Tensor, lengths?: Tensor | null): Tensor {
    const i = this.inputs(x, lengths);
    return this.head.forward(i.x, i.lengths);
  }
  embed(x: Tensor, lengths?: Tensor | null): Tensor {
    const i = this.inputs(x, lengths);
    return this.head.embed(i.x, i.lengths);
  }
  lossFn(logits: Tensor, target: Tensor): Tensor {
    return this.head.lossFn(logits, target);
  }
  /** The downstream at the run's lr first (the lr the loop reports), then the backbone's trainable parameters at their own. */
  paramGroups(lr: number): { params: Tensor[]; lr: number }[] {
    const backbone = this.backbone.module.parameters().filter((p) => p.requiresGrad);
    return [{ params: this.head.parameters(), lr }, ...(backbone.length > 0 ? [{ params: backbone, lr: this.backboneLr }] : [])];
  }
  /** Frees the backbone network and the normalization, keeping the downstream (`head`) for the fold's scoring. */
  disposeBackbone(): void {
    this.backbone.module.dispose();
    this.mean.dispose();
    this.std.dispose();
  }
}

/**
 * Trains fold `k` of a fine-tuned run: the chain of the run's backbone (a network of its own),
 * the fold's normalization and `head` on the waveforms of `us`, as trainFold trains any model
 * (checkpoints, exact resume, early stopping on dev UA). Then splits the best epoch's chain
 * into the fold's tuned backbone and the downstream's best.safetensors — the backbone first, so
 * a fold with best.safetensors always has both (a fold killed between the writes repeats them).
 * `head` holds the best weights on return; the backbone network is freed.
 */
export async function trainFinetunedFold(
  cfg: RunConfig,
  head: SerModel,
  norm: Normalizer,
  waves: Map<string, Features>,
  us: { train: LabelledUtterance[]; dev: LabelledUtterance[] },
  classWeights: Float32Array | null,
  fdir: string,
  k: number,
  onProgress: (p: FoldProgress) => void,
  onEpoch: (history: EpochRecord[]) => void,
): Promise<Awaited<ReturnType<typeof trainFold>>> {
  const set = getFeatureSet(cfg.features.set, cfg.features.overrides);
  const layer = set.options.layer as number | 'all';
  const chain = new FinetuneChain(tunedBackbone(cfg, set), head, norm, layer, cfg.features.maxFrames, cfg.features.finetune!.lr);
  const examples = (list: LabelledUtterance[]): Example[] =>
    list.map((u, i) => ({ utterance: i, label: u.label, features: waves.get(u.id)! }));
  try {
    const data = {
      train: examples(us.train),
      dev: examples(us.dev),
      numClasses: head.numClasses,
      kind: chain.inputKind,
      maxFrames: samplesFor(cfg.features.maxFrames, set),
      classWeights,
    };
    const r = await trainFold(chain, data, cfg.training, fdir, k, onProgress, onEpoch, FINETUNE_BEST_FILE);
    await saveTunedBackbone(join(fdir, TUNED_BACKBONE_FILE), chain.backbone);
    await saveModule(head, join(fdir, BEST_FILE));
    return r;
  } finally {
    chain.disposeBackbone();
  }
}

/** Features of `us` on fold `k`'s tuned backbone, as loadFold computes them. */
export function tunedFeatures(
  cfg: RunConfig,
  runDir: string,
  k: number,
  us: LabelledUtterance[],
  workers: number | undefined,
): Promise<Map<string, Features>> {
  return computeFeatures(
    us.map((u) => ({ id: u.id, path: u.path })),
    cfg.features.set,
    foldFeatureOverrides(runDir, k, cfg.features),
    { workers, cacheDir: null },
  );
}

/**
 * The waveforms a fine-tuned run trains on: the training and dev utterances of `folds` and
 * their augmented copies (`copies`), logged with the time taken.
 */
export async function finetuneWaveforms(
  cfg: RunConfig,
  split: Split,
  folds: number[],
  byId: Map<string, LabelledUtterance>,
  copies: AugmentedCopy[],
  workers: number | undefined,
  log: (line: string) => void,
): Promise<Map<string, Features>> {
  const set = getFeatureSet(cfg.features.set, cfg.features.overrides);
  const ids = [...new Set(folds.flatMap((k) => [...split.folds[k].train, ...split.folds[k].dev]))];
  const t0 = performance.now();
  const waves = await waveformsOf(
    [
      ...ids.map((id) => ({ id, path: byId.get(id)!.path })),
      ...copies.map((c) => ({ id: c.utterance.id, path: c.utterance.path, augment: c.augment })),
    ],
    cfg,
    set,
    workers,
  );
  log(
    `fine-tuning '${set.backbone?.name}' at lr ${cfg.features.finetune!.lr}: waveforms of ${waves.size} training and dev utterances (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return waves;
}

/** A finished fine-tuned fold drops the chain's best weights and its checkpoint, which hold the backbone again (thrice with the optimizer's moments). */
export function removeFinetuneScratch(fdir: string): void {
  for (const f of [FINETUNE_BEST_FILE, CHECKPOINT_FILE]) rmSync(join(fdir, f), { force: true });
}
