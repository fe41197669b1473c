/**
 * Spectrogram-segment classifiers after "SER with a pre-trained image classifier": `alexnet`
 * (torchvision's AlexNet, finetuned) and `fcn-gap` (AlexNet's conv stack, a 1×1 conv to the classes
 * and global average pooling). Input: segments [N, C, F, T] (C channels, F frequency bins, T frames).
 * Parameter names equal torchvision's (`features.0/3/6/8/10`, `classifier.1/4/6`) so its ImageNet
 * weights load with {@link loadTorchvisionWeights}; a `width` multiplier scales every layer
 * (width 1 = torchvision's 61.1 M parameters).
 */
import { z } from 'zod';
import { F, nn, readPth, type RawTensor, type Tensor } from '../../engine/index.js';
import { SerModelBase, fail, lossConfigShape, positiveInt, type LossOptions } from './base.js';
import { conv2dMacs, linearMacs } from '../complexity.js';

/** torchvision AlexNet conv widths (features.0, 3, 6, 8, 10). */
const ALEXNET_CHANNELS = [64, 192, 384, 256, 256] as const;
/** torchvision AlexNet hidden FC width (classifier.1, 4). */
const ALEXNET_FC = 4096;
/** Side of the adaptive average pooling before the classifier. */
const ALEXNET_POOL_OUT = 6;
/** Max-pool kernel and stride of features.2/5/12. */
const POOL_KERNEL = 3;
const POOL_STRIDE = 2;
/** Kernel, stride and padding of the five convolutions. */
const CONV_SPECS = [
  { k: 11, stride: 4, pad: 2 },
  { k: 5, stride: 1, pad: 2 },
  { k: 3, stride: 1, pad: 1 },
  { k: 3, stride: 1, pad: 1 },
  { k: 3, stride: 1, pad: 1 },
] as const;
/** Default width multiplier (≈3.6 M parameters for alexnet: trainable on a CPU). */
export const ALEXNET_DEFAULT_WIDTH = 0.25;
/** Default classifier dropout (torchvision's). */
const ALEXNET_DEFAULT_DROPOUT = 0.5;
/** Default dropout before fcn-gap's 1×1 conv. */
const FCN_GAP_DEFAULT_DROPOUT = 0.2;

export interface AlexNetConfig extends LossOptions {
  /** Multiplier of every conv and FC width (default 0.25; 1 = torchvision, needed for its weights). */
  width?: number;
  /** Dropout probability in the classifier (default 0.5 for alexnet, 0.2 for fcn-gap). */
  dropout?: number;
}
export const alexnetConfigSchema: z.ZodType<AlexNetConfig> = z.strictObject({
  ...lossConfigShape,
  width: z.number().positive().max(4).optional(),
  dropout: z.number().min(0).lt(1).optional(),
});

const scaled = (base: number, width: number): number => Math.max(1, Math.round(base * width));
const poolOut = (s: number): number => Math.floor((s - POOL_KERNEL) / POOL_STRIDE) + 1;

/** Spatial size of the conv stack's output for an input side of `s` bins/frames (< 1: too small). */
export function alexnetFeatureSize(s: number): number {
  let x = s;
  CONV_SPECS.forEach((c, i) => {
    x = Math.floor((x + 2 * c.pad - c.k) / c.stride) + 1;
    if (i <= 1 || i === CONV_SPECS.length - 1) x = x >= POOL_KERNEL ? poolOut(x) : 0;
  });
  return x;
}
/** Smallest F and T an AlexNet stack accepts (63). */
export const ALEXNET_MIN_SIZE = (() => {
  let s = 1;
  while (alexnetFeatureSize(s) < 1) s++;
  return s;
})();

/** AlexNet parameter count from the layer shapes (no allocation). */
export function alexnetParamCount(inChannels: number, numClasses: number, width = 1): number {
  const ch = ALEXNET_CHANNELS.map((c) => scaled(c, width));
  const fc = scaled(ALEXNET_FC, width);
  let n = 0;
  let prev = inChannels;
  ch.forEach((c, i) => {
    n += c * prev * CONV_SPECS[i].k ** 2 + c;
    prev = c;
  });
  const flat = prev * ALEXNET_POOL_OUT ** 2;
  return n + (flat * fc + fc) + (fc * fc + fc) + (fc * numClasses + numClasses);
}

/** torchvision's `features`: conv/ReLU/max-pool at indices 0–12. */
function buildFeatures(inChannels: number, width: number): nn.Sequential {
  const ch = ALEXNET_CHANNELS.map((c) => scaled(c, width));
  const conv = (i: number, cin: number) =>
    new nn.Conv2d(cin, ch[i], CONV_SPECS[i].k, { stride: CONV_SPECS[i].stride, padding: CONV_SPECS[i].pad });
  const pool = () => nn.MaxPool2d(POOL_KERNEL, POOL_STRIDE);
  return new nn.Sequential(
    conv(0, inChannels),
    nn.ReLU(),
    pool(), // 0, 1, 2
    conv(1, ch[0]),
    nn.ReLU(),
    pool(), // 3, 4, 5
    conv(2, ch[1]),
    nn.ReLU(), // 6, 7
    conv(3, ch[2]),
    nn.ReLU(), // 8, 9
    conv(4, ch[3]),
    nn.ReLU(),
    pool(), // 10, 11, 12
  );
}

