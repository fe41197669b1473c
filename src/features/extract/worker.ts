/** Worker-thread entry: runs extraction tasks posted by the pool, one at a time. */
import { parentPort } from 'node:worker_threads';
import { setNumThreads } from '../../engine/index.js';
import { runTask, type ExtractTask } from './compute.js';

// The pool runs one thread per core: each does its engine work (mel spectrograms) on one thread
// (an OpenMP setting of this thread alone; the main thread keeps its own).
setNumThreads(1);

parentPort!.on('message', (task: ExtractTask) => {
  void runTask(task).then((r) => {
    // Transfer the feature buffer instead of copying it.
    parentPort!.postMessage(r, r.ok ? [r.features.data.buffer as ArrayBuffer] : []);
  });
});
