/**
 * The settings of a self-supervised pre-training run (`trustser pretrain`), validated with zod,
 * and the s3prl upstream config they amount to — the same dict an s3prl `.ckpt` carries, so the
 * result loads through the backbone stage's own reader and validation.
 *
 * Defaults are s3prl's (`pretrain/apc/config_model.yaml`, `pretrain/tera/exp_model_config/
 * logMelBase-T-F-M.yaml`) with the widths scaled to a CPU: APC 3 GRU layers of 256 (s3prl: 512),
 * TERA 3 layers of 256 with 4 heads and 1024 feed-forward units (s3prl: 768, 12, 3072).
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { issueLines } from '../core/index.js';
import { TERA_INIT_STD, type JsonSettings } from '../backbones/index.js';

/** The objectives `trustser pretrain` implements. */
export const PRETRAIN_METHODS = ['apc', 'tera'] as const;
export type PretrainMethod = (typeof PRETRAIN_METHODS)[number];

/** Mel bins of both front ends (s3prl's 80). */
const DEFAULT_MEL_BINS = 80;
/** Longest segment (frames at 100 Hz) a long file is cut into: s3prl's `sequence_length` (15 s). */
export const DEFAULT_SEGMENT_FRAMES = 1500;
/** Shortest segment kept (frames); shorter remainders of a cut are dropped. */
export const MIN_SEGMENT_FRAMES = 50;

const apcModel = z.strictObject({
  hiddenSize: z.number().int().min(1).default(256),
  numLayers: z.number().int().min(1).default(3),
  residual: z.boolean().default(true),
  dropout: z.number().min(0).lt(1).default(0.1),
  /** Frames ahead the postnet predicts (s3prl's `n_future`). */
  nFuture: z.number().int().min(1).default(5),
  melBins: z.number().int().min(4).default(DEFAULT_MEL_BINS),
});

const teraModel = z.strictObject({
  hiddenSize: z.number().int().min(1).default(256),
  numLayers: z.number().int().min(1).default(3),
  numHeads: z.number().int().min(1).default(4),
  intermediateSize: z.number().int().min(1).default(1024),
  dropout: z.number().min(0).lt(1).default(0.1),
  melBins: z.number().int().min(1).default(DEFAULT_MEL_BINS),
  /** Share of each utterance's frames altered along time, in runs of `maskRun` frames (s3prl 0.15, 7). */
  maskProportion: z.number().min(0).lt(1).default(0.15),
  maskRun: z.number().int().min(1).default(7),
  /** Largest share of the mel bins masked along frequency (one band per utterance; s3prl 0.2). */
  maskFrequency: z.number().min(0).lt(1).default(0.2),
  /** Probability that a batch gets Gaussian noise (σ 0.2) on every frame: the magnitude alteration (s3prl 0.15). */
  noiseProportion: z.number().min(0).max(1).default(0.15),
});

/** Where unlabelled audio comes from: folders, manifests or files, and corpora through their adapters. */
const CorpusSource = z.strictObject({
  name: z.string().min(1),
  root: z.string().min(1),
  /** Only these speakers (corpus-prefixed ids, e.g. 'ravdess:01'), or every speaker but `excludeSpeakers`. */
  speakers: z.array(z.string().min(1)).min(1).optional(),
  excludeSpeakers: z.array(z.string().min(1)).optional(),
});
export type CorpusSource = z.infer<typeof CorpusSource>;

const Training = z.strictObject({
  epochs: z.number().int().min(1).default(10),
  batchSize: z.number().int().min(1).default(16),
  /** AdamW learning rate (s3prl's runner uses 2e-4 for TERA; APC's paper 1e-3). */
  lr: z.number().positive().optional(),
  weightDecay: z.number().min(0).default(0),
  /** Gradient-norm clip (s3prl's runner: 5). */
  gradClip: z.number().positive().default(5),
  seed: z.number().int().default(1),
  threads: z.number().int().min(1).optional(),
});

