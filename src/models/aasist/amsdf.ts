/**
 * AMSDF, the audio multi-view spoofing detection framework (Wu et al., "Audio Multi-View
 * Spoofing Detection Framework Based on Audio-Text-Emotion Correlations", IEEE TIFS 2024), with
 * the two views available here: audio and emotion. (Its text view needs an ASR front end, which
 * no offline weights provide here; the readout keeps the published three-group layout.)
 *
 * - Audio view: AASIST's sinc front end and residual encoder (initialisable from the published
 *   AASIST weights) → max of |·| over filters → temporal nodes [B, Ta, 64].
 * - Emotion view: a sequence of N emotion embeddings (trustser's SER model on N windows spread
 *   over the clip) → Linear(E → 64) → BN over the nodes → SELU → [B, N, 64].
 * - Intra-view graph attention (IGAM): a GAT and a graph pool per view.
 * - Heterogeneous graph fusion (HGFM): two stacked HS-GAL layers over the audio and emotion node
 *   sets with a stack node; the fused node set is the concatenation of both outputs (the paper
 *   adds them node by node, which needs equal node counts; crops of any length are used here).
 * - Group-based readout (GRS): each member of a group pooled twice, concatenated, [max |·|,
 *   mean]: groups = intra-view graphs, fused graph, stack node → Linear(384 → 64) → Linear(64 → 2).
 */
import { F, cat, nn, noGrad, randn, type Tensor } from '../../engine/index.js';
import { AASIST_CONFIG, AASIST_SAMPLE_RATE_HZ, aasistMinSamples } from './config.js';
import { buildEncoder, encodeWaveform, type SincEncoderParts } from './encoder.js';
import { GraphAttentionLayer } from './graph-attention.js';
import { HeteroGraphAttentionLayer } from './hs-gal.js';
import type { Aasist } from './model.js';
import { GraphPool } from './pool.js';
import { SincFrontEnd } from './sinc.js';

/** Width of every node (the encoder's last channel count). */
const NODE_DIM = 64;
/** Emotion windows per clip (the emotion view's nodes) by default. */
export const AMSDF_EMOTION_NODES = 16;
/** Temperatures of the intra-view GATs and of the fusion HS-GALs; pool ratios (published). */
const GAT_TEMPERATURE = 2;
const HSGAL_TEMPERATURE = 100;
const POOL_RATIO = 0.5;
/** Dropouts (published): on the fused outputs, and on the readout. */
const FUSION_DROPOUT = 0.2;
const READOUT_DROPOUT = 0.5;
/** Readout groups × [max, mean] × node width, and the hidden layer of the output head. */
const READOUT_DIM = 3 * 2 * NODE_DIM;
const HEAD_HIDDEN = 64;

/** Two stacked HS-GAL layers over two node sets with a stack node (HGFM). */
class GraphFusion extends nn.Module {
  readonly layer1: HeteroGraphAttentionLayer;
  readonly layer2: HeteroGraphAttentionLayer;
  readonly drop: nn.Dropout;
  readonly stackNode: Tensor;
  constructor() {
    super();
    this.layer1 = this.module('HtrgGAT_layer1', new HeteroGraphAttentionLayer(NODE_DIM, NODE_DIM, HSGAL_TEMPERATURE));
    this.layer2 = this.module('HtrgGAT_layer2', new HeteroGraphAttentionLayer(NODE_DIM, NODE_DIM, HSGAL_TEMPERATURE));
    this.drop = this.module('drop_way', new nn.Dropout(FUSION_DROPOUT));
    this.stackNode = this.param(
      'stack_node',
      noGrad(() => randn([1, 1, NODE_DIM])),
    );
  }
  /** Fused nodes [B, N1 + N2, 64] and the stack node [B, 1, 64]. */
  forward(a: Tensor, b: Tensor): { nodes: Tensor; stack: Tensor } {
    const s0 = this.stackNode.expand([a.shape[0], -1, -1]);
    const one = this.layer1.forward(a, b, s0);
    const two = this.layer2.forward(one.first, one.second, one.master);
    return {
      nodes: cat([this.drop.forward(one.first.add(two.first)), this.drop.forward(one.second.add(two.second))], 1),
      stack: this.drop.forward(one.master.add(two.master)),
    };
  }
}

/** Group readout: every member pooled twice, concatenated over nodes, then [max |·|, mean] → [B, 128]. */
class GroupReadout extends nn.Module {
  readonly pool1: GraphPool;
  readonly pool2: GraphPool;
  constructor() {
    super();
    this.pool1 = this.module('pool1', new GraphPool(POOL_RATIO, NODE_DIM));
    this.pool2 = this.module('pool2', new GraphPool(POOL_RATIO, NODE_DIM));
  }
  forward(members: readonly Tensor[]): Tensor {
    const nodes = cat(
      members.map((m) => this.pool2.forward(this.pool1.forward(m))),
      1,
    );
    return cat([nodes.abs().amax(1), nodes.mean(1)], 1);
  }
}

export interface AmsdfOptions {
  /** Width E of the emotion embeddings (the SER model's `embedDim`). */
  emotionDim: number;
  /** Emotion nodes per clip (default {@link AMSDF_EMOTION_NODES}). */
  emotionNodes?: number;
}

