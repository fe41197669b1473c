/**
 * The countermeasure in the page, when the server offers one: the spoof-model contract of
 * src/serve/analysis.ts on ONNX Runtime Web, with the clip fitted as the server fits it (its
 * first `samples`, shorter clips tiled) at the length and rate the server reports.
 */
import { fitAasistInput } from '../../src/models/pure.js';
import { SPOOF_INPUT, SPOOF_OUTPUT, spoofVerdict, type ModelInfo, type SpoofResult } from '../../src/serve/pure.js';
import { createSession, ort } from './ort.js';

type SpoofInfo = NonNullable<ModelInfo['spoof']>;

export class BrowserSpoofModel {
  private constructor(
    private readonly info: SpoofInfo,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(bytes: Uint8Array, info: SpoofInfo): Promise<BrowserSpoofModel> {
    return new BrowserSpoofModel(info, await createSession(bytes, info.name ?? 'spoof model'));
  }

  /** Rate the clips must have (Hz). */
  get sampleRateHz(): number {
    return this.info.sampleRateHz;
  }

  /** Score and verdict of a mono clip at {@link sampleRateHz}. */
  async score(samples: Float32Array): Promise<SpoofResult> {
    const n = this.info.samples;
    const wave = new ort.Tensor('float32', fitAasistInput(samples, n), [1, n]);
    const out = await this.session.run({ [SPOOF_INPUT]: wave }, [SPOOF_OUTPUT]);
    return spoofVerdict(Array.from(out[SPOOF_OUTPUT].data as Float32Array));
  }
}
