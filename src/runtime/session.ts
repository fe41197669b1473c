/**
 * ONNX Runtime inference of an exported SER model: `loadOnnxModel(path)` opens `model.onnx` with
 * its sidecar and returns an {@link OnnxSerModel} whose `predict` turns raw samples into class
 * posteriors with the training-time features, batching many signals and streaming long ones in
 * windows (per-window posteriors and their mean as the utterance decision).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { resample } from '../audio/index.js';
import type { FeatureSet } from '../features/index.js';
import { checkBlock, featureSetFor, featurize, makeBatch, windowsOf, type FeatureBlock, type GraphBatch } from './inputs.js';
import { readSidecar, type Sidecar } from './sidecar.js';

/** Default signals (or windows) per session run. */
export const DEFAULT_BATCH_SIZE = 16;
/** Batches of features computed ahead of the session (bounds memory on long inputs). */
export const CHUNK_BATCHES = 8;

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
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new Error(`intraOpThreads must be a positive integer, got ${threads}`);
  return {
    ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
    interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: o.spinWait ? '1' : '0' } } },
  };
}

/** Streaming of long signals: windows of `windowSeconds` every `hopSeconds` (default: the window). */
export interface WindowOptions {
  windowSeconds?: number;
  hopSeconds?: number;
}

/** Posteriors of one window of a signal. */
export interface WindowPrediction {
  startSeconds: number;
  endSeconds: number;
  probs: number[];
}

/** The decision for one signal: mean of its windows' posteriors (one window without streaming). */
export interface SignalPrediction {
  probs: number[];
  label: string;
  windows: WindowPrediction[];
}

/** Raw graph outputs for a batch: rows of each named output. */
export type GraphOutputs = Record<string, number[][]>;

function argmax(p: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}

function rows(t: ort.Tensor): number[][] {
  const [n, k] = t.dims as number[];
  const data = t.data as Float32Array;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
}

/** An exported model opened in ONNX Runtime. */
export class OnnxSerModel {
  readonly classes: string[];
  readonly sampleRateHz: number;
  private readonly set: FeatureSet;
  private readonly batchSize: number;

