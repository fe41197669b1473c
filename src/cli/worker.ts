/** `trustser worker`: takes feature-extraction and fold-training jobs off a Redis queue until stopped. */
import type { Command } from 'commander';
import { intFlag } from '../core/index.js';
import { checkQueueUrl, DEFAULT_LOCK_MS, startWorker } from '../queue/index.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run jobs enqueued with --queue (features extract, train) until stopped with Ctrl-C or SIGTERM')
    .requiredOption('--queue <url>', 'Redis server of the queue, e.g. redis://127.0.0.1:6379', (v) => checkQueueUrl(v))
    .option('--lock-ms <ms>', `how soon another worker takes over the job of a worker that died (default ${DEFAULT_LOCK_MS})`, intFlag(100))
    .action(async (o: { queue: string; lockMs?: number }) => {
      const log = (l: string) => process.stderr.write(`${l}\n`);
      const worker = await startWorker(o.queue, { lockMs: o.lockMs, log });
      log(`worker ready on ${o.queue}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          log('stopping: finishing the current job');
          void worker.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
