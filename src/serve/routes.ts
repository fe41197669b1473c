/**
 * The service's routes: `GET /healthz`, `GET /v1/model` (sidecar summary and trust numbers),
 * the graph files for in-browser inference (the model, the countermeasure, and the pretrained
 * models its features run, e.g. the speech-embedding backbone), and `POST /v1/analyze` (raw audio body or a
 * multipart file field; `?minConfidence=P` raises the server's confidence threshold) on the
 * worker pool within the per-request timeout.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sidecar } from '../runtime/index.js';
import type { SpoofCalibration } from '../metrics/index.js';
import type { SpoofVad } from '../models/index.js';
import { MIN_CONFIDENCE_PARAM, applyMinConfidence, type AnalyzeResponse, type ModelInfo } from './analysis.js';
import { HttpError } from './errors.js';
import type { ResolvedServeOptions } from './options.js';
import type { AnalysisPool } from './pool.js';

/** Paths of the graph files the web app downloads. */
export const MODEL_FILE_ROUTE = '/v1/model.onnx';
export const SIDECAR_FILE_ROUTE = '/v1/model.onnx.json';
export const SPOOF_FILE_ROUTE = '/v1/spoof.onnx';
/** Prefix of the pretrained models' files: `/v1/pretrained/<model>/<file>`. */
const PRETRAINED_ROUTE_PREFIX = '/v1/pretrained';

/** The download path of file `file` of pretrained model `model`. */
function pretrainedRoute(model: string, file: string): string {
  return `${PRETRAINED_ROUTE_PREFIX}/${encodeURIComponent(model)}/${encodeURIComponent(file)}`;
}

/** One file of a pretrained model the served model's features run (the web app runs it too). */
export interface PretrainedFile {
  model: string;
  file: string;
  bytes: Uint8Array;
}
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is open without the bearer token (see `requireToken` in server.ts); routes are protected by default. */
    public?: boolean;
  }
}
/** Label of a raw-body upload in error messages. */
const RAW_UPLOAD_LABEL = 'upload';

/** The countermeasure as the routes see it: its graph for download and what it expects. */
export interface SpoofInfo {
  name: string | null;
  samples: number;
  sampleRateHz: number;
  vad: SpoofVad;
  calibration: SpoofCalibration | null;
  bytes: Uint8Array;
}

/** What the routes serve. */
export interface ServiceState {
  options: ResolvedServeOptions;
  /** The SER model's sidecar and graph bytes (the workers hold the sessions). */
  sidecar: Sidecar;
  modelBytes: Uint8Array;
  spoof: SpoofInfo | null;
  /** Files of the pretrained models the features need, in each model's file order. */
  pretrained: PretrainedFile[];
  pool: AnalysisPool;
  startedAt: number;
}

/** The `GET /v1/model` summary. */
export function modelInfo(s: ServiceState): ModelInfo {
  const sc = s.sidecar;
  const o = s.options;
  return {
    model: { name: sc.model.name, params: sc.model.params, fold: sc.fold, foldName: sc.foldName, corpus: sc.corpus, labelMap: sc.labelMap },
    classes: sc.classes,
    sampleRateHz: sc.sampleRateHz,
    features: { set: sc.features.set, inputKind: sc.input.kind },
    outputs: sc.outputs,
    trust: sc.trust,
    verification: sc.verification,
    createdAt: sc.createdAt,
    trustserVersion: sc.trustserVersion,
    windowing: { windowSeconds: o.windowSeconds, hopSeconds: o.hopSeconds },
    limits: { maxBodyBytes: o.maxBodyBytes, maxSeconds: o.maxSeconds },
    spoof: s.spoof
      ? {
          name: s.spoof.name,
          samples: s.spoof.samples,
          sampleRateHz: s.spoof.sampleRateHz,
          vad: s.spoof.vad,
          calibration: s.spoof.calibration,
        }
      : null,
    calibration: { temperature: sc.temperature, calibrated: sc.calibrated },
    minConfidence: o.minConfidence,
    files: { model: MODEL_FILE_ROUTE, sidecar: SIDECAR_FILE_ROUTE, spoof: s.spoof ? SPOOF_FILE_ROUTE : null },
    pretrained: [...new Set(s.pretrained.map((f) => f.model))].map((name) => ({
      name,
      files: s.pretrained.filter((f) => f.model === name).map((f) => pretrainedRoute(f.model, f.file)),
    })),
  };
}

