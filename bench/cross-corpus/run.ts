/**
 * bench/cross-corpus: models trained on one corpus and tested on another (RAVDESS → TESS, TESS →
 * RAVDESS) on the 7 classes both have, and trained on both (speaker-independent 6 folds over the
 * 26 speakers of the two corpora, reported per corpus). Deployable numbers use training
 * statistics only; rows marked *target-norm* standardize features with the target corpus' own
 * unlabelled statistics (`trustser evaluate --on ... --target-norm`) and are not deployable as
 * such. Runs go to bench/out/cross-corpus/<row>; an interrupted benchmark resumes.
 * Usage: npm run bench:cross-corpus [-- --only row,row]
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/core/paths.js';
import { evaluateOn, parseRunConfig, type CrossEvaluation, type RunMetrics } from '../../src/run/index.js';
import { trainRun } from '../../src/train/index.js';
import { librispeechBabbleNoise } from '../babble.js';
import { machineLine, recordedSection, writeResultsSection } from '../results.js';

const SEED = 1;
const DATA = join(packageRoot(), '..', 'shared', 'data');
const CORPORA = {
  ravdess: { name: 'ravdess', root: join(DATA, 'ravdess-speech-16k'), labelMap: '8class' },
  tess: { name: 'tess', root: join(DATA, 'tess-16k'), labelMap: '7class' },
} as const;
type CorpusId = keyof typeof CORPORA;

/** The recipes, with the hyper-parameters bench:ser-ravdess chose on RAVDESS dev UA. */
const FUSED_TRAINING = { epochs: 150, lr: 1e-3, batchSize: 64, patience: 150 };
const RECIPES = {
  'logreg-egemaps-mel': { features: { set: 'egemaps-mel' }, model: { name: 'logreg' }, training: { ...FUSED_TRAINING, weightDecay: 0.3 } },
  'logreg-egemaps-mel-aug': {
    features: { set: 'egemaps-mel' },
    model: { name: 'logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.3, augment: { copies: 2, seed: SEED } },
  },
  'logreg-egemaps-mel-augl': {
    features: { set: 'egemaps-mel' },
    model: { name: 'logreg' },
    training: {
      ...FUSED_TRAINING,
      weightDecay: 0.3,
      augment: { copies: 2, seed: SEED, noise: librispeechBabbleNoise() },
    },
  },
  'logreg-se': {
    features: { set: 'speech-embedding-stats' },
    model: { name: 'logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.03 },
  },
  'logreg-sel': {
    features: { set: 'egemaps-mel+speech-embedding-stats', overrides: { 'speech-embedding-stats.layers': 'all' } },
    model: { name: 'logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.3 },
  },
  'logreg-sel-lvl': {
    features: { set: 'egemaps-mel+speech-embedding-stats', overrides: { 'speech-embedding-stats.layers': 'all', levelNorm: 'active-rms' } },
    model: { name: 'logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.3 },
  },
  'logreg-sel-aug': {
    features: { set: 'egemaps-mel+speech-embedding-stats', overrides: { 'speech-embedding-stats.layers': 'all' } },
    model: { name: 'logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.3, augment: { copies: 2, seed: SEED } },
  },
  'logreg-se-vad': {
    features: { set: 'speech-embedding-stats', overrides: { vad: 'energy' } },
    model: { name: 'logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.03 },
  },
  'logreg-sel-vad': {
    features: { set: 'egemaps-mel+speech-embedding-stats', overrides: { 'speech-embedding-stats.layers': 'all', vad: 'energy' } },
    model: { name: 'logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.3 },
  },
  // The fused features through two gated heads (src/models/ser/gated.ts): egemaps-mel alone where the backbone statistics are off their training distribution.
  'logreg-gated': {
    features: { set: 'egemaps-mel+speech-embedding-stats', overrides: { 'speech-embedding-stats.layers': 'all' } },
    model: { name: 'gated-logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.3 },
  },
  'logreg-gated-augl': {
    features: { set: 'egemaps-mel+speech-embedding-stats', overrides: { 'speech-embedding-stats.layers': 'all' } },
    model: { name: 'gated-logreg' },
    training: { ...FUSED_TRAINING, weightDecay: 0.3, augment: { copies: 2, seed: SEED, noise: librispeechBabbleNoise() } },
  },
} as const;
type RecipeId = keyof typeof RECIPES;

interface Row {
  recipe: RecipeId;
  train: CorpusId[];
  /** Test corpora; empty = speaker k-fold over the training corpora. */
  test: CorpusId[];
}
const ROWS: Row[] = (Object.keys(RECIPES) as RecipeId[]).flatMap((recipe) => [
  { recipe, train: ['ravdess'], test: ['tess'] },
  { recipe, train: ['tess'], test: ['ravdess'] },
  { recipe, train: ['ravdess', 'tess'], test: [] },
]);
/** The table's train → test cell of a cross-corpus row, and the start of a k-fold row's. */
const splitCell = (r: Row) =>
  r.test.length > 0 ? `${r.train.join(' + ')} → ${r.test.join(' + ')}` : `${r.train.join(' + ')}, speaker 6-fold`;
const rowId = (r: Row) => `${r.recipe}-${r.train.join('+')}${r.test.length ? `-to-${r.test.join('+')}` : '-kfold'}`;
const outDir = (r: Row) => join(packageRoot(), 'bench', 'out', 'cross-corpus', rowId(r));

function config(r: Row) {
  const ids = [...r.train, ...r.test];
  return parseRunConfig(
    {
      corpus: ids.map((id) => CORPORA[id]),
      protocol:
        r.test.length > 0
          ? { kind: 'cross-corpus', train: r.train, test: r.test, classes: 'shared', devSpeakers: 2, seed: SEED }
          : { kind: 'speaker-kfold', folds: 6, seed: SEED, balanceBy: 'gender', devSpeakers: 2 },
      ...RECIPES[r.recipe],
      training: { seed: SEED, ...RECIPES[r.recipe].training },
    },
    `bench row ${rowId(r)}`,
  );
}

const pct = (x: number) => (100 * x).toFixed(1);

/** Table rows of the section written earlier, by their first two cells (recipe, train → test). */
function recordedRows(): Map<string, string> {
  const section = recordedSection('cross-corpus');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| ([a-z0-9.-]+)(?: †)? \| ([^|]+) \| \d/.exec(line);
    if (m) rows.set(`${m[1]}|${m[2]}`, line.replace(/^\| ([a-z0-9.-]+)(?: †)? \|/, '| $1 † |'));
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  for (const c of Object.values(CORPORA)) if (!existsSync(c.root)) throw new Error(`${c.root}: corpus not found`);
  const only = values.only?.split(',');
  const started = performance.now();
  for (const r of ROWS.filter((x) => !only || only.includes(rowId(x)))) {
    console.error(`== ${rowId(r)} → ${outDir(r)}`);
    await trainRun(config(r), outDir(r), { log: (l) => console.error(`   ${l}`) });
  }
  // Every row whose run has finished (this invocation or an earlier one); the others as recorded earlier (†).
  const recorded = recordedRows();
  const lines: string[] = [];
  for (const r of ROWS) {
    const metricsFile = join(outDir(r), 'metrics.json');
    if (!existsSync(metricsFile)) {
      const cell = `${r.recipe}|${splitCell(r)}`;
      lines.push(...[...recorded].filter(([k]) => (r.test.length > 0 ? k === cell : k.startsWith(cell))).map(([, l]) => l));
      continue;
    }
    const m = JSON.parse(readFileSync(metricsFile, 'utf8')) as RunMetrics;
    const dev = pct(m.folds.reduce((a, f) => a + (f.devUa ?? Number.NaN), 0) / m.folds.length);
    const classes = `${m.classes.length} (chance ${pct(1 / m.classes.length)})`;
    if (r.test.length > 0) {
      const saved = join(outDir(r), 'evaluations', `${r.test[0]}.target-norm.json`);
      const adapted = existsSync(saved)
        ? (JSON.parse(readFileSync(saved, 'utf8')) as CrossEvaluation)
        : await evaluateOn(outDir(r), { ...CORPORA[r.test[0]], id: r.test[0] }, { targetNorm: true });
      lines.push(
        `| ${r.recipe} | ${splitCell(r)} | ${classes} | **${pct(m.pooled.ua)}** | ${pct(m.pooled.wa)} | ${pct(m.pooled.macroF1)} | ${pct(adapted.metrics.ua)} | ${dev} |`,
      );
    } else {
      for (const [c, per] of Object.entries(m.byCorpus ?? {}))
        lines.push(
          `| ${r.recipe} | ${splitCell(r)}: ${c} test speakers | ${classes} | **${pct(per.ua)}** | ${pct(per.wa)} | ${pct(per.macroF1)} | — | ${dev} |`,
        );
    }
  }
  const md = [
    '## Cross-corpus: RAVDESS ↔ TESS, and both together (`npm run bench:cross-corpus`)',
    '',
    `${machineLine()}; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores at the end (${((performance.now() - started) / 60000).toFixed(0)} min). RAVDESS: 1440 clips, 24 actors, 8 classes (its *calm* is dropped in the cross-corpus rows); TESS: 2800 clips, 2 female speakers, 7 classes (*pleasant surprise* = surprised). Cross-corpus rows train on one corpus (dev: 2 whole RAVDESS actors; TESS has too few speakers, so its dev set is a stratified 10 % of its utterances, sharing speakers with training) and test on every utterance of the other, on the 7 shared classes. The *both* rows split the 26 speakers of the two corpora into 6 speaker-independent folds and report each corpus' test speakers (TESS' 2 speakers fall into different folds, so each TESS test speaker was trained on with the other). Hyper-parameters are those bench:ser-ravdess chose on RAVDESS dev UA; nothing was tuned on a target corpus. UA is pooled over the test set. *target-norm UA*: the same model with features standardized by the target corpus' own unlabelled statistics (transductive: not a deployable number). *-vad*: energy VAD trims non-speech before the features; *-augl*: augmentation with noise on 80 % of the copies, babble of LibriSpeech talkers among it (bench/babble.ts). *logreg-gated*: two logistic regressions on the fused vector (src/models/ser/gated.ts), the egemaps-mel one answering each utterance whose speech-embedding statistics shift beyond the 99th percentile of the dev utterances' shift (a deployable, per-utterance decision). † not re-run in this invocation: the row as recorded by an earlier run.`,
    '',
    '| recipe | train → test | classes | UA % | WA % | macro-F1 % | target-norm UA % | dev UA % |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...lines,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('cross-corpus', md)}`);
}

await main();
