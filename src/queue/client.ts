/**
 * The enqueuing side: feature extraction, fold training and fold audits handed to queue workers,
 * with the same outcomes a local run gets. Features come back through the feature cache (which
 * the workers and this process must share: same folder, or the same network path), trained folds
 * through the run folder (shared likewise), audit measurements as the jobs' (small) results.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Job } from 'bullmq';
import { cachedResult, FeatureCache, type ExtractTask, type TaskRunner } from '../features/index.js';
import type { QueueConnection } from './connection.js';
import type { FoldMeasurement, MeasureSettings } from '../audit/index.js';
import {
  AUDIT_FOLD_JOB,
  decodeResult,
  FEATURES_JOB,
  JOB_OPTIONS,
  TRAIN_FOLD_JOB,
  type AuditFoldJobData,
  type FeaturesJobData,
  type FeaturesJobResult,
  type TrainFoldJobData,
  type TrainFoldJobResult,
} from './jobs.js';

/** Files per extraction job: enough to make a job's Redis round trips negligible, few enough to spread a small corpus. */
export const FILES_PER_JOB = 16;

/** A tag that keeps this client's job ids apart from every other client's. */
const clientTag = () => randomBytes(8).toString('hex');

/** How often pending jobs are checked besides the queue's events, ms: catches an event missed while Redis was away. */
const WATCH_MS = 5000;

/**
 * Adds jobs and waits for each one's result (`onDone`, as each finishes); a job that failed all
 * its attempts rejects with its reason. Completion events are the fast path; a watchdog also
 * checks every pending job every {@link WATCH_MS}, so a missed event costs seconds, and a job that
 * vanished (Redis restarted without persistence) is added again — jobs are idempotent and their
 * results live in the shared folders, so a restart loses no finished work.
 */
async function runJobs<D, R>(q: QueueConnection, name: string, data: D[], onDone: (r: R, i: number) => void): Promise<void> {
  if (data.length === 0) return;
  const tag = clientTag();
  const ids = data.map((_, i) => `${tag}-${i}`);
  const index = new Map(ids.map((id, i) => [id, i]));
  const pending = new Set(ids);
  const add = (which: string[]) =>
    q.queue.addBulk(which.map((id) => ({ name, data: data[index.get(id)!], opts: { ...JOB_OPTIONS, jobId: id } })));
  await new Promise<void>((resolve, reject) => {
    let stopped = false;
    const stop = (e?: Error) => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      q.events.off('completed', onCompleted);
      q.events.off('failed', onFailed);
      if (e) reject(e);
      else resolve();
    };
    const finish = (id: string, value: unknown) => {
      if (!pending.delete(id)) return;
      try {
        onDone(value as R, index.get(id)!);
      } catch (e) {
        return stop(e as Error);
      }
      if (pending.size === 0) stop();
    };
    // The job's state decides: an event may be a retried attempt's, or lost.
    const check = async (id: string): Promise<'missing' | null> => {
      const job = await Job.fromId(q.queue, id);
      if (!job) return 'missing';
      const state = await job.getState();
      if (state === 'completed') finish(id, job.returnvalue);
      else if (state === 'failed' && pending.has(id))
        stop(new Error(`queue job ${id} (${name}) failed on the workers: ${job.failedReason}`));
      return null;
    };
    const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
      if (pending.has(jobId)) finish(jobId, returnvalue);
    };
    const onFailed = ({ jobId }: { jobId: string }) => {
      if (pending.has(jobId)) check(jobId).catch(() => {}); // the watchdog retries
    };
    const watch = async () => {
      const outcomes = await Promise.all([...pending].map(async (id) => [id, await check(id)] as const));
      const missing = outcomes.filter(([, o]) => o === 'missing').map(([id]) => id);
      if (missing.length > 0 && !stopped) await add(missing);
    };
    const timer = setInterval(() => watch().catch(() => {}), WATCH_MS); // Redis away: try again next time
    q.events.on('completed', onCompleted);
    q.events.on('failed', onFailed);
    // Jobs finished before the listeners above saw them are found by this first check.
    add(ids)
      .then(watch)
      .catch((e: unknown) => stop(e instanceof Error ? e : new Error(String(e))));
  });
}

