/**
 * A pre-training run: unlabelled pool → front-end features → APC or TERA trained with AdamW →
 * run folder:
 *   config.json (resolved), pool.json (the files and how much audio), checkpoint.safetensors
 *   (weights, optimizer, loop state, history: one atomic file), loss.jsonl and loss.svg (one
 *   point per epoch), backbone.safetensors (the network and its s3prl settings, after every
 *   epoch: `--backbone apc|tera --weights RUN`).
 * Re-running into the same folder resumes after the last finished epoch, bit for bit (the
 * epoch's shuffling, alterations and dropout derive from the seed and the epoch number), and
 * removes temporary files a kill left behind.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { makeRng, removeStaleTemps, shuffle, writeFileAtomic } from '../core/index.js';
import { AdamW, EpochSteps, finiteStep, manualSeed, noGrad, setNumThreads, settle, tensor, tidy } from '../engine/index.js';
import { lineChart } from '../report/index.js';
import { loadCheckpoint, saveCheckpoint } from '../run/index.js';
import { newS3prlNetwork, saveS3prlBackbone, type Apc, type Tera } from '../backbones/index.js';
import { DEFAULT_LR, upstreamSettings, type PretrainConfig } from './config.js';
import { listPoolFiles, poolSegments, type PoolSummary, type Segment } from './data.js';
import { alterForTera, apcLoss, padBatch, teraLoss } from './objectives.js';

export const PRETRAIN_FILES = {
  config: 'config.json',
  pool: 'pool.json',
  checkpoint: 'checkpoint.safetensors',
  losses: 'loss.jsonl',
  curve: 'loss.svg',
  backbone: 'backbone.safetensors',
} as const;

/** Segments sorted by length within windows of this many batches, so a batch pads little (s3prl buckets by length). */
const BUCKET_BATCHES = 20;
/** Multiplier separating the seeds of successive epochs. */
const EPOCH_SEED_STRIDE = 1_000_003;

/** One finished epoch. */
export interface PretrainEpoch {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  lr: number;
  seconds: number;
  /** Feature frames trained on per second (forward, backward and step). */
  framesPerSecond: number;
}

export interface PretrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss of the epoch so far. */
  loss: number;
}

export interface PretrainOptions {
  log?: (line: string) => void;
  onProgress?: (p: PretrainProgress) => void;
  /** Called once the pool's files are listed, then after each file is decoded (progress). */
  onPool?: (done: number, total: number) => void;
}

export interface PretrainResult {
  dir: string;
  backbone: string;
  pool: PoolSummary;
  history: PretrainEpoch[];
}

interface LoopState {
  epoch: number;
}

/** Batches of segment indices for one epoch: shuffled, bucketed by length, batch order shuffled. */
function epochBatches(segments: readonly Segment[], batchSize: number, rng: ReturnType<typeof makeRng>): number[][] {
  const order = shuffle(
    segments.map((_, i) => i),
    rng,
  );
  const window = batchSize * BUCKET_BATCHES;
  const batches: number[][] = [];
  for (let w = 0; w < order.length; w += window) {
    const part = order.slice(w, w + window).sort((a, b) => segments[a].frames - segments[b].frames);
    for (let b = 0; b < part.length; b += batchSize) batches.push(part.slice(b, b + batchSize));
  }
  return shuffle(batches, rng);
}

function checkSameConfig(dir: string, cfg: PretrainConfig): void {
  const path = join(dir, PRETRAIN_FILES.config);
  if (existsSync(path) && readFileSync(path, 'utf8') !== `${JSON.stringify(cfg, null, 2)}\n`)
    throw new Error(`${path}: this folder holds a pre-training run with another configuration; choose another --out (or delete it)`);
}

/** The result of a run in `dir` that has trained all its epochs (its files as they are), or null. */
function finishedRun(dir: string, cfg: PretrainConfig): PretrainResult | null {
  const [losses, pool, backbone] = [PRETRAIN_FILES.losses, PRETRAIN_FILES.pool, PRETRAIN_FILES.backbone].map((f) => join(dir, f));
  if (![losses, pool, backbone].every((f) => existsSync(f))) return null;
  const history = readFileSync(losses, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PretrainEpoch);
  if (history.length < cfg.training.epochs) return null;
  const { paths: _paths, ...summary } = JSON.parse(readFileSync(pool, 'utf8')) as PoolSummary & { paths: string[] };
  return { dir, backbone, pool: summary, history };
}

/** loss.jsonl and loss.svg from the history (rewritten whole, atomically). */
async function writeRecord(dir: string, cfg: PretrainConfig, history: readonly PretrainEpoch[]): Promise<void> {
  await writeFileAtomic(join(dir, PRETRAIN_FILES.losses), history.map((h) => `${JSON.stringify(h)}\n`).join(''));
  await writeFileAtomic(join(dir, PRETRAIN_FILES.curve), lossCurve(cfg, history));
}

/** The loss curve: one point per epoch. */
function lossCurve(cfg: PretrainConfig, history: readonly PretrainEpoch[]): string {
  return lineChart({
    title: `${cfg.method.toUpperCase()} pre-training loss`,
    xLabel: 'epoch',
    yLabel: 'L1 loss',
    series: [{ name: 'training loss', color: '#1f77b4', points: history.map((h) => [h.epoch, h.loss]) }],
    format: (y) => y.toFixed(4),
  });
}

