/**
 * The service's routes: `GET /healthz`, `GET /v1/model` (sidecar summary and trust numbers),
 * the graph files for in-browser inference, and `POST /v1/analyze` (raw audio body or a
 * multipart file field) behind the concurrency gate and the per-request timeout.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OnnxSerModel } from '../runtime/index.js';
import type { ModelInfo } from './analysis.js';
import { analyzeAudio, type Analyzer } from './analyze.js';
import { HttpError } from './errors.js';
import type { ConcurrencyGate } from './gate.js';
import type { ResolvedServeOptions } from './options.js';
import type { ServedSpoofModel } from './spoof.js';

/** Paths of the graph files the web app downloads. */
export const MODEL_FILE_ROUTE = '/v1/model.onnx';
export const SIDECAR_FILE_ROUTE = '/v1/model.onnx.json';
export const SPOOF_FILE_ROUTE = '/v1/spoof.onnx';
/** Route config key of the routes open without the bearer token (see `requireToken` in server.ts). */
export const PUBLIC_ROUTE = 'public';
/** Label of a raw-body upload in error messages. */
const RAW_UPLOAD_LABEL = 'upload';

/** What the routes serve. */
export interface ServiceState {
  options: ResolvedServeOptions;
  model: OnnxSerModel;
  modelBytes: Uint8Array;
  spoof: ServedSpoofModel | null;
  gate: ConcurrencyGate;
  startedAt: number;
}

/** The `GET /v1/model` summary. */
export function modelInfo(s: ServiceState): ModelInfo {
  const sc = s.model.sidecar;
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
    spoof: s.spoof ? { name: s.spoof.name, samples: s.spoof.samples, sampleRateHz: s.spoof.sampleRateHz } : null,
    files: { model: MODEL_FILE_ROUTE, sidecar: SIDECAR_FILE_ROUTE, spoof: s.spoof ? SPOOF_FILE_ROUTE : null },
  };
}

/** The upload's bytes and name: a raw audio body, or the first file part of a multipart body. */
async function uploadOf(req: FastifyRequest): Promise<{ bytes: Uint8Array; label: string }> {
  if (req.isMultipart()) {
    const part = await req.file();
    if (!part) throw new HttpError(400, 'no_audio', 'the multipart body has no file part; send the audio as a file field (e.g. -F file=@clip.wav)');
    const buf = await part.toBuffer();
    return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), label: part.filename || part.fieldname };
  }
  if (!Buffer.isBuffer(req.body)) {
    throw new HttpError(400, 'no_audio', 'send the audio as the request body (Content-Type audio/wav, audio/flac, audio/mpeg, audio/ogg or application/octet-stream) or as a multipart file field');
  }
  return { bytes: new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength), label: RAW_UPLOAD_LABEL };
}

/**
 * Runs `work` in a gate slot with the request timeout: answers 504 once `timeoutMs` passed (the
 * work stops at its next window and only then frees its slot); 503 when the gate is full.
 */
async function gated<T>(s: ServiceState, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ms = s.options.timeoutMs;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new HttpError(504, 'timeout', `the analysis did not finish within ${ms} ms (--timeout-ms)`);
      controller.abort(e);
      reject(e);
    }, ms);
  });
  const run = (async () => {
    const release = await s.gate.acquire();
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      return await work(controller.signal);
    } finally {
      release();
    }
  })();
  run.catch(() => {}); // settled by the race below or ignored after a timeout
  try {
    return await Promise.race([run, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerRoutes(app: FastifyInstance, s: ServiceState): void {
  const analyzer: Analyzer = {
    model: s.model, spoof: s.spoof, windowSeconds: s.options.windowSeconds, hopSeconds: s.options.hopSeconds, maxSeconds: s.options.maxSeconds,
  };
  app.get('/healthz', { config: { [PUBLIC_ROUTE]: true } }, async () => ({
    status: 'ok',
    model: s.model.sidecar.model.name,
    spoof: s.spoof !== null,
    active: s.gate.active,
    queued: s.gate.queued,
    uptimeSeconds: (Date.now() - s.startedAt) / 1000,
  }));
  app.get('/v1/model', async () => modelInfo(s));
  app.get(SIDECAR_FILE_ROUTE, async () => s.model.sidecar);
  const bytes = (data: Uint8Array) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.type('application/octet-stream').header('cache-control', 'no-cache').send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  app.get(MODEL_FILE_ROUTE, bytes(s.modelBytes));
  app.get(SPOOF_FILE_ROUTE, async (req, reply) => {
    if (!s.spoof) throw new HttpError(404, 'no_spoof_model', 'this server has no spoof model (start it with --spoof)');
    return bytes(s.spoof.bytes)(req, reply);
  });
  app.post('/v1/analyze', async (req) => {
    const { bytes: audio, label } = await uploadOf(req);
    return gated(s, (signal) => analyzeAudio(analyzer, audio, label, signal));
  });
}