export const PretrainConfig = z
  .strictObject({
    method: z.enum(PRETRAIN_METHODS),
    /** Folders (scanned recursively), CSV manifests with a `path` column, or audio files. */
    data: z.array(z.string().min(1)).default([]),
    corpora: z.array(CorpusSource).default([]),
    /** Trim leading and trailing silence of every file (the project's energy VAD). */
    vad: z.boolean().default(false),
    /** Use a seeded random share of the files (by count), e.g. 0.25 for a data-size curve. */
    fraction: z.number().gt(0).max(1).default(1),
    segmentFrames: z.number().int().min(MIN_SEGMENT_FRAMES).default(DEFAULT_SEGMENT_FRAMES),
    apc: apcModel.prefault({}),
    tera: teraModel.prefault({}),
    training: Training.prefault({}),
  })
  .refine((c) => c.data.length + c.corpora.length > 0, { message: 'name some audio: data (folders, manifests, files) or corpora' })
  .refine((c) => c.tera.hiddenSize % c.tera.numHeads === 0, { message: 'tera.numHeads must divide tera.hiddenSize', path: ['tera'] });
export type PretrainConfig = z.infer<typeof PretrainConfig>;

/** s3prl's TERA `layer_norm_eps`. */
const TERA_LAYER_NORM_EPS = 1e-12;

/** Learning rate of a method when the config sets none. */
export const DEFAULT_LR: Record<PretrainMethod, number> = { apc: 1e-3, tera: 2e-4 };

/**
 * Validates a pre-training config object; relative paths are resolved against `baseDir`.
 * @throws Error listing every problem, each line prefixed by `label`.
 */
export function parsePretrainConfig(value: unknown, label = 'pretrain config', baseDir = process.cwd()): PretrainConfig {
  const r = PretrainConfig.safeParse(value);
  if (!r.success)
    throw new Error(
      issueLines(r.error, { schema: PretrainConfig })
        .map((l) => `${label}: ${l}`)
        .join('\n'),
    );
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  return { ...r.data, data: r.data.data.map(abs), corpora: r.data.corpora.map((c) => ({ ...c, root: abs(c.root) })) };
}

/** Reads a YAML or JSON pre-training config; relative paths are taken from the file's folder. */
export function loadPretrainConfig(path: string): PretrainConfig {
  let value: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: cannot read the config (${(e as Error).message.split('\n')[0]})`);
  }
  return parsePretrainConfig(value, path, dirname(resolve(path)));
}

/**
 * The s3prl upstream config (`Upstream_Config`) of a run: APC's `model.paras` / `data.audio`
 * (Kaldi fbank, Hamming window, CMVN) / `task`, or TERA's `transformer` / `task` / `audio`
 * (the online log-mel at −25 dB with CMVN, as the published logMel TERA models).
 */
export function upstreamSettings(cfg: PretrainConfig): JsonSettings {
  if (cfg.method === 'apc') {
    const a = cfg.apc;
    return {
      model: { paras: { num_layers: a.numLayers, hidden_size: a.hiddenSize, dropout: a.dropout, residual: a.residual } },
      task: { sequence_length: cfg.segmentFrames, n_future: a.nFuture },
      data: { audio: { feat_type: 'fbank', feat_dim: a.melBins, frame_length: 25, frame_shift: 10, decode_wav: false, cmvn: true } },
    };
  }
  const t = cfg.tera;
  return {
    transformer: {
      hidden_size: t.hiddenSize,
      num_hidden_layers: t.numLayers,
      num_attention_heads: t.numHeads,
      intermediate_size: t.intermediateSize,
      hidden_act: 'gelu',
      hidden_dropout_prob: t.dropout,
      attention_probs_dropout_prob: t.dropout,
      initializer_range: TERA_INIT_STD,
      layer_norm_eps: TERA_LAYER_NORM_EPS,
      share_layer: false,
      pre_layer_norm: false,
    },
    task: {
      loss: 'L1',
      sequence_length: cfg.segmentFrames,
      mask_proportion: t.maskProportion,
      mask_consecutive_min: t.maskRun,
      mask_consecutive_max: t.maskRun,
      mask_allow_overlap: true,
      mask_frequency: t.maskFrequency,
      noise_proportion: t.noiseProportion,
    },
    audio: {
      target_level: -25,
      win_ms: 25,
      hop_ms: 10,
      n_freq: 201,
      n_mels: t.melBins,
      input: { feat_type: 'mel', channel: 0, log: true, delta: 0, cmvn: true },
      target: { feat_type: 'mel', channel: 1, log: true, delta: 0, cmvn: true },
    },
  };
}
