/**
 * bench/features: real-time factor (compute seconds per audio second) of log-mel, MFCC and
 * MFCC+Δ+ΔΔ on RAVDESS, with one thread and with all cores, against torchaudio on the same files
 * with as many threads in the same run; the TypeScript (browser) path and egemaps-ts for
 * reference; then extraction throughput scaling from 1 to N worker threads (decode + compute, no cache).
 * Usage: npm run bench:features [-- --files N]
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAudio } from '../../src/audio/index.js';
import { deltas, getFeatureSet, logMelSpectrogram, mfcc } from '../../src/features/index.js';
import { setMelEngine } from '../../src/features/mel.js';
import { engineMel } from '../../src/features/engine-mel.js';
import { setNumThreads } from '../../src/engine/index.js';
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
  const mfccDelta = (x: Float32Array) => {
    const c = mfcc(x, { ...MEL, nMfcc: N_MFCC });
    const d = deltas(c);
    return [c, d, deltas(d)];
  };
  const workloads = {
    logmel: (x: Float32Array) => logMelSpectrogram(x, MEL),
    mfcc: (x: Float32Array) => mfcc(x, { ...MEL, nMfcc: N_MFCC }),
    mfccDelta,
  };
  type Workload = keyof typeof workloads;
  const cores = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'trustser-bench-'));
  const list = join(dir, 'files.txt');
  writeFileSync(list, files.join('\n'));
  /** Seconds per workload: ours on the engine with `threads` engine threads, and torchaudio with as many. */
  const measure = (threads: number) => {
    setNumThreads(threads);
    const ours = Object.fromEntries(Object.entries(workloads).map(([k, f]) => [k, timeIt(waves, f)])) as Record<Workload, number>;
    const ref = runPythonReference<{ torchaudio: string; audioS: number } & Record<`${Workload}S`, number>>(
      join(packageRoot(), 'bench', 'features', 'reference.py'),
      [list, String(threads)],
    );
    return { ours, ref };
  };
  const one = measure(1);
  const all = measure(cores);
  setNumThreads(1);
  // The TypeScript path (what the browser runs), one thread.
  setMelEngine(null);
  const tsPath = Object.fromEntries(Object.entries(workloads).map(([k, f]) => [k, timeIt(waves, f)])) as Record<Workload, number>;
  setMelEngine(engineMel);
  const egemapsS = timeIt(waves, (x) => egemaps.compute(x));

  // Scaling: whole extraction (decode, resample check, compute) on 1..N worker threads.
  const scaling: { workers: number; seconds: number }[] = [];
  for (let workers = 1; workers <= cores; workers++) {
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
  const names: Record<Workload, string> = { logmel: 'log-mel', mfcc: 'MFCC', mfccDelta: 'MFCC + Δ + ΔΔ' };
  const row = (w: Workload, m: ReturnType<typeof measure>, threads: number) => {
    const theirs = m.ref[`${w}S`] / m.ref.audioS;
    return `| ${names[w]} | ${threads} | ${rtf(m.ours[w])} | ${theirs.toExponential(2)} | **${(theirs / (m.ours[w] / audioS)).toFixed(2)}** |`;
  };
  const md = [
    '## Feature extraction (`npm run bench:features`)',
    '',
    `${machineLine()}; ${files.length} RAVDESS files (${audioS.toFixed(0)} s of audio), compute only (audio decoded beforehand), one call per file. Real-time factor = compute time / audio duration. Reference: torchaudio ${one.ref.torchaudio} (Debian), same settings (nFft 512, window 400, hop 160, 64 mels, 40 MFCCs), with as many torch threads as ours uses engine threads. In Node the mel spectrogram, its log and the DCT run in one native call on the libtorch engine (src/features/engine-mel.ts, F.melPower); deltas in TypeScript. Load average ${loadavg()[0].toFixed(1)} on ${cores} cores at the end: on this shared machine the ratios move by ±0.2 between runs. Goal: ratio ≥ 1.0.`,
    '',
    '| features | threads | trustser RTF | torchaudio RTF | speed ratio (torchaudio time / ours) |',
    '|---|---:|---:|---:|---:|',
    ...(Object.keys(workloads) as Workload[]).flatMap((w) => [row(w, one, 1), row(w, all, cores)]),
    '',
    `The TypeScript path (the browser's, and Node's without the engine), one thread: log-mel RTF ${rtf(tsPath.logmel)}, MFCC ${rtf(tsPath.mfcc)}, MFCC + Δ + ΔΔ ${rtf(tsPath.mfccDelta)}. egemaps-ts: RTF ${rtf(egemapsS)} (goal ≤ 2e-2).`,
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
