/**
 * Settings of `trustser serve`, their defaults, and their validation (errors name the field).
 */
import { join } from 'node:path';
import { packageRoot } from '../core/index.js';
import { checkMinConfidence } from '../metrics/index.js';
import { DEFAULT_HOP_SECONDS, DEFAULT_WINDOW_SECONDS } from './analysis.js';

/** Default listen address: loopback only; pass `host: '0.0.0.0'` to expose the service. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
/** Largest request body (MiB): 16 MiB is ≈ 8.7 min of 16 kHz 16-bit mono WAV. */
export const DEFAULT_MAX_BODY_MB = 16;
/** Longest audio accepted (s). */
export const DEFAULT_MAX_SECONDS = 120;
/** Longest an analysis may take, the wait for a worker included (ms). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Analyses run at once (worker threads). */
export const DEFAULT_CONCURRENCY = 2;
/** Requests that may wait for a worker before the server answers 429. */
export const DEFAULT_QUEUE = 16;
/** ONNX Runtime threads per model and worker (one per worker keeps `concurrency` cores busy). */
export const DEFAULT_THREADS = 1;
/** Bytes per MiB. */
export const MIB = 1024 * 1024;

/** Everything `createServer` needs; see the DEFAULT_* constants for the defaults. */
export interface ServeOptions {
  /** Exported SER model (`model.onnx` with its sidecar `model.onnx.json`). */
  modelPath: string;
  /** Optional countermeasure graph (input `wave` [batch, 64600] at 16 kHz, output `logits` [batch, 2]). */
  spoofPath?: string;
  host?: string;
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Bearer token required on every route but /healthz and the web app's static files. */
  token?: string;
  maxBodyMb?: number;
  maxSeconds?: number;
  timeoutMs?: number;
  concurrency?: number;
  queue?: number;
  /** Analysis windows of long inputs (s). */
  windowSeconds?: number;
  hopSeconds?: number;
  /** ONNX Runtime intra-op threads per model. */
  threads?: number;
  /**
   * Top calibrated probability below which a label is `unknown` (0–1; default 0: off). A request
   * may raise it (`?minConfidence=`), never lower it: it is the server's floor.
   */
  minConfidence?: number;
  /** Built web app to serve at `/` (default: dist/web of the package; null: none). */
  webDir?: string | null;
  /** Log requests (pino, JSON lines on stdout). */
  log?: boolean;
}

export type ResolvedServeOptions = Required<Omit<ServeOptions, 'spoofPath' | 'token' | 'webDir'>> & {
  spoofPath: string | null;
  token: string | null;
  webDir: string | null;
  maxBodyBytes: number;
};

/** The default location of the built web app (`npm run build:web`). */
export function defaultWebDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

function positive(name: string, v: number, integer: boolean, min = integer ? 1 : Number.MIN_VALUE): number {
  if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new Error(`${name}: expected ${integer ? `an integer ≥ ${min}` : 'a number > 0'}, got ${v}`);
  }
  return v;
}

/** Fills in defaults and checks every value; throws one line naming the bad field. */
export function resolveServeOptions(o: ServeOptions): ResolvedServeOptions {
  if (!o.modelPath) throw new Error('modelPath: the SER model (model.onnx) is required');
  const token = o.token ?? null;
  if (token !== null && !/^[\x21-\x7e]+$/.test(token)) throw new Error('token: must be non-empty printable ASCII without spaces');
  const port = o.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port: expected 0…65535, got ${port}`);
  const maxBodyMb = positive('maxBodyMb', o.maxBodyMb ?? DEFAULT_MAX_BODY_MB, false);
  const windowSeconds = positive('windowSeconds', o.windowSeconds ?? DEFAULT_WINDOW_SECONDS, false);
  return {
    modelPath: o.modelPath,
    spoofPath: o.spoofPath ?? null,
    host: o.host ?? DEFAULT_HOST,
    port,
    token,
    maxBodyMb,
    maxBodyBytes: Math.floor(maxBodyMb * MIB),
    maxSeconds: positive('maxSeconds', o.maxSeconds ?? DEFAULT_MAX_SECONDS, false),
    timeoutMs: positive('timeoutMs', o.timeoutMs ?? DEFAULT_TIMEOUT_MS, true),
    concurrency: positive('concurrency', o.concurrency ?? DEFAULT_CONCURRENCY, true),
    queue: positive('queue', o.queue ?? DEFAULT_QUEUE, true, 0),
    windowSeconds,
    hopSeconds: positive('hopSeconds', o.hopSeconds ?? Math.min(DEFAULT_HOP_SECONDS, windowSeconds), false),
    threads: positive('threads', o.threads ?? DEFAULT_THREADS, true),
    minConfidence: checkMinConfidence(o.minConfidence ?? 0, 'minConfidence'),
    webDir: o.webDir === undefined ? defaultWebDir() : o.webDir,
    log: o.log ?? false,
  };
}
