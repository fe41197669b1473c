/**
 * bench/robustness: UA of trained RAVDESS runs (from bench:ser-ravdess, 8 classes, 6
 * speaker-independent folds) on their test actors passed through every channel shift of
 * src/audio (telephone band, MP3/Ogg at low bit rates, room reverberation, LibriSpeech babble,
 * white/pink noise, level changes, DC offset, leading/trailing silence). Folds run in parallel
 * child processes; each run's outcomes are kept in bench/out/robustness (resumable).
 * Usage: npm run bench:robustness [-- --runs id,id] [--max-per-fold N] [--procs N]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomicSync } from '../../src/core/atomic.js';
import { packageRoot } from '../../src/core/paths.js';
import { classificationMetrics, meanStd } from '../../src/metrics/index.js';
import { finishedFolds, readFoldResult, runConfig } from '../../src/run/index.js';
import { testBabbleDirs } from '../babble.js';
import { machineLine, recordedSection, writeResultsSection } from '../results.js';
import type { ShiftOutcome } from './shifts.js';

/** Runs measured by default: the former and the current best deployable recipe (plain and augmented), and a neural model. */
const DEFAULT_RUNS = ['logreg-fused', 'logreg-sel-wd0.3', 'logreg-sel-aug-wd0.3', 'logreg-sel-augb-wd0.3', 'trust-ser-sel'];
const runDir = (id: string) => join(packageRoot(), 'bench', 'out', 'ser-ravdess', id);
const outFile = (id: string, max: number) => join(packageRoot(), 'bench', 'out', 'robustness', `${id}${max > 0 ? `-max${max}` : ''}.json`);

function child(dir: string, folds: number[], max: number): Promise<ShiftOutcome[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', join(packageRoot(), 'bench', 'robustness', 'shifts.ts'), dir, folds.join(','), String(max)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
      },
    );
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`shift worker exited with ${code}`)),
    );
  });
}

async function measure(id: string, max: number, procs: number): Promise<ShiftOutcome[]> {
  const file = outFile(id, max);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ShiftOutcome[];
  const folds = finishedFolds(runDir(id));
  const shares = Array.from({ length: procs }, (_, i) => folds.filter((_, j) => j % procs === i)).filter((s) => s.length > 0);
  const parts = await Promise.all(shares.map((s) => child(runDir(id), s, max)));
  const all = parts.flat();
  mkdirSync(join(packageRoot(), 'bench', 'out', 'robustness'), { recursive: true });
  writeFileAtomicSync(file, JSON.stringify(all));
  return all;
}

/**
 * The previous section's main table (columns by run id, cells by condition) and what follows it
 * (earlier tables kept as recorded), so a run not re-run in this invocation keeps its column.
 */
function recordedColumns(): { columns: Map<string, { header: string; cells: Map<string, string> }>; rest: string } {
  const lines = recordedSection('robustness').split('\n');
  const top = lines.findIndex((l) => l.startsWith('| condition |'));
  const columns = new Map<string, { header: string; cells: Map<string, string> }>();
  if (top < 0) return { columns, rest: '' };
  let end = top + 2;
  while (end < lines.length && lines[end].startsWith('| ')) end++;
  const split = (l: string) => l.slice(2, -2).split(' | ');
  const headers = split(lines[top]).slice(1);
  headers.forEach((h, i) => {
    const id = h.split(' ')[0].replace(/†$/, '');
    const cells = new Map(lines.slice(top + 2, end).map((l) => [split(l)[0], split(l)[i + 1]] as const));
    columns.set(id, { header: h.endsWith('†') || h.includes('† (') ? h : h.replace(/^(\S+)/, '$1†'), cells });
  });
  return { columns, rest: lines.slice(end).join('\n').trim() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, 'max-per-fold': { type: 'string' }, procs: { type: 'string' } } });
  const ids = values.runs?.split(',') ?? DEFAULT_RUNS;
  const max = Number(values['max-per-fold'] ?? 0);
  const procs = Number(values.procs ?? availableParallelism());
  for (const d of testBabbleDirs()) if (!existsSync(d)) throw new Error(`${d}: LibriSpeech talker not found (test babble)`);
  const table = new Map<string, Map<string, { mean: number; std: number }>>();
  const started = performance.now();
  for (const id of ids) {
    if (!existsSync(join(runDir(id), 'metrics.json'))) {
      console.error(`== ${id}: no finished run in ${runDir(id)} (run npm run bench:ser-ravdess -- --only ${id}); skipped`);
      continue;
    }
    console.error(`== ${id}`);
    const outcomes = await measure(id, max, procs);
    const classes = readFoldResult(runDir(id), outcomes[0].fold).test.recall.length;
    const byCondition = new Map<string, number[]>();
    for (const o of outcomes)
      byCondition.set(o.condition, [...(byCondition.get(o.condition) ?? []), classificationMetrics(o.truth, o.pred, classes).ua]);
    table.set(id, new Map([...byCondition].map(([c, uas]) => [c, meanStd(uas)])));
  }
  if (table.size === 0) throw new Error('no run to measure');
  const conditions = [...table.values().next().value!.keys()];
  const cfgCell = (id: string) => {
    const c = runConfig(runDir(id));
    return `${c.model.name} on ${c.features.set}${c.features.overrides.dcRemoval === 'mean' ? ', DC removed' : ''}${c.training.augment ? `, augmented${c.training.augment.noise.kinds.includes('babble') ? ' + babble' : ''}` : ''}`;
  };
  const recorded = recordedColumns();
  const kept = [...recorded.columns].filter(([id, col]) => !table.has(id) && conditions.every((c) => col.cells.has(c)));
  const headers = [...[...table.keys()].map((id) => `${id} (${cfgCell(id)})`), ...kept.map(([, col]) => col.header)];
  const header = `| condition | ${headers.join(' | ')} |`;
  const rows = conditions.map((c) => {
    const cells = [...table.values()].map((m) => {
      const v = m.get(c)!;
      const clean = m.get('clean')!.mean;
      return c === 'clean'
        ? `**${(100 * v.mean).toFixed(1)}** ± ${(100 * v.std).toFixed(1)}`
        : `${(100 * v.mean).toFixed(1)} (${(v.mean / clean).toFixed(2)}×)`;
    });
    return `| ${c} | ${[...cells, ...kept.map(([, col]) => col.cells.get(c)!)].join(' | ')} |`;
  });
  const md = [
    '## Channel shifts: RAVDESS test actors through telephone, codecs, rooms, noise, levels (`npm run bench:robustness`)',
    '',
    `${machineLine()}; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores at the end (${((performance.now() - started) / 60000).toFixed(0)} min). UA % (mean over the 6 speaker-independent folds of bench:ser-ravdess, ${max > 0 ? `${max} test utterances per fold` : 'every test utterance'}) and, in brackets, the ratio to the clean UA. Each shift is drawn per utterance from a fixed seed (src/audio channel.ts, codec.ts); babble mixes 4–6 clips of 4 LibriSpeech test-other talkers (bench/babble.ts; not RAVDESS speakers; the augmented runs trained with white/pink noise, *augb* also with babble of TESS talkers, *augl* with babble of the 6 other LibriSpeech talkers on 80 % of the copies — never these 4). No model uses test-speaker statistics. Goal: UA under 20 dB babble/white ≥ 0.9 × clean. † not re-run in this invocation: the column as recorded by an earlier run (same bench).`,
    '',
    header,
    `|---|${headers.map(() => '---:').join('|')}|`,
    ...rows,
    ...(recorded.rest ? ['', recorded.rest] : []),
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('robustness', md)}`);
}

await main();