/** Shared parts: input checks, features, MACs of the conv stack. */
abstract class AlexNetBase extends SerModelBase {
  readonly inputKind = 'image' as const;
  readonly features: nn.Sequential;
  readonly width: number;
  readonly dropout: number;
  /** Channels out of the conv stack. */
  readonly featureChannels: number;

  constructor(inputShape: readonly number[], numClasses: number, c: AlexNetConfig, name: string, defaultDropout: number) {
    super(name, numClasses, inputShape, c);
    if (inputShape.length !== 3) fail(name, `inputShape must be [C, F, T], got [${inputShape.join(', ')}]`);
    inputShape.forEach((d, i) => positiveInt(name, `inputShape[${i}]`, d));
    if (inputShape[1] < ALEXNET_MIN_SIZE || inputShape[2] < ALEXNET_MIN_SIZE) {
      fail(name, `segments must be at least ${ALEXNET_MIN_SIZE}×${ALEXNET_MIN_SIZE} (F × T), got ${inputShape[1]}×${inputShape[2]}`);
    }
    this.width = c.width ?? ALEXNET_DEFAULT_WIDTH;
    if (!(this.width > 0)) fail(name, `width must be > 0, got ${c.width}`);
    this.dropout = c.dropout ?? defaultDropout;
    this.features = this.module('features', buildFeatures(inputShape[0], this.width));
    this.featureChannels = scaled(ALEXNET_CHANNELS[ALEXNET_CHANNELS.length - 1], this.width);
  }

  /** Conv stack output [N, C', F', T'] after input validation. */
  protected featureMap(x: Tensor): Tensor {
    this.checkInput(x);
    const [, , f, t] = x.shape;
    if (f < ALEXNET_MIN_SIZE || t < ALEXNET_MIN_SIZE)
      fail(this.modelName, `segments must be at least ${ALEXNET_MIN_SIZE}×${ALEXNET_MIN_SIZE} (F × T), got ${f}×${t}`);
    return this.features.forward(x);
  }

  /** MACs of the conv stack and the output [F', T'] for an example [C, F, T]. */
  protected featureMacs(shape: readonly number[]): { macs: number; out: [number, number] } {
    if (shape.length !== 3 || shape[0] !== this.inputShape[0])
      fail(this.modelName, `macs: expected an example shape [${this.inputShape[0]}, F, T], got [${shape.join(', ')}]`);
    let hw: [number, number] = [shape[1], shape[2]];
    let macs = 0;
    this.features.layers.forEach((m, i) => {
      if (m instanceof nn.Conv2d) {
        const r = conv2dMacs(m, hw);
        macs += r.macs;
        hw = r.outShape;
      } else if (i === 2 || i === 5 || i === 12) {
        hw = [poolOut(hw[0]), poolOut(hw[1])];
      }
    });
    return { macs, out: hw };
  }

  protected config(): Record<string, unknown> {
    return { width: this.width, dropout: this.dropout };
  }
}

/**
 * `alexnet`: features → adaptive average pooling to 6×6 → classifier (dropout, FC, ReLU, dropout,
 * FC, ReLU, FC). `embed` is the output of the penultimate FC (after its ReLU), [N, 4096·width].
 */
export class AlexNet extends AlexNetBase {
  readonly embedDim: number;
  readonly classifier: nn.Sequential;

  constructor(inputShape: readonly number[], numClasses: number, c: AlexNetConfig = {}) {
    super(inputShape, numClasses, c, 'alexnet', ALEXNET_DEFAULT_DROPOUT);
    const fc = scaled(ALEXNET_FC, this.width);
    this.classifier = this.module(
      'classifier',
      new nn.Sequential(
        new nn.Dropout(this.dropout),
        new nn.Linear(this.featureChannels * ALEXNET_POOL_OUT ** 2, fc),
        nn.ReLU(), // 0, 1, 2
        new nn.Dropout(this.dropout),
        new nn.Linear(fc, fc),
        nn.ReLU(), // 3, 4, 5
        new nn.Linear(fc, numClasses), // 6
      ),
    );
    this.embedDim = fc;
  }

  embed(x: Tensor): Tensor {
    let h = F.adaptiveAvgPool2d(this.featureMap(x), ALEXNET_POOL_OUT).flatten(1);
    for (const m of this.classifier.layers.slice(0, -1)) h = m.forward(h);
    return h;
  }

  forward(x: Tensor): Tensor {
    return this.classifier.layers[this.classifier.layers.length - 1].forward(this.embed(x));
  }

