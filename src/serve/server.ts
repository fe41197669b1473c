/**
 * `createServer`: the fastify application of `trustser serve` — audio body parsers with the
 * size limit, multipart uploads, optional bearer-token auth (never on /healthz or the web app's
 * static files), JSON errors, the routes, and the built web app at `/`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { packagedModelFiles, pretrainedFiles } from '../backbones/index.js';
import { featureSetFor, loadOnnxModel } from '../runtime/index.js';
import { errorBody, HttpError } from './errors.js';
import { resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './options.js';
import { AnalysisPool, PoolFullError } from './pool.js';
import { registerRoutes, type PretrainedFile, type ServiceState, type SpoofInfo } from './routes.js';
import { ServedSpoofModel } from './spoof.js';

/** Content types taken as a raw audio body. */
const AUDIO_BODY_TYPES = /^(?:audio\/[\w.+-]+|application\/octet-stream)$/;
/** Time allowed to receive a whole request (ms), against clients that send very slowly. */
export const UPLOAD_TIMEOUT_MS = 60_000;
/** Seconds a client is told to wait after a 429 (every worker busy, the queue full). */
const RETRY_AFTER_SECONDS = 1;
/** Multipart bodies: at most this many non-file fields (each ≤ MULTIPART_FIELD_BYTES). */
const MULTIPART_FIELDS = 8;
const MULTIPART_FIELD_BYTES = 1024;
/**
 * The web app's page policy: scripts, WebAssembly, styles and fetches from this server only, so
 * the page can load nothing from elsewhere and, outside server mode, sends no audio anywhere.
 */
const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A service ready to listen (`app.listen`) or to answer `app.inject` requests. */
export interface Service {
  app: FastifyInstance;
  options: ResolvedServeOptions;
  state: ServiceState;
  /** Stops listening and frees the models. */
  close(): Promise<void>;
}

/** A listening service and its base URL. */
export interface RunningService extends Service {
  url: string;
}

function sameToken(given: string, expected: string): boolean {
  // Hashing first gives equal lengths for timingSafeEqual (no early exit on the first differing byte).
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(expected));
}

/**
 * Bearer-token authorization on the *matched route*, not on the request's spelling: the router
 * has already decoded and matched the path when `onRequest` runs, so `/%761/analyze` is the
 * `/v1/analyze` route here and needs the token like it. Default deny: only routes whose config
 * says `public: true` (/healthz, the web app's files) are open; unknown paths and the
 * not-found handler need the token too, so probing reveals nothing.
 */
function requireToken(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config?.public === true) return;
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !sameToken(m[1], token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="trustser"')
        .send(
          errorBody(
            'unauthorized',
            m ? 'the bearer token is not valid' : 'this server needs a bearer token (Authorization: Bearer <token>)',
          ),
        );
    }
  });
}

