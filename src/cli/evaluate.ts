/** `trustser evaluate RUN`: a finished run's test metrics, or the run measured on another corpus (`--on`). */
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { choiceFlag, intFlag } from '../core/index.js';
import { evaluateOn, METRICS_FILE, readRunMetrics, runConfig, type CrossEvaluation, type TargetCorpus } from '../run/index.js';
import { evaluateDimensionalOn, isDimensionalRun, readDimensionalMetrics, type DimensionalCrossEvaluation } from '../dimensional/index.js';
import { COLUMNS_HELP, columnsFlag, formatMetrics, pct } from './common.js';
import { formatDimensionalMetrics } from './train-dimensional.js';

/** Parser of `--map surprise=surprised,calm=neutral` (target class = run class). */
function classMapFlag(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of v.split(',')) {
    const [from, to, extra] = part.split('=').map((s) => s.trim());
    if (!from || !to || extra !== undefined) throw new InvalidArgumentError(`'${part}': expected target=run, e.g. surprise=surprised`);
    if (from in out) throw new InvalidArgumentError(`'${from}' is mapped twice`);
    out[from] = to;
  }
  return out;
}

/** `--on` names an adapter (with --data) or is a CSV manifest / a folder holding manifest.csv. */
function targetOf(on: string, o: { data?: string; labelMap?: string; columns?: Record<string, string> }): TargetCorpus {
  const isManifest = (existsSync(on) && statSync(on).isDirectory()) || extname(on).toLowerCase() === '.csv';
  if (isManifest) {
    if (o.data) throw new Error(`--data: --on ${on} is a manifest; --data applies to a corpus adapter name`);
    return { name: 'manifest', root: on, labelMap: o.labelMap, options: o.columns ? { columns: o.columns } : {} };
  }
  if (!o.data) throw new Error(`--data: the '${on}' corpus needs its folder (--data DIR)`);
  if (o.columns) throw new Error('--columns applies to CSV manifests only');
  return { name: on, root: o.data, labelMap: o.labelMap };
}

function formatDimensionalCross(e: DimensionalCrossEvaluation): string {
  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
  return [
    `${e.target} (${e.root}): ${e.n} utterances, ${e.attributes === 'proxy' ? 'PROXY attributes from the classes' : 'corpus ratings'}`,
    `${'attribute'.padEnd(12)}${'CCC'.padStart(8)}${'r'.padStart(8)}${'RMSE'.padStart(8)}`,
    ...e.targets.map(
      (t) =>
        `${t.padEnd(12)}${f3(e.metrics[t].ccc).padStart(8)}${f3(e.metrics[t].pearson).padStart(8)}${f3(e.metrics[t].rmse).padStart(8)}`,
    ),
    ...(e.noSpeech > 0 ? [`${e.noSpeech} file(s) without speech were not scored`] : []),
    ...(e.failed.length > 0 ? [`${e.failed.length} file(s) failed: ${e.failed[0].path}: ${e.failed[0].reason}`] : []),
  ].join('\n');
}

