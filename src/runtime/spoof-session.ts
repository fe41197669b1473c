/**
 * ONNX Runtime scoring with an exported spoofing countermeasure (the spoof-model contract of
 * spoof-sidecar.ts: `wave` [batch, samples] → `logits` [batch, 2] = [spoof, bona fide]).
 * `loadSpoofSession(path)` opens `spoof.onnx` (with its sidecar when there is one);
 * {@link OnnxSpoofSession.scoreSignals} scores whole 16 kHz clips in windows of the input length
 * (a shorter clip tiled, as the published evaluation does) in batches; {@link scoreFilesOnnx}
 * does the same for audio files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadAudioBatch } from '../audio/index.js';
import { settleBatch, type FileFailure } from '../core/pure.js';
import {
  AASIST_SAMPLES,
  AASIST_SAMPLE_RATE_HZ,
  resolveWindowing,
  scoreInWindows,
  spoofInput,
  windowedSummary,
  type SpoofWindowing,
} from '../models/index.js';
import { ortSessionOptions } from './session.js';
import { readSpoofSidecar } from './sidecar-files.js';
import { LOGITS_OUTPUT, SCORE_INDEX, SPOOF_CLASSES, WAVE_INPUT, type SpoofSidecar } from './spoof-sidecar.js';

/** Default clips per session run. */
export const DEFAULT_SPOOF_BATCH = 8;
/** Files decoded per chunk by {@link scoreFilesOnnx} (bounds the decoded audio held at once). */
const FILE_CHUNK = 64;

export interface SpoofSessionOptions {
  /** ONNX Runtime intra-op threads (default: ORT's choice, all cores). */
  intraOpThreads?: number;
  /** Clips per session run (default {@link DEFAULT_SPOOF_BATCH}). */
  batchSize?: number;
  /** Let ORT's intra-op threads busy-wait between operators (off by default; see session.ts). */
  spinWait?: boolean;
}

/** The score of one clip: the bona fide logit of its aggregated windows (higher = more bona fide), both logits, what was scored. */
export interface SpoofClipScore {
  score: number;
  /** [spoof, bona fide] */
  logits: [number, number];
  /** Windows of the model's input length scored. */
  windows: number;
  /** Length of the clip (s). */
  seconds: number;
  /** Audio some window covered (s). */
  scoredSeconds: number;
}

/** A scored file. */
export interface SpoofFileScore extends SpoofClipScore {
  path: string;
}

/** An exported countermeasure opened in ONNX Runtime. */
export class OnnxSpoofSession {
  /** Samples per clip and their rate (Hz). */
  readonly samples: number;
  readonly sampleRateHz: number;
  readonly batchSize: number;

  private constructor(
    readonly path: string,
    readonly sidecar: SpoofSidecar | null,
    private readonly session: ort.InferenceSession,
    o: SpoofSessionOptions,
  ) {
    this.samples = sidecar?.input.samples ?? AASIST_SAMPLES;
    this.sampleRateHz = sidecar?.sampleRateHz ?? AASIST_SAMPLE_RATE_HZ;
    this.batchSize = o.batchSize ?? DEFAULT_SPOOF_BATCH;
  }

  /** Opens `path` and, when present, its sidecar `path.json`; errors name the file. */
  static async load(path: string, o: SpoofSessionOptions = {}): Promise<OnnxSpoofSession> {
    const file = resolve(path);
    if (!existsSync(file)) throw new Error(`${file}: no such spoof model file`);
    if (statSync(file).isDirectory()) throw new Error(`${file}: is a folder; pass the .onnx file that trustser export-spoof wrote`);
    return OnnxSpoofSession.fromBytes(readFileSync(file), readSpoofSidecar(file), file, o);
  }

