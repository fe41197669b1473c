/** `trustser calibrate RUN [--force]`: fits each fold's temperature on its dev set (runs trained before calibration existed, or again). */
import type { Command } from 'commander';
import { calibrateRun } from '../train/index.js';

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description("fit each finished fold's temperature on its dev set (fold-K/calibration.json); training does this itself")
    .argument('<run-dir>', 'run directory written by `trustser train`')
    .option('--force', 'fit folds that already have a temperature again')
    .option('--json', 'print JSON')
    .action(async (runDir: string, o: { force?: boolean; json?: boolean }) => {
      const lines: string[] = [];
      const r = await calibrateRun(runDir, { force: o.force, log: (l) => lines.push(l) });
      process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${lines.join('\n')}\n`);
    });
}
