/**
 * AASIST with a wav2vec 2.0 front end (the SSL + AASIST countermeasure of Tak et al., "Automatic
 * speaker verification spoofing and deepfake detection using wav2vec 2.0 and data augmentation",
 * Odyssey 2022): the last hidden state of a wav2vec 2.0 network (XLSR in the paper) → Linear to
 * 128 → as a one-channel [128 × frames] map: 3×3 max-pool → BN → SELU → six residual blocks
 * without time pooling → BN → SELU → an attention map; spectral nodes = the attention-weighted
 * sum over frames (+ positional embedding), temporal nodes = the weighted sum over the 128 bins
 * → the AASIST graph back end and readout. The front end is fine-tuned with the back end.
 *
 * Here the front end is either a wav2vec 2.0 checkpoint the user has (XLSR / fairseq / Hugging
 * Face / torchaudio, via the backbones stage) or, from random initialisation, a small network
 * ({@link SMALL_SSL_FRONT_END}) that trains on a CPU.
 */
import { F, nn, noGrad, randn, type Tensor } from '../../engine/index.js';
import { STANDARD_CONV_LAYERS, Wav2Vec2, framesFor, type Wav2Vec2Config } from '../../backbones/index.js';
import { FRONT_POOL } from './config.js';
import { buildEncoder } from './encoder.js';
import { GraphAttentionLayer } from './graph-attention.js';
import { graphReadout, type GraphHead } from './graph-head.js';
import { HeteroGraphAttentionLayer } from './hs-gal.js';
import { GraphPool } from './pool.js';
import { BRANCH_DROPOUT, READOUT_DROPOUT } from './model.js';

/** Width of the projection of the front end's features (the map's height). */
export const SSL_PROJECTION_DIM = 128;
/** The back end of the published model: residual block channels, graph widths, pool ratios, temperatures. */
const BLOCKS: [[number, number], [number, number], [number, number], [number, number]] = [
  [1, 32],
  [32, 32],
  [32, 64],
  [64, 64],
];
const GAT_DIMS: [number, number] = [64, 32];
const POOL_RATIO = 0.5;
const TEMPERATURES = { spectral: 2, temporal: 2, hsGal: 100 };
/** Hidden channels of the attention map's 1×1 convolutions. */
const ATTENTION_HIDDEN = 128;
/** Frames of the front end needed after the 3×3 pool for one temporal node. */
const MIN_POOLED_FRAMES = 1;

/**
 * A wav2vec 2.0 front end small enough to train from scratch on a CPU (≈ 3.9 M parameters):
 * the published conv geometry (20 ms hop) at 128 channels, 4 post-LN transformer layers of width
 * 256, per-utterance waveform normalisation (level-invariant input).
 */
export const SMALL_SSL_FRONT_END: Readonly<Wav2Vec2Config> = Object.freeze({
  arch: 'wav2vec2',
  extractorMode: 'group_norm',
  convLayers: STANDARD_CONV_LAYERS.map(([, k, s]) => [128, k, s] as const),
  convBias: false,
  embedDim: 256,
  projectionLayerNorm: true,
  posConvKernel: 128,
  posConvGroups: 16,
  numLayers: 4,
  numHeads: 4,
  ffnDim: 1024,
  layerNormFirst: false,
  layerNormEps: 1e-5,
  relativePosition: null,
  waveformNormEps: 1e-5,
});

/** AASIST with a wav2vec 2.0 front end. Input: waveforms [B, samples] at 16 kHz; output logits [B, 2] = [spoof, bona fide]. */
export class AasistSsl extends nn.Module implements GraphHead {
  /** Width of {@link embed}'s output: 5 · 32. */
  readonly embedDim = 5 * GAT_DIMS[1];
  /** Shortest accepted input (samples). */
  readonly minSamples: number;
  readonly sslModel: Wav2Vec2;
  readonly ll: nn.Linear;
  readonly firstBn: nn.BatchNorm2d;
  readonly firstBn1: nn.BatchNorm2d;
  readonly drop: nn.Dropout;
  readonly dropWay: nn.Dropout;
  readonly encoder: nn.Sequential;
  readonly attention: nn.Sequential;
  readonly posS: Tensor;
  readonly master1: Tensor;
  readonly master2: Tensor;
  readonly gatS: GraphAttentionLayer;
  readonly gatT: GraphAttentionLayer;
  readonly hsGal11: HeteroGraphAttentionLayer;
  readonly hsGal12: HeteroGraphAttentionLayer;
  readonly hsGal21: HeteroGraphAttentionLayer;
  readonly hsGal22: HeteroGraphAttentionLayer;
  readonly poolS: GraphPool;
  readonly poolT: GraphPool;
  readonly poolHS1: GraphPool;
  readonly poolHT1: GraphPool;
  readonly poolHS2: GraphPool;
  readonly poolHT2: GraphPool;
  readonly outLayer: nn.Linear;

