/**
 * The platform-independent half of ONNX inference: training-time features of signals (or of their
 * windows), longest-first batches in the exported layout, the graph's posteriors calibrated with
 * the sidecar's temperature, and window posteriors averaged into the utterance decision.
 * `OnnxSerModel` (onnxruntime-node) and the web app (onnxruntime-web) each give it their own way
 * to run a batch, so Node and the browser predict the same numbers.
 */
import { resample } from '../dsp/index.js';
import type { FeatureSet, Features } from '../features/pure.js';
import { temperatureScaleRow } from '../metrics/pure.js';
import { checkBlock, featureSetFor, featurize, makeBatch, windowsOf, type GraphBatch } from './inputs.js';
import type { Sidecar } from './sidecar.js';

/** Default signals (or windows) per session run. */
export const DEFAULT_BATCH_SIZE = 16;
/** Batches of features computed ahead of the session (bounds memory on long inputs). */
export const CHUNK_BATCHES = 8;

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

/** Runs one assembled batch through the graph and returns its `probs` rows. */
export type ProbsRunner = (batch: GraphBatch) => Promise<number[][]>;

function argmax(p: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}

/** Features → batches → posteriors for one exported model, whatever runs the graph. */
export class WindowedPredictor {
  readonly classes: string[];
  readonly sampleRateHz: number;
  private readonly set: FeatureSet;

  /**
   * @param label names the model in errors (its path)
   * @param batchSize signals or windows per graph run
   */
  constructor(
    readonly sidecar: Sidecar,
    private readonly runProbs: ProbsRunner,
    readonly batchSize: number = DEFAULT_BATCH_SIZE,
    label = 'model.onnx',
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    this.classes = sidecar.classes;
    this.sampleRateHz = sidecar.sampleRateHz;
    this.set = featureSetFor(sidecar, label);
  }

  /**
   * Calibrated posteriors of feature blocks (one row each): the graph's `probs` scaled by the
   * sidecar's temperature, in batches of `batchSize`; frame models batch similar lengths together.
   */
  async predictBlocks(blocks: readonly Features[], labels?: readonly string[]): Promise<number[][]> {
    blocks.forEach((b, i) => checkBlock(this.sidecar, b, labels?.[i] ?? `input ${i}`));
    const order = blocks.map((_, i) => i).sort((a, b) => blocks[b].frames - blocks[a].frames);
    const probs: number[][] = new Array(blocks.length);
    for (let i = 0; i < order.length; i += this.batchSize) {
      const idx = order.slice(i, i + this.batchSize);
      const rows = await this.runProbs(
        makeBatch(
          this.sidecar,
          idx.map((j) => blocks[j]),
        ),
      );
      const t = this.sidecar.temperature;
      idx.forEach((j, r) => (probs[j] = temperatureScaleRow(rows[r], t)));
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
  async predictMany(
    signals: readonly Float32Array[],
    sampleRateHz: number,
    o: WindowOptions = {},
    labels?: readonly string[],
  ): Promise<SignalPrediction[]> {
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
  async *windows(
    signals: readonly Float32Array[],
    sampleRateHz: number,
    o: WindowOptions = {},
    labels?: readonly string[],
  ): AsyncGenerator<{ signal: number; prediction: WindowPrediction }> {
    if (!(sampleRateHz > 0)) throw new Error(`sampleRateHz must be positive, got ${sampleRateHz}`);
    const { window, hop } = this.windowSamples(o);
    const rate = this.sampleRateHz;
    let blocks: Features[] = [];
    let owners: { signal: number; start: number; end: number }[] = [];
    let names: string[] = [];
    const flush = async () => {
      const probs = await this.predictBlocks(blocks, names);
      const done = owners.map((w, i) => ({
        signal: w.signal,
        prediction: { startSeconds: w.start / rate, endSeconds: w.end / rate, probs: probs[i] },
      }));
      blocks = [];
      owners = [];
      names = [];
      return done;
    };
    for (let u = 0; u < signals.length; u++) {
      const sig = sampleRateHz === rate ? signals[u] : resample(signals[u], sampleRateHz, rate);
      for (const w of window === null ? [{ start: 0, end: sig.length }] : windowsOf(sig.length, window, hop!)) {
        blocks.push(await featurize(this.set, this.sidecar, sig.subarray(w.start, w.end)));
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
    if (!(o.windowSeconds > 0) || !(hopS > 0))
      throw new Error(`window and hop must be positive seconds, got ${o.windowSeconds} and ${hopS}`);
    return { window: Math.round(o.windowSeconds * this.sampleRateHz), hop: Math.max(1, Math.round(hopS * this.sampleRateHz)) };
  }
}
