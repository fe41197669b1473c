/** Recurrent layers (LSTM, GRU) with PyTorch's parameter names and gate order. */
import * as F from '../functional.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { uniformParam } from './layers.js';

export interface RnnOptions {
  numLayers?: number;
  bidirectional?: boolean;
  /** Input/output as [batch, time, features] (default true; PyTorch's default is false). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (training only). */
  dropout?: number;
}

abstract class RnnBase extends Module {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  protected readonly flat: Tensor[] = [];

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    o: RnnOptions,
  ) {
    super();
    this.numLayers = o.numLayers ?? 1;
    this.bidirectional = o.bidirectional ?? false;
    this.batchFirst = o.batchFirst ?? true;
    this.dropout = o.dropout ?? 0;
    const dirs = this.bidirectional ? 2 : 1;
    const bound = 1 / Math.sqrt(hiddenSize);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        this.flat.push(
          this.param(`weight_ih${sfx}`, uniformParam([gates * hiddenSize, inSize], bound)),
          this.param(`weight_hh${sfx}`, uniformParam([gates * hiddenSize, hiddenSize], bound)),
          this.param(`bias_ih${sfx}`, uniformParam([gates * hiddenSize], bound)),
          this.param(`bias_hh${sfx}`, uniformParam([gates * hiddenSize], bound)),
        );
      }
    }
  }

  protected args(): F.RnnArgs {
    return {
      params: this.flat,
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
      batchFirst: this.batchFirst,
      dropout: this.dropout,
      training: this.training,
    };
  }
  /** Output feature size (hidden × directions). */
  get outputSize(): number {
    return this.hiddenSize * (this.bidirectional ? 2 : 1);
  }
}

/** Long short-term memory (gates i, f, g, o as PyTorch). */
export class LSTM extends RnnBase {
  constructor(inputSize: number, hiddenSize: number, o: RnnOptions = {}) {
    super(inputSize, hiddenSize, 4, o);
  }
  /** Returns [output, [h_n, c_n]]; output [batch, time, hidden × dirs] when batchFirst. */
  forward(x: Tensor, state: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const [out, h, c] = F.lstm(x, state, this.args());
    return [out, [h, c]];
  }
}

/** Gated recurrent unit (gates r, z, n as PyTorch). */
export class GRU extends RnnBase {
  constructor(inputSize: number, hiddenSize: number, o: RnnOptions = {}) {
    super(inputSize, hiddenSize, 3, o);
  }
  /** Returns [output, h_n]. */
  forward(x: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    return F.gru(x, h0, this.args());
  }
}
