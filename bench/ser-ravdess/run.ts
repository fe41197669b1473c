/**
 * bench/ser-ravdess: every SER model on RAVDESS, 8 classes, speaker-independent 6 folds (4 actors
 * per test fold, 2 male + 2 female; 2 dev actors per fold). Reports UA, WA, macro-F1 (mean ± std
 * over folds) and training time. Each model's run goes to bench/out/ser-ravdess/<model>; an
 * interrupted benchmark resumes where it stopped.
 * Usage: npm run bench:ser-ravdess [-- --only cnn-lstm-att,mlp-fused-spk] [--data DIR] (--only takes row names)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRunConfig } from '../../src/run/config.js';
import { trainRun } from '../../src/train/index.js';
import type { RunMetrics } from '../../src/run/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { librispeechBabbleNoise } from '../babble.js';
import { machineLine, recordedSection, writeResultsSection } from '../results.js';

const FOLDS = 6;
const SEED = 1;
const outDir = (model: string) => join(packageRoot(), 'bench', 'out', 'ser-ravdess', model);

interface SuiteEntry {
  /** Row and run-folder name (default: the model name). */
  id?: string;
  model: string;
  features: string;
  /** Speaker-level feature normalization (src/train/speaker-norm.ts). */
  speakerNorm?: boolean;
  options?: Record<string, unknown>;
  training?: Record<string, unknown>;
  featureOptions?: Record<string, unknown>;
  /** Rows of one group differ in one hyper-parameter; the row with the best mean dev UA is chosen (★). */
  group?: string;
  /** Within a group, how strongly the row regularizes: a tie of mean dev UA goes to the larger value (the simpler model). */
  regularization?: number;
}

const LINEAR_TRAINING = { epochs: 200, lr: 1e-2, batchSize: 64, weightDecay: 1e-3, patience: 40 };
const MLP_TRAINING = { epochs: 200, lr: 1e-3, batchSize: 32, weightDecay: 1e-3, patience: 40 };
/**
 * Linear models on the 1189 fused functionals: stronger L2 (Adam weight decay), chosen on the mean
 * dev UA over folds from {0.01, 0.03, 0.1, 0.3, 1} (dev 71.2–74.1 %); all 150 epochs run and the
 * best dev epoch is kept.
 */
const FUSED_TRAINING = { epochs: 150, lr: 1e-3, batchSize: 64, weightDecay: 0.3, patience: 150 };