  private constructor(readonly path: string, readonly sidecar: Sidecar, private readonly session: ort.InferenceSession, o: OnnxModelOptions) {
    this.classes = sidecar.classes;
    this.sampleRateHz = sidecar.sampleRateHz;
    this.set = featureSetFor(sidecar, path);
    this.batchSize = o.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${o.batchSize}`);
  }

  /** Opens `path` (model.onnx) and its sidecar; errors name the file. */
  static async load(path: string, o: OnnxModelOptions = {}): Promise<OnnxSerModel> {
    const file = resolve(path);
    if (!existsSync(file)) throw new Error(`${file}: no such model file`);
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
    if (b.features.length !== b.dims.reduce((x, y) => x * y, 1)) throw new Error(`${this.path}: ${b.features.length} feature values do not fill [${b.dims.join(', ')}]`);
    if (this.sidecar.input.lengths !== (b.lengths !== null)) throw new Error(`${this.path}: the graph ${this.sidecar.input.lengths ? 'needs' : 'takes no'} lengths`);
    const feeds: Record<string, ort.Tensor> = { features: new ort.Tensor('float32', b.features, b.dims) };
    if (b.lengths) {
      if (b.lengths.length !== b.dims[0]) throw new Error(`${this.path}: lengths must be [${b.dims[0]}], got [${b.lengths.length}]`);
      feeds.lengths = new ort.Tensor('int64', b.lengths, [b.lengths.length]);
    }
    const out = await this.session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, rows(t)]));
  }

  /** Posteriors of feature blocks (one row each), in batches of `batchSize`; frame models batch similar lengths together. */
  async predictBlocks(blocks: readonly FeatureBlock[], labels?: readonly string[]): Promise<number[][]> {
    blocks.forEach((b, i) => checkBlock(this.sidecar, b, labels?.[i] ?? `input ${i}`));
    const order = blocks.map((_, i) => i).sort((a, b) => blocks[b].frames - blocks[a].frames);
    const probs: number[][] = new Array(blocks.length);
    for (let i = 0; i < order.length; i += this.batchSize) {
      const idx = order.slice(i, i + this.batchSize);
      const out = await this.runBatch(makeBatch(this.sidecar, idx.map((j) => blocks[j])));
      idx.forEach((j, r) => (probs[j] = out.probs[r]));
    }
    return probs;
  }

  /**
   * Class posteriors of mono signals at `sampleRateHz` (resampled to the model's rate when
   * different). With `windowSeconds`, each signal is cut into windows every `hopSeconds`, each
   * window classified on its own features, and the signal's posterior is the windows' mean.
   * Features are computed chunk by chunk, so memory stays bounded for long inputs. `labels`
   * name the signals in errors.
   */
  async predictMany(signals: readonly Float32Array[], sampleRateHz: number, o: WindowOptions = {}, labels?: readonly string[]): Promise<SignalPrediction[]> {
    const out: SignalPrediction[] = signals.map(() => ({ probs: [], label: '', windows: [] }));
    for await (const w of this.windows(signals, sampleRateHz, o, labels)) out[w.signal].windows.push(w.prediction);
    for (const p of out) {
      p.probs = this.classes.map((_, k) => p.windows.reduce((s, w) => s + w.probs[k], 0) / p.windows.length);
      p.label = this.classes[argmax(p.probs)];
    }
    return out;
  }

  /**
   * Streams window posteriors of `signals` (see {@link predictMany}) as they are computed, in
   * chunks of {@link CHUNK_BATCHES} batches; windows of one signal come in time order.
   */
  async *windows(signals: readonly Float32Array[], sampleRateHz: number, o: WindowOptions = {}, labels?: readonly string[]): AsyncGenerator<{ signal: number; prediction: WindowPrediction }> {
    if (!(sampleRateHz > 0)) throw new Error(`sampleRateHz must be positive, got ${sampleRateHz}`);
    const { window, hop } = this.windowSamples(o);
    const rate = this.sampleRateHz;
    let blocks: FeatureBlock[] = [];
    let owners: { signal: number; start: number; end: number }[] = [];
    let names: string[] = [];
    const flush = async () => {
      const probs = await this.predictBlocks(blocks, names);
      const done = owners.map((w, i) => ({ signal: w.signal, prediction: { startSeconds: w.start / rate, endSeconds: w.end / rate, probs: probs[i] } }));
      blocks = [];
      owners = [];
      names = [];
      return done;
    };
    for (let u = 0; u < signals.length; u++) {
      const sig = sampleRateHz === rate ? signals[u] : resample(signals[u], sampleRateHz, rate);
      for (const w of window === null ? [{ start: 0, end: sig.length }] : windowsOf(sig.length, window, hop!)) {
        blocks.push(featurize(this.set, this.sidecar, sig.subarray(w.start, w.end)));
        owners.push({ signal: u, ...w });
        names.push(`${labels?.[u] ?? `signal ${u}`}${window === null ? '' : ` [${(w.start / rate).toFixed(2)} s]`}`);
        if (blocks.length >= CHUNK_BATCHES * this.batchSize) yield* await flush();
      }
    }
    if (blocks.length > 0) yield* await flush();
  }

  /** {@link predictMany} for one signal. */
  async predict(samples: Float32Array, sampleRateHz: number, o: WindowOptions = {}): Promise<SignalPrediction> {
    return (await this.predictMany([samples], sampleRateHz, o))[0];
  }

  private windowSamples(o: WindowOptions): { window: number | null; hop: number | null } {
    if (o.windowSeconds === undefined) {
      if (o.hopSeconds !== undefined) throw new Error('hopSeconds needs windowSeconds');
      return { window: null, hop: null };
    }
    const hopS = o.hopSeconds ?? o.windowSeconds;
    if (!(o.windowSeconds > 0) || !(hopS > 0)) throw new Error(`window and hop must be positive seconds, got ${o.windowSeconds} and ${hopS}`);
    return { window: Math.round(o.windowSeconds * this.sampleRateHz), hop: Math.max(1, Math.round(hopS * this.sampleRateHz)) };
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
