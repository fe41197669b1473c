/**
 * ONNX Runtime inference of an exported SER model: `loadOnnxModel(path)` opens `model.onnx` with
 * its sidecar and returns an {@link OnnxSerModel} whose `predict` turns raw samples into class
 * posteriors with the training-time features, batching many signals and streaming long ones in
 * windows (per-window posteriors and their mean as the utterance decision).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Features } from '../features/index.js';
import type { GraphBatch } from './inputs.js';
import { WindowedPredictor, type SignalPrediction, type WindowOptions, type WindowPrediction } from './predictor.js';
import { readSidecar } from './sidecar-files.js';
import type { Sidecar } from './sidecar.js';

export interface OnnxModelOptions {
  /** ONNX Runtime intra-op threads (default: ORT's choice, all cores). */
  intraOpThreads?: number;
  /** Signals or windows per session run (default 16). */
  batchSize?: number;
  /**
   * Let ONNX Runtime's intra-op threads busy-wait between operators (ORT's own default). Off by
   * default: on shared or oversubscribed cores the spinning threads take CPU from the work.
   */
  spinWait?: boolean;
}

/** ONNX Runtime session options for {@link OnnxModelOptions} (threads checked). */
export function ortSessionOptions(o: OnnxModelOptions = {}): ort.InferenceSession.SessionOptions {
  const threads = o.intraOpThreads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
    throw new Error(`intraOpThreads must be a positive integer, got ${threads}`);
  return {
    ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: o.spinWait ? '1' : '0' } } },
  };
}

/** Raw graph outputs for a batch: rows of each named output. */
export type GraphOutputs = Record<string, number[][]>;

function rows(t: ort.Tensor): number[][] {
  const [n, k] = t.dims as number[];
  const data = t.data as Float32Array;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
}

/** An exported model opened in ONNX Runtime. */
export class OnnxSerModel {
  readonly classes: string[];
  readonly sampleRateHz: number;
  private readonly core: WindowedPredictor;

  private constructor(
    readonly path: string,
    readonly sidecar: Sidecar,
    private readonly session: ort.InferenceSession,
    o: OnnxModelOptions,
  ) {
    this.classes = sidecar.classes;
    this.sampleRateHz = sidecar.sampleRateHz;
    this.core = new WindowedPredictor(sidecar, async (b) => (await this.runBatch(b)).probs, o.batchSize, path);
  }

  /** Opens `path` (model.onnx) and its sidecar; errors name the file. */
  static async load(path: string, o: OnnxModelOptions = {}): Promise<OnnxSerModel> {
    const file = resolve(path);
    if (!existsSync(file)) throw new Error(`${file}: no such model file`);
    if (statSync(file).isDirectory()) throw new Error(`${file}: is a folder; pass the .onnx file that trustser export wrote`);
    return OnnxSerModel.fromBytes(readFileSync(file), readSidecar(file), file, o);
  }

  /** A model from serialized ONNX bytes and a validated sidecar; `label` names it in errors. */
  static async fromBytes(bytes: Uint8Array, sidecar: Sidecar, label: string, o: OnnxModelOptions = {}): Promise<OnnxSerModel> {
    const options = ortSessionOptions(o);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, options);
    } catch (e) {
      throw new Error(`${label}: ONNX Runtime cannot load the model (${(e as Error).message.split('\n')[0]})`);
    }
    const missing = sidecar.outputs.filter((n) => !session.outputNames.includes(n));
    if (missing.length > 0) {
      await session.release();
      throw new Error(`${label}: the graph lacks the output(s) ${missing.join(', ')} named in its sidecar`);
    }
    try {
      return new OnnxSerModel(label, sidecar, session, o);
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /**
   * Runs the graph on one assembled batch; returns every output as rows. Shapes are checked
   * against the sidecar so a wrong input is a clear error, not an ORT shape dump.
   */
  async runBatch(b: GraphBatch): Promise<GraphOutputs> {
    const want = this.sidecar.input.features;
    if (b.dims.length !== want.length || want.some((d, i) => typeof d === 'number' && d !== b.dims[i])) {
      throw new Error(`${this.path}: features must be [${want.join(', ')}], got [${b.dims.join(', ')}]`);
    }
    if (b.features.length !== b.dims.reduce((x, y) => x * y, 1))
      throw new Error(`${this.path}: ${b.features.length} feature values do not fill [${b.dims.join(', ')}]`);
    if (this.sidecar.input.lengths !== (b.lengths !== null))
      throw new Error(`${this.path}: the graph ${this.sidecar.input.lengths ? 'needs' : 'takes no'} lengths`);
    const feeds: Record<string, ort.Tensor> = { features: new ort.Tensor('float32', b.features, b.dims) };
    if (b.lengths) {
      if (b.lengths.length !== b.dims[0]) throw new Error(`${this.path}: lengths must be [${b.dims[0]}], got [${b.lengths.length}]`);
      feeds.lengths = new ort.Tensor('int64', b.lengths, [b.lengths.length]);
    }
    const out = await this.session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, rows(t)]));
  }

  /** Posteriors of feature blocks (see {@link WindowedPredictor.predictBlocks}). */
  predictBlocks(blocks: readonly Features[], labels?: readonly string[]): Promise<number[][]> {
    return this.core.predictBlocks(blocks, labels);
  }

  /** Class posteriors of mono signals (see {@link WindowedPredictor.predictMany}). */
  predictMany(
    signals: readonly Float32Array[],
    sampleRateHz: number,
    o: WindowOptions = {},
    labels?: readonly string[],
  ): Promise<SignalPrediction[]> {
    return this.core.predictMany(signals, sampleRateHz, o, labels);
  }

  /** Window posteriors as they are computed (see {@link WindowedPredictor.windows}). */
  windows(
    signals: readonly Float32Array[],
    sampleRateHz: number,
    o: WindowOptions = {},
    labels?: readonly string[],
  ): AsyncGenerator<{ signal: number; prediction: WindowPrediction }> {
    return this.core.windows(signals, sampleRateHz, o, labels);
  }

  /** {@link predictMany} for one signal. */
  async predict(samples: Float32Array, sampleRateHz: number, o: WindowOptions = {}): Promise<SignalPrediction> {
    return (await this.predictMany([samples], sampleRateHz, o))[0];
  }

  /** Frees the session. */
  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Opens an exported model (see {@link OnnxSerModel.load}). */
export function loadOnnxModel(path: string, o: OnnxModelOptions = {}): Promise<OnnxSerModel> {
  return OnnxSerModel.load(path, o);
}