/**
 * Pre-trains (or resumes) `cfg` into `outDir`. The pool is listed, decoded and featurised, and
 * the network built, before the first byte is written, so a bad input leaves no folder behind.
 * @throws Error naming the input or setting at fault, or a folder holding another run.
 */
export async function pretrain(cfg: PretrainConfig, outDir: string, o: PretrainOptions = {}): Promise<PretrainResult> {
  const log = o.log ?? (() => {});
  const dir = resolve(outDir);
  checkSameConfig(dir, cfg);
  const done = finishedRun(dir, cfg);
  if (done) return done;
  const t = cfg.training;
  setNumThreads(t.threads ?? availableParallelism());
  manualSeed(t.seed);
  const settings = upstreamSettings(cfg);
  const model = newS3prlNetwork(cfg.method, settings, `${cfg.method} settings`);
  const files = await listPoolFiles(cfg);
  o.onPool?.(0, files.length);
  const fe = {
    dims: model.inputDim,
    hopSamples: model.frontEnd.hopSamples,
    features: (x: Float32Array) => noGrad(() => tidy(() => model.features(tensor(x)).toArray() as Float32Array)),
  };
  const { segments, summary } = await poolSegments(files, fe, {
    vad: cfg.vad,
    segmentFrames: cfg.segmentFrames,
    onFile: (d) => o.onPool?.(d, files.length),
  });
  log(
    `pool: ${summary.files} files, ${(summary.seconds / 3600).toFixed(2)} h in ${summary.segments} segments` +
      (summary.tooShort > 0 ? ` (${summary.tooShort} files too short, left out)` : ''),
  );

  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  await writeFileAtomic(join(dir, PRETRAIN_FILES.config), `${JSON.stringify(cfg, null, 2)}\n`);
  await writeFileAtomic(join(dir, PRETRAIN_FILES.pool), `${JSON.stringify({ ...summary, paths: files }, null, 2)}\n`);

  const opt = new AdamW(model.parameters(), { lr: t.lr ?? DEFAULT_LR[cfg.method], weightDecay: t.weightDecay });
  const checkpoint = join(dir, PRETRAIN_FILES.checkpoint);
  const saved = await loadCheckpoint<LoopState, PretrainEpoch>(checkpoint, model, opt);
  let state: LoopState = saved?.state ?? { epoch: 0 };
  let history = saved?.history ?? [];
  if (state.epoch > 0) log(`resuming after epoch ${state.epoch}`);
  const dims = model.inputDim;
  while (state.epoch < t.epochs) {
    const epoch = state.epoch + 1;
    const seed = t.seed * EPOCH_SEED_STRIDE + epoch;
    const rng = makeRng(seed);
    manualSeed(seed);
    model.train();
    const batches = epochBatches(segments, t.batchSize, rng);
    const t0 = performance.now();
    const steps = new EpochSteps();
    let frames = 0;
    for (const [b, idx] of batches.entries()) {
      const lengths = idx.map((i) => segments[i].frames);
      const padded = padBatch(
        idx.map((i) => segments[i].feats),
        lengths,
        dims,
      );
      const shape = [idx.length, Math.max(...lengths), dims];
      const value = tidy(() => {
        opt.zeroGrad();
        const loss =
          cfg.method === 'apc'
            ? apcLoss(model as Apc, tensor(padded, shape), lengths, cfg.apc.nFuture)
            : (() => {
                const altered = alterForTera(padded, lengths, dims, cfg.tera, rng);
                return teraLoss(model as Tera, tensor(altered.inputs, shape), tensor(padded, shape), altered.mask, lengths);
              })();
        loss.backward();
        return finiteStep(opt, model.parameters(), loss, t.gradClip);
      });
      steps.add(value);
      frames += lengths.reduce((n, l) => n + l, 0);
      o.onProgress?.({
        epoch,
        epochs: t.epochs,
        batch: b + 1,
        batches: batches.length,
        loss: Number.isNaN(steps.meanLoss) ? 0 : steps.meanLoss,
      });
      await settle();
    }
    steps.checkConverging('pretrain', epoch);
    const seconds = (performance.now() - t0) / 1000;
    history = [...history, { epoch, loss: steps.meanLoss, lr: opt.lr, seconds, framesPerSecond: frames / seconds }];
    state = { epoch };
    model.eval();
    // The backbone first: a kill before the checkpoint repeats this epoch, which rewrites the same file.
    await saveS3prlBackbone(join(dir, PRETRAIN_FILES.backbone), cfg.method, settings, model);
    await saveCheckpoint(checkpoint, model, opt, { state, history });
    await writeRecord(dir, cfg, history);
    log(`epoch ${epoch}/${t.epochs}: loss ${history[history.length - 1].loss.toFixed(4)} (${Math.round(frames / seconds)} frames/s)`);
  }
  // A kill after the last checkpoint but before these files were written: write them now.
  model.eval();
  if (!existsSync(join(dir, PRETRAIN_FILES.backbone)))
    await saveS3prlBackbone(join(dir, PRETRAIN_FILES.backbone), cfg.method, settings, model);
  await writeRecord(dir, cfg, history);
  model.dispose();
  return { dir, backbone: join(dir, PRETRAIN_FILES.backbone), pool: summary, history };
}
