/**
 * bench/backbones/archs: every engine backbone architecture against a PyTorch reference on a
 * base-size network with random weights (seed 0), built, saved and timed by archs_reference.py:
 * wav2vec 2.0 and HuBERT (torchaudio), WavLM Base+ (wavlm_ref.py), Whisper base's encoder
 * (whisper_ref.py), APC and TERA (s3prl_ref.py). In one run, per architecture:
 * - parity: max |Δ| of every hidden state on a fixed clip, the checkpoint read by trustser's loader;
 * - speed: passes per second over the clip through the Backbone contract (front end included),
 *   at 1 thread and all cores, engine / PyTorch, and for the wav2vec 2.0 family also ONNX Runtime
 *   on the graph trustser exports (exportWav2Vec2Graph), same threads;
 * - memory: peak RSS of a child process running the engine backbone on a 30 s clip.
 * Usage: npm run bench:backbone-archs [-- --runs N] [--archs a,b] [--seconds S]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  EXPORTED_BACKBONE_KEY,
  apcBackbone,
  loadApc,
  loadTera,
  loadWav2Vec2,
  loadWhisperEncoder,
  openExportedBackbone,
  teraBackbone,
  wav2vec2Backbone,
  whisperBackbone,
  type Backbone,
  type ExportedBackboneMeta,
  type HiddenStates,
  type Wav2Vec2,
} from '../../src/backbones/index.js';
import { setNumThreads, toRawDict } from '../../src/engine/index.js';
import { machineLine, runPythonReference, writeResultsSection } from '../results.js';

const SR = 16000;
const RSS_SECONDS = 30;
const PARITY_GOAL = 1e-4;
const ENGINE_GOAL = 1;
const ORT_GOAL = 2;
const ARCHS = ['wav2vec2', 'hubert', 'wavlm', 'whisper', 'apc', 'tera'] as const;
type Arch = (typeof ARCHS)[number];
const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What archs_reference.py prints. */
type Reference = { torch: string; weights: string; parameters: number; frames: number; layerDims: number[]; secondsPerRun: number };
/** Passes per second at `threads` threads (ort: ONNX Runtime, for the exported architectures). */
type Speed = { threads: number; engine: number; torch: number; ort: number | null };

interface Result {
  arch: Arch;
  load: number;
  error?: string;
  format?: string;
  parameters?: [engine: number, torch: number];
  ref?: Reference;
  parity?: number[];
  ortParity?: number[];
  speed: Speed[];
  /** Peak RSS (MB) on a 30 s clip, or why it was not measured. */
  rss?: number | string;
}

/** An engine backbone, the checkpoint format it was read from, and the wav2vec 2.0-family network the exporter takes. */
type Opened = { backbone: Backbone; format: string; network?: Wav2Vec2 };

/** The engine backbone of `arch` from the checkpoint at `path`, as a user would open it. */
function open(arch: Arch, path: string): Opened {
  if (arch === 'whisper') {
    const l = loadWhisperEncoder(path);
    return { backbone: whisperBackbone(arch, l.model, { pad: 'none' }), format: `${l.format} .pt` };
  }
  if (arch === 'apc') {
    const l = loadApc(path);
    return { backbone: apcBackbone(arch, l.model), format: `s3prl .ckpt ('${l.layout}')` };
  }
  if (arch === 'tera') {
    const l = loadTera(path);
    return { backbone: teraBackbone(arch, l.model), format: `s3prl .ckpt ('${l.layout}')` };
  }
  const l = loadWav2Vec2(path, arch);
  return {
    backbone: wav2vec2Backbone(arch, l.model),
    format: arch === 'wavlm' ? "WavLM's own .pt" : `${l.format} state dict`,
    network: l.model,
  };
}

function reference(arch: Arch, dir: string, seconds: number, threads: number, runs: number): Reference {
  const script = fileURLToPath(new URL('./archs_reference.py', import.meta.url));
  return runPythonReference<Reference>(script, [arch, dir, String(seconds), String(threads), String(runs)]);
}

const floats = (file: string): Float32Array => new Float32Array(new Uint8Array(readFileSync(file)).buffer);