  macs(shape: readonly number[]): number {
    const linears = this.classifier.layers.filter((m): m is nn.Linear => m instanceof nn.Linear);
    return this.featureMacs(shape).macs + linears.reduce((s, l) => s + linearMacs(l), 0);
  }
}

/**
 * `fcn-gap`: features → dropout → 1×1 conv to the classes (`classifier.1`, as torchvision's
 * SqueezeNet) → global average pooling; no FC layers. `embed` is the globally averaged conv-stack
 * output [N, 256·width] (the logits are the 1×1 conv applied to it, since both steps are linear).
 */
export class FcnGap extends AlexNetBase {
  readonly embedDim: number;
  readonly classifier: nn.Sequential;

  constructor(inputShape: readonly number[], numClasses: number, c: AlexNetConfig = {}) {
    super(inputShape, numClasses, c, 'fcn-gap', FCN_GAP_DEFAULT_DROPOUT);
    this.classifier = this.module(
      'classifier',
      new nn.Sequential(new nn.Dropout(this.dropout), new nn.Conv2d(this.featureChannels, numClasses, 1)),
    );
    this.embedDim = this.featureChannels;
  }

  embed(x: Tensor): Tensor {
    return this.featureMap(x).mean([2, 3]);
  }

  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.featureMap(x)).mean([2, 3]);
  }

  macs(shape: readonly number[]): number {
    const { macs, out } = this.featureMacs(shape);
    return macs + conv2dMacs(this.classifier.layers[1] as nn.Conv2d, out).macs;
  }
}

/** What {@link loadTorchvisionWeights} did. */
export interface TorchvisionLoadReport {
  /** Model keys filled from the file. */
  loaded: string[];
  /** Model keys left at their initialization (the class-specific last layer). */
  skipped: string[];
  /** True when 3-channel (RGB) first-layer filters were summed over channels for a 1-channel model. */
  summedInputChannels: boolean;
}

/**
 * Loads a torchvision AlexNet state dict (.pth, e.g. `alexnet-owt-7be5be79.pth` or
 * `torch.save(model.state_dict())`) into an {@link AlexNet} or {@link FcnGap} built with width 1:
 * every `features.*` tensor and, for `alexnet`, `classifier.1/4`; `classifier.6` only when the class
 * counts agree (else it keeps its initialization). For a 1-channel model, RGB filters of
 * `features.0.weight` are summed over the channels (equivalent to feeding the gray image as RGB).
 * Errors name the file and every missing or mis-shaped key; the model is untouched on error.
 */
export function loadTorchvisionWeights(model: AlexNet | FcnGap, path: string): TorchvisionLoadReport {
  const file = readPth(path);
  const dict = new Map<string, RawTensor>();
  const report: TorchvisionLoadReport = { loaded: [], skipped: [], summedInputChannels: false };
  const problems: string[] = [];
  const headKeys = model instanceof AlexNet ? ['classifier.6.weight', 'classifier.6.bias'] : ['classifier.1.weight', 'classifier.1.bias'];
  for (const [key, t] of model.stateDict()) {
    let src = file.get(key);
    const isHead = headKeys.includes(key);
    if (model instanceof FcnGap && isHead) src = undefined;
    if (src && key === 'features.0.weight' && src.shape[1] === 3 && t.shape[1] === 1) {
      src = sumInputChannels(src);
      report.summedInputChannels = true;
    }
    const fits = src !== undefined && src.shape.join(',') === t.shape.join(',');
    if (fits) {
      dict.set(key, src!);
      report.loaded.push(key);
    } else if (isHead) {
      report.skipped.push(key);
    } else if (src === undefined) {
      problems.push(`missing '${key}'`);
    } else {
      problems.push(`'${key}' has shape [${src.shape.join(', ')}] but the model expects [${t.shape.join(', ')}]`);
    }
  }
  if (problems.length > 0) {
    const hint = model.width !== 1 ? ` (torchvision weights need width 1; this model has width ${model.width})` : '';
    throw new Error(`${path}: not loadable as torchvision AlexNet weights${hint}: ${problems.join('; ')}`);
  }
  model.loadStateDict(dict, false);
  return report;
}

/** [O, 3, kh, kw] → [O, 1, kh, kw] by summing the input channels. */
function sumInputChannels(w: RawTensor): RawTensor {
  const [o, c, kh, kw] = w.shape;
  const k = kh * kw;
  if (w.dtype !== 'float32' && w.dtype !== 'float64') throw new Error(`features.0.weight: expected floating-point weights, got ${w.dtype}`);
  const src = w.data as Float32Array | Float64Array;
  const out = new Float32Array(o * k);
  for (let i = 0; i < o; i++) for (let ch = 0; ch < c; ch++) for (let j = 0; j < k; j++) out[i * k + j] += src[(i * c + ch) * k + j];
  return { dtype: 'float32', shape: [o, 1, kh, kw], data: out };
}
