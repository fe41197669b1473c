/**
 * What a queue worker runs for one job (features, a training fold, an audit fold), in a worker thread of its own (BullMQ's sandbox): the
 * worker's event loop stays free to renew the job's lock however long a fold trains, so a live
 * worker's job is never mistaken for a dead one's.
 */
import type { SandboxedJob } from 'bullmq';
import { runTask, type ExtractTask } from '../features/index.js';
import { trainRunFold } from '../train/index.js';
import { auditRunFold } from '../audit/index.js';
import {
  AUDIT_FOLD_JOB,
  auditFoldJobData,
  encodeResult,
  FEATURES_JOB,
  featuresJobData,
  jobData,
  TRAIN_FOLD_JOB,
  trainFoldJobData,
  type FeaturesJobResult,
  type TrainFoldJobResult,
} from './jobs.js';

async function extractJob(job: SandboxedJob): Promise<FeaturesJobResult> {
  const { tasks } = jobData(featuresJobData, job.name, job.id, job.data);
  const out: FeaturesJobResult = [];
  for (const t of tasks) {
    // The augmentation chain was validated with the run's config by the client that enqueued it.
    const r = await runTask(t as ExtractTask);
    out.push(r.ok ? { id: r.id, ok: true, cached: r.cached, key: r.key } : r);
  }
  return out;
}

async function trainFoldJob(job: SandboxedJob): Promise<TrainFoldJobResult> {
  const d = jobData(trainFoldJobData, job.name, job.id, job.data);
  // The enqueuing run computed the features into the shared cache, so this thread only reads them.
  const r = await trainRunFold(d.runDir, d.fold, { cacheDir: d.cacheDir, workers: 0 });
  return { fold: d.fold, ua: r.predictions.length === 0 ? null : r.test.ua };
}

/** The fold's audit measurements, as JSON that keeps NaN rates ({@link encodeResult}). */
async function auditFoldJob(job: SandboxedJob): Promise<string> {
  const d = jobData(auditFoldJobData, job.name, job.id, job.data);
  return encodeResult(await auditRunFold(d.runDir, d.fold, { ...d.settings, sustainability: d.sustainability }));
}

/** Runs one job by its kind; an unknown kind or malformed data fails the job with the reason. */
export default async function processJob(job: SandboxedJob): Promise<FeaturesJobResult | TrainFoldJobResult | string> {
  if (job.name === FEATURES_JOB) return extractJob(job);
  if (job.name === TRAIN_FOLD_JOB) return trainFoldJob(job);
  if (job.name === AUDIT_FOLD_JOB) return auditFoldJob(job);
  throw new Error(`queue job ${job.id}: unknown job kind '${job.name}'`);
}