/** The speech-embedding backbone's utterance statistics fused with egemaps-mel. */
const FUSED_SE = 'egemaps-mel+speech-embedding-stats';
/** The default augmentation chain (src/run/config.ts AugmentConfig), 2 copies per training utterance. */
const AUGMENT = { copies: 2, seed: SEED };
/** Mean and std of every layer of the speech-embedding backbone (432 × 2 dims) fused with egemaps-mel. */
const FUSED_SEL_OPTIONS = { overrides: { 'speech-embedding-stats.layers': 'all' } };
const fusedSelRow = (wd: number, augment: boolean): SuiteEntry => ({
  id: `logreg-sel${augment ? '-aug' : ''}-wd${wd}`,
  model: 'logreg',
  features: FUSED_SE,
  featureOptions: FUSED_SEL_OPTIONS,
  training: { ...FUSED_TRAINING, weightDecay: wd, ...(augment ? { augment: AUGMENT } : {}) },
  // The augmented row takes the weight decay chosen in the plain grid; it is not a grid of its own.
  ...(augment ? {} : { group: 'logreg-sel', regularization: wd }),
});
/** Per model: features and settings; epoch budgets are cut for 2 CPU cores (the heavy models stop early). */
const SUITE: SuiteEntry[] = [
  { model: 'logreg', features: 'egemaps-ts', training: LINEAR_TRAINING },
  { model: 'linear-svm', features: 'egemaps-ts', training: LINEAR_TRAINING },
  { model: 'mlp', features: 'egemaps-ts', training: MLP_TRAINING },
  {
    model: 'fcn-gap',
    features: 'logmelspec',
    featureOptions: { segmentFrames: 300 },
    training: { epochs: 40, lr: 1e-3, batchSize: 32, patience: 12 },
  },
  {
    model: 'trust-ser-cnn',
    features: 'logmel',
    options: { pooling: 'att' },
    training: { epochs: 25, lr: 1e-3, batchSize: 32, patience: 8, mixupAlpha: 0.2 },
  },
  {
    model: 'cnn-lstm-att',
    features: 'logmel',
    featureOptions: { maxFrames: 300 },
    training: { epochs: 12, lr: 1e-3, batchSize: 32, patience: 5 },
  },
  {
    model: 'alexnet',
    features: 'logmelspec',
    featureOptions: { segmentFrames: 300 },
    training: { epochs: 12, lr: 3e-4, batchSize: 32, patience: 5, stability: { sigma: 0.1, weight: 1 } },
  },
  {
    model: 'cnn-lstm',
    features: 'logmel',
    featureOptions: { maxFrames: 300 },
    training: { epochs: 12, lr: 1e-3, batchSize: 32, patience: 5 },
  },
  {
    id: 'cnn-lstm-att-spk',
    model: 'cnn-lstm-att',
    features: 'logmel',
    speakerNorm: true,
    featureOptions: { maxFrames: 300 },
    training: { epochs: 12, lr: 1e-3, batchSize: 32, patience: 5 },
  },
  { id: 'logreg-spk', model: 'logreg', features: 'egemaps-ts', speakerNorm: true, training: FUSED_TRAINING },
  { id: 'logreg-fused', model: 'logreg', features: 'egemaps-mel', training: FUSED_TRAINING },
  { id: 'logreg-fused-spk', model: 'logreg', features: 'egemaps-mel', speakerNorm: true, training: FUSED_TRAINING },
  {
    id: 'mlp-fused-spk',
    model: 'mlp',
    features: 'egemaps-mel',
    speakerNorm: true,
    training: { ...MLP_TRAINING, epochs: 100, patience: 100, weightDecay: 1e-2 },
  },
  ...[0.01, 0.03].map((wd) => ({
    id: `logreg-se-stats-wd${wd}`,
    model: 'logreg',
    features: 'speech-embedding-stats',
    training: { ...FUSED_TRAINING, weightDecay: wd },
    group: 'logreg-se-stats',
  })),
  ...[0.1, 0.3, 1].map((wd) => fusedSelRow(wd, false)),
  fusedSelRow(0.3, true),
  // The same augmentation with babble noise too, its talkers from TESS (never RAVDESS test actors, nor the LibriSpeech talkers of bench:robustness' babble).
  {
    id: 'logreg-sel-augb-wd0.3',
    model: 'logreg',
    features: FUSED_SE,
    featureOptions: FUSED_SEL_OPTIONS,
    training: {
      ...FUSED_TRAINING,
      weightDecay: 0.3,
      augment: {
        ...AUGMENT,
        noise: { kinds: ['white', 'pink', 'babble'], babbleDir: join(packageRoot(), '..', 'shared', 'data', 'tess-16k') },
      },
    },
  },
  // More noise (80 % of copies), a third of it babble of LibriSpeech talkers who never make bench:robustness' test babble (bench/babble.ts); set a priori, not tuned.
  ...[
    { id: 'logreg-fused-augl', features: 'egemaps-mel', featureOptions: {} },
    { id: 'logreg-sel-augl-wd0.3', features: FUSED_SE, featureOptions: FUSED_SEL_OPTIONS },
  ].map(
    (r): SuiteEntry => ({
      ...r,
      model: 'logreg',
      training: { ...FUSED_TRAINING, weightDecay: 0.3, augment: { ...AUGMENT, noise: librispeechBabbleNoise() } },
    }),
  ),
  // Four noisy copies per utterance instead of two (more babble seen at training); weight decay chosen on dev.
  ...[0.1, 0.3].map(
    (wd): SuiteEntry => ({
      id: `logreg-sel-augl4-wd${wd}`,
      model: 'logreg',
      features: FUSED_SE,
      featureOptions: FUSED_SEL_OPTIONS,
      training: { ...FUSED_TRAINING, weightDecay: wd, augment: { ...AUGMENT, copies: 4, noise: librispeechBabbleNoise() } },
      group: 'logreg-sel-augl4',
      regularization: wd,
    }),
  ),
  // The chosen augmented recipe (its weight decay, chosen on dev) on centred audio: each signal's mean subtracted before the features.
  {
    id: 'logreg-sel-augl4dc-wd0.1',
    model: 'logreg',
    features: FUSED_SE,
    featureOptions: { overrides: { ...FUSED_SEL_OPTIONS.overrides, dcRemoval: 'mean' } },
    training: { ...FUSED_TRAINING, weightDecay: 0.1, augment: { ...AUGMENT, copies: 4, noise: librispeechBabbleNoise() } },
  },
  // Two logistic regressions on the same fused vector, gated per utterance (src/models/ser/gated.ts): the
  // egemaps-mel head answers where the speech-embedding statistics are off their training distribution
  // (beyond the 99th percentile of the dev speakers' shift, set a priori). Weight decay: the logreg-sel grid's choice.
  ...[false, true].map(
    (augl): SuiteEntry => ({
      id: `logreg-gated${augl ? '-augl' : ''}-wd0.3`,
      model: 'gated-logreg',
      features: FUSED_SE,
      featureOptions: FUSED_SEL_OPTIONS,
      training: { ...FUSED_TRAINING, weightDecay: 0.3, ...(augl ? { augment: { ...AUGMENT, noise: librispeechBabbleNoise() } } : {}) },
    }),
  ),
  // The same recipe on speech scaled to a fixed active level (−26 dBFS) before the features: independent of recording level.
  {
    id: 'logreg-sel-lvl-wd0.3',
    model: 'logreg',
    features: FUSED_SE,
    featureOptions: { overrides: { ...FUSED_SEL_OPTIONS.overrides, levelNorm: 'active-rms' } },
    training: { ...FUSED_TRAINING, weightDecay: 0.3 },
  },
  // The same recipe on the speech region only (leading/trailing non-speech trimmed), by the energy rule or Silero VAD.
  ...(['energy', 'silero'] as const).map(
    (vad): SuiteEntry => ({
      id: `logreg-sel-vad-${vad}`,
      model: 'logreg',
      features: FUSED_SE,
      featureOptions: { overrides: { ...FUSED_SEL_OPTIONS.overrides, vad } },
      training: { ...FUSED_TRAINING, weightDecay: 0.3 },
    }),
  ),
  // Trust-SER's downstream (point-wise convolutions, attention or mean pooling — one grid, chosen
  // on dev UA; its default lr and epochs) on every backbone layer.
  ...(['att', 'mean'] as const).map(
    (pooling): SuiteEntry => ({
      id: pooling === 'att' ? 'trust-ser-sel' : 'trust-ser-sel-mean',
      group: 'trust-ser-sel',
      model: 'trust-ser-cnn',
      features: 'speech-embedding',
      featureOptions: { overrides: { layers: 'all' } },
      options: { pooling },
      training: { epochs: 30, lr: 5e-4, batchSize: 32, patience: 30 },
    }),
  ),
];

