/**
 * What every model exporter shares: the snapshot of a trained model it reads, the input layout it
 * declares, the feature normalizer folded into the graph, and the named outputs (softmax
 * posteriors, the utterance embedding).
 */
import type { StateDict } from '../../tensor-io/index.js';
import type { Normalizer } from '../../features/index.js';
import { type GraphBuilder, type Dim, lengthMask, maskFor, softmax, zeroWhere } from '../onnx/index.js';

/** Graph input and output names. */
export const INPUT_FEATURES = 'features';
export const INPUT_LENGTHS = 'lengths';
export const OUTPUT_PROBS = 'probs';
export const OUTPUT_EMBEDDING = 'embedding';
/** Symbolic dims. */
export const DIM_BATCH = 'batch';
export const DIM_TIME = 'time';
export const DIM_SEGMENTS = 'segments';

/** A trained model as the exporters read it: registry name, resolved config (`describe().config`), weights. */
export interface ModelSnapshot {
  name: string;
  /** Includes `inputShape` and `numClasses` plus the model's resolved options. */
  config: Record<string, unknown>;
  weights: StateDict;
}

/** Per-(channel, dim) feature standardization of a run (fold-K/norm.json), as the trainer fits it. */
export type FeatureNormalizer = Normalizer;

/**
 * The graph's inputs:
 * - `frames`: features [batch, time, D] + lengths [batch] (valid frames);
 * - `layers`: features [batch, L, time, D] + lengths [batch];
 * - `vector`: features [batch, D];
 * - `image`: features [batch, segments, C, S, D] (each utterance's raw features cut into S-frame
 *   segments every `hop` frames, the last one zero-padded) + lengths [batch] (the utterance's valid
 *   frames; later segments and padded frames are masked in the graph).
 * Features are the raw feature set's output: the normalizer is part of the graph.
 */
export interface InputLayout {
  kind: 'frames' | 'layers' | 'vector' | 'image';
  features: Dim[];
  lengths: boolean;
  /** Fewest frames an input may have (frame models with time pooling; 1 otherwise). */
  minFrames: number;
  /** Image models: segment length and hop in frames. */
  segment?: { frames: number; hop: number };
}

/** An exported model: the graph, its input layout and its output names. */
export interface ExportedGraph {
  graph: GraphBuilder;
  layout: InputLayout;
  /** Output names: probs, embedding, and extra heads (e.g. gender_probs). */
  outputs: string[];
}

/** Reads a number field of a snapshot's config. */
export function num(s: ModelSnapshot, key: string): number {
  const v = s.config[key];
  if (typeof v !== 'number') throw new Error(`${s.name}: the model config has no numeric '${key}'`);
  return v;
}

/** Reads a field of a snapshot's config. */
export function field<T>(s: ModelSnapshot, key: string): T {
  if (!(key in s.config)) throw new Error(`${s.name}: the model config has no '${key}'`);
  return s.config[key] as T;
}

/** The snapshot's input shape (no batch/time dims). */
export function inputShape(s: ModelSnapshot): number[] {
  const v = s.config.inputShape;
  if (!Array.isArray(v) || v.some((d) => !Number.isInteger(d))) throw new Error(`${s.name}: the model config has no inputShape`);
  return v as number[];
}

/**
 * (x − mean) / std with the normalizer broadcast over the trailing dims: mean/std are stored
 * [C, 1, D] for channelled inputs (… C, S, D) or [D] otherwise.
 */
export function normalizeInput(g: GraphBuilder, x: string, n: FeatureNormalizer | null, channelled: boolean): string {
  if (n === null) return x;
  const dims = channelled ? [n.channels, 1, n.dims] : [n.dims];
  if (!channelled && n.channels !== 1)
    throw new Error(`normalizer has ${n.channels} channels, but the model takes single-channel features`);
  const mean = g.initializer('normalizer.mean', Float32Array.from(n.mean), dims);
  const std = g.initializer('normalizer.std', Float32Array.from(n.std), dims);
  return g.node('Div', [g.node('Sub', [x, mean]), std]);
}

/** Checks that a normalizer fits the feature dim D (and channels C). */
export function checkNormalizer(n: FeatureNormalizer | null, dims: number, channels = 1): void {
  if (n === null) return;
  if (n.dims !== dims || n.channels !== channels || n.mean.length !== dims * channels || n.std.length !== dims * channels) {
    throw new Error(
      `normalizer is [${n.channels} × ${n.dims}] (${n.mean.length} means), but the model takes [${channels} × ${dims}] features`,
    );
  }
}

/**
 * Declares `features` [batch, time, D] and `lengths`, normalizes and (unless `zeroPadding` is
 * false) zeroes the padding frames; returns the frames, the [N, T] mask and the lengths.
 */
export function frameInput(
  g: GraphBuilder,
  d: number,
  n: FeatureNormalizer | null,
  o: { zeroPadding?: boolean } = {},
): { x: string; mask: string; lengths: string } {
  checkNormalizer(n, d);
  const raw = g.input(INPUT_FEATURES, 'float32', [DIM_BATCH, DIM_TIME, d]);
  const lengths = g.input(INPUT_LENGTHS, 'int64', [DIM_BATCH]);
  const mask = lengthMask(g, lengths, raw, 1);
  const x = normalizeInput(g, raw, n, false);
  return { x: o.zeroPadding === false ? x : zeroWhere(g, x, maskFor(g, mask, 3, 1)), mask, lengths };
}

/** Softmax over classes of logits [N, K] declared as output `name`. */
export function probsOutput(g: GraphBuilder, logits: string, numClasses: number, name = OUTPUT_PROBS): string {
  g.output(softmax(g, logits, 1), name, 'float32', [DIM_BATCH, numClasses]);
  return name;
}

/** Declares `value` [N, E] as the embedding output. */
export function embeddingOutput(g: GraphBuilder, value: string, dim: number): string {
  g.output(value, OUTPUT_EMBEDDING, 'float32', [DIM_BATCH, dim]);
  return OUTPUT_EMBEDDING;
}