/**
 * Runs extraction tasks on the queue's workers, {@link FILES_PER_JOB} files per job, and reads
 * each result from the shared feature cache.
 * @throws Error when a task has no cache folder, or a worker's result is not in the cache here.
 */
export function queueTaskRunner(q: QueueConnection, o: { filesPerJob?: number } = {}): TaskRunner {
  const per = o.filesPerJob ?? FILES_PER_JOB;
  return async (tasks, onResult) => {
    if (tasks.some((t) => t.cacheDir === null))
      throw new Error('--queue needs the feature cache: workers hand their features back through it (drop --no-cache)');
    // Workers run elsewhere: every path absolute, as this process resolves it.
    const absolute = tasks.map((t) => ({ ...t, path: resolve(t.path), cacheDir: resolve(t.cacheDir!) }));
    // Files already in the cache (a resumed or repeated run) need no job.
    const missing: ExtractTask[] = [];
    for (const t of absolute) {
      const hit = await cachedResult(t);
      if (hit) onResult(hit);
      else missing.push(t);
    }
    const chunks: ExtractTask[][] = [];
    for (let i = 0; i < missing.length; i += per) chunks.push(missing.slice(i, i + per));
    if (chunks.length === 0) return;
    await runJobs<FeaturesJobData, FeaturesJobResult>(
      q,
      FEATURES_JOB,
      chunks.map((c) => ({ tasks: c as FeaturesJobData['tasks'] })),
      (results, i) => {
        const chunk = chunks[i];
        for (const r of results) {
          if (!r.ok) {
            onResult(r);
            continue;
          }
          const task = chunk.find((t) => t.id === r.id)!;
          const features = new FeatureCache(task.cacheDir!).get(r.key);
          if (features === null)
            throw new Error(
              `${task.path}: a queue worker cached its features as ${r.key}, but ${task.cacheDir} does not hold them here: the cache folder must be shared by the workers and this host`,
            );
          onResult({ ...r, features });
        }
      },
    );
  };
}

/**
 * Trains folds on the queue's workers, one job per fold ({@link TRAIN_FOLD_JOB}); for
 * `RunOptions.trainFolds`. `cacheDir` is the feature cache the workers read.
 */
export function queueFoldTrainer(
  q: QueueConnection,
  o: { cacheDir: string; onFold?: (r: TrainFoldJobResult) => void },
): (runDir: string, folds: number[]) => Promise<void> {
  return (runDir, folds) =>
    runJobs<TrainFoldJobData, TrainFoldJobResult>(
      q,
      TRAIN_FOLD_JOB,
      folds.map((fold) => ({ runDir, fold, cacheDir: o.cacheDir })),
      (r) => o.onFold?.(r),
    );
}

/**
 * Measures the folds of an audit on the queue's workers, one job per fold ({@link AUDIT_FOLD_JOB};
 * the first fold measures the model's cost); for `AuditOptions.measureFolds`.
 */
export function queueFoldAuditor(
  q: QueueConnection,
  o: { onFold?: (fold: number) => void } = {},
): (runDir: string, folds: number[], settings: MeasureSettings) => Promise<FoldMeasurement[]> {
  return async (runDir, folds, settings) => {
    const out: FoldMeasurement[] = new Array(folds.length);
    await runJobs<AuditFoldJobData, string>(
      q,
      AUDIT_FOLD_JOB,
      folds.map((fold, i) => ({ runDir, fold, settings, sustainability: i === 0 })),
      (r, i) => {
        out[i] = decodeResult<FoldMeasurement>(r);
        o.onFold?.(folds[i]);
      },
    );
    return out;
  };
}
