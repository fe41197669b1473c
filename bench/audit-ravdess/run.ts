/**
 * bench/audit-ravdess: audits finished runs of bench/ser-ravdess (every trust axis) and records the
 * numbers. By default the best finished model by UA and the best finished model that the waveform
 * attacks apply to (log-mel frame models); `--runs a,b` picks others.
 * Usage: npm run bench:audit-ravdess [-- --runs mlp,cnn-lstm-att] [--max-utterances 60]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { auditRun } from '../../src/audit/audit.js';
import type { TrustReport } from '../../src/report/index.js';
import { loadRunConfig } from '../../src/run/config.js';
import type { RunMetrics } from '../../src/run/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { machineLine, writeResultsSection } from '../results.js';

const BENCH_RUNS = join(packageRoot(), 'bench', 'out', 'ser-ravdess');
const ATTACKABLE = ['trust-ser-cnn', 'cnn-lstm', 'cnn-lstm-att', 'cnn-lstm-att-multitask'];

function finished(): { name: string; ua: number; attackable: boolean }[] {
  if (!existsSync(BENCH_RUNS)) return [];
  return readdirSync(BENCH_RUNS)
    .filter((d) => existsSync(join(BENCH_RUNS, d, 'metrics.json')))
    .map((d) => {
      const cfg = loadRunConfig(join(BENCH_RUNS, d, 'config.json'));
      const m = JSON.parse(readFileSync(join(BENCH_RUNS, d, 'metrics.json'), 'utf8')) as RunMetrics;
      return { name: d, ua: m.ua.mean, attackable: cfg.features.set === 'logmel' && ATTACKABLE.includes(cfg.model.name) };
    })
    .sort((a, b) => b.ua - a.ua);
}

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : (100 * x).toFixed(1));
const ci = (e: { value: number; low?: number; high?: number }) => `${pct(e.value)} [${pct(e.low)}, ${pct(e.high)}]`;

function rows(name: string, r: TrustReport): string[] {
  const out = [`| ${name} | UA % (95 % CI, speaker bootstrap) | ${ci(r.accuracy!.ua)} |`, `| | WA % | ${ci(r.accuracy!.wa)} |`];
  for (const [a, f] of Object.entries(r.fairness ?? {})) {
    out.push(
      `| | fairness by ${a}: statistical parity gap (max over pairs) | ${f.statisticalParity.value.toFixed(3)} [${f.statisticalParity.low.toFixed(3)}, ${f.statisticalParity.high.toFixed(3)}] |`,
    );
    out.push(`| | fairness by ${a}: equality-of-opportunity gap | ${f.equalOpportunity ? f.equalOpportunity.value.toFixed(3) : '—'} |`);
    if (f.demographicParity)
      out.push(
        `| | fairness by ${a}: Trust-SER demographic parity | ${f.demographicParity.value.toFixed(3)} [${f.demographicParity.low.toFixed(3)}, ${f.demographicParity.high.toFixed(3)}] |`,
      );
  }
  const attacks = r.safety?.attacks ?? [];
  if (attacks.length === 0) out.push('| | attack success | not measured (no differentiable front end for these features) |');
  for (const a of attacks) out.push(`| | ${a.method.toUpperCase()} success % at ${a.snrDb} dB SNR | ${pct(a.successRate)} |`);
  for (const p of r.robustness ?? [])
    out.push(
      `| | UA % under ${p.kind}${p.level === null ? '' : p.kind === 'reverb' ? ` RT60 ${p.level} s` : ` ${p.level} dB SNR`} | ${pct(p.ua)} |`,
    );
  if (r.privacy) {
    out.push(
      `| | gender inference from embeddings % (majority) | ${pct(r.privacy.genderProbe.accuracy)} (${pct(r.privacy.genderProbe.majority)}) |`,
    );
    if (r.privacy.speakerProbe)
      out.push(
        `| | speaker identification % within test speakers (chance) | ${pct(r.privacy.speakerProbe.accuracy)} (${pct(r.privacy.speakerProbe.chance)}) |`,
      );
  }
  const s = r.sustainability;
  if (s)
    out.push(
      `| | parameters / MMAC per s of audio / latency ms / RTF / peak RSS MB / training min | ${s.params} / ${(s.macsPerSecond / 1e6).toFixed(2)} / ${s.latencyMs.toFixed(1)} / ${s.realTimeFactor.toExponential(2)} / ${s.peakMemoryMb.toFixed(0)} / ${s.trainSeconds == null ? '—' : (s.trainSeconds / 60).toFixed(1)} |`,
    );
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, 'max-utterances': { type: 'string' } } });
  const all = finished();
  if (all.length === 0) throw new Error(`${BENCH_RUNS}: no finished benchmark run (npm run bench:ser-ravdess first)`);
  const picked = values.runs
    ? values.runs.split(',')
    : [
        ...new Set([
          all[0].name,
          ...all
            .filter((r) => r.attackable)
            .slice(0, 1)
            .map((r) => r.name),
        ]),
      ];
  const maxUtterances = Number(values['max-utterances'] ?? 60);
  const body: string[] = [];
  for (const name of picked) {
    console.error(`== audit ${name}`);
    const r = await auditRun(join(BENCH_RUNS, name), { maxUtterancesPerFold: maxUtterances, log: (l) => console.error(`   ${l}`) });
    body.push(...rows(name, r));
  }
  const md = [
    '## Trust audit of RAVDESS models (`npm run bench:audit-ravdess`)',
    '',
    `${machineLine()}; runs of bench/ser-ravdess (8 classes, 6 speaker-independent folds), audited on their own test folds: gender = actor parity (12 m / 12 f), speaker = actor; 1000 bootstrap resamples; attacks and robustness on ${maxUtterances} test utterances per fold; privacy probes in each fold's embedding space (gender probe trained on the fold's training actors, tested on its 4 unseen test actors). Audited: ${picked.join(', ')} (best finished by UA${picked.length > 1 ? ', and the best one the waveform attacks apply to' : ''}). Speaker-normalized runs (\`-spk\`) enroll each test speaker from their clean test utterances; noise and attacks come after enrollment, so the statistics stay those of clean speech.`,
    '',
    '| run | axis | value |',
    '|---|---|---|',
    ...body,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('audit-ravdess', md)}`);
}

await main();
