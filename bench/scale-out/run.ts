/**
 * bench/scale-out: wall time of a full RAVDESS `mfcc-delta` extraction and of a 6-fold logreg run,
 * in-process (the reference) and on 1 and 2 `trustser worker` processes over a loopback Redis
 * (started and stopped by the bench). Every queued output is checked against the in-process one:
 * the extraction file byte for byte, the run's fold results and weights byte for byte.
 * Usage: npm run bench:scale-out
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths.js';
import { extractFeatures } from '../../src/features/index.js';
import { openQueue, queueFoldTrainer, queueTaskRunner, type QueueConnection } from '../../src/queue/index.js';
import { parseRunConfig } from '../../src/run/index.js';
import { trainRun } from '../../src/train/index.js';
import { startRedis, startWorkerProcess, type WorkerProcess } from '../../test/queue/helpers.js';
import { machineLine, writeResultsSection } from '../results.js';

const RAVDESS = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');
/** Lock of the bench's workers, ms (the default; no worker dies here). */
const LOCK_MS = 30_000;
const FOLDS = 6;
/** Epochs per fold: enough that a fold job outweighs its start-up (listing the corpus, reading the cached features). */
const EPOCHS = 300;

const seconds = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};

const runConfig = () =>
  parseRunConfig({
    corpus: { name: 'ravdess', root: RAVDESS },
    protocol: { kind: 'speaker-kfold', folds: FOLDS, balanceBy: 'gender' },
    features: { set: 'mel-functionals' },
    model: { name: 'logreg' },
    // One engine thread per fold, so 1 vs 2 processes compares processes, not thread counts.
    training: { epochs: EPOCHS, lr: 1e-2, batchSize: 64, weightDecay: 1e-3, patience: EPOCHS, threads: 1, seed: 1 },
  });

function same(a: string, b: string, what: string): void {
  if (!readFileSync(a).equals(readFileSync(b))) throw new Error(`${what}: queued output ${a} differs from the in-process ${b}`);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'trustser-scale-out-'));
  const redis = await startRedis();
  let q: QueueConnection | null = null;
  const workers: WorkerProcess[] = [];
  const rows: string[] = [];
  try {
    q = await openQueue(redis.url);
    // Extraction: a fresh cache each time, so every file is computed.
    const extract = (name: string, o: { workers?: number; queue?: boolean }) =>
      seconds(() =>
        extractFeatures({
          set: 'mfcc-delta',
          input: RAVDESS,
          out: join(tmp, `${name}.safetensors`),
          cacheDir: join(tmp, `cache-${name}`),
          progress: false,
          ...(o.queue ? { runner: queueTaskRunner(q!) } : { workers: o.workers }),
        }),
      );
    const ex: Record<string, number> = {};
    ex.local1 = await extract('local1', { workers: 1 });
    ex.local2 = await extract('local2', { workers: 2 });
    workers.push(await startWorkerProcess(redis.url, LOCK_MS));
    ex.queue1 = await extract('queue1', { queue: true });
    workers.push(await startWorkerProcess(redis.url, LOCK_MS));
    ex.queue2 = await extract('queue2', { queue: true });
    for (const k of ['local2', 'queue1', 'queue2']) same(join(tmp, `${k}.safetensors`), join(tmp, 'local1.safetensors'), `extraction ${k}`);

    // Training: features cached beforehand (shared cache), so the rows time the folds.
    const cache = join(tmp, 'cache-train');
    const cfg = runConfig();
    await trainRun({ ...cfg, folds: [0], training: { ...cfg.training, epochs: 1 } }, join(tmp, 'warm'), { cacheDir: cache });
    const train = (name: string, queued: boolean) =>
      seconds(() =>
        trainRun(cfg, join(tmp, name), {
          cacheDir: cache,
          ...(queued ? { runner: queueTaskRunner(q!), trainFolds: queueFoldTrainer(q!, { cacheDir: cache }) } : {}),
        }),
      );
    const tr: Record<string, number> = {};
    tr.local = await train('run-local', false);
    await workers.pop()!.stop();
    tr.queue1 = await train('run-queue1', true);
    workers.push(await startWorkerProcess(redis.url, LOCK_MS));
    tr.queue2 = await train('run-queue2', true);
    for (const k of ['run-queue1', 'run-queue2'])
      for (let f = 0; f < FOLDS; f++)
        for (const file of ['result.json', 'best.safetensors'])
          same(join(tmp, k, `fold-${f}`, file), join(tmp, 'run-local', `fold-${f}`, file), `${k} fold ${f}`);

    const row = (what: string, how: string, s: number, ref: number) => `| ${what} | ${how} | ${s.toFixed(1)} | ${(ref / s).toFixed(2)} |`;
    rows.push(
      row('extract mfcc-delta, 1440 files', 'in-process, 1 thread (reference)', ex.local1, ex.local1),
      row('extract mfcc-delta, 1440 files', 'in-process, 2 threads', ex.local2, ex.local1),
      row('extract mfcc-delta, 1440 files', 'queue, 1 worker process', ex.queue1, ex.local1),
      row('extract mfcc-delta, 1440 files', 'queue, 2 worker processes', ex.queue2, ex.local1),
      row(`train logreg, ${FOLDS} folds`, 'in-process, folds in turn (reference)', tr.local, tr.local),
      row(`train logreg, ${FOLDS} folds`, 'queue, 1 worker process', tr.queue1, tr.local),
      row(`train logreg, ${FOLDS} folds`, 'queue, 2 worker processes', tr.queue2, tr.local),
    );
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await q?.close();
    await redis.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  const md = [
    '## Scale-out on Redis + BullMQ (`npm run bench:scale-out`)',
    '',
    `${machineLine()}; ${availableParallelism()} cores shared by Redis, the enqueuing process and the workers (loopback); load average ${loadavg()[0].toFixed(1)} at the end. Wall time of the whole command. Extraction: all RAVDESS speech, decode + mfcc-delta + output file, fresh cache each row (the queue rows hand features back through it, 16 files per job). Training: logreg on mel-functionals (cached beforehand), ${EPOCHS} epochs, one engine thread per fold; the queue rows enqueue one job per fold (each job re-reads the corpus listing and the cached features). Every queued output equals the in-process one byte for byte (extraction file; each fold's result.json and best.safetensors).`,
    '',
    '| work | how | wall time (s) | speed-up vs reference |',
    '|---|---|---:|---:|',
    ...rows,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('scale-out', md)}`);
}

await main();
