/**
 * Pre-training throughput: feature frames per second of whole optimiser steps (forward, loss,
 * backward, gradient clipping, AdamW) of trustser's APC and TERA at the CPU defaults of
 * `trustser pretrain`, against the same objective and model in PyTorch
 * (bench/pretrain/throughput_ref.py), with the same threads, in the same run.
 *
 *   npm run bench:pretrain-throughput
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { makeRng, packageRoot } from '../../src/core/index.js';
import { AdamW, clipGradNorm, manualSeed, randn, setNumThreads, tensor, tidy } from '../../src/engine/index.js';
import { newS3prlNetwork, type Apc, type Tera } from '../../src/backbones/index.js';
import { alterForTera, apcLoss, parsePretrainConfig, teraLoss, upstreamSettings } from '../../src/pretrain/index.js';
import { itemsPerSecond, machineLine, runPythonReference, writeResultsSection } from '../results.js';

const BATCH = 8;
const FRAMES = 500;
const DIMS = 80;
/** The reference's learning rate and clip (the step's cost does not depend on them). */
const LR = 2e-4;
const CLIP = 5;
const MIN_SECONDS = 6;
const REF_STEPS = 6;
const WARMUP = 2;
const THREADS = [1, 2];
const REF = join(packageRoot(), 'bench', 'pretrain', 'throughput_ref.py');

/** Frames per second of trustser's training steps on random features. */
async function ours(method: 'apc' | 'tera', threads: number): Promise<number> {
  setNumThreads(threads);
  manualSeed(1);
  const cfg = parsePretrainConfig({ method, data: ['unused'] });
  const model = newS3prlNetwork(method, upstreamSettings(cfg), 'bench');
  model.train();
  const opt = new AdamW(model.parameters(), { lr: LR });
  const lengths = new Array<number>(BATCH).fill(FRAMES);
  const rng = makeRng(1);
  const alteration = { ...cfg.tera, maskFrequency: 0, noiseProportion: 0 };
  const fps = await itemsPerSecond(
    BATCH * FRAMES,
    MIN_SECONDS,
    () =>
      tidy(() => {
        const feats = randn([BATCH, FRAMES, DIMS]);
        opt.zeroGrad();
        const altered = method === 'tera' ? alterForTera(feats.toArray() as Float32Array, lengths, DIMS, alteration, rng) : null;
        const loss = altered
          ? teraLoss(model as Tera, tensor(altered.inputs, feats.shape), feats, altered.mask, lengths)
          : apcLoss(model as Apc, feats, lengths, cfg.apc.nFuture);
        loss.backward();
        clipGradNorm(model.parameters(), CLIP);
        opt.step();
        return loss.item();
      }),
    { warmup: WARMUP },
  );
  model.dispose();
  return fps;
}

const rows: string[] = [];
for (const method of ['apc', 'tera'] as const) {
  for (const threads of THREADS) {
    const mine = await ours(method, threads);
    const ref = runPythonReference<{ framesPerSecond: number; torch: string }>(REF, [
      '--method',
      method,
      '--threads',
      String(threads),
      '--batch',
      String(BATCH),
      '--frames',
      String(FRAMES),
      '--steps',
      String(REF_STEPS),
      '--warmup',
      String(WARMUP),
    ]);
    const line = `| ${method.toUpperCase()} | ${threads} | ${Math.round(mine)} | ${Math.round(ref.framesPerSecond)} | ${(mine / ref.framesPerSecond).toFixed(2)}× |`;
    console.log(line);
    rows.push(line);
  }
}

const md = `## Pre-training throughput (APC, TERA)

\`npm run bench:pretrain-throughput\` — ${machineLine()}, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)} at the end.
Whole optimiser steps (forward, loss, backward, clip at 5, AdamW) on random features, batch ${BATCH} × ${FRAMES} frames × ${DIMS} bins,
at \`trustser pretrain\`'s CPU defaults (APC: 3 GRU layers of 256, residual, dropout 0.1, n_future 5; TERA: 3 post-LN layers of 256,
4 heads, 1024 feed-forward, dropout 0.1, 15 % of frames altered in runs of 7), against the same model and objective in PyTorch
(bench/pretrain/throughput_ref.py, the project's own reference) with the same threads. Goal ≥ 1.0×.

| objective | threads | trustser (frames/s) | PyTorch (frames/s) | ratio |
|---|---|---|---|---|
${rows.join('\n')}
`;
console.log(`\nwrote ${writeResultsSection('pretrain-throughput', md)}`);
