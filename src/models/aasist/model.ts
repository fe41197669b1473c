/**
 * AASIST (Jung et al., "AASIST: Audio anti-spoofing using integrated spectro-temporal graph
 * attention networks", ICASSP 2022) on the engine: raw 16 kHz waveform → fixed sinc band-pass bank
 * → |·| → 3×3 max-pool → BN → SELU → six residual blocks → spectral and temporal graphs (GAT + top-k
 * pooling) → two branches of two heterogeneous stacking graph attention layers with a master node
 * → element-wise max of the branches → readout [|T|max, T mean, |S|max, S mean, master] → Linear → 2
 * logits [spoof, bona fide]. Parameter names equal the published PyTorch checkpoint's, so
 * `AASIST.pth` / `AASIST-L.pth` load strictly ({@link loadAasistWeights}).
 *
 * Training-mode behaviour is the published one: dropout 0.2 on the inputs of every graph attention
 * layer, 0.3 on the pool scorers' inputs, 0.2 on every branch output and 0.5 on the readout before
 * the output layer; batch norm uses batch statistics.
 */
import { F, cat, dispose, nn, noGrad, randn, tensor, type Tensor } from '../../engine/index.js';
import { AASIST_SAMPLE_RATE_HZ, aasistMinSamples, checkAasistConfig, readoutDim, spectralNodes, type AasistConfig } from './config.js';
import { SincFrontEnd } from './sinc.js';
import { buildEncoder, encodeWaveform, type SincEncoderParts } from './encoder.js';
import { GraphAttentionLayer } from './graph-attention.js';
import { HeteroGraphAttentionLayer } from './hs-gal.js';
import { GraphPool } from './pool.js';
import { graphReadout, type GraphHead } from './graph-head.js';

/** Logit/class index of spoofed speech. */
export const SPOOF_CLASS = 0;
/** Logit/class index of bona fide speech (its logit is the usual detection score). */
export const BONAFIDE_CLASS = 1;
/** Published training loss weights [spoof, bona fide] (1 : 9). */
export const AASIST_CLASS_WEIGHTS: readonly [number, number] = [0.1, 0.9];
/** Dropout on the readout embedding before the output layer (training only). */
export const READOUT_DROPOUT = 0.5;
/** Dropout on each branch's temporal, spectral and master outputs (training only). */
export const BRANCH_DROPOUT = 0.2;
/** Output classes: spoof, bona fide. */
const NUM_CLASSES = 2;
/** Examples encoded at a time in eval mode (see `encode`). */
const EVAL_ENCODER_CHUNK = 1;

export interface AasistOptions {
  /** In training mode, zero a random run of 0–19 adjacent sinc filters per batch (published "freq_aug"; default false). */
  freqMask?: boolean;
}

/** The readout embedding and the logits computed from it. */
export interface AasistOutput {
  /** [B, 2] = [spoof, bona fide] */
  logits: Tensor;
  /** [B, 5·gatDims[1]] (before the readout dropout) */
  embedding: Tensor;
}

/** AASIST / AASIST-L. Input: waveforms [B, samples] float32 at 16 kHz (published length 64,600). */
export class Aasist extends nn.Module implements GraphHead, SincEncoderParts {
  readonly config: AasistConfig;
  /** Width of {@link embed}'s output: 5 · gatDims[1]. */
  readonly embedDim: number;
  /** Shortest accepted input (samples). */
  readonly minSamples: number;
  readonly posS: Tensor;
  readonly master1: Tensor;
  readonly master2: Tensor;
  readonly convTime: SincFrontEnd;
  readonly firstBn: nn.BatchNorm2d;
  readonly drop: nn.Dropout;
  readonly dropWay: nn.Dropout;
  readonly encoder: nn.Sequential;
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

