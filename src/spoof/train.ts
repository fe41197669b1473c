/**
 * Fine-tuning AASIST (plain, or emotion-conditioned: concat / FiLM / gated FiLM) on a spoof set,
 * with a speaker-disjoint test split (./protocols.ts): one fold of a gender-balanced speaker
 * k-fold of every source is held out, and with leave-one-family-out / leave-one-channel-out
 * also one generator family or one channel. The published recipe (Adam, lr 1e-4, weight decay 1e-4) is kept;
 * its 9:1 class weighting answers ASVspoof's 9:1 spoof majority, so here (bona fide majority)
 * each epoch instead draws as many bona fide as spoof trials. Crops of `cropSamples` keep an
 * epoch short on CPUs. The run folder holds config.json, split.json, log.jsonl, checkpoint.safetensors
 * (one atomic file per epoch: an interrupted run resumes exactly at its next epoch) and model.safetensors.
 * With `devFold`, one more speaker fold is a dev side: the best dev-EER epoch is kept and
 * calibration.json fitted on it (read by `spoof score` and `export-spoof` for the run).
 * With `rawboost`, every training crop passes through RawBoost (src/audio/rawboost.ts) drawn from
 * its own seeded stream, so the crops themselves are those of the run without it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkRawBoostSteps, loadAudioBatch, rawBoost, type RawBoostStep } from '../audio/index.js';
import { makeRng, shuffle, type Rng } from '../core/pure.js';
import type { Utterance } from '../data/index.js';
import { Adam, EpochSteps, F, finiteStep, loadModule, manualSeed, saveModule, settle, tensor, tidy } from '../engine/index.js';
import type { SpoofCalibration } from '../metrics/index.js';
import {
  AASIST_SAMPLES,
  AASIST_SAMPLE_RATE_HZ,
  AMSDF_EMOTION_NODES,
  AasistSsl,
  Amsdf,
  SPOOF_VAD_MODES,
  fitAasistInput,
  spoofInput,
  type EmotionConditioning,
  type SpoofVad,
} from '../models/index.js';
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from '../run/index.js';
import { throwIfFailed } from '../core/pure.js';
import { removeStaleTemps, writeFileAtomicSync } from '../core/index.js';
import { RUN_CALIBRATION_FILE, calibrateScores, describeCalibration, writeCalibration } from './calibration.js';
import { evaluateScores, loadSpoofManifest, readScores } from './evaluate.js';
import { scoreFiles, writeScores } from './score.js';
import { SPOOF_RUN_CONFIG, SPOOF_SPLIT_FILE, spoofSplit, type SpoofProtocol, type SpoofSplit } from './protocols.js';
import {
  RANDOM_INIT,
  SPOOF_RUN_MODEL,
  emotionEmbeddings,
  initialSpoofNetwork,
  wrapSpoofModel,
  type SpoofArch,
  type SpoofModel,
} from './model.js';

/** Settings of a fine-tuning run. */
export interface SpoofTrainOptions {
  /** Spoof-set folder (or its manifest.csv). */
  set: string;
  outDir: string;
  /** Architecture (default `aasist`). */
  model?: SpoofArch;
  /**
   * Initial weights. AASIST: `aasist`, `aasist-l`, or a .pth/.safetensors path; AASIST-wav2vec:
   * `random` (the small front end from scratch) or a wav2vec 2.0 checkpoint for the front end.
   */
  init: string;
  /** Emotion conditioning (default none = plain AASIST). */
  conditioning?: EmotionConditioning | 'none';
  /** SER run whose fold-0 model gives the emotion embeddings (required with conditioning). */
  emotionRun?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** Training crop length (samples at 16 kHz); evaluation uses the full 64,600. */
  cropSamples?: number;
  /** Speaker folds per source; fold `testFold` is held out. */
  folds?: number;
  testFold?: number;
  /** What of each clip the model hears, in training and in scoring (default `none`: all of it). */
  vad?: SpoofVad;
  /** RawBoost operations applied, in this order, to every training crop (default none). */
  rawboost?: readonly RawBoostStep[];
  /** Which trials are held out besides fold `testFold`'s speakers (default `speaker`: none). */
  protocol?: SpoofProtocol;
  /**
   * A speaker fold (≠ testFold) kept out of training as a dev side: scored after every epoch,
   * the epoch with the lowest dev EER becomes model.safetensors, and calibration.json (P(spoof),
   * the dev EER threshold) is fitted on its dev scores. Default none: the last epoch, no calibration.
   */
  devFold?: number;
  /** Seeds the initial weights of networks trained from scratch, the crops, RawBoost and dropout. */
  seed?: number;
  log?: (line: string) => void;
}

