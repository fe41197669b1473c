/** `trustser audit RUN_DIR` and `trustser report RUN_A RUN_B ...`. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { auditRun } from '../audit/index.js';
import { DIMENSIONAL_TRUST_HTML, DIMENSIONAL_TRUST_JSON, auditDimensional, isDimensionalRun } from '../dimensional/index.js';
import type { TrustReport } from '../report/index.js';
import { choiceListFlag, intFlag, numberListFlag } from '../core/index.js';
import { checkQueueUrl, openQueue, queueFoldAuditor } from '../queue/index.js';
import { progressBar } from './common.js';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** Attacks the audit runs. */
const ATTACKS = ['fgsm', 'pgd'] as const;

/** A few lines summarizing a report (the HTML holds the rest). */
function summarizeReport(r: TrustReport): string {
  const lines = [
    `${r.model.name} on ${r.corpus?.name ?? '?'}: UA ${pct(r.accuracy!.ua.value)} [${pct(r.accuracy!.ua.low ?? NaN)}, ${pct(r.accuracy!.ua.high ?? NaN)}]`,
  ];
  for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
  for (const [a, f] of Object.entries(r.fairness ?? {}))
    lines.push(
      `fairness by ${a}: statistical parity gap ${f.statisticalParity.value.toFixed(3)} [${f.statisticalParity.low.toFixed(3)}, ${f.statisticalParity.high.toFixed(3)}]`,
    );
  for (const a of r.safety?.attacks ?? []) {
    const ci = a.low !== undefined && a.high !== undefined ? ` [${pct(a.low)}, ${pct(a.high)}]` : '';
    lines.push(
      `${a.method.toUpperCase()} at ${a.snrDb} dB SNR: attack success ${pct(a.successRate)}${ci}${a.attacked !== undefined ? ` (${a.flipped} of ${a.attacked})` : ''}`,
    );
  }
  for (const [d, why] of Object.entries(r.notMeasured ?? {})) lines.push(`${d}: not measured (${why})`);
  if (r.privacy)
    lines.push(
      `gender inference from embeddings: ${pct(r.privacy.genderProbe.accuracy)} (majority ${pct(r.privacy.genderProbe.majority)})`,
    );
  if (r.sustainability)
    lines.push(
      `${r.sustainability.params} parameters, ${(r.sustainability.macsPerSecond / 1e6).toFixed(1)} MMAC/s, latency ${r.sustainability.latencyMs.toFixed(1)} ms`,
    );
  return lines.join('\n');
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'audit a trained run on its held-out folds: accuracy, fairness (bootstrap CIs), attacks, robustness, privacy, sustainability → trust.json, trust.html',
    )
    .argument('<run-dir>', 'run directory written by `trustser train`')
    .option('--snr <list>', 'attack SNRs in dB', numberListFlag(), [45, 40, 35, 30])
    .option('--attacks <list>', 'fgsm, pgd or both', choiceListFlag(ATTACKS), [...ATTACKS])
    .option('--pgd-steps <n>', 'PGD iterations', intFlag(1), 10)
    .option('--max-utterances <n>', 'test utterances per fold for attacks and robustness', intFlag(1), 60)
    .option('--resamples <n>', 'bootstrap resamples', intFlag(10), 1000)
    .option('--no-robustness', 'skip the noise/reverb sweeps')
    .option(
      '--queue <url>',
      'measure each fold as a job on a Redis queue for `trustser worker`s (they must share the run folder and the audio)',
      (v) => checkQueueUrl(v),
    )
    .option('--json', 'print trust.json')
    .action(
      async (
        dir: string,
        o: {
          snr: number[];
          attacks: (typeof ATTACKS)[number][];
          pgdSteps: number;
          maxUtterances: number;
          resamples: number;
          robustness: boolean;
          json?: boolean;
          queue?: string;
        },
      ) => {
        if (isDimensionalRun(dir)) {
          if (o.queue) throw new Error('--queue: a dimensional run is audited in this process');
          const t = await auditDimensional(dir, {
            resamples: o.resamples,
            maxUtterancesPerFold: o.maxUtterances,
            attackSnrDb: o.snr,
            attacks: o.attacks,
            ...(o.robustness ? {} : { snrDb: [] }),
            log: o.json ? undefined : (l) => process.stderr.write(`${l}\n`),
          });
          const attacks = t.safety
            ? t.safety.points.map(
                (p) =>
                  `${p.method} ${p.snrDb} dB: ${p.successRate === null ? '—' : (100 * p.successRate).toFixed(1)} % of ${p.attacked} moved`,
              )
            : [`safety: not measured (${t.notMeasured.safety})`];
          const lines = t.accuracy.map(
            (a) =>
              `${a.target.padEnd(10)} CCC ${a.ccc.value?.toFixed(3) ?? '—'} [${a.ccc.low?.toFixed(3) ?? '—'}, ${a.ccc.high?.toFixed(3) ?? '—'}]`,
          );
          process.stdout.write(
            o.json
              ? `${JSON.stringify(t)}\n`
              : `${[...t.notes, ...lines, ...attacks].join('\n')}\n\nwritten: ${join(resolve(dir), DIMENSIONAL_TRUST_JSON)}, ${join(resolve(dir), DIMENSIONAL_TRUST_HTML)}\n`,
          );
          return;
        }
        const queue = o.queue ? await openQueue(o.queue) : null;
        const bar = queue ? progressBar(!o.json, 'audit folds on the queue [{bar}] {value}/{total}') : null;
        const measureFolds = queue
          ? async (...args: Parameters<ReturnType<typeof queueFoldAuditor>>) => {
              bar?.start(args[1].length, 0);
              const r = await queueFoldAuditor(queue, { onFold: () => bar?.increment() })(...args);
              bar?.stop();
              return r;
            }
          : undefined;
        const report = await auditRun(dir, {
          measureFolds,
          snrDb: o.snr,
          attacks: o.attacks,
          pgdSteps: o.pgdSteps,
          maxUtterancesPerFold: o.maxUtterances,
          resamples: o.resamples,
          robustness: o.robustness,
          log: o.json ? undefined : (l) => process.stderr.write(`${l}\n`),
        }).finally(() => queue?.close());
        process.stdout.write(
          o.json
            ? `${JSON.stringify(report)}\n`
            : `${summarizeReport(report)}\n\nwritten: ${join(resolve(dir), 'trust.json')}, ${join(resolve(dir), 'trust.html')}\n`,
        );
      },
    );
}
