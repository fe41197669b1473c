/**
 * The DeepEmoCluster network (Lin & Busso, ICASSP 2021; the backbone of the DeepMI curriculum):
 * a dense residual encoder of utterance functionals shared by two heads — an attribute regressor
 * (one output per target, trained with the CCC loss on labelled data) and a cluster classifier
 * whose targets are k-means assignments of its own embedding, recomputed every epoch over
 * labelled and unlabelled audio (semi-supervised, DeepCluster-style).
 *
 * Encoder: for each width w of `widths` (default 1024, 512, 256), Linear → Dropout → two
 * residual blocks (x + Linear(Dropout(ReLU(Linear(x)))), then ReLU). Cluster branch: Linear(w, w)
 * (its output is the embedding that is clustered) → ReLU → top layer Linear(w, k), re-initialised
 * before each clustering stage. Regressor: Linear(w, w) → ReLU → Linear(w, targets).
 */
import { nn, noGrad, randn, tidy, zeros, type Tensor } from '../engine/index.js';

/** Dropout of the encoder (the published DenseResNet's). */
const ENCODER_DROPOUT = 0.3;
/** Default encoder widths. */
export const DEFAULT_WIDTHS = [1024, 512, 256] as const;
/** Standard deviation of the re-initialised cluster top layer's weights (bias 0). */
const TOP_LAYER_INIT_STD = 0.01;

class ResidualBlock extends nn.Module implements nn.UnaryModule {
  readonly dense1: nn.Linear;
  readonly dense2: nn.Linear;
  readonly drop: nn.Dropout;
  constructor(width: number) {
    super();
    this.dense1 = this.module('dense1', new nn.Linear(width, width));
    this.dense2 = this.module('dense2', new nn.Linear(width, width));
    this.drop = this.module('drop', new nn.Dropout(ENCODER_DROPOUT));
  }
  forward(x: Tensor): Tensor {
    return this.dense2
      .forward(this.drop.forward(this.dense1.forward(x).relu()))
      .add(x)
      .relu();
  }
}

/** The two-headed network; `forward` gives the attribute outputs [N, targets]. */
export class DeepEmoCluster extends nn.Module {
  readonly inputKind = 'vector' as const;
  readonly encoder: nn.Sequential;
  readonly embedLayer: nn.Linear;
  readonly topLayer: nn.Linear;
  readonly regressor: nn.Sequential;

  constructor(
    readonly inputDim: number,
    readonly numTargets: number,
    readonly numClusters: number,
    readonly widths: readonly number[] = DEFAULT_WIDTHS,
  ) {
    super();
    if (widths.length === 0) throw new Error('deep-emo-cluster: widths must list at least one layer width');
    const layers: nn.UnaryModule[] = [];
    let w = inputDim;
    for (const width of widths) {
      layers.push(new nn.Linear(w, width), new nn.Dropout(ENCODER_DROPOUT), new ResidualBlock(width), new ResidualBlock(width));
      w = width;
    }
    this.encoder = this.module('encoder', new nn.Sequential(...layers));
    this.embedLayer = this.module('embed', new nn.Linear(w, w));
    this.topLayer = this.module('top', new nn.Linear(w, numClusters));
    this.regressor = this.module('regressor', new nn.Sequential(new nn.Linear(w, w), nn.ReLU(), new nn.Linear(w, numTargets)));
  }

  /** Width of the clustered embedding. */
  get embedDim(): number {
    return this.widths[this.widths.length - 1];
  }

  /** The embedding k-means clusters [N, w] (the cluster branch before its ReLU). */
  embedding(x: Tensor): Tensor {
    return this.embedLayer.forward(this.encoder.forward(x));
  }

  /** Cluster logits [N, k] and attribute outputs [N, targets] from one encoder pass. */
  heads(x: Tensor): { clusters: Tensor; attributes: Tensor } {
    const h = this.encoder.forward(x);
    return { clusters: this.topLayer.forward(this.embedLayer.forward(h).relu()), attributes: this.regressor.forward(h) };
  }

  forward(x: Tensor): Tensor {
    return this.regressor.forward(this.encoder.forward(x));
  }

  /** Parameters of everything but the cluster top layer (the joint optimizer's). */
  sharedParameters(): Tensor[] {
    const top = new Set(this.topLayer.parameters());
    return this.parameters().filter((p) => !top.has(p));
  }

  /** Re-initialises the cluster top layer (weights N(0, 0.01²), bias 0) from the engine's current seed. */
  resetTopLayer(): void {
    noGrad(() =>
      tidy(() => {
        this.topLayer.weight.copy_(randn([this.numClusters, this.embedDim]).mul(TOP_LAYER_INIT_STD));
        this.topLayer.bias!.copy_(zeros([this.numClusters]));
      }),
    );
  }
}
