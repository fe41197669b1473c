// Runs decoder fuzzing on worker threads with a watchdog: a worker that reports nothing for
// `stallMs` is stopped and the run fails naming the input it was decoding.
import { Worker } from 'node:worker_threads';
import type { FuzzJob, FuzzMessage } from './fuzz-worker.js';

/** The outcome of a fuzz run: cases per outcome kind ('decoded' or an AudioError kind). */
export interface FuzzSummary {
  cases: number;
  outcomes: Record<string, number>;
  seconds: number;
}

/** Runs `runs` cases on each of `workers` threads (seeds `seed`, `seed + 1`, …). */
export async function runFuzz(o: {
  runs: number;
  seed: number;
  workers: number;
  stallMs: number;
  reportEvery?: number;
  onProgress?: (cases: number) => void;
}): Promise<FuzzSummary> {
  const t0 = performance.now();
  const totals: Record<string, number>[] = [];
  const counts: number[] = [];
  await Promise.all(
    Array.from(
      { length: o.workers },
      (_, w) =>
        new Promise<void>((resolve, reject) => {
          const job: FuzzJob = { runs: o.runs, seed: o.seed + w, reportEvery: o.reportEvery ?? 50 };
          // The worker's entry is TypeScript: register tsx's loader in the thread, then import it.
          const entry = new URL('./fuzz-worker.ts', import.meta.url).href;
          const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
          const worker = new Worker(boot, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
          let last = 'before the first case';
          let timer: NodeJS.Timeout;
          const arm = () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
              void worker.terminate();
              reject(new Error(`fuzz worker ${w} made no progress for ${o.stallMs} ms; last case announced: ${last}`));
            }, o.stallMs);
          };
          arm();
          worker.on('message', (m: FuzzMessage) => {
            arm();
            if (m.type === 'case') last = `${m.seedFile} with ${m.mutations}`;
            else if (m.type === 'progress' || m.type === 'done') {
              counts[w] = m.done;
              totals[w] = m.outcomes;
              o.onProgress?.(counts.reduce((a, b) => a + (b ?? 0), 0));
              if (m.type === 'done') {
                clearTimeout(timer);
                void worker.terminate().then(() => resolve());
              }
            } else {
              clearTimeout(timer);
              void worker.terminate();
              reject(new Error(`fuzz worker ${w}: ${m.message}`));
            }
          });
          worker.on('error', (e) => {
            clearTimeout(timer);
            reject(new Error(`fuzz worker ${w} crashed (last case announced: ${last}): ${e.message}`));
          });
        }),
    ),
  );
  const outcomes: Record<string, number> = {};
  for (const t of totals) for (const [k, v] of Object.entries(t)) outcomes[k] = (outcomes[k] ?? 0) + v;
  return { cases: counts.reduce((a, b) => a + b, 0), outcomes, seconds: (performance.now() - t0) / 1000 };
}
