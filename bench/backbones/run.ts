/**
 * bench/backbones: the engine's wav2vec 2.0 against torchaudio on a base-size network (12 layers,
 * 768 wide, random weights from torchaudio.models.wav2vec2_base, seed 0), in one run:
 * - parity: max |Δ| of every layer's hidden states on a 4 s clip, torchaudio's state dict loaded
 *   by trustser (format and architecture recognized from the file);
 * - speed: forward passes per second on a 4 s clip, 1 thread and all cores, engine / torchaudio;
 * - memory: peak RSS of a child process running the backbone on a 30 s clip, then on a 10-minute
 *   file (chunked, so it should stay flat).
 * Usage: npm run bench:backbones [-- --runs N] [--skip-long]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { noGrad, setNumThreads, tensor, tidy } from '../../src/engine/index.js';
import { loadWav2Vec2 } from '../../src/backbones/index.js';
import { machineLine, runPythonReference, writeResultsSection } from '../results.js';

const SR = 16000;
const CLIP_SECONDS = 4;

interface Reference {
  torch: string;
  layers: number;
  frames: number;
  dims: number;
  secondsPerRun: number;
}

function reference(dir: string, threads: number, runs: number): Reference {
  return runPythonReference<Reference>(fileURLToPath(new URL('./reference.py', import.meta.url)), [
    dir,
    String(CLIP_SECONDS),
    String(threads),
    String(runs),
  ]);
}

/** The clip torchaudio ran on (its seeded noise is torch's), as the reference module makes it. */
function referenceClip(): Float32Array {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      `import sys; sys.path.insert(0, ${JSON.stringify(fileURLToPath(new URL('.', import.meta.url)))}); import reference; sys.stdout.buffer.write(reference.clip(${CLIP_SECONDS * SR}).numpy().tobytes())`,
    ],
    { maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`cannot get the reference clip: ${r.stderr}`);
  return new Float32Array(new Uint8Array(r.stdout).buffer);
}

function memoryChild(weights: string, seconds: number): number {
  const script = `
    import { loadWav2Vec2, wav2vec2Backbone } from ${JSON.stringify(fileURLToPath(new URL('../../src/backbones/index.js', import.meta.url)))};
    const b = wav2vec2Backbone('wav2vec2', loadWav2Vec2(${JSON.stringify(weights)}).model);
    const x = Float32Array.from({ length: ${seconds * SR} }, (_, i) => 0.3 * Math.sin(i * 0.07));
    const h = await b.hiddenStates(x);
    // VmHWM: this process's own peak (getrusage's maxRSS keeps the spawning parent's across exec).
    const { readFileSync } = await import('node:fs');
    const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
    console.log(JSON.stringify({ frames: h.frames, maxRssKb: hwm }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { maxRssKb: number }).maxRssKb / 1024;
}

/** Size (MB) of every hidden state of a 10-minute file at 50 frames/s, float32. */
function longOutputMb(ref: Reference): number {
  return (ref.layers * 600 * 50 * ref.dims * 4) / 2 ** 20;
}

function passesPerSecond(run: () => void, runs: number): number {
  run();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) run();
  return runs / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, 'skip-long': { type: 'boolean' } } });
  const runs = Number(values.runs ?? 5);
  const cores = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'trustser-bench-backbones-'));
  const load = loadavg()[0];
  try {
    const refs = new Map<number, Reference>();
    for (const t of [1, cores]) refs.set(t, reference(dir, t, runs));
    const weights = join(dir, 'base.pth');
    const { model, format } = loadWav2Vec2(weights);
    const ref = refs.get(1)!;
    const x = referenceClip();
    const input = tensor(x, [1, x.length]);
    const expected = new Float32Array(new Uint8Array(readFileSync(join(dir, 'hidden.bin'))).buffer);
    const size = ref.frames * ref.dims;
    const diffs = tidy(() =>
      noGrad(() =>
        model.hiddenStates(input).map((h, l) => {
          const a = h.toArray() as Float32Array;
          let m = 0;
          for (let i = 0; i < size; i++) m = Math.max(m, Math.abs(a[i] - expected[l * size + i]));
          return m;
        }),
      ),
    );
    const speed = [1, cores].map((t) => {
      setNumThreads(t);
      const ours = passesPerSecond(() => tidy(() => noGrad(() => model.hiddenStates(input).at(-1)!.toArray())), runs);
      const theirs = 1 / refs.get(t)!.secondsPerRun;
      return { threads: t, ours, theirs };
    });
    const rss30 = memoryChild(weights, 30);
    const rssLong = values['skip-long'] ? null : memoryChild(weights, 600);
    const rows = speed.map(
      (s) => `| ${s.threads} | ${s.ours.toFixed(2)} | ${s.theirs.toFixed(2)} | **${(s.ours / s.theirs).toFixed(2)}** |`,
    );
    const md = `## Backbones: wav2vec 2.0 base on the engine vs torchaudio (bench:backbones)

${machineLine()}; ${cores} cores, 1-min load average ${load.toFixed(1)} before the run; torch ${ref.torch}. A base-size wav2vec 2.0 (torchaudio \`wav2vec2_base\`, 94.4 M parameters, random weights, seed 0); torchaudio's state dict is read by \`loadWav2Vec2\` (recognized as ${format}, architecture inferred from the tensor shapes). ${CLIP_SECONDS} s clip, ${ref.frames} frames × ${ref.dims}, ${ref.layers} hidden states.

Parity, max |Δ| per hidden state (0 = transformer input … ${ref.layers - 1} = output): ${diffs.map((d) => d.toExponential(1)).join(', ')} (largest ${Math.max(...diffs).toExponential(2)}; goal ≤ 1e-4).

| threads | engine passes/s | torchaudio passes/s | ratio |
|---|---|---|---|
${rows.join('\n')}

Peak RSS of a process running the backbone: 30 s clip ${rss30.toFixed(0)} MB${rssLong === null ? '' : `; 10-minute file (chunks of 20 s with 2 s of context) ${rssLong.toFixed(0)} MB, of which the returned hidden states themselves are ${longOutputMb(ref).toFixed(0)} MB`} (goal ≤ 2 GB for 30 s; the pass itself does not grow with length). Parity of the other formats and of the layer-norm ("large") body on small random networks: test/backbones/wav2vec2.test.ts (every layer within 1e-4 of torchaudio).`;
    console.log(md);
    console.log(`\nwrote ${writeResultsSection('backbones', md)}`);
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