const idOf = (s: SuiteEntry) => s.id ?? s.model;
interface AugmentCellInput {
  copies?: number;
  noise?: { prob?: number; kinds?: string[]; babbleDir?: string | string[] };
}
/** How a row augments its training set, e.g. ", augmented ×4 (+ LibriSpeech babble, 80 % noisy)". */
const augmentCell = (augment: AugmentCellInput) => {
  const noise = augment.noise;
  const dirs = [noise?.babbleDir ?? []].flat();
  const babble = !noise?.kinds?.includes('babble')
    ? ''
    : dirs.some((d) => d.includes('tess'))
      ? ' (+ TESS babble)'
      : ` (+ LibriSpeech babble, ${Math.round((noise.prob ?? 0.5) * 100)} % noisy)`;
  return `, augmented ×${augment.copies ?? 2}${babble}`;
};
const featuresCell = (s: SuiteEntry) => {
  const o = (s.featureOptions?.overrides ?? {}) as Record<string, unknown>;
  const allLayers = o['speech-embedding-stats.layers'] === 'all' || o.layers === 'all';
  return `${s.features}${allLayers ? ' (all layers)' : ''}${o.dcRemoval ? ', DC removed' : ''}${o.vad ? `, ${o.vad} VAD` : ''}${o.levelNorm ? ', level-normalized' : ''}${s.speakerNorm ? ', per-speaker norm' : ''}${s.training?.augment ? augmentCell(s.training.augment as AugmentCellInput) : ''}`;
};

