/**
 * Configuration of AASIST (Jung et al., ICASSP 2022) and its light variant AASIST-L, with the
 * published settings and the geometry they imply (node counts, minimum input length).
 *
 * Field ↔ published config key: `sincFilters` = filts[0], `sincKernel` = first_conv,
 * `blocks` = filts[1..4], `gatDims` = gat_dims, `poolRatios` = pool_ratios,
 * `temperatures` = temperatures.
 */
import { z } from 'zod';

/** Sample rate the published models were trained at (Hz). */
export const AASIST_SAMPLE_RATE_HZ = 16_000;
/** Input length of the published models: 64,600 samples (4.04 s at 16 kHz). */
export const AASIST_SAMPLES = 64_600;
/** Side of the square max-pool after the sinc front end (filters × samples). */
export const FRONT_POOL = 3;
/** Time-axis max-pool factor at the end of every residual block (frames). */
export const BLOCK_TIME_POOL = 3;
/** Residual blocks in the encoder: blocks[0], blocks[1], blocks[2], then blocks[3] three times. */
export const ENCODER_BLOCKS = 6;

export interface AasistConfig {
  /** Number of mel-spaced sinc band-pass filters (published: 70). */
  sincFilters: number;
  /** Sinc filter length in samples; an even length is made odd by adding 1 (published: 128 → 129). */
  sincKernel: number;
  /** Channel pairs [in, out] of the residual blocks; the first must start at 1 channel. */
  blocks: [[number, number], [number, number], [number, number], [number, number]];
  /** Width of the spectral/temporal GAT outputs and of the HS-GAL outputs. */
  gatDims: [number, number];
  /** Kept-node ratios: spectral pool, temporal pool, the four HS-GAL pools, (unused, as published). */
  poolRatios: [number, number, number, number];
  /** Softmax temperatures: spectral GAT, temporal GAT, every HS-GAL, (unused, as published). */
  temperatures: [number, number, number, number];
}

/** AASIST: 297,866 parameters. */
export const AASIST_CONFIG: Readonly<AasistConfig> = Object.freeze({
  sincFilters: 70,
  sincKernel: 128,
  blocks: [
    [1, 32],
    [32, 32],
    [32, 64],
    [64, 64],
  ],
  gatDims: [64, 32],
  poolRatios: [0.5, 0.7, 0.5, 0.5],
  temperatures: [2.0, 2.0, 100.0, 100.0],
} as AasistConfig);

/** AASIST-L: 85,306 parameters. */
export const AASIST_L_CONFIG: Readonly<AasistConfig> = Object.freeze({
  sincFilters: 70,
  sincKernel: 128,
  blocks: [
    [1, 32],
    [32, 32],
    [32, 24],
    [24, 24],
  ],
  gatDims: [24, 32],
  poolRatios: [0.4, 0.5, 0.7, 0.5],
  temperatures: [2.0, 2.0, 100.0, 100.0],
} as AasistConfig);

/** The published variants by name. */
export const AASIST_VARIANTS = { AASIST: AASIST_CONFIG, 'AASIST-L': AASIST_L_CONFIG } as const;
export type AasistVariant = keyof typeof AASIST_VARIANTS;

const posInt = z.number().int().positive();
const channelPair = z.tuple([posInt, posInt]);
const ratio = z.number().gt(0).lte(1);
const temperature = z.number().positive();

/** zod schema of {@link AasistConfig}. */
export const aasistConfigSchema = z.strictObject({
  sincFilters: posInt.min(FRONT_POOL),
  sincKernel: posInt,
  blocks: z.tuple([channelPair, channelPair, channelPair, channelPair]),
  gatDims: z.tuple([posInt, posInt]),
  poolRatios: z.tuple([ratio, ratio, ratio, ratio]),
  temperatures: z.tuple([temperature, temperature, temperature, temperature]),
});

/** Validates a config; errors name the field. Checks that consecutive blocks chain (out → in). */
export function checkAasistConfig(c: AasistConfig): AasistConfig {
  const r = aasistConfigSchema.safeParse(c);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`AASIST config: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const b = c.blocks;
  if (b[0][0] !== 1) throw new Error(`AASIST config: blocks.0 must take 1 input channel, got ${b[0][0]}`);
  for (let i = 1; i < b.length; i++) {
    if (b[i][0] !== b[i - 1][1])
      throw new Error(`AASIST config: blocks.${i} takes ${b[i][0]} channels but blocks.${i - 1} gives ${b[i - 1][1]}`);
  }
  if (b[3][0] !== b[3][1])
    throw new Error(`AASIST config: blocks.3 is repeated, so its in and out channels must agree (got [${b[3].join(', ')}])`);
  return c;
}

/** Odd sinc filter length actually used (samples). */
export function sincLength(c: AasistConfig): number {
  return c.sincKernel % 2 === 0 ? c.sincKernel + 1 : c.sincKernel;
}

/** Spectral graph nodes: filters after the front-end max-pool (published: 23). */
export function spectralNodes(c: AasistConfig): number {
  return Math.floor(c.sincFilters / FRONT_POOL);
}

/** Temporal graph nodes for `samples` input samples (published: 29 for 64,600); 0 if too short. */
export function temporalNodes(c: AasistConfig, samples: number): number {
  let frames = Math.floor((samples - sincLength(c) + 1) / FRONT_POOL);
  for (let i = 0; i < ENCODER_BLOCKS; i++) frames = Math.floor(frames / BLOCK_TIME_POOL);
  return Math.max(frames, 0);
}

/** Shortest input (samples) that leaves at least one temporal node. */
export function aasistMinSamples(c: AasistConfig): number {
  return BLOCK_TIME_POOL ** ENCODER_BLOCKS * FRONT_POOL + sincLength(c) - 1;
}

/** Nodes kept by a graph pool with `ratio` out of `nodes` (at least 1, as published). */
export function pooledNodes(nodes: number, ratio: number): number {
  return Math.max(Math.floor(nodes * ratio), 1);
}

/** Width of the readout embedding: max and mean of temporal and spectral nodes, plus the master node. */
export function readoutDim(c: AasistConfig): number {
  return READOUT_PARTS * c.gatDims[1];
}
/** Parts of the readout: |T|max, T mean, |S|max, S mean, master. */
export const READOUT_PARTS = 5;
