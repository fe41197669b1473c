/**
 * The service's analysis workers: a piscina pool of `concurrency` threads, each holding its own
 * ONNX Runtime sessions (worker.ts), so decoding, features and inference never run on the event
 * loop and `/healthz` answers while every worker is busy. Up to `queue` more requests wait;
 * beyond that the service answers 429 at once. A request that outlives its time budget is
 * aborted: queued, it is dropped; running, its thread is stopped (and replaced) so the answer
 * (504) comes on time and the work really ends.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { AnalyzeResponse } from './analysis.js';
import { HttpError } from './errors.js';
import type { WorkerResult, WorkerSetup, WorkerTask } from './worker.js';

/** Thrown when every worker is busy and the wait queue is full (the service answers 429). */
export class PoolFullError extends Error {
  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {
    super(`the server is busy (${concurrency} analyses running, ${queue} waiting); retry shortly`);
    this.name = 'PoolFullError';
  }
}

/** The worker module: compiled JavaScript beside this file, or the TypeScript source under tsx. */
function workerFile(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(js)) return { filename: js, execArgv: [] };
  const ts = fileURLToPath(new URL('./worker.ts', import.meta.url));
  // Running from sources (tests, tsx): the worker thread needs tsx's loader too.
  const hasTsx = process.execArgv.some((a) => a.includes('tsx'));
  return { filename: ts, execArgv: hasTsx ? process.execArgv : [...process.execArgv, '--import', 'tsx'] };
}

/** A bounded pool of analysis threads. */
export class AnalysisPool {
  private readonly pool: Piscina<WorkerTask, WorkerResult>;
  private inFlight = 0;

  /**
   * @param setup what every worker loads (models, windowing, limits)
   * @param concurrency analyses run at once (threads, ≥ 1)
   * @param queue requests allowed to wait for a thread (≥ 0)
   */
  constructor(
    setup: WorkerSetup,
    readonly concurrency: number,
    readonly queue: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(queue) || queue < 0) throw new RangeError(`queue must be a non-negative integer, got ${queue}`);
    const { filename, execArgv } = workerFile();
    this.pool = new Piscina({
      filename,
      execArgv,
      workerData: setup,
      minThreads: concurrency,
      maxThreads: concurrency,
      concurrentTasksPerWorker: 1,
      // The pool's own queue is never the limit: this class refuses requests beyond `queue` first.
      maxQueue: queue + concurrency,
      idleTimeout: Number.POSITIVE_INFINITY,
      env: { ...process.env, OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1' },
    });
  }

  /** Analyses running now. */
  get active(): number {
    return Math.min(this.inFlight, this.concurrency);
  }

  /** Requests waiting for a thread. */
  get queued(): number {
    return Math.max(0, this.inFlight - this.concurrency);
  }

  /**
   * Analyzes `bytes` (named `label` in errors) on a worker. Rejects with {@link PoolFullError}
   * when the queue is full, with the worker's {@link HttpError} for bad input, and with a 504
   * HttpError when `signal` aborts first.
   */
  async analyze(bytes: Uint8Array, label: string, signal: AbortSignal): Promise<AnalyzeResponse> {
    if (this.inFlight >= this.concurrency + this.queue) throw new PoolFullError(this.concurrency, this.queue);
    // Our own copy, so the buffer can be moved to the worker (the request's may be a pooled slice).
    const own = bytes.slice();
    this.inFlight++;
    try {
      const r = await this.pool.run({ bytes: own, label }, { signal, transferList: [own.buffer as ArrayBuffer] });
      if (!r.ok) throw new HttpError(r.status, r.code, r.message);
      return r.response;
    } catch (e) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new HttpError(504, 'timeout', 'the analysis was stopped');
      throw e;
    } finally {
      this.inFlight--;
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
