/**
 * bench/compare-backbones: Trust-SER's comparison on this machine — APC and TERA pre-trained here
 * on unlabelled audio (`trustser pretrain`), the shipped speech-embedding model and a
 * from-scratch log-mel baseline, each under the same Trust-SER downstream (every layer mixed,
 * point-wise convolutions, mean pooling; lr 5e-4, 30 epochs, seed 1) on RAVDESS 8 classes,
 * 6 speaker-independent folds; then each run audited and all of them on one trust-report page.
 *
 * Pools (`--pool`): `deployable` (default) = TESS + the LibriSpeech subset, no RAVDESS audio at
 * all, so no test actor is ever heard; `ravdess-all` = every RAVDESS clip (labels unused) +
 * LibriSpeech, which hears the test actors' audio during pre-training (transductive).
 *
 * Usage: npm run bench:compare-backbones [-- --pool deployable|ravdess-all] [--only pretrain-apc,apc,...]
 *        [--pretrain-epochs N] [--fraction X] [--no-audit] [--backbone NAME=WEIGHTS ...]
 * `--fraction 0.25` pre-trains on a seeded quarter of the pool's files (rows `apc-deployable-f0.25`…),
 * for the curve of UA against the amount of pre-training audio.
 * `--backbone wavlm=/models/wavlm-base-plus` adds a row for a checkpoint of your own (any engine
 * backbone: wav2vec2, hubert, wavlm, whisper, apc, tera).
 * Every step resumes where it stopped; finished steps are skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomicSync } from '../../src/core/atomic.js';
import { packageRoot } from '../../src/core/paths.js';
import { auditRun } from '../../src/audit/audit.js';
import { parsePretrainConfig, pretrain, type PretrainEpoch } from '../../src/pretrain/index.js';
import { renderTrustHtml, type TrustReport } from '../../src/report/index.js';
import { parseRunConfig } from '../../src/run/config.js';
import type { RunMetrics } from '../../src/run/index.js';
import { trainRun } from '../../src/train/index.js';
import { machineLine, writeResultsSection } from '../results.js';

const SHARED = join(packageRoot(), '..', 'shared', 'data');
const RAVDESS = join(SHARED, 'ravdess-speech-16k');
const TESS = join(SHARED, 'tess-16k');
const LIBRI = join(SHARED, 'librispeech-test-other-subset');
const OUT = join(packageRoot(), 'bench', 'out', 'compare-backbones');
const SEED = 1;
const FOLDS = 6;
/** Trust-SER's downstream defaults (seed 000): lr 5e-4, 30 epochs, 2 point-wise conv layers of 128, mean pooling. */
const DOWNSTREAM = { epochs: 30, lr: 5e-4, batchSize: 32, patience: 30, threads: 1 };
const DOWNSTREAM_MODEL = { name: 'trust-ser-cnn', options: { pooling: 'mean', hiddenSize: 128, convLayers: 2 } };
/** Pre-training epochs per method (CPU budget: ≈ 2 min (APC) and 4 min (TERA) per epoch of 1.7 h on one thread). */
const PRETRAIN_EPOCHS = { apc: 8, tera: 6 };
const POOLS = {
  deployable: {
    data: [TESS, LIBRI],
    corpora: [],
    note: 'TESS (2 speakers, 2800 clips) + LibriSpeech subset (100 clips); no RAVDESS audio',
  },
  'ravdess-all': {
    data: [LIBRI],
    corpora: [{ name: 'ravdess', root: RAVDESS }],
    note: 'all 1440 RAVDESS clips (labels unused; the test actors are heard) + LibriSpeech subset',
  },
} as const;
type PoolName = keyof typeof POOLS;
/** Test utterances per fold the attacks run on. */
const AUDIT_UTTERANCES = 60;
/** Trust-SER's safety test (FGSM at 45 and 35 dB SNR); the channel-shift sweeps are bench:robustness's. */
const AUDIT = { maxUtterancesPerFold: AUDIT_UTTERANCES, snrDb: [45, 35], attacks: ['fgsm' as const], robustness: false };

interface Row {
  id: string;
  /** Feature set and its options. */
  features: { set: string; overrides?: Record<string, unknown> };
  pretrained?: 'apc' | 'tera';
  what: string;
}