function formatCross(e: CrossEvaluation): string {
  const lines = [
    `${e.target} (${e.root}): ${e.metrics.n} utterances, ${e.classes.length} shared classes (chance UA ${pct(e.chanceUa)} %)`,
    `UA ${pct(e.metrics.ua)} %   WA ${pct(e.metrics.wa)} %   macro-F1 ${pct(e.metrics.macroF1)} %   (${e.folds.length} fold(s) averaged)`,
    '',
    'per-class recall:',
    ...e.classes.map((c, i) => `  ${c.padEnd(12)}${pct(e.metrics.recall[i]).padStart(6)} %`),
    '',
    'confusion (rows = truth, columns = prediction):',
    `  ${''.padEnd(12)}${e.classes.map((c) => c.slice(0, 7).padStart(8)).join('')}`,
    ...e.metrics.confusion.map((row, i) => `  ${e.classes[i].padEnd(12)}${row.map((v) => String(v).padStart(8)).join('')}`),
  ];
  const left = Object.entries(e.leftOut);
  if (left.length > 0) lines.push('', `left out (classes the run does not know): ${left.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  if (e.unusedRunClasses.length > 0)
    lines.push(`run classes the target lacks (dropped, posteriors renormalized): ${e.unusedRunClasses.join(', ')}`);
  if (e.noSpeech > 0) lines.push(`${e.noSpeech} file(s) without speech were not scored`);
  if (e.failed.length > 0)
    lines.push(`${e.failed.length} file(s) failed: ${e.failed[0].path}: ${e.failed[0].reason}${e.failed.length > 1 ? ' …' : ''}`);
  if (e.normalization === 'target')
    lines.push("features standardized with the target corpus' own (unlabelled) statistics: report these numbers as target-adapted");
  if (e.speakerNormalized) lines.push("features normalized per speaker with each target speaker's unlabelled utterances (enrollment)");
  return lines.join('\n');
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      "show a trained run's test metrics (UA, WA, macro-F1, per-class recall, confusion, per fold and mean ± std), or measure it on another corpus with --on",
    )
    .argument('<run-dir>', 'run directory written by `trustser train`')
    .option('--on <corpus|manifest.csv>', 'measure the run on this corpus (an adapter name with --data, or a CSV manifest)')
    .option('--data <dir>', '--on CORPUS: the corpus folder')
    .option('--label-map <name>', "--on: the target corpus' label map (default: its own default)")
    .option('--map <target=run,...>', '--on: target classes named differently from the run classes', classMapFlag)
    .option('--columns <mapping>', COLUMNS_HELP, columnsFlag)
    .option('--target-norm', "--on: standardize features with the target corpus' own unlabelled statistics (reported as such)")
    .option('--fold <k>', '--on: only this fold (default: every fold, averaged)', intFlag(0))
    .option(
      '--attributes <source>',
      "--on with a dimensional run: the target's 'corpus' ratings or 'proxy' values (default: as trained)",
      choiceFlag(['corpus', 'proxy'] as const),
    )
    .option('--json', 'machine-readable output')
    .action(
      async (
        dir: string,
        o: {
          on?: string;
          data?: string;
          labelMap?: string;
          map?: Record<string, string>;
          columns?: Record<string, string>;
          targetNorm?: boolean;
          fold?: number;
          attributes?: 'corpus' | 'proxy';
          json?: boolean;
        },
      ) => {
        if (isDimensionalRun(dir)) {
          if (o.map || o.targetNorm) throw new Error(`--${o.map ? 'map' : 'target-norm'}: does not apply to a dimensional run`);
          if (o.on !== undefined) {
            const e = await evaluateDimensionalOn(dir, targetOf(o.on, o), { attributes: o.attributes, fold: o.fold });
            process.stdout.write(o.json ? `${JSON.stringify(e)}\n` : `${formatDimensionalCross(e)}\n`);
            return;
          }
          const m = readDimensionalMetrics(dir);
          process.stdout.write(o.json ? `${JSON.stringify(m)}\n` : `${formatDimensionalMetrics(m)}\n`);
          return;
        }
        if (o.on !== undefined) {
          const e = await evaluateOn(dir, targetOf(o.on, o), { classMap: o.map, targetNorm: o.targetNorm, fold: o.fold });
          process.stdout.write(o.json ? `${JSON.stringify(e)}\n` : `${formatCross(e)}\n`);
          return;
        }
        if (o.attributes) throw new Error('--attributes: applies to dimensional runs (with --on)');
        const onOnly = { data: o.data, labelMap: o.labelMap, map: o.map, columns: o.columns, targetNorm: o.targetNorm, fold: o.fold };
        for (const [flag, v] of Object.entries(onOnly))
          if (v !== undefined) throw new Error(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --on`);
        const cfg = runConfig(dir);
        const m = readRunMetrics(dir);
        if (!m) throw new Error(`${dir}: no ${METRICS_FILE} (is the run finished? rerun 'trustser train' with the same --out to resume)`);
        const note = cfg.features.speakerNorm
          ? "\nfeatures were normalized per speaker with each test speaker's unlabelled utterances (enrollment); report these numbers as such\n"
          : '';
        process.stdout.write(o.json ? `${JSON.stringify(m)}\n` : `${formatMetrics(m)}\n${note}`);
      },
    );
}