/** Maps fastify's and the plugins' errors to the service's JSON error form. */
function sendError(app: FastifyInstance, o: ResolvedServeOptions): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send(errorBody(err.code, err.message));
    if (err instanceof PoolFullError)
      return reply.status(429).header('retry-after', String(RETRY_AFTER_SECONDS)).send(errorBody('busy', err.message));
    const status = (err as FastifyError).statusCode ?? 500;
    if (status === 413) {
      return reply
        .status(413)
        .send(errorBody('body_too_large', `the request body is larger than ${o.maxBodyMb} MiB (${o.maxBodyBytes} bytes, --max-body-mb)`));
    }
    if (status === 415) {
      return reply
        .status(415)
        .send(
          errorBody(
            'unsupported_media_type',
            `Content-Type '${req.headers['content-type'] ?? ''}' is not accepted; send audio/* or application/octet-stream, or multipart/form-data with a file field`,
          ),
        );
    }
    if (status >= 400 && status < 500)
      return reply.status(status).send(errorBody((err as FastifyError).code ?? 'bad_request', err.message));
    req.log.error(err);
    return reply.status(500).send(errorBody('internal', err.message.split('\n')[0]));
  });
  app.setNotFoundHandler((req, reply) => {
    const hint =
      req.url === '/' || req.url.startsWith('/index.html')
        ? `; the web app is not built (npm run build:web) or not found in ${o.webDir}`
        : '';
    return reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}${hint}`));
  });
}

/** Opens the models once to check them (clear errors before any worker starts); keeps what the routes serve. */
async function checkModels(o: ResolvedServeOptions): Promise<Pick<ServiceState, 'sidecar' | 'modelBytes' | 'spoof' | 'pretrained'>> {
  const model = await loadOnnxModel(o.modelPath, { intraOpThreads: 1 });
  const sidecar = model.sidecar;
  await model.close();
  let spoof: SpoofInfo | null = null;
  if (o.spoofPath) {
    const m = await ServedSpoofModel.load(o.spoofPath, 1);
    spoof = { name: m.name, samples: m.samples, sampleRateHz: m.sampleRateHz, vad: m.vad, calibration: m.calibration, bytes: m.bytes };
    await m.close();
  }
  // The pretrained models the features run (the model has just run them, so their files are there).
  const uses = featureSetFor(sidecar, resolve(o.modelPath)).models ?? [];
  const twice = uses.find((u, i) => uses.findIndex((v) => v.name === u.name) !== i);
  if (twice)
    throw new Error(`${o.modelPath}: its features run '${twice.name}' with two different weights; the service serves one set per model`);
  const pretrained: PretrainedFile[] = uses.flatMap((use) => {
    const names = packagedModelFiles(use.name);
    return pretrainedFiles(use).map((path, i) => ({ model: use.name, file: names[i], bytes: new Uint8Array(readFileSync(path)) }));
  });
  return { sidecar, modelBytes: new Uint8Array(readFileSync(resolve(o.modelPath))), spoof, pretrained };
}

/**
 * Checks the models, starts the analysis workers and builds the application (not yet
 * listening). Errors (bad options, a missing or invalid model) are one line naming the file or
 * field; nothing is left open.
 */
export async function createServer(opts: ServeOptions): Promise<Service> {
  const o = resolveServeOptions(opts);
  const checked = await checkModels(o);
  const pool = new AnalysisPool(
    {
      modelPath: resolve(o.modelPath),
      spoofPath: o.spoofPath ? resolve(o.spoofPath) : null,
      threads: o.threads,
      windowSeconds: o.windowSeconds,
      hopSeconds: o.hopSeconds,
      maxSeconds: o.maxSeconds,
    },
    o.concurrency,
    o.queue,
  );
  const state: ServiceState = { options: o, ...checked, pool, startedAt: Date.now() };
  const app = Fastify({ logger: o.log, bodyLimit: o.maxBodyBytes, requestTimeout: UPLOAD_TIMEOUT_MS });
  app.removeAllContentTypeParsers(); // JSON and text bodies are not inputs: they get 415
  app.addContentTypeParser(AUDIO_BODY_TYPES, { parseAs: 'buffer', bodyLimit: o.maxBodyBytes }, (_req, body, done) => done(null, body));
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: o.maxBodyBytes, files: 1, fields: MULTIPART_FIELDS, fieldSize: MULTIPART_FIELD_BYTES },
  });
  if (o.token !== null) requireToken(app, o.token);
  sendError(app, o);
  registerRoutes(app, state);
  if (o.webDir !== null && existsSync(join(o.webDir, 'index.html'))) {
    const root = resolve(o.webDir);
    await app.register(async (web) => {
      // Every route of the static plugin (the web app's files) is public; nothing else is.
      web.addHook('onRoute', (route) => {
        route.config = { ...route.config, public: true };
      });
      await web.register(fastifyStatic, { root, prefix: '/', setHeaders: (reply) => reply.header('content-security-policy', WEB_CSP) });
    });
  }
  return {
    app,
    options: o,
    state,
    async close() {
      await app.close();
      await pool.close();
    },
  };
}

/** {@link createServer}, then listens on the options' host and port (0: a free port). */
export async function startServer(opts: ServeOptions): Promise<RunningService> {
  const service = await createServer(opts);
  try {
    await service.app.listen({ host: service.options.host, port: service.options.port });
  } catch (e) {
    await service.close();
    throw new Error(`cannot listen on ${service.options.host}:${service.options.port} (${(e as Error).message})`);
  }
  const addr = service.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : service.options.port;
  const host = service.options.host.includes(':') ? `[${service.options.host}]` : service.options.host;
  return { ...service, url: `http://${host}:${port}` };
}