/** Defaults: the published optimizer settings, 2 s crops, a quarter of each source's speakers held out. */
export const SPOOF_TRAIN_DEFAULTS = {
  epochs: 4,
  batchSize: 8,
  lr: 1e-4,
  weightDecay: 1e-4,
  cropSamples: 32_000,
  folds: 4,
  testFold: 0,
  seed: 1,
};

interface TrainState {
  epoch: number;
  lr: number;
}

/** One epoch in the spoof run's log.jsonl. */
interface SpoofEpochRecord {
  epoch: number;
  trainLoss: number;
  trials: number;
  seconds: number;
  /** Steps skipped because their loss or gradients were not finite (absent when none). */
  skippedSteps?: number;
  /** EER on the dev side after this epoch (with a dev fold). */
  devEer?: number;
}

/** What the dev side chose (with a dev fold). */
export interface SpoofDevChoice {
  epoch: number;
  eer: number;
  calibration: SpoofCalibration;
}

/** Dev-side files of a run with a dev fold: the best epoch's weights and dev scores. */
const DEV_BEST_MODEL = 'best-dev.safetensors';
const DEV_SCORES = 'dev-scores.csv';

/** Offset of the RawBoost random stream from the crop stream of the same epoch. */
const RAWBOOST_STREAM = 7_919;

function randomCrop(x: Float32Array, length: number, rng: Rng): Float32Array {
  const full = fitAasistInput(x, AASIST_SAMPLES);
  const start = rng.int(full.length - length + 1);
  return full.slice(start, start + length);
}

