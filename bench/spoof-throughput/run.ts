/**
 * bench/spoof-throughput: how many 4 s clips (64,600 samples at 16 kHz) per second the AASIST
 * countermeasures score — the exported graph in ONNX Runtime vs the libtorch engine (and PyTorch
 * 1.13 on the same weights, bench/spoof-throughput/reference.py, unless --no-torch) — at the same
 * thread count (default 2), batch 1 (one request at a time) and batch 8 (files in bulk), eval mode.
 * The published AASIST / AASIST-L weights are used when found (../shared/models/aasist or
 * $TRUSTSER_AASIST_DIR), random weights otherwise; all runtimes are first checked to give the same
 * logits. The engine's and ONNX Runtime's best of `--rounds` alternating rounds of ≥ `--seconds` s
 * is kept; PyTorch, much slower here, is timed in the first round only.
 * Usage: npm run bench:spoof-throughput [-- --threads N --seconds S --rounds R --no-torch]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { makeRng } from '../../src/core/index.js';
import {
  AASIST_CONFIG,
  AASIST_L_CONFIG,
  AASIST_SAMPLES,
  AASIST_SAMPLE_RATE_HZ,
  Aasist,
  loadAasistWeights,
  type AasistConfig,
} from '../../src/models/aasist/index.js';
import { exportAasistGraph } from '../../src/runtime/export/index.js';
import { ortSessionOptions } from '../../src/runtime/session.js';
import { resolveSpoofWeights } from '../../src/spoof/index.js';
import { manualSeed, noGrad, saveModule, setNumThreads, tensor, tidy, toRawDict } from '../../src/engine/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { itemsPerSecond, machineLine, runPythonReference, writeResultsSection } from '../results.js';

const BATCHES = [1, 8];
const MODELS = [
  ['aasist', AASIST_CONFIG],
  ['aasist-l', AASIST_L_CONFIG],
] as const;
const PARITY_TOLERANCE = 1e-4;
const WARMUP = 1;
const CLIP_SECONDS = AASIST_SAMPLES / AASIST_SAMPLE_RATE_HZ;
/** The scoring rate the anti-spoofing issue asks for (4 s clips per second). */
const GOAL_CLIPS_PER_S = 50;

/**
 * Multiply-accumulates of AASIST's convolutions for one clip of `samples` samples, from the
 * layer shapes: the sinc filter bank (sincKernel + 1 taps), the 3×3 max-pool, then six residual
 * blocks (conv 2×3 padded (1, 1), conv 2×3 padded (0, 1), a 1×3 projection when the channel count
 * changes, max-pool 1×3). The graph attention back end, on a few dozen nodes, is left out (< 0.1 %).
 */
function convMacs(c: AasistConfig, samples: number): number {
  const taps = c.sincKernel + 1;
  const frames = samples - taps + 1;
  let macs = c.sincFilters * taps * frames;
  const h = Math.floor(c.sincFilters / 3);
  let w = Math.floor(frames / 3);
  for (const [cin, cout] of [c.blocks[0], c.blocks[1], c.blocks[2], c.blocks[3], c.blocks[3], c.blocks[3]]) {
    macs += cout * cin * 6 * (h + 1) * w + cout * cout * 6 * h * w + (cin === cout ? 0 : cout * cin * 3 * h * w);
    w = Math.floor(w / 3);
  }
  return macs;
}

type Speeds = Record<number, number>;