/** Max |Δ| per hidden state of `h` against the reference's concatenated [T, D_l] blocks. */
function maxDiffs(h: HiddenStates, expected: Float32Array, ref: Reference): number[] {
  if (h.frames !== ref.frames || h.layers.length !== ref.layerDims.length)
    throw new Error(`${h.layers.length} hidden states of ${h.frames} frames; PyTorch gives ${ref.layerDims.length} of ${ref.frames}`);
  let at = 0;
  return ref.layerDims.map((d, l) => {
    const n = ref.frames * d;
    const a = h.layers[l];
    let m = a.length === n ? 0 : Number.POSITIVE_INFINITY;
    for (let i = 0; i < n && m < Number.POSITIVE_INFINITY; i++) m = Math.max(m, Math.abs(a[i] - expected[at + i]));
    at += n;
    return m;
  });
}

async function passesPerSecond(run: () => Promise<unknown>, runs: number): Promise<number> {
  await run();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await run();
  return runs / ((performance.now() - t0) / 1000);
}

/** The network's exported ONNX graph (the runtime is imported here, so the memory child does not load it). */
async function exportGraph(net: Wav2Vec2, arch: Arch): Promise<{ bytes: Uint8Array; meta: ExportedBackboneMeta }> {
  const { exportWav2Vec2Graph } = await import('../../src/runtime/index.js');
  const meta: ExportedBackboneMeta = {
    arch: net.config.arch,
    config: net.config,
    identity: `bench-${arch}`,
    parameters: net.numParameters(),
  };
  const bytes = exportWav2Vec2Graph(net.config, toRawDict(net.stateDict()), arch).serialize({
    producerName: 'trustser-bench',
    producerVersion: '0',
    docString: `${arch} base, random weights`,
    metadata: { [EXPORTED_BACKBONE_KEY]: JSON.stringify(meta) },
  });
  return { bytes, meta };
}

/** Peak RSS (MB) of a child process opening the backbone and running it on a 30 s clip, or why it failed. */
function rssChild(arch: Arch, weights: string): number | string {
  const args = ['--import', 'tsx', SELF, '--rss-child', arch, '--weights', weights];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
  const why = (r.stderr ?? '').split('\n').find((l) => /Error|Killed|signal/.test(l)) ?? `exit ${r.status ?? r.signal}`;
  if (r.status !== 0) return `failed: ${why.trim().replaceAll('|', '/')}`;
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { maxRssKb: number }).maxRssKb / 1024;
}

async function childMain(arch: Arch, weights: string): Promise<void> {
  const { backbone } = open(arch, weights);
  const x = Float32Array.from({ length: RSS_SECONDS * SR }, (_, i) => 0.3 * Math.sin(i * 0.07));
  const h = await backbone.hiddenStates(x);
  console.log(JSON.stringify({ frames: h.frames, maxRssKb: peakRssKb() }));
}

/**
 * This process's peak RSS (kB): Linux's VmHWM, the high-water mark of its own address space.
 * (getrusage's maxRSS survives execve, so a child spawned by a large parent reports the parent's.)
 */
function peakRssKb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '');
  return hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS;
}