/** AMSDF on audio and emotion views. `forward(wave [B, samples], emotion [B, N, E])` → logits [B, 2]. */
export class Amsdf extends nn.Module implements SincEncoderParts {
  readonly emotionDim: number;
  readonly emotionNodes: number;
  /** Shortest accepted input (samples): AASIST's. */
  readonly minSamples = aasistMinSamples(AASIST_CONFIG);
  readonly convTime: SincFrontEnd;
  readonly firstBn: nn.BatchNorm2d;
  readonly encoder: nn.Sequential;
  readonly emotionProj: nn.Linear;
  readonly emotionBn: nn.BatchNorm1d;
  readonly gatAudio: GraphAttentionLayer;
  readonly gatEmotion: GraphAttentionLayer;
  readonly poolAudio: GraphPool;
  readonly poolEmotion: GraphPool;
  readonly fusion: GraphFusion;
  readonly groupViews: GroupReadout;
  readonly groupFused: GroupReadout;
  readonly groupStack: GroupReadout;
  readonly drop: nn.Dropout;
  readonly outLayer: nn.Linear;
  readonly outLayer2: nn.Linear;

  constructor(o: AmsdfOptions) {
    super();
    if (!(Number.isInteger(o.emotionDim) && o.emotionDim >= 1))
      throw new Error(`AMSDF: emotionDim must be a positive integer, got ${o.emotionDim}`);
    this.emotionDim = o.emotionDim;
    this.emotionNodes = o.emotionNodes ?? AMSDF_EMOTION_NODES;
    if (!(Number.isInteger(this.emotionNodes) && this.emotionNodes >= 2))
      throw new Error(`AMSDF: emotionNodes must be an integer ≥ 2, got ${this.emotionNodes}`);
    const c = AASIST_CONFIG;
    this.convTime = this.module('conv_time', new SincFrontEnd(c.sincFilters, c.sincKernel, AASIST_SAMPLE_RATE_HZ, false));
    this.firstBn = this.module('first_bn', new nn.BatchNorm2d(1));
    this.encoder = this.module('encoder', buildEncoder(c));
    this.emotionProj = this.module('emo_proj', new nn.Linear(this.emotionDim, NODE_DIM));
    this.emotionBn = this.module('emo_bn', new nn.BatchNorm1d(this.emotionNodes));
    this.gatAudio = this.module('GAT_audio', new GraphAttentionLayer(NODE_DIM, NODE_DIM, GAT_TEMPERATURE));
    this.gatEmotion = this.module('GAT_emo', new GraphAttentionLayer(NODE_DIM, NODE_DIM, GAT_TEMPERATURE));
    this.poolAudio = this.module('pool_audio', new GraphPool(POOL_RATIO, NODE_DIM));
    this.poolEmotion = this.module('pool_emo', new GraphPool(POOL_RATIO, NODE_DIM));
    this.fusion = this.module('Core_AE', new GraphFusion());
    this.groupViews = this.module('GRS_group1', new GroupReadout());
    this.groupFused = this.module('GRS_group2', new GroupReadout());
    this.groupStack = this.module('GRS_group3', new GroupReadout());
    this.drop = this.module('drop', new nn.Dropout(READOUT_DROPOUT));
    this.outLayer = this.module('out_layer', new nn.Linear(READOUT_DIM, HEAD_HIDDEN));
    this.outLayer2 = this.module('out_layer2', new nn.Linear(HEAD_HIDDEN, 2));
  }

  /** Copies the audio view (sinc front end, first BN, residual encoder) from a trained AASIST. */
  adoptAudioView(aasist: Aasist): void {
    const own = new Map([...aasist.stateDict()].filter(([k]) => /^(conv_time|first_bn|encoder)\./.test(k)));
    const dict = new Map([...this.stateDict()].map(([k, v]) => [k, own.get(k) ?? v]));
    this.loadStateDict(dict, true);
  }

  /** Audio nodes [B, Ta, 64] of waveforms [B, samples]. */
  private audioView(wave: Tensor): Tensor {
    return encodeWaveform(this, wave).abs().amax(2).transpose(1, 2);
  }

  forward(wave: Tensor, emotion: Tensor): Tensor {
    const [b, n, d] = emotion.shape;
    if (
      wave.ndim !== 2 ||
      wave.shape[1] < this.minSamples ||
      emotion.ndim !== 3 ||
      b !== wave.shape[0] ||
      n !== this.emotionNodes ||
      d !== this.emotionDim
    )
      throw new Error(
        `AMSDF: expected wave [B, ≥ ${this.minSamples}] and emotion [B, ${this.emotionNodes}, ${this.emotionDim}], got [${wave.shape.join(', ')}] and [${emotion.shape.join(', ')}]`,
      );
    const audio = this.poolAudio.forward(this.gatAudio.forward(this.audioView(wave)));
    const emo = this.poolEmotion.forward(this.gatEmotion.forward(F.selu(this.emotionBn.forward(this.emotionProj.forward(emotion)))));
    const fused = this.fusion.forward(audio, emo);
    const readout = cat(
      [this.groupViews.forward([audio, emo]), this.groupFused.forward([fused.nodes]), this.groupStack.forward([fused.stack])],
      1,
    );
    return this.outLayer2.forward(this.outLayer.forward(this.drop.forward(readout)));
  }
}
