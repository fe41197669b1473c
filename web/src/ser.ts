/**
 * The exported SER model in the page: the runtime's {@link WindowedPredictor} (the same windows,
 * training-time features, batches and window mean as `OnnxSerModel` in Node) with ONNX Runtime
 * Web running each batch, so the page predicts what the server predicts.
 */
import type { GraphBatch } from '../../src/runtime/pure.js';
import { WindowedPredictor } from '../../src/runtime/pure.js';
import type { Sidecar } from '../../src/runtime/pure.js';
import { analyzeEmotion, type EmotionAnalysis } from '../../src/serve/pure.js';
import { createSession, ort } from './ort.js';

/** Window geometry (s). */
export interface Windowing {
  windowSeconds: number;
  hopSeconds: number;
}

export class BrowserSerModel {
  private readonly core: WindowedPredictor;

  private constructor(
    readonly sidecar: Sidecar,
    private readonly session: ort.InferenceSession,
  ) {
    this.core = new WindowedPredictor(sidecar, (b) => this.run(b), undefined, 'model.onnx.json');
  }

  /** Opens the model from its bytes and (server-validated) sidecar. */
  static async create(bytes: Uint8Array, sidecar: Sidecar): Promise<BrowserSerModel> {
    return new BrowserSerModel(sidecar, await createSession(bytes, sidecar.model.name));
  }

  get sampleRateHz(): number {
    return this.sidecar.sampleRateHz;
  }

  private async run(b: GraphBatch): Promise<number[][]> {
    const feeds: Record<string, ort.Tensor> = { features: new ort.Tensor('float32', b.features, b.dims) };
    if (b.lengths) feeds.lengths = new ort.Tensor('int64', b.lengths, [b.lengths.length]);
    const t = (await this.session.run(feeds, ['probs'])).probs;
    const k = t.dims[1];
    const data = t.data as Float32Array;
    return Array.from({ length: b.dims[0] }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
  }

  /**
   * The speech check, then the emotion posteriors of a mono signal at the model's rate: per
   * window and their mean (as the server's analysis).
   * @param signal samples at {@link sampleRateHz}
   */
  analyze(signal: Float32Array, w: Windowing): Promise<EmotionAnalysis> {
    return analyzeEmotion(
      this.sidecar.classes,
      signal,
      this.sampleRateHz,
      async (x) => (await this.core.predictMany([x], this.sampleRateHz, w, ['audio']))[0].windows,
    );
  }
}
