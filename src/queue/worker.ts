/**
 * `trustser worker`: a BullMQ worker that takes trustser's jobs off the queue — feature
 * extraction into the shared cache, fold training into the shared run folder — one at a time,
 * each in a worker thread (processor.ts).
 * A job whose worker dies is moved back to the queue once its lock expires and taken by another
 * worker; every job is idempotent (content-addressed cache entries, resumable folds, atomic writes).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'bullmq';
import { writeFileAtomicSync } from '../core/index.js';
import { checkQueueUrl, DEFAULT_QUEUE_NAME, pingRedis } from './connection.js';

/** How long a job stays locked to its worker without a renewal before another worker may take it, ms. */
export const DEFAULT_LOCK_MS = 30_000;

export interface WorkerOptions {
  /** Queue name (default {@link DEFAULT_QUEUE_NAME}). */
  name?: string;
  /** Lock duration, ms (default {@link DEFAULT_LOCK_MS}): how soon a dead worker's job is taken over. */
  lockMs?: number;
  /** One line per job started, finished or failed. */
  log?: (line: string) => void;
}

export interface RunningWorker {
  /** Stops taking jobs, lets the current one finish, and disconnects. */
  close(): Promise<void>;
}

/**
 * The job processor's module: the compiled JavaScript, or — running from the TypeScript sources
 * (tests, tsx) — a small module in the temp folder that registers tsx's loader in the worker thread
 * first (worker threads do not inherit it) and re-exports the source's processor.
 */
function processorFile(): URL {
  const js = new URL('./processor.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  const ts = new URL('./processor.ts', import.meta.url).href;
  // Resolved here, not in the thread: the boot module lives outside the package.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `const { register } = await import(${JSON.stringify(tsx)});\nregister();\nexport default (await import(${JSON.stringify(ts)})).default;\n`;
  const path = join(tmpdir(), `trustser-queue-processor-${createHash('sha256').update(boot).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(path)) writeFileAtomicSync(path, boot);
  return pathToFileURL(path);
}

/** Starts a worker on the queue at `url`; resolves once it is connected and taking jobs. */
export async function startWorker(url: string, o: WorkerOptions = {}): Promise<RunningWorker> {
  checkQueueUrl(url);
  await pingRedis(url);
  const log = o.log ?? (() => {});
  const lockDuration = o.lockMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker(o.name ?? DEFAULT_QUEUE_NAME, processorFile(), {
    // Redis must not give up on a worker's blocking commands (BullMQ's requirement for workers).
    connection: { url, maxRetriesPerRequest: null },
    concurrency: 1,
    lockDuration,
    stalledInterval: lockDuration,
    useWorkerThreads: true,
  });
  worker.on('active', (job) => log(`job ${job.id} (${job.name}) started, attempt ${job.attemptsMade + 1}`));
  worker.on('completed', (job) => {
    // The job's own timestamps (ms), set as it was taken and as it finished.
    const s = job.finishedOn !== undefined && job.processedOn !== undefined ? ((job.finishedOn - job.processedOn) / 1000).toFixed(1) : '?';
    log(`job ${job.id} (${job.name}) done in ${s} s`);
  });
  worker.on('failed', (job, err) => log(`job ${job?.id} (${job?.name}) failed: ${err.message}`));
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
