/**
 * bench/features: real-time factor (compute seconds per audio second) of the feature sets on
 * RAVDESS, one thread, against torchaudio on the same files in the same run; then extraction
 * throughput scaling from 1 to N worker threads (decode + compute, no cache).
 * Usage: npm run bench:features [-- --files N]
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAudio } from '../../src/audio/index.js';
import { deltas, getFeatureSet, logMelSpectrogram, mfcc } from '../../src/features/index.js';
import { extractFeatures } from '../../src/features/extract/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { machineLine, runPythonReference, writeResultsSection } from '../results.js';

const SR = 16000;
const MEL = { sampleRateHz: SR, nFft: 512, winSamples: 400, hopSamples: 160, nMels: 64 };
const N_MFCC = 40;

function ravdessFiles(limit: number): string[] {
  const root = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');
  const all = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => join(root, f));
  if (all.length === 0) throw new Error(`${root}: no RAVDESS files (../shared/data is needed for this benchmark)`);
  // Spread the subset over all actors.
  const step = Math.max(1, Math.floor(all.length / limit));
  return all.filter((_, i) => i % step === 0).slice(0, limit);
}

function timeIt(waves: Float32Array[], fn: (x: Float32Array) => unknown): number {
  for (const w of waves.slice(0, 5)) fn(w);
  const t0 = performance.now();
  for (const w of waves) fn(w);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string' } } });
  const files = ravdessFiles(Number(values.files ?? 240));
  const waves = await Promise.all(files.map(async (f) => (await loadAudio(f)).samples));
  const audioS = waves.reduce((s, w) => s + w.length, 0) / SR;
  const egemaps = getFeatureSet('egemaps-ts');
  const ours = {
    logmel: timeIt(waves, (x) => logMelSpectrogram(x, MEL)),
    mfccDelta: timeIt(waves, (x) => {
      const c = mfcc(x, { ...MEL, nMfcc: N_MFCC });
      const d = deltas(c);
      return deltas(d);
    }),
    egemaps: timeIt(waves, (x) => egemaps.compute(x)),
  };
  const dir = mkdtempSync(join(tmpdir(), 'trustser-bench-'));
  const list = join(dir, 'files.txt');
  writeFileSync(list, files.join('\n'));
  const ref = runPythonReference<{ torchaudio: string; audioS: number; logmelS: number; mfccDeltaS: number }>(
    join(packageRoot(), 'bench', 'features', 'reference.py'),
    [list],
  );

  // Scaling: whole extraction (decode, resample check, compute) on 1..N worker threads.
  const threads = availableParallelism();
  const scaling: { workers: number; seconds: number }[] = [];
  for (let workers = 1; workers <= threads; workers++) {
    const t0 = performance.now();
    await extractFeatures({
      set: 'mfcc-delta',
      input: join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k'),
      out: join(dir, 'out.safetensors'),
      workers,
      cacheDir: null,
      progress: false,
    });
    scaling.push({ workers, seconds: (performance.now() - t0) / 1000 });
  }
  rmSync(dir, { recursive: true, force: true });

  const rtf = (s: number) => (s / audioS).toExponential(2);
  const md = [
    '## Feature extraction (`npm run bench:features`)',
    '',
    `${machineLine()}; ${files.length} RAVDESS files (${audioS.toFixed(0)} s of audio), one thread, compute only (audio decoded beforehand). Real-time factor = compute time / audio duration. Reference: torchaudio ${ref.torchaudio} (Debian), same settings (nFft 512, window 400, hop 160, 64 mels, 40 MFCCs).`,
    '',
    '| features | trustser RTF | torchaudio RTF | speed ratio (torchaudio time / ours) | goal |',
    '|---|---:|---:|---:|---|',
    `| log-mel | ${rtf(ours.logmel)} | ${(ref.logmelS / ref.audioS).toExponential(2)} | **${(ref.logmelS / ref.audioS / (ours.logmel / audioS)).toFixed(2)}** | log-mel + MFCC ≤ 2e-3 |`,
    `| MFCC + Δ + ΔΔ | ${rtf(ours.mfccDelta)} | ${(ref.mfccDeltaS / ref.audioS).toExponential(2)} | **${(ref.mfccDeltaS / ref.audioS / (ours.mfccDelta / audioS)).toFixed(2)}** | (openSMILE publishes 8e-3 for MFCC+Δ) |`,
    `| egemaps-ts | ${rtf(ours.egemaps)} | — | — | ≤ 2e-2 |`,
    '',
    `Log-mel + MFCC+Δ together: RTF ${rtf(ours.logmel + ours.mfccDelta)} per thread.`,
    '',
    `Scaling, \`features extract --set mfcc-delta\` over all 1440 RAVDESS files (decode + features + output, no cache):`,
    '',
    '| worker threads | wall time (s) | speed-up vs 1 |',
    '|---:|---:|---:|',
    ...scaling.map((s) => `| ${s.workers} | ${s.seconds.toFixed(2)} | ${(scaling[0].seconds / s.seconds).toFixed(2)} |`),
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('features', md)}`);
}

await main();