async function benchArch(arch: Arch, root: string, seconds: number, runs: number, threads: number[]): Promise<Result> {
  const result: Result = { arch, load: loadavg()[0], speed: [] };
  const dir = join(root, arch);
  mkdirSync(dir, { recursive: true });
  let opened: Opened | null = null;
  try {
    let x: Float32Array = new Float32Array(0);
    let expected: Float32Array = new Float32Array(0);
    let graph: Awaited<ReturnType<typeof exportGraph>> | null = null;
    for (const t of threads) {
      const ref = reference(arch, dir, seconds, t, runs);
      setNumThreads(t);
      if (!opened) {
        opened = open(arch, join(dir, ref.weights));
        x = floats(join(dir, 'clip.bin'));
        expected = floats(join(dir, 'hidden.bin'));
        Object.assign(result, { ref, format: opened.format, parameters: [opened.backbone.info.parameters, ref.parameters] });
        result.parity = maxDiffs(await opened.backbone.hiddenStates(x), expected, ref);
      }
      const b = opened.backbone;
      const engine = await passesPerSecond(() => b.hiddenStates(x), runs);
      let ortRate: number | null = null;
      if (opened.network) {
        graph ??= await exportGraph(opened.network, arch);
        const ort = await import('onnxruntime-node');
        const session = await openExportedBackbone(ort, graph.bytes, graph.meta, { intraOpNumThreads: t, interOpNumThreads: 1 });
        try {
          result.ortParity ??= maxDiffs(await session.hiddenStates(x), expected, ref);
          ortRate = await passesPerSecond(() => session.hiddenStates(x), runs);
        } finally {
          await session.dispose();
        }
      }
      result.speed.push({ threads: t, engine, torch: 1 / ref.secondsPerRun, ort: ortRate });
    }
    await opened?.backbone.dispose();
    opened = null;
    result.rss = rssChild(arch, join(dir, result.ref!.weights));
  } catch (e) {
    result.error = (e as Error).message;
    await opened?.backbone.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

const e1 = (v: number): string => v.toExponential(1);
const worst = (d: number[]): string => {
  const m = Math.max(...d);
  return `${m.toExponential(2)} (layer ${d.indexOf(m)})`;
};
const ratio = (a: number, b: number): string => `**${(a / b).toFixed(2)}×**`;

function markdown(
  results: Result[],
  o: { seconds: number; runs: number; cores: number; loads: [number, number]; minutes: number; ortVersion: string },
): string {
  const ok = results.filter((r) => !r.error);
  const torch = ok[0]?.ref?.torch ?? '?';
  const facts = results.map((r) => {
    if (r.error) return `| ${r.arch} | failed: ${r.error.replaceAll('|', '/')} | | | | | | ${r.load.toFixed(1)} |`;
    const [pe, pt] = r.parameters!;
    const dims = [...new Set(r.ref!.layerDims)].join('/');
    const ortCell = r.ortParity ? worst(r.ortParity) : '—';
    return `| ${r.arch} | ${r.format} | ${(pe / 1e6).toFixed(2)} M (PyTorch ${(pt / 1e6).toFixed(2)} M) | ${r.ref!.layerDims.length} × ${r.ref!.frames} × ${dims} | ${worst(r.parity!)} | ${ortCell} | ${typeof r.rss === 'number' ? r.rss.toFixed(0) : r.rss} | ${r.load.toFixed(1)} |`;
  });
  const speed = ok.flatMap((r) =>
    r.speed.map((s) => {
      const ortCells = s.ort === null ? '— | —' : `${s.ort.toFixed(2)} | ${ratio(s.ort, s.torch)}`;
      return `| ${r.arch} | ${s.threads} | ${s.engine.toFixed(2)} | ${s.torch.toFixed(2)} | ${ratio(s.engine, s.torch)} | ${ortCells} |`;
    }),
  );
  const layers = ok.map(
    (r) => `- ${r.arch}: ${r.parity!.map(e1).join(', ')}${r.ortParity ? `; ONNX Runtime ${r.ortParity.map(e1).join(', ')}` : ''}`,
  );
  const missed = [
    ...ok.filter((r) => Math.max(...r.parity!) > PARITY_GOAL).map((r) => `parity of ${r.arch} (${worst(r.parity!)})`),
    ...ok.filter((r) => r.ortParity && Math.max(...r.ortParity) > PARITY_GOAL).map((r) => `ONNX parity of ${r.arch}`),
    ...ok.flatMap((r) =>
      r.speed.flatMap((s) => [
        ...(s.engine / s.torch < ENGINE_GOAL ? [`engine ${r.arch} at ${s.threads} thread(s)`] : []),
        ...(s.ort !== null && s.ort / s.torch < ORT_GOAL ? [`ONNX ${r.arch} at ${s.threads} thread(s)`] : []),
      ]),
    ),
    ...ok.filter((r) => typeof r.rss !== 'number').map((r) => `peak RSS of ${r.arch} not measured`),
    ...results.filter((r) => r.error).map((r) => `${r.arch} did not run`),
  ];
  return `## Backbone architectures: engine and ONNX Runtime vs PyTorch (bench:backbone-archs)

${machineLine()}; ${o.cores} cores, 1-min load average ${o.loads[0].toFixed(1)} before the run and ${o.loads[1].toFixed(1)} after (other work shared the machine; the load when each architecture started is in the first table); torch ${torch} (Debian), onnxruntime-node ${o.ortVersion}; the run took ${o.minutes.toFixed(1)} min. Base-size networks with random weights (seed 0, the modules' default initialisation), built by bench/backbones/archs_reference.py: wav2vec 2.0 and HuBERT base (torchaudio; HuBERT base's body is wav2vec 2.0 base's, so with the same seed it gets the same weights and the same parity), WavLM Base+ sizes (group-norm encoder, 12 × 768, 12 heads, 3072 ffn, 320 buckets over 800 frames; bench/backbones/wavlm_ref.py), Whisper base's encoder (80 mels, 6 × 512, 8 heads, 1500 positions; whisper_ref.py), APC as s3prl's apc_360hr (80-bin Kaldi fbank with CMVN, 3 residual GRU layers of 512), TERA as tera_960hr (80-bin log-mel with CMVN, 3 post-LN layers of 768, 12 heads, 3072 ffn) (s3prl_ref.py); each saved in the format named below and read by trustser's loader. A ${o.seconds} s clip (bench/backbones/reference.py's); one pass = every hidden state through the Backbone contract, front end included (Whisper's log-mel with pad 'none', the s3prl features; PyTorch times the s3prl front ends in float32 as s3prl runs them, the parity reference computes them in float64 as trustser does); ${o.runs} timed passes after one warm-up. ONNX Runtime runs the graph trustser exports (exportWav2Vec2Graph), intra-op threads = the thread count. Peak RSS: VmHWM of a child process that opens the checkpoint and runs the engine backbone on a ${RSS_SECONDS} s clip (not getrusage's maxRSS, which keeps the spawning parent's across exec). Goals: parity ≤ 1e-4, engine ≥ ${ENGINE_GOAL.toFixed(1)}× PyTorch, ONNX Runtime ≥ ${ORT_GOAL}× PyTorch.

| architecture | checkpoint read | parameters | hidden states × frames × width | parity max \\|Δ\\| | ONNX parity max \\|Δ\\| | peak RSS ${RSS_SECONDS} s clip (MB) | load at start |
|---|---|---|---|---|---|---|---|
${facts.join('\n')}

| architecture | threads | engine passes/s | PyTorch passes/s | engine / PyTorch | ONNX Runtime passes/s | ONNX Runtime / PyTorch |
|---|---|---|---|---|---|---|
${speed.join('\n')}

Max |Δ| per hidden state (0 = the input states … L = output):
${layers.join('\n')}

${missed.length === 0 ? 'Every goal met.' : `Below goal: ${missed.join('; ')}.`}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      archs: { type: 'string' },
      seconds: { type: 'string' },
      'rss-child': { type: 'string' },
      weights: { type: 'string' },
    },
  });
  const pick = (a: string): Arch => {
    if (!(ARCHS as readonly string[]).includes(a)) throw new Error(`unknown architecture '${a}' (one of ${ARCHS.join(', ')})`);
    return a as Arch;
  };
  if (values['rss-child']) return childMain(pick(values['rss-child']), values.weights!);
  const runs = Number(values.runs ?? 3);
  const seconds = Number(values.seconds ?? 4);
  if (!(Number.isInteger(runs) && runs >= 1) || !(seconds > 0)) throw new Error('--runs must be a positive integer and --seconds > 0');
  const archs = values.archs ? values.archs.split(',').map((a) => pick(a.trim())) : [...ARCHS];
  const cores = availableParallelism();
  const threads = [...new Set([1, cores])];
  const start = performance.now();
  const loadBefore = loadavg()[0];
  const root = mkdtempSync(join(tmpdir(), 'trustser-bench-archs-'));
  const results: Result[] = [];
  try {
    for (const arch of archs) {
      console.error(`${arch}…`);
      const r = await benchArch(arch, root, seconds, runs, threads);
      if (r.error) console.error(`${arch} failed: ${r.error}`);
      results.push(r);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const minutes = (performance.now() - start) / 60000;
  const ortVersion = (await import('onnxruntime-node')).env.versions.node ?? '?';
  const md = markdown(results, { seconds, runs, cores, loads: [loadBefore, loadavg()[0]], minutes, ortVersion });
  console.log(md);
  console.log(`\nwrote ${writeResultsSection('backbone-archs', md)}`);
}

await main();