  constructor(config: AasistConfig, options: AasistOptions = {}) {
    super();
    this.config = checkAasistConfig(structuredClone(config));
    const c = this.config;
    const encoderDim = c.blocks[3][1];
    const [g0, g1] = c.gatDims;
    const [tS, tT, tH] = c.temperatures;
    const [rS, rT, rH] = c.poolRatios;
    this.embedDim = readoutDim(c);
    this.minSamples = aasistMinSamples(c);
    this.posS = this.param(
      'pos_S',
      noGrad(() => randn([1, spectralNodes(c), encoderDim])),
    );
    this.master1 = this.param(
      'master1',
      noGrad(() => randn([1, 1, g0])),
    );
    this.master2 = this.param(
      'master2',
      noGrad(() => randn([1, 1, g0])),
    );
    this.convTime = this.module(
      'conv_time',
      new SincFrontEnd(c.sincFilters, c.sincKernel, AASIST_SAMPLE_RATE_HZ, options.freqMask ?? false),
    );
    this.firstBn = this.module('first_bn', new nn.BatchNorm2d(1));
    this.drop = this.module('drop', new nn.Dropout(READOUT_DROPOUT));
    this.dropWay = this.module('drop_way', new nn.Dropout(BRANCH_DROPOUT));
    this.encoder = this.module('encoder', buildEncoder(c));
    this.gatS = this.module('GAT_layer_S', new GraphAttentionLayer(encoderDim, g0, tS));
    this.gatT = this.module('GAT_layer_T', new GraphAttentionLayer(encoderDim, g0, tT));
    this.hsGal11 = this.module('HtrgGAT_layer_ST11', new HeteroGraphAttentionLayer(g0, g1, tH));
    this.hsGal12 = this.module('HtrgGAT_layer_ST12', new HeteroGraphAttentionLayer(g1, g1, tH));
    this.hsGal21 = this.module('HtrgGAT_layer_ST21', new HeteroGraphAttentionLayer(g0, g1, tH));
    this.hsGal22 = this.module('HtrgGAT_layer_ST22', new HeteroGraphAttentionLayer(g1, g1, tH));
    this.poolS = this.module('pool_S', new GraphPool(rS, g0));
    this.poolT = this.module('pool_T', new GraphPool(rT, g0));
    this.poolHS1 = this.module('pool_hS1', new GraphPool(rH, g1));
    this.poolHT1 = this.module('pool_hT1', new GraphPool(rH, g1));
    this.poolHS2 = this.module('pool_hS2', new GraphPool(rH, g1));
    this.poolHT2 = this.module('pool_hT2', new GraphPool(rH, g1));
    this.outLayer = this.module('out_layer', new nn.Linear(this.embedDim, NUM_CLASSES));
  }

  /** Readout embedding [B, 5·gatDims[1]] of waveforms [B, samples] (before the readout dropout). */
  embed(wave: Tensor): Tensor {
    this.checkWave(wave);
    const e = this.encode(wave);
    const eAbs = e.abs();
    e.dispose();
    const spectral = this.poolS.forward(this.gatS.forward(eAbs.amax(3).transpose(1, 2).add(this.posS)));
    const temporal = this.poolT.forward(this.gatT.forward(eAbs.amax(2).transpose(1, 2)));
    eAbs.dispose();
    return graphReadout(this, temporal, spectral);
  }

  /** Logits [B, 2] = [spoof, bona fide] of waveforms [B, samples]. */
  forward(wave: Tensor): Tensor {
    return this.classify(this.embed(wave));
  }

  /** Both the logits and the readout embedding, from one pass. */
  forwardWithEmbedding(wave: Tensor): AasistOutput {
    const embedding = this.embed(wave);
    return { logits: this.classify(embedding), embedding };
  }

  /** The output head on a readout embedding [B, embedDim]: readout dropout, then `out_layer`. */
  classify(embedding: Tensor): Tensor {
    return this.outLayer.forward(this.drop.forward(embedding));
  }

  /** The published training loss: cross-entropy weighted 1 : 9 (spoof : bona fide); targets int64 [B]. */
  lossFn(logits: Tensor, targets: Tensor): Tensor {
    return F.crossEntropy(logits, targets, { weight: tensor(Float32Array.from(AASIST_CLASS_WEIGHTS)) });
  }

  /**
   * Front end and encoder: [B, samples] → [B, C, spectral nodes, temporal frames]. In eval mode
   * (batch norm on running statistics, so examples are independent) the batch is encoded in chunks
   * of {@link EVAL_ENCODER_CHUNK}: the early feature maps are hundreds of MB per example, and
   * smaller ones run faster (measured ≈ 30 % on 8 × 64,600 samples, 1 thread).
   */
  private encode(wave: Tensor): Tensor {
    if (this.training || wave.shape[0] <= EVAL_ENCODER_CHUNK) return encodeWaveform(this, wave);
    const parts: Tensor[] = [];
    for (let start = 0; start < wave.shape[0]; start += EVAL_ENCODER_CHUNK) {
      const chunk = wave.narrow(0, start, Math.min(EVAL_ENCODER_CHUNK, wave.shape[0] - start));
      parts.push(encodeWaveform(this, chunk));
      chunk.dispose();
    }
    const out = cat(parts, 0);
    dispose(parts);
    return out;
  }

  private checkWave(wave: Tensor): void {
    if (wave.ndim !== 2 || wave.dtype !== 'float32' || wave.shape[0] < 1 || wave.shape[1] < this.minSamples) {
      throw new Error(
        `AASIST: expected a float32 waveform batch [B, samples] with at least ${this.minSamples} samples, got ${wave.dtype}[${wave.shape.join(', ')}]`,
      );
    }
  }
}
