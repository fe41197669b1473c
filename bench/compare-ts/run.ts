/**
 * bench/compare-ts: real-time factor (compute seconds per audio second) of `compare-ts` on
 * RAVDESS with one thread, with `egemaps-ts` on the same files in the same run as the
 * reference, and the share of each compare-ts stage (LLDs, smoothing + deltas, functionals).
 * Audio is decoded beforehand; one call per file; the files are spread over all actors.
 * Usage: npm run bench:compare-ts [-- --files N]
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAudio } from '../../src/audio/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { COMPARE_FEATURE_COUNT } from '../../src/features/compare/constants.js';
import { validateInput } from '../../src/features/compare/framing.js';
import { computeRawLlds, smoothAndDelta } from '../../src/features/compare/lld.js';
import { evaluateFunctionals } from '../../src/features/compare/summary.js';
import { getFeatureSet } from '../../src/features/index.js';
import { machineLine, writeResultsSection } from '../results.js';

const SR = 16000;
/** Real-time-factor goals (compute s per audio s, one thread). */
const COMPARE_RTF_GOAL = 0.05;
const EGEMAPS_RTF_GOAL = 0.02;
/** Untimed calls before each measurement. */
const WARMUP_FILES = 5;

function ravdessFiles(limit: number): string[] {
  const root = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');
  const all = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => join(root, f));
  if (all.length === 0) throw new Error(`${root}: no RAVDESS files (../shared/data is needed for this benchmark)`);
  const step = Math.max(1, Math.floor(all.length / limit));
  return all.filter((_, i) => i % step === 0).slice(0, limit);
}

/** Seconds to run `fn` once on every wave (after a warm-up). */
function timeIt(waves: Float32Array[], fn: (x: Float32Array) => unknown): number {
  for (const w of waves.slice(0, WARMUP_FILES)) fn(w);
  const t0 = performance.now();
  for (const w of waves) fn(w);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string' } } });
  const files = ravdessFiles(Number(values.files ?? 100));
  const waves = await Promise.all(files.map(async (f) => (await loadAudio(f, { sampleRateHz: SR })).samples));
  const audioS = waves.reduce((s, w) => s + w.length, 0) / SR;
  const compare = getFeatureSet('compare-ts');
  const egemaps = getFeatureSet('egemaps-ts');
  const loadBefore = loadavg()[0];
  // Interleaved twice; the faster pass of each counts (the machine is shared).
  const compareS = Math.min(
    timeIt(waves, (x) => compare.compute(x)),
    timeIt(waves, (x) => compare.compute(x)),
  );
  const egemapsS = Math.min(
    timeIt(waves, (x) => egemaps.compute(x)),
    timeIt(waves, (x) => egemaps.compute(x)),
  );
  // Stages of compare-ts.
  const stages = { llds: 0, contours: 0, functionals: 0 };
  for (const x of waves) {
    validateInput(x, SR);
    const t0 = performance.now();
    const raw = computeRawLlds(x, SR);
    const t1 = performance.now();
    const c = smoothAndDelta(raw);
    const t2 = performance.now();
    evaluateFunctionals(c, raw.framing.hopSamples / SR);
    const t3 = performance.now();
    stages.llds += t1 - t0;
    stages.contours += t2 - t1;
    stages.functionals += t3 - t2;
  }
  const stageTotal = stages.llds + stages.contours + stages.functionals;
  const pct = (ms: number) => `${((100 * ms) / stageTotal).toFixed(0)} %`;
  const rtf = (s: number) => s / audioS;
  const md = [
    '## compare-ts (`npm run bench:compare-ts`)',
    '',
    `${machineLine()}; ${files.length} RAVDESS files (${audioS.toFixed(0)} s of audio, 16 kHz), one thread, compute only (audio decoded beforehand), one call per file, best of two passes. Real-time factor (RTF) = compute time / audio duration. Load average ${loadBefore.toFixed(1)} before and ${loadavg()[0].toFixed(1)} after on ${availableParallelism()} cores (shared machine: expect ±30 % between runs).`,
    '',
    '| set | values | compute (s) | RTF | goal |',
    '|---|---:|---:|---:|---:|',
    `| compare-ts | ${COMPARE_FEATURE_COUNT} | ${compareS.toFixed(2)} | ${rtf(compareS).toFixed(4)} | ≤ ${COMPARE_RTF_GOAL} |`,
    `| egemaps-ts (reference) | 85 | ${egemapsS.toFixed(2)} | ${rtf(egemapsS).toFixed(4)} | ≤ ${EGEMAPS_RTF_GOAL} |`,
    '',
    `compare-ts / egemaps-ts time ratio: **${(compareS / egemapsS).toFixed(2)}**. compare-ts stages: LLDs (STFT, auditory spectrum, spectral, pitch, periods) ${pct(stages.llds)}, smoothing + deltas ${pct(stages.contours)}, functionals ${pct(stages.functionals)}.`,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('compare-ts', md)}`);
}

await main();
