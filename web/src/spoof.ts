/**
 * The countermeasure in the page, when the server offers one: the spoof-model contract of
 * src/serve/analysis.ts on ONNX Runtime Web, the whole clip scored in windows as the server
 * scores it (windows of `samples`, their mean logits; shorter clips tiled) at the length and
 * rate the server reports, on what of the clip the server's model hears (`vad`).
 */
import { resolveWindowing, scoreInWindows, spoofInput, windowedSummary } from '../../src/models/pure.js';
import { SPOOF_INPUT, SPOOF_OUTPUT, spoofVerdict, type ModelInfo, type SpoofResult } from '../../src/serve/pure.js';
import { createSession, ort } from './ort.js';

type SpoofInfo = NonNullable<ModelInfo['spoof']>;
/** Windows per session run (the server's batch). */
const WINDOWS_PER_RUN = 8;

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
    const heard = spoofInput(samples, this.info.sampleRateHz, this.info.vad ?? 'none');
    const [r] = await scoreInWindows([heard], n, resolveWindowing({}, n), WINDOWS_PER_RUN, async (wave, rows) => {
      const out = await this.session.run({ [SPOOF_INPUT]: new ort.Tensor('float32', wave, [rows, n]) }, [SPOOF_OUTPUT]);
      return out[SPOOF_OUTPUT].data as Float32Array;
    });
    return spoofVerdict(r.logits, windowedSummary(r, samples.length, this.info.sampleRateHz), this.info.calibration ?? undefined);
  }
}
