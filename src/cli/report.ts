/** `trustser report RUN_A RUN_B … --out page.html`: several audited runs on one page. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../core/index.js';
import { DIMENSIONAL_TRUST_HTML, isDimensionalRun } from '../dimensional/index.js';
import { loadTrustReport, renderTrustHtml } from '../report/index.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('one HTML page comparing audited runs (radar overlay, one column per model)')
    .argument('<runs...>', 'run directories (or trust.json files) already audited')
    .requiredOption('--out <file>', 'HTML file to write')
    .action(async (runs: string[], o: { out: string }) => {
      for (const r of runs)
        if (isDimensionalRun(r))
          throw new Error(
            `${r}: a dimensional run; its audit page is ${join(r, DIMENSIONAL_TRUST_HTML)} (trustser audit ${r}); report compares categorical runs`,
          );
      const reports = runs.map((r) => loadTrustReport(r));
      await writeFileAtomic(o.out, renderTrustHtml(reports));
      process.stdout.write(`${resolve(o.out)}: ${reports.length} model(s)\n`);
    });
}