  /**
   * A session over serialized ONNX bytes; `sidecar` null means the contract's defaults
   * (64,600 samples at 16 kHz). `label` names the model in errors.
   */
  static async fromBytes(
    bytes: Uint8Array,
    sidecar: SpoofSidecar | null,
    label: string,
    o: SpoofSessionOptions = {},
  ): Promise<OnnxSpoofSession> {
    if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize < 1))
      throw new Error(`batchSize must be a positive integer, got ${o.batchSize}`);
    const options = ortSessionOptions(o);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, options);
    } catch (e) {
      throw new Error(`${label}: ONNX Runtime cannot load the spoof model (${(e as Error).message.split('\n')[0]})`);
    }
    if (!session.inputNames.includes(WAVE_INPUT) || !session.outputNames.includes(LOGITS_OUTPUT)) {
      const found = `inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}]`;
      await session.release();
      throw new Error(`${label}: not a spoof model: the graph needs input '${WAVE_INPUT}' and output '${LOGITS_OUTPUT}', it has ${found}`);
    }
    return new OnnxSpoofSession(label, sidecar, session, o);
  }

  /**
   * Logits of a batch of already fitted clips: `wave` holds `batch` rows of {@link samples}
   * samples, row-major. Returns [batch · 2] = per clip [spoof, bona fide].
   */
  async logits(wave: Float32Array, batch: number): Promise<Float32Array> {
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`${this.path}: batch must be a positive integer, got ${batch}`);
    if (wave.length !== batch * this.samples) {
      throw new Error(
        `${this.path}: '${WAVE_INPUT}' must be [${batch}, ${this.samples}] (${batch * this.samples} samples), got ${wave.length} samples`,
      );
    }
    const out = await this.session.run({ [WAVE_INPUT]: new ort.Tensor('float32', wave, [batch, this.samples]) });
    const t = out[LOGITS_OUTPUT];
    if (t.dims.length !== 2 || t.dims[0] !== batch || t.dims[1] !== SPOOF_CLASSES.length) {
      throw new Error(`${this.path}: '${LOGITS_OUTPUT}' must be [${batch}, ${SPOOF_CLASSES.length}], got [${t.dims.join(', ')}]`);
    }
    return t.data as Float32Array;
  }

  /**
   * Scores of mono clips at {@link sampleRateHz}, each whole clip in windows of {@link samples}
   * (hop and aggregation: `windowing`, default non-overlapping windows and their mean logits; a
   * shorter clip is tiled), {@link batchSize} windows per run. `labels` name clips in errors.
   */
  async scoreSignals(
    clips: readonly Float32Array[],
    labels?: readonly string[],
    windowing: SpoofWindowing = {},
  ): Promise<SpoofClipScore[]> {
    const vad = this.sidecar?.input.vad ?? 'none';
    const rs = await scoreInWindows(
      clips.map((c) => spoofInput(c, this.sampleRateHz, vad)),
      this.samples,
      resolveWindowing(windowing, this.samples),
      this.batchSize,
      (wave, rows) => this.logits(wave, rows),
      labels,
    );
    return rs.map((r, i) => ({ score: r.logits[SCORE_INDEX], ...windowedSummary(r, clips[i].length, this.sampleRateHz) }));
  }

  /** Frees the session. */
  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Opens an exported countermeasure (see {@link OnnxSpoofSession.load}). */
export function loadSpoofSession(path: string, o: SpoofSessionOptions = {}): Promise<OnnxSpoofSession> {
  return OnnxSpoofSession.load(path, o);
}

/**
 * Scores audio files with the countermeasure at `modelPath`: each file is decoded and resampled
 * to the model's rate, fitted and scored in batches. A file that cannot be read or scored is
 * listed in `failed` with its reason while the others are scored.
 */
export async function scoreFilesOnnx(
  modelPath: string,
  paths: readonly string[],
  o: SpoofSessionOptions & SpoofWindowing & { onProgress?: (done: number, total: number) => void } = {},
): Promise<{ scores: SpoofFileScore[]; failed: FileFailure[] }> {
  if (paths.length === 0) throw new Error('spoof scoring: no audio files given');
  resolveWindowing(o, AASIST_SAMPLES); // bad options fail before the model is opened
  const model = await loadSpoofSession(modelPath, o);
  try {
    const scores: SpoofFileScore[] = [];
    const failed: FileFailure[] = [];
    for (let i = 0; i < paths.length; i += FILE_CHUNK) {
      const loaded = await loadAudioBatch(paths.slice(i, i + FILE_CHUNK), { sampleRateHz: model.sampleRateHz });
      failed.push(...loaded.failed.map((f) => ({ path: f.path, reason: f.error.message })));
      const r = await settleBatch(
        loaded.ok,
        (xs) =>
          model.scoreSignals(
            xs.map((x) => x.samples),
            xs.map((x) => x.path),
            o,
          ),
        (x) => x.path,
      );
      failed.push(...r.failed);
      for (const { item, result } of r.results) scores.push({ path: item.path, ...result });
      o.onProgress?.(scores.length + failed.length, paths.length);
    }
    return { scores, failed };
  } finally {
    await model.close();
  }
}
