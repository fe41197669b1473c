/** Worker-thread entry: runs extraction tasks posted by the pool, one at a time. */
import { parentPort } from 'node:worker_threads';
import { runTask, type ExtractTask } from './compute.js';

parentPort!.on('message', (task: ExtractTask) => {
  void runTask(task).then((r) => {
    // Transfer the feature buffer instead of copying it.
    parentPort!.postMessage(r, r.ok ? [r.features.data.buffer as ArrayBuffer] : []);
  });
});