/** The upload's bytes and name: a raw audio body, or the first file part of a multipart body. */
async function uploadOf(req: FastifyRequest): Promise<{ bytes: Uint8Array; label: string }> {
  if (req.isMultipart()) {
    try {
      const part = await req.file();
      if (!part)
        throw new HttpError(
          400,
          'no_audio',
          'the multipart body has no file part; send the audio as a file field (e.g. -F file=@clip.wav)',
        );
      const buf = await part.toBuffer();
      return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), label: part.filename || part.fieldname };
    } catch (e) {
      // The parser's own limits keep their status (413 for a file over the size limit); a damaged body is the client's error.
      const status = (e as { statusCode?: number }).statusCode;
      if (e instanceof HttpError || (status !== undefined && status < 500)) throw e;
      throw new HttpError(400, 'bad_multipart', `the multipart body is malformed (${(e as Error).message})`);
    }
  }
  if (!Buffer.isBuffer(req.body)) {
    throw new HttpError(
      400,
      'no_audio',
      'send the audio as the request body (Content-Type audio/wav, audio/flac, audio/mpeg, audio/ogg or application/octet-stream) or as a multipart file field',
    );
  }
  return { bytes: new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength), label: RAW_UPLOAD_LABEL };
}

/**
 * The confidence threshold of a request: `?minConfidence=P` (a probability, at least the
 * server's `--min-confidence`, which is the floor and the default). A bad or lower value is a 400.
 */
export function requestMinConfidence(query: unknown, floor: number): number {
  const raw = (query as Record<string, unknown> | null | undefined)?.[MIN_CONFIDENCE_PARAM];
  if (raw === undefined) return floor;
  const bad = (why: string) => new HttpError(400, 'bad_min_confidence', `${MIN_CONFIDENCE_PARAM}: ${why}`);
  if (typeof raw !== 'string') throw bad('give it once, as a number between 0 and 1');
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) throw bad(`expected a probability between 0 and 1, got '${raw}'`);
  if (v < floor)
    throw bad(`${v} is below this server's threshold ${floor} (--min-confidence); a request may raise the threshold, not lower it`);
  return v;
}

/**
 * Analyzes an upload on the worker pool within the request's time budget (`--timeout-ms`, the
 * wait for a worker included): 504 once it has passed, and the work is stopped; 429 when the
 * pool's queue is full.
 */
async function analyzeWithin(s: ServiceState, bytes: Uint8Array, label: string): Promise<AnalyzeResponse> {
  const ms = s.options.timeoutMs;
  const signal = AbortSignal.timeout(ms);
  const expired = () => new HttpError(504, 'timeout', `the analysis did not finish within ${ms} ms (--timeout-ms)`);
  try {
    return await s.pool.analyze(bytes, label, signal);
  } catch (e) {
    if (signal.aborted) throw expired();
    throw e;
  }
}

export function registerRoutes(app: FastifyInstance, s: ServiceState): void {
  app.get('/healthz', { config: { public: true } }, async () => ({
    status: 'ok',
    model: s.sidecar.model.name,
    spoof: s.spoof !== null,
    active: s.pool.active,
    queued: s.pool.queued,
    uptimeSeconds: (Date.now() - s.startedAt) / 1000,
  }));
  app.get('/v1/model', async () => modelInfo(s));
  app.get(SIDECAR_FILE_ROUTE, async () => s.sidecar);
  const bytes = (data: Uint8Array) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .type('application/octet-stream')
      .header('cache-control', 'no-cache')
      .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  app.get(MODEL_FILE_ROUTE, bytes(s.modelBytes));
  for (const f of s.pretrained) app.get(pretrainedRoute(f.model, f.file), bytes(f.bytes));
  app.get(SPOOF_FILE_ROUTE, async (req, reply) => {
    if (!s.spoof) throw new HttpError(404, 'no_spoof_model', 'this server has no spoof model (start it with --spoof)');
    return bytes(s.spoof.bytes)(req, reply);
  });
  app.post('/v1/analyze', async (req) => {
    const { bytes: audio, label } = await uploadOf(req);
    // Checked before the analysis: a bad threshold costs none.
    const minConfidence = requestMinConfidence(req.query, s.options.minConfidence);
    return applyMinConfidence(await analyzeWithin(s, audio, label), s.sidecar.classes, minConfidence);
  });
}