/** Result rows with numbers in the section of bench/RESULTS.md written earlier, by model name. */
function recordedRows(): Map<string, string> {
  const section = recordedSection('ser-ravdess');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| ([a-z0-9.-]+)(?: †)?(?: ★)? \| [^|]+ \| (\d[^|]*) \|/.exec(line);
    if (m) rows.set(m[1], line.replace(' † |', ' |'));
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, data: { type: 'string' } } });
  const root = values.data ?? join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');
  if (!existsSync(root)) throw new Error(`${root}: RAVDESS not found (pass --data DIR)`);
  const only = values.only?.split(',');
  for (const s of SUITE.filter((x) => !only || only.includes(idOf(x)))) {
    const cfg = parseRunConfig(
      {
        corpus: { name: 'ravdess', root, labelMap: '8class' },
        protocol: { kind: 'speaker-kfold', folds: FOLDS, seed: SEED, balanceBy: 'gender', devSpeakers: 2 },
        features: { set: s.features, speakerNorm: s.speakerNorm ?? false, ...s.featureOptions },
        model: { name: s.model, options: s.options ?? {} },
        training: { seed: SEED, ...s.training },
      },
      `bench suite entry '${idOf(s)}'`,
    );
    console.error(`== ${idOf(s)} (${featuresCell(s)}) → ${outDir(idOf(s))}`);
    await trainRun(cfg, outDir(idOf(s)), { log: (l) => console.error(`   ${l}`) });
  }
  // Rows for every model whose run has finished (this invocation or an earlier one); a model whose
  // run folder is not on this machine keeps the row recorded earlier, marked with †.
  const p = (x: { mean: number; std: number }) => `${(100 * x.mean).toFixed(1)} ± ${(100 * x.std).toFixed(1)}`;
  const earlier = recordedRows();
  let reused = false;
  const metricsOf = (s: SuiteEntry): RunMetrics | null => {
    const path = join(outDir(idOf(s)), 'metrics.json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunMetrics) : null;
  };
  const devUa = (m: RunMetrics) => m.folds.reduce((a, f) => a + (f.devUa ?? Number.NaN), 0) / m.folds.length;
  // In each group, the row with the best mean dev UA (test UA plays no part in the choice).
  const chosen = new Set<string>();
  for (const g of new Set(SUITE.map((s) => s.group).filter((x) => x !== undefined))) {
    const done = SUITE.filter((s) => s.group === g && metricsOf(s) !== null);
    // Mean dev UA is a mean of per-fold rates over 120-utterance dev sets: equal to 1e-9 is a tie.
    const better = (a: SuiteEntry, b: SuiteEntry) => {
      const d = devUa(metricsOf(b)!) - devUa(metricsOf(a)!);
      return Math.abs(d) < 1e-9 ? (b.regularization ?? 0) > (a.regularization ?? 0) : d > 0;
    };
    if (done.length > 0) chosen.add(idOf(done.reduce((a, b) => (better(a, b) ? b : a))));
  }
  const rows = SUITE.map((s) => {
    const id = idOf(s);
    const m = metricsOf(s);
    if (!m) {
      const old = earlier.get(id);
      if (!old) return `| ${id} | ${featuresCell(s)} | not run yet | | | | |`;
      reused = true;
      // Rows recorded before the dev-UA column existed get an empty one.
      const cells = old.split('|');
      if (cells.length === 8) cells.splice(4, 0, ' — ');
      return cells.join('|').replace(new RegExp(`^\\| ${id.replaceAll('.', '\\.')}( ★)? \\|`), `| ${id} †$1 |`);
    }
    const dev = Number.isNaN(devUa(m)) ? '—' : (100 * devUa(m)).toFixed(1);
    return `| ${id}${chosen.has(id) ? ' ★' : ''} | ${featuresCell(s)} | ${p(m.ua)} | ${dev} | ${p(m.wa)} | ${p(m.macroF1)} | ${(m.trainSeconds / 60).toFixed(1)} |`;
  });
  const md = [
    '## SER on RAVDESS, 8 classes, speaker-independent 6 folds (`npm run bench:ser-ravdess`)',
    '',
    `${machineLine()}; 1440 clips, 24 actors; each test fold = 4 actors (2 m + 2 f), 2 dev actors (early stopping on dev UA), the rest train; split seed ${SEED}. Models trained from scratch on 2 CPU cores. Training time covers all 6 folds (features from the cache when present). Reference points: EmoBox reports 54.3 % UA for frozen wav2vec2-base and 72.0 % for WavLM-large on RAVDESS (pretrained backbones, not available here); ResLSTM-SA, without pretraining (46.8 k parameters), is published at ≈ 65 % UAR speaker-independent. Goal for the best deployable model: UA ≥ 65 % without any test-speaker statistic.`,
    '',
    "Rows marked *per-speaker norm* standardize each utterance's features with its own speaker's statistics (src/train/speaker-norm.ts): labels are never used, but each test speaker's statistics come from that speaker's unlabelled test utterances, so the model needs some of a speaker's utterances before it predicts (enrollment). The other rows use training-set statistics only. The weight decay of the fused-functional linear models (0.3) was chosen on mean dev UA, not test UA.",
    '',
    "Rows whose names end in `-wdX` are one hyper-parameter grid (weight decay X): within each grid the row with the best **mean dev UA** is marked ★ and is the one to report; test UA played no part in the choice; a tie of mean dev UA goes to the stronger regularization (the augmented row reuses the weight decay its plain grid chose). *augmented ×N*: N seeded augmented copies of every training utterance (speed 0.9–1.1, room reverb, white/pink noise at 5–30 dB, telephone band, MP3, gain ±12 dB, silence padding; src/run/config.ts AugmentConfig defaults); dev and test audio are never augmented; *(+ TESS babble)* adds babble of 5 TESS talkers to the noise kinds. *speech-embedding*: the frozen pretrained speech-embedding backbone (src/backbones). *energy / silero VAD*: leading and trailing non-speech trimmed before the features (the project's energy rule, or Silero VAD). *level-normalized*: each utterance scaled to a −26 dBFS active speech level before the features (levelNorm: active-rms). *DC removed*: each utterance's mean subtracted before the features (dcRemoval: mean). *logreg-gated*: `gated-logreg` (src/models/ser/gated.ts), two logistic regressions on the fused vector — one on egemaps-mel alone, one on everything — and per utterance the egemaps-mel one answers when the speech-embedding statistics shift (mean squared z-score) beyond the 99th percentile of the dev actors' shift (set a priori); its dev UA is above the single logistic regression's on the same features (68.5 vs 67.3 %), so dev UA chooses it; bench:cross-corpus has its transfer. No row but the *per-speaker norm* ones uses any statistic of the test speakers.",
    '',
    '| model | features | UA % (mean ± std) | dev UA % | WA % | macro-F1 % | training time (min) |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows,
    ...(reused
      ? ['', '† not re-run in this invocation: the row recorded by an earlier run (its run folder, bench/out, is not on this machine).']
      : []),
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('ser-ravdess', md)}`);
}

await main();
