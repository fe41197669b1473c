/**
 * Scale-out on Redis + BullMQ: feature extraction and fold training enqueued as jobs
 * (`--queue redis://HOST:PORT`) and run by `trustser worker` processes on any host that shares
 * the feature cache and the run folder. Without a queue everything runs in-process.
 */
export { checkQueueUrl, DEFAULT_QUEUE_NAME, openQueue, type QueueConnection } from './connection.js';
export { FILES_PER_JOB, queueFoldAuditor, queueFoldTrainer, queueTaskRunner } from './client.js';
export { DEFAULT_LOCK_MS, startWorker, type RunningWorker, type WorkerOptions } from './worker.js';
export { AUDIT_FOLD_JOB, FEATURES_JOB, JOB_ATTEMPTS, TRAIN_FOLD_JOB } from './jobs.js';