  /** @param frontEnd - a wav2vec 2.0 network (loaded from a checkpoint, or new for random initialisation). */
  constructor(frontEnd: Wav2Vec2) {
    super();
    const c = frontEnd.config;
    let n = 1;
    while (Math.floor(framesFor(c, n) / FRONT_POOL) < MIN_POOLED_FRAMES) n *= 2;
    this.minSamples = n;
    const [g0, g1] = GAT_DIMS;
    const width = BLOCKS[3][1];
    this.sslModel = this.module('ssl_model', frontEnd);
    this.ll = this.module('LL', new nn.Linear(c.embedDim, SSL_PROJECTION_DIM));
    this.firstBn = this.module('first_bn', new nn.BatchNorm2d(1));
    this.firstBn1 = this.module('first_bn1', new nn.BatchNorm2d(width));
    this.drop = this.module('drop', new nn.Dropout(READOUT_DROPOUT));
    this.dropWay = this.module('drop_way', new nn.Dropout(BRANCH_DROPOUT));
    this.encoder = this.module('encoder', buildEncoder({ blocks: BLOCKS }, 1));
    this.attention = this.module(
      'attention',
      new nn.Sequential(
        new nn.Conv2d(width, ATTENTION_HIDDEN, [1, 1]),
        nn.SELU(),
        new nn.BatchNorm2d(ATTENTION_HIDDEN),
        new nn.Conv2d(ATTENTION_HIDDEN, width, [1, 1]),
      ),
    );
    this.posS = this.param(
      'pos_S',
      noGrad(() => randn([1, Math.floor(SSL_PROJECTION_DIM / FRONT_POOL), width])),
    );
    this.master1 = this.param(
      'master1',
      noGrad(() => randn([1, 1, g0])),
    );
    this.master2 = this.param(
      'master2',
      noGrad(() => randn([1, 1, g0])),
    );
    this.gatS = this.module('GAT_layer_S', new GraphAttentionLayer(width, g0, TEMPERATURES.spectral));
    this.gatT = this.module('GAT_layer_T', new GraphAttentionLayer(width, g0, TEMPERATURES.temporal));
    this.hsGal11 = this.module('HtrgGAT_layer_ST11', new HeteroGraphAttentionLayer(g0, g1, TEMPERATURES.hsGal));
    this.hsGal12 = this.module('HtrgGAT_layer_ST12', new HeteroGraphAttentionLayer(g1, g1, TEMPERATURES.hsGal));
    this.hsGal21 = this.module('HtrgGAT_layer_ST21', new HeteroGraphAttentionLayer(g0, g1, TEMPERATURES.hsGal));
    this.hsGal22 = this.module('HtrgGAT_layer_ST22', new HeteroGraphAttentionLayer(g1, g1, TEMPERATURES.hsGal));
    this.poolS = this.module('pool_S', new GraphPool(POOL_RATIO, g0));
    this.poolT = this.module('pool_T', new GraphPool(POOL_RATIO, g0));
    this.poolHS1 = this.module('pool_hS1', new GraphPool(POOL_RATIO, g1));
    this.poolHT1 = this.module('pool_hT1', new GraphPool(POOL_RATIO, g1));
    this.poolHS2 = this.module('pool_hS2', new GraphPool(POOL_RATIO, g1));
    this.poolHT2 = this.module('pool_hT2', new GraphPool(POOL_RATIO, g1));
    this.outLayer = this.module('out_layer', new nn.Linear(this.embedDim, 2));
    this.eval();
  }

  /** Readout embedding [B, 160] of waveforms [B, samples] (before the readout dropout). */
  embed(wave: Tensor): Tensor {
    if (wave.ndim !== 2 || wave.dtype !== 'float32' || wave.shape[1] < this.minSamples)
      throw new Error(
        `AASIST-wav2vec: expected a float32 waveform batch [B, samples] with at least ${this.minSamples} samples, got ${wave.dtype}[${wave.shape.join(', ')}]`,
      );
    const states = this.sslModel.hiddenStates(wave);
    const last = states[states.length - 1];
    // [B, T, 128] → [B, 1, 128, T]: the projection's bins are the map's rows, frames its columns.
    const map = this.ll.forward(last).transpose(1, 2).unsqueeze(1);
    const pooled = F.maxPool2d(map, [FRONT_POOL, FRONT_POOL]);
    let x = F.selu(this.firstBn.forward(pooled));
    for (const block of this.encoder.layers) x = block.forward(x);
    x = F.selu(this.firstBn1.forward(x));
    const w = this.attention.forward(x);
    // Spectral nodes: weighted sum over frames; temporal nodes: weighted sum over bins.
    const spectralIn = x.mul(w.softmax(-1)).sum(-1).transpose(1, 2).add(this.posS);
    const temporalIn = x.mul(w.softmax(-2)).sum(-2).transpose(1, 2);
    const spectral = this.poolS.forward(this.gatS.forward(spectralIn));
    const temporal = this.poolT.forward(this.gatT.forward(temporalIn));
    return graphReadout(this, temporal, spectral);
  }

  /** Logits [B, 2] = [spoof, bona fide]. */
  forward(wave: Tensor): Tensor {
    return this.outLayer.forward(this.drop.forward(this.embed(wave)));
  }
}

/** A new AASIST-wav2vec from random initialisation (`frontEnd` default {@link SMALL_SSL_FRONT_END}). */
export function newAasistSsl(frontEnd: Wav2Vec2Config = SMALL_SSL_FRONT_END): AasistSsl {
  return new AasistSsl(new Wav2Vec2(structuredClone(frontEnd) as Wav2Vec2Config));
}