/** The published weights when found, else random ones (seeded). */
function buildModel(spec: string, config: typeof AASIST_CONFIG): { model: Aasist; weights: string } {
  try {
    return { model: loadAasistWeights(resolveSpoofWeights(spec)), weights: 'published' };
  } catch {
    manualSeed(1);
    return { model: new Aasist(config).eval(), weights: 'random' };
  }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

interface TorchResult {
  torch: string;
  models: Record<string, { logits: number[]; clipsPerS: Record<string, number> }>;
}

/** The PyTorch side: reference.py on the safetensors weights and the input written to `dir`. */
function pytorch(dir: string, threads: number, minSeconds: number, names: string[]): TorchResult {
  const script = join(packageRoot(), 'bench', 'spoof-throughput', 'reference.py');
  return runPythonReference<TorchResult>(
    script,
    [dir, String(threads), String(minSeconds), names.join(','), ...BATCHES.map(String)],
    'run with --no-torch to skip it',
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { threads: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' }, 'no-torch': { type: 'boolean' } },
  });
  const threads = Number(values.threads ?? 2);
  const minSeconds = Number(values.seconds ?? 2);
  const rounds = Number(values.rounds ?? 2);
  const withTorch = !values['no-torch'];
  const dir = join(packageRoot(), 'bench', 'out', 'spoof-throughput');
  mkdirSync(dir, { recursive: true });
  const maxBatch = Math.max(...BATCHES);
  const rng = makeRng(3);
  const wave = Float32Array.from({ length: maxBatch * AASIST_SAMPLES }, () => 0.1 * rng.normal());
  writeFileSync(join(dir, 'input.f32'), wave);
  setNumThreads(threads);

  const sides = new Map<
    string,
    {
      engine: Speeds;
      onnx: Speeds;
      torch: Speeds;
      weights: string;
      params: number;
      /** Convolution work per clip (GMAC). */
      gmacs: number;
      logits: Float32Array;
      model: Aasist;
      session: ort.InferenceSession;
    }
  >();
  for (const [name, config] of MODELS) {
    const { model, weights } = buildModel(name, config);
    await saveModule(model, join(dir, `${name}.safetensors`));
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(model.config));
    const bytes = exportAasistGraph({ config: model.config, weights: toRawDict(model.stateDict()) }).graph.serialize({
      producerName: 'trustser-bench',
      producerVersion: '0',
    });
    const session = await ort.InferenceSession.create(bytes, ortSessionOptions({ intraOpThreads: threads }));
    const logits = noGrad(() => tidy(() => model.forward(tensor(wave, [maxBatch, AASIST_SAMPLES])).toFloat32()));
    const onnx = (await session.run({ wave: new ort.Tensor('float32', wave, [maxBatch, AASIST_SAMPLES]) })).logits.data as Float32Array;
    if (!(maxDiff(onnx, logits) <= PARITY_TOLERANCE))
      throw new Error(`${name}: ONNX Runtime and the engine disagree (max |Δlogit| = ${maxDiff(onnx, logits)})`);
    const params = model.parameters().reduce((s, p) => s + p.numel, 0);
    sides.set(name, {
      engine: {},
      onnx: {},
      torch: {},
      weights,
      params,
      logits,
      model,
      session,
      gmacs: convMacs(model.config, AASIST_SAMPLES) / 1e9,
    });
  }

  let torchVersion = '';
  const best = (s: Speeds, k: number, v: number) => (s[k] = Math.max(s[k] ?? 0, v));
  // Alternate the sides and keep each one's best round, so background load hits all alike.
  for (let round = 0; round < rounds; round++) {
    for (const side of sides.values()) {
      for (const b of BATCHES) {
        const x = tensor(wave.subarray(0, b * AASIST_SAMPLES), [b, AASIST_SAMPLES]);
        best(
          side.engine,
          b,
          await itemsPerSecond(b, minSeconds, () => noGrad(() => tidy(() => void side.model.forward(x))), { warmup: WARMUP }),
        );
        x.dispose();
        const feeds = { wave: new ort.Tensor('float32', wave.subarray(0, b * AASIST_SAMPLES), [b, AASIST_SAMPLES]) };
        best(side.onnx, b, await itemsPerSecond(b, minSeconds, () => side.session.run(feeds), { warmup: WARMUP }));
      }
    }
    // PyTorch is far slower here (a batch of 8 takes tens of seconds), so it runs in the first round only.
    if (withTorch && round === 0) {
      const ref = pytorch(dir, threads, minSeconds, [...sides.keys()]);
      torchVersion = ref.torch;
      for (const [name, side] of sides) {
        const r = ref.models[name];
        if (!(maxDiff(r.logits, side.logits) <= PARITY_TOLERANCE))
          throw new Error(
            `${name}: PyTorch and the engine disagree (max |Δlogit| = ${maxDiff(r.logits, side.logits)}); timings would compare different models`,
          );
        for (const b of BATCHES) best(side.torch, b, r.clipsPerS[String(b)]);
      }
    }
  }

  const rows: string[] = [];
  const cell = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
  for (const [name, s] of sides) {
    for (const b of BATCHES) {
      const torch = s.torch[b];
      rows.push(
        `| ${name} (${(s.params / 1e3).toFixed(0)} k params, ${s.weights} weights) | ${b} | ${s.onnx[b].toFixed(2)} | ${s.engine[b].toFixed(2)} | ${cell(torch)} | **${(s.onnx[b] / s.engine[b]).toFixed(2)}** | ${torch === undefined ? '–' : (s.onnx[b] / torch).toFixed(2)} | ${(1 / (s.onnx[b] * CLIP_SECONDS)).toFixed(3)} | ${(s.gmacs * s.onnx[b]).toFixed(0)} |`,
      );
    }
  }
  const md = [
    '## AASIST scoring throughput: ONNX Runtime vs engine vs PyTorch (`npm run bench:spoof-throughput`)',
    '',
    `${machineLine()}, load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores at the end of the run (shared machine); ${threads} threads for every runtime; ${CLIP_SECONDS.toFixed(2)} s clips (${AASIST_SAMPLES} samples at 16 kHz); eval mode. ONNX Runtime ${ort.env.versions.node ?? ''} (CPU, intra-op spinning off) on the graph of \`trustser export-spoof\` vs the libtorch engine (src/models/aasist, which encodes eval batches one clip at a time)${withTorch ? ` vs PyTorch ${torchVersion} (Debian python3-torch, bench/spoof-throughput/reference.py)` : ''}; same weights, ${withTorch ? 'all' : 'both'} checked to agree within ${PARITY_TOLERANCE} on the logits. Best of ${rounds} alternating rounds of ≥ ${minSeconds} s${withTorch ? ' (PyTorch: the first round only)' : ''}.`,
    '',
    '| model | batch | ONNX Runtime clips/s | engine clips/s | PyTorch clips/s | ORT / engine | ORT / PyTorch | ORT real-time factor | ORT GMAC/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Work per clip (convolutions, counted from the layer shapes): ${[...sides].map(([name, s]) => `${name} ${s.gmacs.toFixed(2)} GMAC`).join(', ')} — most of it in the first two residual blocks, which run at the front end's full time resolution (23 × 21 490 cells, 32 channels) in both variants. ${GOAL_CLIPS_PER_S} clips/s would need ${[...sides].map(([name, s]) => `${(GOAL_CLIPS_PER_S * s.gmacs).toFixed(0)} GMAC/s (${name})`).join(', ')}, against the ${Math.max(...[...sides.values()].flatMap((s) => BATCHES.map((b) => s.gmacs * s.onnx[b]))).toFixed(0)} GMAC/s ONNX Runtime sustains here.`,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('spoof-throughput', md)}`);
  for (const side of sides.values()) {
    await side.session.release();
    side.model.dispose();
  }
}

await main();
