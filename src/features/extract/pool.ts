/**
 * A fixed pool of worker threads running extraction tasks, results delivered as they finish.
 * Hand-written (≈50 lines) because the task protocol is one message each way; a pool library
 * would add a dependency without removing code.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { removeStaleTemps } from '../../core/index.js';
import { runTask, type ExtractResult, type ExtractTask } from './compute.js';

function spawnWorker(): Worker {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  // Running from TypeScript sources (tests, tsx): register tsx's loader inside the worker first.
  const ts = new URL('./worker.ts', import.meta.url).href;
  // Resolved here, not in the thread: an eval'd worker resolves bare names from the working directory.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true });
}

/**
 * Where extraction tasks run and how their outcomes come back: this process' worker threads
 * ({@link threadRunner}) or, for instance, the workers of a job queue.
 */
export type TaskRunner = (tasks: ExtractTask[], onResult: (r: ExtractResult) => void) => Promise<void>;

/** Runs tasks on `workers` threads of this process (0 = in this thread). */
export const threadRunner =
  (workers: number): TaskRunner =>
  (tasks, onResult) =>
    runPool(tasks, workers, onResult);

/**
 * Runs `tasks` on `workers` threads (0 = in this thread) and calls `onResult` for each outcome.
 * Resolves when all are done; rejects if a worker thread dies.
 */
async function runPool(tasks: ExtractTask[], workers: number, onResult: (r: ExtractResult) => void): Promise<void> {
  // Entries a killed run was writing when it died are never renamed into place: drop them.
  for (const dir of new Set(tasks.map((t) => t.cacheDir))) if (dir !== null) removeStaleTemps(dir);
  if (workers <= 0) {
    for (const t of tasks) onResult(await runTask(t));
    return;
  }
  const queue = [...tasks];
  const threads = Array.from({ length: Math.min(workers, tasks.length) }, spawnWorker);
  try {
    await Promise.all(
      threads.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const t = queue.shift();
              if (t === undefined) resolve();
              else w.postMessage(t);
            };
            w.on('message', (r: ExtractResult) => {
              onResult(r);
              next();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (code !== 0) reject(new Error(`feature worker exited with code ${code}`));
            });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
