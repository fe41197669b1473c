/**
 * The exported SER model in the page: the same steps as the runtime's `OnnxSerModel.predictMany`
 * on one signal (src/runtime/session.ts), on ONNX Runtime Web — windows of the signal
 * (`windowsOf`), the training-time features of each (`featurize`, the project's own TypeScript
 * feature code), longest-first batches in the exported layout (`makeBatch`), and the windows'
 * mean as the decision (`emotionResult`) — so the page predicts what the server predicts.
 */
import { featureSetFor, featurize, checkBlock, makeBatch, windowsOf, type FeatureBlock } from '../../src/runtime/inputs.js';
import type { Sidecar } from '../../src/runtime/sidecar.js';
import type { FeatureSet } from '../../src/features/index.js';
import { emotionResult, type AnalyzeResponse } from '../../src/serve/analysis.js';
import { createSession, ort } from './ort.js';

/** Windows per session run (the runtime's DEFAULT_BATCH_SIZE). */
const BATCH_SIZE = 16;

/** Window geometry (s). */
export interface Windowing {
  windowSeconds: number;
  hopSeconds: number;
}

export class BrowserSerModel {
  private readonly set: FeatureSet;

  private constructor(readonly sidecar: Sidecar, private readonly session: ort.InferenceSession) {
    this.set = featureSetFor(sidecar, 'model.onnx.json');
  }

  /** Opens the model from its bytes and (server-validated) sidecar. */
  static async create(bytes: Uint8Array, sidecar: Sidecar): Promise<BrowserSerModel> {
    return new BrowserSerModel(sidecar, await createSession(bytes, sidecar.model.name));
  }

  get sampleRateHz(): number {
    return this.sidecar.sampleRateHz;
  }

  private async run(blocks: FeatureBlock[]): Promise<number[][]> {
    const b = makeBatch(this.sidecar, blocks);
    const feeds: Record<string, ort.Tensor> = { features: new ort.Tensor('float32', b.features, b.dims) };
    if (b.lengths) feeds.lengths = new ort.Tensor('int64', b.lengths, [b.lengths.length]);
    const out = await this.session.run(feeds, ['probs']);
    const t = out.probs;
    const k = t.dims[1];
    const data = t.data as Float32Array;
    return blocks.map((_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
  }

  /**
   * Emotion posteriors of a mono signal at the model's rate: per window and their mean.
   * @param signal samples at {@link sampleRateHz}
   */
  async analyze(signal: Float32Array, w: Windowing): Promise<Pick<AnalyzeResponse, 'emotion' | 'windows'>> {
    const rate = this.sampleRateHz;
    const win = Math.round(w.windowSeconds * rate);
    const hop = Math.max(1, Math.round(w.hopSeconds * rate));
    const spans = windowsOf(signal.length, win, hop);
    const blocks = spans.map((s) => featurize(this.set, this.sidecar, signal.subarray(s.start, s.end)));
    blocks.forEach((b, i) => checkBlock(this.sidecar, b, `audio [${(spans[i].start / rate).toFixed(2)} s]`));
    const order = blocks.map((_, i) => i).sort((a, b) => blocks[b].frames - blocks[a].frames);
    const probs: number[][] = new Array(blocks.length);
    for (let i = 0; i < order.length; i += BATCH_SIZE) {
      const idx = order.slice(i, i + BATCH_SIZE);
      const rows = await this.run(idx.map((j) => blocks[j]));
      idx.forEach((j, r) => (probs[j] = rows[r]));
    }
    return emotionResult(this.sidecar.classes, spans.map((s, i) => ({ startSeconds: s.start / rate, endSeconds: s.end / rate, probs: probs[i] })));
  }
}
