/**
 * APC (autoregressive predictive coding, Chung et al. 2019) on the engine, as s3prl v0.4's
 * `upstream/apc/apc.py` defines it: a stack of unidirectional single-layer GRUs over the front
 * end's frames (`rnn_layers.N`, residual connections around every layer but the first when
 * configured, dropout on each layer's output in training) and the `postnet` Linear that predicts
 * the frame `n_future` steps ahead from the last layer — kept so the network can be pre-trained
 * further. s3prl's APC has no prenet and no VQ layers here (VQ-APC checkpoints are refused).
 *
 * Module names are s3prl's, so a checkpoint's `model` state dict loads as it is.
 */
import { F, nn, stack, tidy, type Tensor } from '../../engine/index.js';
import type { ApcConfig } from './config.js';
import { S3prlFrontEnd } from './frontend.js';

/** Hidden states and the GRU states after the last frame (to continue over the next chunk). */
export interface ApcPass {
  /** L + 1 tensors [B, T, ·]: the features, then each GRU layer's output (after its residual). */
  layers: Tensor[];
  /** Each layer's last hidden state [1, B, H]. */
  state: Tensor[];
}

/**
 * An APC network with its front end. `hiddenStates` follows trustser's convention (L + 1 states,
 * h0 the first GRU's input = the front end's features); s3prl's APC upstream exposes h1 … hL.
 */
export class Apc extends nn.Module {
  readonly frontEnd: S3prlFrontEnd;
  readonly rnnLayers: readonly nn.GRU[];
  readonly postnet: nn.Linear;
  /** Feature width D (the GRU input and the postnet output). */
  readonly inputDim: number;

  constructor(readonly config: ApcConfig) {
    super();
    this.inputDim = config.inputDim;
    this.frontEnd = new S3prlFrontEnd(config.frontEnd);
    const { inputDim, hiddenSize, numLayers } = config;
    const grus = Array.from({ length: numLayers }, (_, i) => new nn.GRU(i === 0 ? inputDim : hiddenSize, hiddenSize, { batchFirst: true }));
    this.rnnLayers = this.module('rnn_layers', new nn.ModuleList(grus)).items;
    this.postnet = this.module('postnet', new nn.Linear(hiddenSize, inputDim));
    this.eval();
  }

  /** Parameters the hidden states use (the GRUs; not the postnet). */
  encoderParameters(): number {
    return this.rnnLayers.reduce((n, g) => n + g.numParameters(), 0);
  }

  /**
   * Hidden states of features [B, T, D]. Each layer runs in its own scope, so only the states
   * outlive it.
   * @param state - each layer's hidden state to start from (a previous pass's `state`), or null for zeros.
   */
  forwardFeatures(feats: Tensor, state: readonly Tensor[] | null = null): ApcPass {
    const layers = [feats];
    const next: Tensor[] = [];
    let h = feats;
    this.rnnLayers.forEach((gru, i) => {
      const input = h;
      const [y, last] = tidy(() => {
        const [out, hn] = gru.forward(input, state ? state[i] : null);
        const dropped = F.dropout(out, this.config.dropout, this.training);
        return [this.config.residual && i > 0 ? dropped.add(input) : dropped, hn];
      });
      layers.push(y);
      next.push(last);
      h = y;
    });
    return { layers, state: next };
  }

  /** Features of waveforms [B, S] (or one [S]) → [B, T, D], the front end run on each row. */
  features(wave: Tensor): Tensor {
    if (wave.ndim === 1) return this.frontEnd.forward(wave).unsqueeze(0);
    const rows = Array.from({ length: wave.shape[0] }, (_, b) => tidy(() => this.frontEnd.forward(wave.select(0, b))));
    const out = stack(rows, 0);
    for (const r of rows) r.dispose();
    return out;
  }

  /** Hidden states of waveforms [B, S] at 16 kHz in one pass: L + 1 tensors [B, T, ·] (differentiable). */
  hiddenStates(wave: Tensor): Tensor[] {
    const { layers, state } = this.forwardFeatures(this.features(wave));
    for (const s of state) s.dispose();
    return layers;
  }

  /** The postnet's prediction [B, T, D] of the features n_future frames ahead, from the last layer's output. */
  predict(last: Tensor): Tensor {
    return this.postnet.forward(last);
  }

  override dispose(): void {
    super.dispose();
    this.frontEnd.dispose();
  }
}
