/**
 * A trained fold as a waveform → logits function on the engine: differentiable log-mel front end
 * (same settings as the run's cached features), the fold's normalization, and its best model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFeatureSet } from '../features/index.js';
import { LogMelFrontend, type SerModel } from '../models/index.js';
import { keep, loadModule, tensor, type Tensor } from '../engine/index.js';
import { loadRunConfig, type RunConfig } from './config.js';
import type { Normalizer } from '../features/index.js';
import { buildModel, type InputGeometry } from '../models/index.js';

/** Maps a batch of waveforms [1, samples] to emotion logits [1, classes], differentiably. */
export type WaveformClassifier = (wave: Tensor) => Tensor;

export interface FoldClassifier {
  config: RunConfig;
  classes: string[];
  model: SerModel;
  /** Waveform [1, samples] at the feature set's rate → logits [1, classes] (differentiable). */
  classify: WaveformClassifier;
  /** Waveform → utterance embedding [1, embedDim]. */
  embed: (wave: Tensor) => Tensor;
  sampleRateHz: number;
  /** True when the run normalizes features per speaker: call {@link FoldClassifier.useSpeaker} before classifying. */
  speakerNorm: boolean;
  /** Speaker-normalized runs: the statistics (from enrollment) of the speaker whose waveforms follow. */
  useSpeaker(stats: Normalizer): void;
  dispose(): void;
}

/** Settings of a registered feature set, parsed back from its settings key (`name@vN:{json}`). */
function featureSettings(set: string, overrides: Record<string, unknown>): Record<string, unknown> {
  const key = getFeatureSet(set, overrides).settingsKey();
  return JSON.parse(key.slice(key.indexOf(':') + 1)) as Record<string, unknown>;
}

/**
 * Loads fold `fold` of the run in `runDir` for waveform-domain evaluation. Only runs on `logmel`
 * features (natural log) with frame models are differentiable end to end here.
 */
export async function loadFoldClassifier(runDir: string, fold: number): Promise<FoldClassifier> {
  const cfg = loadRunConfig(join(runDir, 'config.json'));
  if (cfg.features.set !== 'logmel') {
    throw new Error(`${runDir}: waveform attacks need the differentiable log-mel front end; this run uses '${cfg.features.set}' features`);
  }
  const s = featureSettings(cfg.features.set, cfg.features.overrides);
  if (s.log !== 'ln' || s.fMaxHz === undefined) throw new Error(`${runDir}: only natural-log log-mel features are supported by the differentiable front end`);
  const foldDir = join(runDir, `fold-${fold}`);
  const info = JSON.parse(readFileSync(join(foldDir, 'model.json'), 'utf8')) as { classes: string[]; geometry: InputGeometry };
  const norm = JSON.parse(readFileSync(join(foldDir, 'norm.json'), 'utf8')) as Normalizer;
  const model = buildModel(cfg.model, info.classes.length, info.geometry);
  await loadModule(model, join(foldDir, 'best.safetensors'));
  model.eval();
  if (model.inputKind !== 'frames') throw new Error(`${runDir}: model '${cfg.model.name}' does not take frame features`);
  const frontend = new LogMelFrontend({
    sampleRateHz: s.sampleRateHz as number, nFft: s.nFft as number, winSamples: s.winSamples as number, hopSamples: s.hopSamples as number,
    window: s.window as 'hann', center: s.center as boolean, padMode: s.padMode as 'reflect', nMels: s.nMels as number,
    fMinHz: s.fMinHz as number, fMaxHz: s.fMaxHz as number, scale: s.scale as 'htk', norm: s.norm as 'slaney' | null,
    power: s.power as 1 | 2, lnEps: s.lnEps as number,
  });
  const mean = keep(tensor(Float32Array.from(norm.mean)));
  const std = keep(tensor(Float32Array.from(norm.std)));
  const maxFrames = cfg.features.maxFrames;
  // As batchTensors at evaluation: centre crop to maxFrames (shorter inputs keep their length).
  let speaker: { mean: Tensor; std: Tensor } | null = null;
  const dropSpeaker = () => {
    speaker?.mean.dispose();
    speaker?.std.dispose();
  };
  const features = (wave: Tensor): { x: Tensor; lengths: Tensor } => {
    let x = frontend.forward(wave);
    if (cfg.features.speakerNorm) {
      if (!speaker) throw new Error(`${runDir}: the run normalizes features per speaker; give the speaker's statistics (useSpeaker) first`);
      x = x.sub(speaker.mean).div(speaker.std);
    }
    x = x.sub(mean).div(std);
    const t = x.shape[1];
    if (t > maxFrames) x = x.narrow(1, Math.floor((t - maxFrames) / 2), maxFrames);
    return { x, lengths: tensor(BigInt64Array.of(BigInt(Math.min(t, maxFrames))), [1]) };
  };
  return {
    config: cfg, classes: info.classes, model, sampleRateHz: s.sampleRateHz as number, speakerNorm: cfg.features.speakerNorm,
    useSpeaker: (stats) => {
      dropSpeaker();
      speaker = { mean: keep(tensor(Float32Array.from(stats.mean))), std: keep(tensor(Float32Array.from(stats.std))) };
    },
    classify: (wave) => {
      const f = features(wave);
      return model.forward(f.x, f.lengths);
    },
    embed: (wave) => {
      const f = features(wave);
      return model.embed(f.x, f.lengths);
    },
    dispose: () => {
      model.dispose();
      frontend.dispose();
      mean.dispose();
      std.dispose();
      dropSpeaker();
    },
  };
}
