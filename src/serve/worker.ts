/**
 * An analysis worker thread of `trustser serve` (run by the pool in pool.ts): loads the SER model
 * and the countermeasure once, at thread start, then analyzes one upload per task. Every outcome
 * is a plain value ({@link WorkerResult}), since error classes do not survive the thread boundary.
 */
import { workerData } from 'node:worker_threads';
import { setNumThreads } from '../engine/index.js';
// Side effect: mel spectrograms on the libtorch engine in this thread too (as in Node's features face).
import '../features/index.js';
import { loadOnnxModel } from '../runtime/index.js';
import type { AnalyzeResponse } from './analysis.js';
import { analyzeAudio, type Analyzer } from './analyze.js';
import { HttpError } from './errors.js';
import { ServedSpoofModel } from './spoof.js';

/** What every worker is started with. */
export interface WorkerSetup {
  modelPath: string;
  spoofPath: string | null;
  /** ONNX Runtime intra-op threads per model. */
  threads: number;
  windowSeconds: number;
  hopSeconds: number;
  maxSeconds: number;
}

/** One upload to analyze (the bytes are transferred, not copied). */
export interface WorkerTask {
  bytes: Uint8Array;
  label: string;
}

/** The outcome of a task: the analysis, or an HTTP error to answer with. */
export type WorkerResult = { ok: true; response: AnalyzeResponse } | { ok: false; status: number; code: string; message: string };

async function setUp(s: WorkerSetup): Promise<Analyzer> {
  const model = await loadOnnxModel(s.modelPath, { intraOpThreads: s.threads });
  const spoof = s.spoofPath ? await ServedSpoofModel.load(s.spoofPath, s.threads) : null;
  return { model, spoof, windowSeconds: s.windowSeconds, hopSeconds: s.hopSeconds, maxSeconds: s.maxSeconds };
}

// The pool runs one thread per core: the engine's own work (mel spectrograms) stays on this thread.
setNumThreads(1);
const analyzer = setUp(workerData as WorkerSetup);
// An unhandled rejection here would kill the thread before the first task could report it.
analyzer.catch(() => {});

/** Analyzes one upload. */
export default async function analyze(task: WorkerTask): Promise<WorkerResult> {
  try {
    return { ok: true, response: await analyzeAudio(await analyzer, task.bytes, task.label) };
  } catch (e) {
    if (e instanceof HttpError) return { ok: false, status: e.status, code: e.code, message: e.message };
    return { ok: false, status: 500, code: 'internal', message: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}
