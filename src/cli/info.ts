/** `trustser info`: versions and the engine's threading setup. */
import type { Command } from 'commander';
import { engineInfo, getNumThreads } from '../engine/index.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show the engine (libtorch) version and threading')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => {
      const e = engineInfo();
      const info = {
        node: process.version,
        libtorch: e.torch,
        threads: getNumThreads(),
        openblasThreads: process.env.OPENBLAS_NUM_THREADS ?? null,
      };
      if (o.json) process.stdout.write(`${JSON.stringify(info)}\n`);
      else for (const [k, v] of Object.entries(info)) process.stdout.write(`${k.padEnd(16)}${v}\n`);
    });
}
