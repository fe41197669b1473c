/**
 * APC and TERA facts and chunking, whatever runs the network (the engine, or ONNX Runtime on an
 * exported graph; no engine here, so the web app can use it): the {@link BackboneInfo} of a
 * network, its cost, and how long inputs are cut.
 */
import type { BackboneInfo } from '../types.js';
import { S3PRL_SAMPLE_RATE_HZ, type ApcConfig, type TeraConfig } from './config.js';

/** Frames (at 100 Hz: 20 s) of an APC chunk; the GRU state carries over to the next. */
export const APC_CHUNK_FRAMES = 2000;
/** Longest TERA pass (frames) for checkpoints without a `sequence_length`: the published models' 1500 (15 s). */
const TERA_DEFAULT_MAX_FRAMES = 1500;
/** Input length (s) at which TERA's {@link BackboneInfo.macsPerSecond} is stated (attention grows with length). */
const S3PRL_MACS_REFERENCE_SECONDS = 10;
/** Gates of a GRU (reset, update, new). */
const GRU_GATES = 3;

/** Multiply-accumulates of APC's GRUs over `frames` frames (the postnet is not counted). */
function apcMacs(c: ApcConfig, frames: number): number {
  let perFrame = 0;
  for (let l = 0; l < c.numLayers; l++) perFrame += GRU_GATES * c.hiddenSize * ((l === 0 ? c.inputDim : c.hiddenSize) + c.hiddenSize);
  return frames * perFrame;
}

/**
 * The pieces s3prl's builder cuts `frames` transformer frames into (`torch.chunk` into
 * ⌈frames / maxFrames⌉ chunks): [first frame, length] of each.
 */
export function teraChunks(frames: number, maxFrames: number): [number, number][] {
  if (maxFrames <= 0 || frames <= maxFrames) return [[0, frames]];
  const size = Math.ceil(frames / Math.ceil(frames / maxFrames));
  const out: [number, number][] = [];
  for (let s = 0; s < frames; s += size) out.push([s, Math.min(size, frames - s)]);
  return out;
}

/** Multiply-accumulates of TERA's transformer over `frames` transformer frames, chunked at `maxFrames` (the SpecHead is not counted). */
function teraMacs(c: TeraConfig, inputDim: number, frames: number, maxFrames: number): number {
  const h = c.hiddenSize;
  const perFrame = inputDim * h + c.numLayers * (4 * h * h + 2 * h * c.intermediateSize); // projections, feed-forward
  const attention = teraChunks(frames, maxFrames).reduce((s, [, n]) => s + 2 * n * n * h, 0); // QKᵀ and AV
  return frames * perFrame + c.numLayers * attention;
}

/** Zero-pads x to at least `n` samples. */
export function padTo(x: Float32Array, n: number): Float32Array {
  if (x.length >= n) return x;
  const out = new Float32Array(n);
  out.set(x);
  return out;
}

/** What the facts need of a front end (samples). */
export interface FrontEndFacts {
  hopSamples: number;
  minSamples: number;
}

/** Facts of an APC network of config `c` (`parameters` in its GRUs) as backbone `name`: L + 1 states at 100 Hz, the first the features. */
export function apcInfo(name: string, c: ApcConfig, parameters: number, fe: FrontEndFacts): BackboneInfo {
  const frameRateHz = S3PRL_SAMPLE_RATE_HZ / fe.hopSamples;
  return {
    name,
    sampleRateHz: S3PRL_SAMPLE_RATE_HZ,
    frameRateHz,
    dims: c.hiddenSize,
    layerDims: [c.inputDim, ...new Array<number>(c.numLayers).fill(c.hiddenSize)],
    parameters,
    minSamples: fe.minSamples,
    macsPerSecond: apcMacs(c, frameRateHz),
  };
}

/**
 * The longest TERA pass (transformer frames): `override`, else the checkpoint's
 * `sequence_length`, else {@link TERA_DEFAULT_MAX_FRAMES}.
 * @throws Error naming `name` for an override that is not a positive integer.
 */
export function teraMaxFrames(name: string, c: TeraConfig, override?: number): number {
  const maxFrames = override ?? (c.sequenceLength > 0 ? c.sequenceLength : TERA_DEFAULT_MAX_FRAMES);
  if (!Number.isSafeInteger(maxFrames) || maxFrames < 1) throw new Error(`${name}: maxFrames must be a positive integer, got ${maxFrames}`);
  return maxFrames;
}

/** Facts of a TERA network of config `c` (`parameters` in its transformer, input width `inputDim`), chunked at `maxFrames`. */
export function teraInfo(
  name: string,
  c: TeraConfig,
  parameters: number,
  inputDim: number,
  fe: FrontEndFacts,
  maxFrames: number,
): BackboneInfo {
  const frameRateHz = S3PRL_SAMPLE_RATE_HZ / (fe.hopSamples * c.downsampleRate);
  const refFrames = Math.round(S3PRL_MACS_REFERENCE_SECONDS * frameRateHz);
  return {
    name,
    sampleRateHz: S3PRL_SAMPLE_RATE_HZ,
    frameRateHz,
    dims: c.hiddenSize,
    layerDims: new Array<number>(c.numLayers + 1).fill(c.hiddenSize),
    parameters,
    minSamples: fe.minSamples,
    macsPerSecond: teraMacs(c, inputDim, refFrames, maxFrames) / S3PRL_MACS_REFERENCE_SECONDS,
  };
}