/** Runs (or resumes) fine-tuning; returns the trained model and the split. */
export async function trainSpoofModel(
  o: SpoofTrainOptions,
): Promise<{ model: SpoofModel; split: SpoofSplit; utterances: Utterance[]; dev: SpoofDevChoice | null }> {
  const s = {
    ...SPOOF_TRAIN_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as Required<SpoofTrainOptions>;
  const conditioning = o.conditioning ?? 'none';
  const arch = o.model ?? 'aasist';
  if (arch !== 'aasist' && conditioning !== 'none')
    throw new Error(`spoof train: --conditioning ${conditioning} works with --model aasist only`);
  if (arch === 'amsdf' && !o.emotionRun) throw new Error('spoof train: --model amsdf needs --emotion-model RUN_DIR (its emotion view)');
  if (conditioning !== 'none' && !o.emotionRun) throw new Error(`--conditioning ${conditioning} needs --emotion-model RUN_DIR`);
  for (const k of ['epochs', 'batchSize', 'cropSamples', 'folds'] as const) {
    if (!(Number.isInteger(s[k]) && s[k] >= 1)) throw new Error(`spoof train: ${k} must be a positive integer, got ${s[k]}`);
  }
  checkRawBoostSteps(o.rawboost ?? [], 'spoof train: rawboost');
  const vad = o.vad ?? 'none';
  if (!SPOOF_VAD_MODES.includes(vad)) throw new Error(`spoof train: vad must be one of ${SPOOF_VAD_MODES.join(', ')}, got '${vad}'`);
  if (s.cropSamples > AASIST_SAMPLES) throw new Error(`spoof train: cropSamples must be at most ${AASIST_SAMPLES}, got ${s.cropSamples}`);
  const utts = await loadSpoofManifest(s.set);
  const protocol = o.protocol ?? { kind: 'speaker' };
  const split = spoofSplit(utts, s.folds, s.testFold, s.seed, protocol, o.devFold);
  const paths = utts.map((u) => u.path);
  const emotions =
    arch === 'amsdf' || conditioning !== 'none'
      ? await emotionEmbeddings(o.emotionRun!, paths, { windows: arch === 'amsdf' ? AMSDF_EMOTION_NODES : undefined })
      : null;
  const firstEmotion = emotions?.values().next().value;
  manualSeed(s.seed);
  const network = initialSpoofNetwork(arch, o.init, firstEmotion && firstEmotion.length / AMSDF_EMOTION_NODES);
  if (s.cropSamples < network.minSamples)
    throw new Error(`spoof train: cropSamples must be at least ${network.minSamples} for ${arch}, got ${s.cropSamples}`);
  const model = wrapSpoofModel(network, conditioning, emotions, vad);
  const out = resolve(s.outDir);
  const config = {
    version: 1,
    set: resolve(s.set),
    init: arch !== 'aasist-wav2vec' || o.init === RANDOM_INIT ? o.init : resolve(o.init),
    // Recorded only for the wav2vec front end, so AASIST runs made before it existed resume.
    ...(network instanceof AasistSsl ? { model: arch, frontEnd: network.sslModel.config } : {}),
    ...(network instanceof Amsdf ? { model: arch, emotionDim: network.emotionDim, emotionNodes: network.emotionNodes } : {}),
    conditioning,
    emotionRun: o.emotionRun ? resolve(o.emotionRun) : null,
    epochs: s.epochs,
    batchSize: s.batchSize,
    lr: s.lr,
    weightDecay: s.weightDecay,
    cropSamples: s.cropSamples,
    folds: s.folds,
    testFold: s.testFold,
    seed: s.seed,
    // Recorded only when it is not the default, so runs made before protocols existed resume.
    ...(protocol.kind === 'speaker' ? {} : { protocol }),
    ...(o.rawboost?.length ? { rawboost: o.rawboost } : {}),
    ...(o.devFold !== undefined ? { devFold: o.devFold } : {}),
    ...(vad === 'none' ? {} : { vad }),
  };
  const cfgPath = join(out, SPOOF_RUN_CONFIG);
  if (existsSync(cfgPath) && readFileSync(cfgPath, 'utf8') !== `${JSON.stringify(config, null, 2)}\n`) {
    throw new Error(`${out} holds a run with other settings (config.json differs); choose another --out`);
  }
  const byId = new Map(utts.map((u) => [u.id, u]));
  const trainUtts = split.train.map((id) => byId.get(id)!);
  const spoofs = trainUtts.filter((u) => u.labels.spoof === 'spoof');
  const bona = trainUtts.filter((u) => u.labels.spoof === 'bonafide');
  if (spoofs.length === 0 || bona.length === 0)
    throw new Error('spoof train: the training split needs both bona fide and spoof utterances');
  const loaded = await loadAudioBatch(
    trainUtts.map((u) => u.path),
    { sampleRateHz: AASIST_SAMPLE_RATE_HZ },
  );
  throwIfFailed(
    'to load for spoof training',
    loaded.failed.map((f) => ({ path: f.path, reason: f.error.message })),
    trainUtts.length,
  );
  const audio = new Map(trainUtts.map((u, i) => [u.id, spoofInput(loaded.ok[i].samples, AASIST_SAMPLE_RATE_HZ, vad)]));
  const devUtts = split.dev.map((id) => byId.get(id)!);

  // Everything is checked: now the run folder is written.
  mkdirSync(out, { recursive: true });
  removeStaleTemps(out);
  writeFileAtomicSync(cfgPath, `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomicSync(join(out, SPOOF_SPLIT_FILE), `${JSON.stringify({ version: 1, protocol, ...split })}\n`);
  const opt = new Adam(model.module.parameters(), { lr: s.lr, weightDecay: s.weightDecay });
  const checkpoint = join(out, CHECKPOINT_FILE);
  if (existsSync(join(out, 'state.json')) && !existsSync(checkpoint)) {
    throw new Error(
      `${out}: this run was interrupted under an older trustser whose checkpoints did not resume exactly; choose another --out`,
    );
  }
  let st: TrainState = { epoch: 0, lr: s.lr };
  let history: SpoofEpochRecord[] = [];
  const saved = await loadCheckpoint<TrainState, SpoofEpochRecord>(checkpoint, model.module, opt);
  if (saved) {
    ({ state: st, history } = saved);
    o.log?.(`resuming after epoch ${st.epoch}`);
  }
  const log = join(out, 'log.jsonl');
  const writeLog = () => writeFileAtomicSync(log, history.map((h) => `${JSON.stringify(h)}\n`).join(''));
  writeLog();
  while (st.epoch < s.epochs) {
    const epoch = st.epoch + 1;
    const rng = makeRng(s.seed * 1_000_003 + epoch);
    const boostRng = makeRng(s.seed * 1_000_003 + epoch + RAWBOOST_STREAM);
    manualSeed(s.seed * 1_000_003 + epoch);
    // Balanced epoch: every spoof plus as many bona fide drawn without replacement.
    const chosen = [...spoofs, ...shuffle([...bona], rng).slice(0, spoofs.length)];
    const order = shuffle(chosen, rng);
    model.module.train();
    const t0 = performance.now();
    const steps = new EpochSteps();
    for (let i = 0; i < order.length; i += s.batchSize) {
      const part = order.slice(i, i + s.batchSize);
      const data = new Float32Array(part.length * s.cropSamples);
      part.forEach((u, j) => {
        const crop = randomCrop(audio.get(u.id)!, s.cropSamples, rng);
        data.set(o.rawboost?.length ? rawBoost(crop, AASIST_SAMPLE_RATE_HZ, boostRng, o.rawboost) : crop, j * s.cropSamples);
      });
      const stepLoss = tidy(() => {
        opt.zeroGrad();
        const logits = model.forward(
          tensor(data, [part.length, s.cropSamples]),
          part.map((u) => u.path),
        );
        const y = tensor(
          part.map((u) => (u.labels.spoof === 'bonafide' ? 1 : 0)),
          [part.length],
          'int64',
        );
        const loss = F.crossEntropy(logits, y);
        loss.backward();
        return finiteStep(opt, model.module.parameters(), loss, null);
      });
      steps.add(stepLoss);
      await settle();
    }
    steps.checkConverging('spoof train', epoch);
    st = { epoch, lr: opt.lr };
    const seconds = (performance.now() - t0) / 1000;
    const devEer = devUtts.length ? await scoreDev(model, devUtts, out, bestDevEpoch(history)?.devEer ?? Infinity) : undefined;
    const trainLoss = steps.meanLoss;
    const { skipped } = steps;
    history = [
      ...history,
      {
        epoch,
        trainLoss,
        trials: order.length,
        seconds,
        ...(skipped ? { skippedSteps: skipped } : {}),
        ...(devEer === undefined ? {} : { devEer }),
      },
    ];
    await saveCheckpoint(checkpoint, model.module, opt, { state: st, history });
    writeLog();
    o.log?.(
      `epoch ${epoch}/${s.epochs}: loss ${trainLoss.toFixed(4)} (${order.length} trials, ${seconds.toFixed(0)} s${skipped ? `, ${skipped} non-finite step(s) skipped` : ''})${devEer === undefined ? '' : `, dev EER ${(100 * devEer).toFixed(2)} %`}`,
    );
  }
  let dev: SpoofDevChoice | null = null;
  if (devUtts.length) {
    // The best dev epoch's weights become the model, and its dev scores fit the calibration.
    await loadModule(model.module, join(out, DEV_BEST_MODEL));
    const fit = calibrateScores(readScores(join(out, DEV_SCORES)), devUtts);
    await writeCalibration(join(out, RUN_CALIBRATION_FILE), fit.calibration, { scores: join(out, DEV_SCORES), manifest: resolve(s.set) });
    const best = bestDevEpoch(history)!;
    dev = { epoch: best.epoch, eer: best.devEer!, calibration: fit.calibration };
    o.log?.(
      `dev: epoch ${dev.epoch} kept (EER ${(100 * dev.eer).toFixed(2)} %); ${RUN_CALIBRATION_FILE}: ${describeCalibration(fit.calibration)}`,
    );
  }
  await saveModule(model.module, join(out, SPOOF_RUN_MODEL), { conditioning, init: o.init });
  model.module.eval();
  return { model, split, utterances: utts, dev };
}

/** The epoch with the lowest dev EER (the first of equals; undefined before any was scored). */
function bestDevEpoch(history: readonly SpoofEpochRecord[]): SpoofEpochRecord | undefined {
  let best: SpoofEpochRecord | undefined;
  for (const h of history) if (h.devEer !== undefined && (best === undefined || h.devEer < best.devEer!)) best = h;
  return best;
}

/**
 * Scores the dev side with the current weights; when its EER beats `best`, keeps the weights
 * (best-dev.safetensors) and the scores (dev-scores.csv), both atomically, before the epoch's
 * checkpoint, so a run killed in between redoes the epoch and writes the same files.
 */
async function scoreDev(model: SpoofModel, devUtts: readonly Utterance[], out: string, best: number): Promise<number> {
  const { scores, failed } = await scoreFiles(
    model,
    devUtts.map((u) => u.path),
  );
  throwIfFailed('to score for dev selection', failed, devUtts.length);
  const eer = evaluateScores(scores, devUtts).eer.eer;
  if (eer < best) {
    await saveModule(model.module, join(out, DEV_BEST_MODEL));
    await writeScores(join(out, DEV_SCORES), scores);
  }
  return eer;
}