/** A row for a backbone checkpoint the user names as `NAME=WEIGHTS`. */
function userRow(spec: string): Row {
  const at = spec.indexOf('=');
  if (at <= 0) throw new Error(`--backbone ${spec}: expected NAME=WEIGHTS, e.g. wavlm=/models/wavlm-base-plus`);
  const [name, weights] = [spec.slice(0, at), spec.slice(at + 1)];
  return { id: `user-${name}`, features: { set: name, overrides: { weights } }, what: `${name} (${weights})` };
}

/** The folder and row suffix of a pool used at `fraction` of its files. */
const poolTag = (pool: PoolName, fraction: number) => (fraction === 1 ? pool : `${pool}-f${fraction}`);

function rows(tag: string, user: readonly string[]): Row[] {
  const pre = (m: 'apc' | 'tera') => join(OUT, tag, `pretrain-${m}`);
  return [
    ...user.map(userRow),
    { id: 'logmel', features: { set: 'logmel' }, what: 'log-mel (64 bins), from scratch' },
    {
      id: 'speech-embedding',
      features: { set: 'speech-embedding', overrides: { layers: 'all' } },
      what: 'speech-embedding (shipped, frozen)',
    },
    {
      id: `apc-${tag}`,
      features: { set: 'apc', overrides: { weights: pre('apc') } },
      pretrained: 'apc',
      what: `APC pre-trained here (${tag})`,
    },
    {
      id: `tera-${tag}`,
      features: { set: 'tera', overrides: { weights: pre('tera') } },
      pretrained: 'tera',
      what: `TERA pre-trained here (${tag})`,
    },
  ];
}

async function pretrainStep(pool: PoolName, fraction: number, method: 'apc' | 'tera', epochs: number): Promise<void> {
  const p = POOLS[pool];
  const cfg = parsePretrainConfig(
    {
      method,
      data: [...p.data],
      corpora: [...p.corpora],
      ...(fraction === 1 ? {} : { fraction }),
      training: { epochs, seed: SEED, threads: 1 },
    },
    'bench',
  );
  const tag = poolTag(pool, fraction);
  console.error(`== pretrain ${method} on ${tag} (${epochs} epochs)`);
  await pretrain(cfg, join(OUT, tag, `pretrain-${method}`), { log: (l) => console.error(`   ${l}`) });
}

async function trainStep(r: Row): Promise<void> {
  const cfg = parseRunConfig(
    {
      corpus: { name: 'ravdess', root: RAVDESS, labelMap: '8class' },
      protocol: { kind: 'speaker-kfold', folds: FOLDS, seed: SEED, balanceBy: 'gender', devSpeakers: 2 },
      features: r.features,
      model: DOWNSTREAM_MODEL,
      training: { ...DOWNSTREAM, seed: SEED },
    },
    `row ${r.id}`,
  );
  console.error(`== train ${r.id} → ${join(OUT, r.id)}`);
  await trainRun(cfg, join(OUT, r.id), { workers: 1, log: (l) => console.error(`   ${l}`) });
}

const readJson = <T>(p: string): T | null => (existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : null);
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : (100 * x).toFixed(1));
const ms = (x: { mean: number; std: number }) => `${pct(x.mean)} ± ${pct(x.std)}`;

