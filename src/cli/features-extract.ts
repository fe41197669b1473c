/** `trustser features extract`: a feature set for every audio file of a folder or manifest. */
import type { Command } from 'commander';
import { choiceFlag, intFlag, throwIfFailed } from '../core/index.js';
import { extractFeatures } from '../features/index.js';
import { checkQueueUrl, openQueue, queueTaskRunner } from '../queue/index.js';
import { COLUMNS_HELP, columnsFlag } from './common.js';

export function registerFeaturesExtract(features: Command): void {
  features
    .command('extract')
    .description('compute a feature set for every audio file of a folder or manifest')
    .requiredOption('--set <name>', 'feature set (see `trustser features list`)')
    .requiredOption('--in <dir|manifest.csv>', 'folder scanned for audio files, or a CSV manifest with a path column')
    .option('--columns <mapping>', COLUMNS_HELP, columnsFlag)
    .option('--no-recurse', 'scan only the top level of the --in folder')
    .requiredOption('--out <file>', 'output: .safetensors (one tensor per file) or .csv (functionals, one row per file)')
    .option('--format <format>', 'safetensors or csv (default: from the output extension)', choiceFlag(['safetensors', 'csv'] as const))
    .option('--workers <n>', 'worker threads (default: all cores; 0 = main thread)', intFlag(0))
    .option('--cache <dir>', 'feature cache folder (default: $TRUSTSER_CACHE or ~/.cache/trustser/features)')
    .option('--no-cache', 'do not read or write the cache')
    .option('--queue <url>', 'enqueue the work on a Redis queue for `trustser worker`s (the cache must be a folder they share)', (v) =>
      checkQueueUrl(v),
    )
    .option('--json', 'print the summary as JSON')
    .action(
      async (o: {
        set: string;
        in: string;
        out: string;
        format?: 'safetensors' | 'csv';
        workers?: number;
        cache: string | boolean;
        json?: boolean;
        columns?: Record<string, string>;
        recurse: boolean;
        queue?: string;
      }) => {
        if (o.queue && o.cache === false)
          throw new Error('--queue needs the feature cache: workers hand their features back through it (drop --no-cache)');
        const queue = o.queue ? await openQueue(o.queue) : null;
        const summary = await extractFeatures({
          set: o.set,
          input: o.in,
          inputOptions: { columns: o.columns, recurse: o.recurse },
          out: o.out,
          format: o.format,
          workers: o.workers,
          cacheDir: o.cache === false ? null : typeof o.cache === 'string' ? o.cache : undefined,
          ...(queue ? { runner: queueTaskRunner(queue) } : {}),
        }).finally(() => queue?.close());
        if (o.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
        } else {
          process.stdout.write(
            `${summary.out}: ${summary.extracted + summary.fromCache} of ${summary.files} files (${summary.fromCache} from cache)\n`,
          );
        }
        throwIfFailed('feature extraction (the others are in the output)', summary.failed, summary.files);
      },
    );
}
