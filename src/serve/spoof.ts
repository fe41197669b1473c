/**
 * The optional countermeasure of the service: the runtime's {@link OnnxSpoofSession} (any graph of
 * the spoof-model contract — input `wave` [batch, samples] at 16 kHz, output `logits` [batch, 2] =
 * [spoof, bona fide]; `trustser export-spoof` writes one), plus the file's bytes for the web app
 * and the verdict of src/serve/analysis.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SpoofVad } from '../models/index.js';
import { OnnxSpoofSession } from '../runtime/index.js';
import type { SpoofCalibration } from '../metrics/index.js';
import { spoofVerdict, type SpoofResult } from './analysis.js';

/** A countermeasure served by `trustser serve`. */
export class ServedSpoofModel {
  private constructor(
    readonly path: string,
    readonly bytes: Uint8Array,
    private readonly session: OnnxSpoofSession,
  ) {}

  /**
   * Opens `path` (and its sidecar `path.json` when present); errors name the file.
   * @param threads ONNX Runtime intra-op threads
   */
  static async load(path: string, threads = 1): Promise<ServedSpoofModel> {
    const file = resolve(path);
    const session = await OnnxSpoofSession.load(file, { intraOpThreads: threads, batchSize: 1 });
    return new ServedSpoofModel(file, new Uint8Array(readFileSync(file)), session);
  }

  /** Samples per clip (64,600 for AASIST). */
  get samples(): number {
    return this.session.samples;
  }

  /** Rate the clips must have (Hz). */
  get sampleRateHz(): number {
    return this.session.sampleRateHz;
  }

  /** What of each clip the model hears (its sidecar's `input.vad`; default all of it). */
  get vad(): SpoofVad {
    return this.session.sidecar?.input.vad ?? 'none';
  }

  /** The calibration its sidecar carries (null: uncalibrated). */
  get calibration(): SpoofCalibration | null {
    return this.session.sidecar?.calibration ?? null;
  }

  /** The model's name from its sidecar (null for a graph without one). */
  get name(): string | null {
    return this.session.sidecar?.model.name ?? null;
  }

  /** Score and verdict of a whole mono clip at {@link sampleRateHz}, in windows of {@link samples} (their mean logits). */
  async score(samples: Float32Array): Promise<SpoofResult> {
    const [s] = await this.session.scoreSignals([samples], [this.path]);
    return spoofVerdict(s.logits, s, this.calibration ?? undefined);
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
