/** `trustser features list`: the registered feature sets. */
import type { Command } from 'commander';
import { listFeatureSets } from '../features/index.js';

export function registerFeaturesList(features: Command): void {
  features
    .command('list')
    .description('list the feature sets')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => {
      const names = listFeatureSets();
      process.stdout.write(o.json ? `${JSON.stringify(names)}\n` : `${names.join('\n')}\n`);
    });
}