function pretrainCell(tag: string, m: 'apc' | 'tera'): string {
  const dir = join(OUT, tag, `pretrain-${m}`);
  const pooled = readJson<{ seconds: number }>(join(dir, 'pool.json'));
  const losses = existsSync(join(dir, 'loss.jsonl'))
    ? readFileSync(join(dir, 'loss.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as PretrainEpoch)
    : [];
  if (!pooled || losses.length === 0) return 'not pre-trained yet';
  const fps = losses.reduce((s, e) => s + e.framesPerSecond, 0) / losses.length;
  return `${(pooled.seconds / 3600).toFixed(2)} h, ${losses.length} epochs, L1 ${losses[0].loss.toFixed(3)} → ${losses.at(-1)!.loss.toFixed(3)}, ${Math.round(fps)} frames/s`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pool: { type: 'string' },
      only: { type: 'string' },
      'pretrain-epochs': { type: 'string' },
      'no-audit': { type: 'boolean' },
      fraction: { type: 'string' },
      backbone: { type: 'string', multiple: true },
    },
  });
  const pool = (values.pool ?? 'deployable') as PoolName;
  if (!(pool in POOLS)) throw new Error(`--pool ${pool}: expected ${Object.keys(POOLS).join(' or ')}`);
  const fraction = Number(values.fraction ?? 1);
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`--fraction ${values.fraction}: expected a number in (0, 1]`);
  const tag = poolTag(pool, fraction);
  for (const d of [RAVDESS, TESS, LIBRI]) if (!existsSync(d)) throw new Error(`${d}: not found (the shared corpora are needed)`);
  const only = values.only?.split(',');
  const want = (id: string) => !only || only.includes(id);
  for (const m of ['apc', 'tera'] as const)
    if (want(`pretrain-${m}`)) await pretrainStep(pool, fraction, m, Number(values['pretrain-epochs'] ?? PRETRAIN_EPOCHS[m]));
  const all = rows(tag, values.backbone ?? []);
  for (const r of all) if (want(r.id)) await trainStep(r);
  const reports: TrustReport[] = [];
  const table: string[] = [];
  for (const r of all) {
    const m = readJson<RunMetrics>(join(OUT, r.id, 'metrics.json'));
    if (!m) {
      table.push(`| ${r.id} | ${r.what} | not run yet | | | | | | | | |`);
      continue;
    }
    const t =
      values['no-audit'] || !want(`audit-${r.id}`)
        ? readJson<TrustReport>(join(OUT, r.id, 'trust.json'))
        : await auditRun(join(OUT, r.id), { ...AUDIT, log: (l) => console.error(`   ${l}`) });
    if (t) reports.push(t);
    const dev = m.folds.reduce((s, f) => s + (f.devUa ?? Number.NaN), 0) / m.folds.length;
    const fgsm = (snr: number) => pct(t?.safety?.attacks.find((a) => a.method === 'fgsm' && a.snrDb === snr)?.successRate);
    const gender = t?.fairness?.gender?.statisticalParity.value;
    const s = t?.sustainability;
    table.push(
      `| ${r.id} | ${r.what} | ${ms(m.ua)} | ${pct(dev)} | ${gender === undefined ? '—' : gender.toFixed(3)} | ${fgsm(45)} / ${fgsm(35)} | ${pct(t?.privacy?.genderProbe.accuracy)} | ${pct(t?.privacy?.speakerProbe?.accuracy)} | ${s ? s.params : '—'} | ${s ? (s.macsPerSecond / 1e6).toFixed(1) : '—'} | ${s ? s.latencyMs.toFixed(1) : '—'} |`,
    );
  }
  if (reports.length > 0) {
    const page = join(OUT, `report-${tag}.html`);
    writeFileAtomicSync(page, renderTrustHtml(reports));
    console.error(`report: ${page}`);
  }
  const md = [
    `## Backbone comparison: Trust-SER downstream on RAVDESS (\`npm run bench:compare-backbones -- --pool ${pool}${fraction === 1 ? '' : ` --fraction ${fraction}`}\`)`,
    '',
    `${machineLine()}. RAVDESS 8 classes, 6 speaker-independent folds (4 test actors, 2 dev actors each; split seed ${SEED}); every row the same downstream (trust-ser-cnn: softmax-weighted layers, 2 point-wise convs of 128, mean pooling, lr 5e-4, 30 epochs, best dev epoch kept, seed ${SEED}, one thread). No hyper-parameter was tuned on test data; the downstream settings are Trust-SER's defaults. Pre-training pool (*${tag}*): ${POOLS[pool].note}${fraction === 1 ? '' : `, a seeded ${fraction} of its files`}. APC: ${pretrainCell(tag, 'apc')}; TERA: ${pretrainCell(tag, 'tera')} (CPU defaults of \`trustser pretrain\`: APC 3 GRU layers of 256, TERA 3 layers of 256). Audit on each fold's test actors (FGSM only, on ${AUDIT_UTTERANCES} utterances per fold; no channel-shift sweep here): gender fairness = statistical-parity gap (max over classes), FGSM success at 45 / 35 dB SNR, privacy = gender and speaker inference from the downstream embedding, cost = downstream + backbone. Page with all rows side by side: bench/out/compare-backbones/report-${tag}.html.`,
    '',
    '| row | backbone | UA % (mean ± std) | dev UA % | gender SP gap | FGSM % 45 / 35 dB | gender inferred % | speaker inferred % | params | MMAC/s | latency ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...table,
  ].join('\n');
  console.log(md);
  console.log(`\nwrote ${writeResultsSection(`compare-backbones-${tag}`, md)}`);
}

await main();
