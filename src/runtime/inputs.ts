/**
 * Audio → graph inputs, in pure TypeScript (no engine): the run's feature set on each signal or
 * window of one, the training-time centre crop of frame models, and batches in the exported
 * layout (zero-padded frames, stacked vectors, or fixed-length segments of the raw features).
 * Normalization happens inside the graph.
 */
import { centreCrop, getFeatureSet, segmentCount, type FeatureSet, type Features } from '../features/pure.js';
import type { Sidecar } from './sidecar.js';

/** A batch ready for the session: `features` with its dims and, when the graph takes them, int64 `lengths`. */
export interface GraphBatch {
  features: Float32Array;
  dims: number[];
  lengths: BigInt64Array | null;
}

/** The folder part of a path or URL (`a/b/model.onnx` → `a/b/`; no folder → ''). */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

/**
 * The run's feature set, checked against the settings recorded at export; a backbone run's set
 * takes its weights from the exported backbone graph beside the model (`label` is its path).
 */
export function featureSetFor(s: Sidecar, label: string): FeatureSet {
  const file = s.features.backboneFile;
  const weights = file === undefined ? {} : { weights: file.startsWith('/') ? file : folderOf(label) + file };
  const set = getFeatureSet(s.features.set, { ...s.features.overrides, ...weights });
  if (set.settingsKey() !== s.features.settingsKey) {
    throw new Error(
      `${label}: feature set '${s.features.set}' no longer computes what the model was trained on (settings ${set.settingsKey()} ≠ exported ${s.features.settingsKey}); re-export the model`,
    );
  }
  if (set.sampleRateHz !== s.sampleRateHz)
    throw new Error(`${label}: sampleRateHz ${s.sampleRateHz} disagrees with feature set '${s.features.set}' (${set.sampleRateHz} Hz)`);
  return set;
}

/**
 * Features of one mono signal at the set's rate, as the trainer saw them: frame models are
 * centre-cropped to `maxFrames` (training's evaluation crop).
 */
export async function featurize(set: FeatureSet, s: Sidecar, signal: Float32Array): Promise<Features> {
  const block = await set.compute(signal);
  return s.input.kind === 'frames' || s.input.kind === 'layers' ? centreCrop(block, s.features.maxFrames) : block;
}

/** Audio too short to give the model the feature frames it needs (a client error, not a fault). */
export class InputTooShortError extends Error {
  override readonly name = 'InputTooShortError';
}

/** Checks a block against the layout's fixed dims and minimum length (errors name `label`). */
export function checkBlock(s: Sidecar, b: Features, label: string): void {
  const dims = s.input.features;
  const wantD = dims[dims.length - 1];
  const wantC = s.input.kind === 'image' ? dims[2] : s.input.kind === 'layers' ? dims[1] : 1;
  if (b.dims !== wantD || b.channels !== wantC) {
    throw new Error(
      `${label}: features are [${b.channels} × ${b.frames} × ${b.dims}], the model takes ${wantC} channel(s) of ${wantD} dims`,
    );
  }
  if (s.input.kind === 'vector' && b.frames !== 1)
    throw new Error(`${label}: the model takes one feature vector per utterance, got ${b.frames} frames`);
  if (b.frames < s.input.minFrames) {
    throw new InputTooShortError(`${label}: ${b.frames} feature frames, the model needs ≥ ${s.input.minFrames}; the audio is too short`);
  }
  if (b.frames < 1) throw new InputTooShortError(`${label}: the audio gives no feature frames`);
}

/** Assembles blocks into the graph's `features` (and `lengths`) per the sidecar's layout. */
export function makeBatch(s: Sidecar, blocks: readonly Features[]): GraphBatch {
  const n = blocks.length;
  const kind = s.input.kind;
  if (kind === 'vector') {
    const d = blocks[0].dims;
    const out = new Float32Array(n * d);
    blocks.forEach((b, i) => out.set(b.data.subarray(0, d), i * d));
    return { features: out, dims: [n, d], lengths: null };
  }
  const lengths = BigInt64Array.from(blocks, (b) => BigInt(b.frames));
  if (kind === 'frames' || kind === 'layers') {
    // [N, T, D], or backbone layers [N, L, T, D]: each layer's frames zero-padded to the longest.
    const { channels: l, dims: d } = blocks[0];
    const t = Math.max(...blocks.map((b) => b.frames));
    const out = new Float32Array(n * l * t * d);
    blocks.forEach((b, i) => {
      for (let c = 0; c < l; c++) out.set(b.data.subarray(c * b.frames * d, (c + 1) * b.frames * d), (i * l + c) * t * d);
    });
    return { features: out, dims: kind === 'frames' ? [n, t, d] : [n, l, t, d], lengths };
  }
  // image: [N, S, C, segFrames, D] raw segments, frames past each utterance left 0 (masked in the graph).
  const { frames: sf, hop } = s.input.segment!;
  const { channels: c, dims: d } = blocks[0];
  const counts = blocks.map((b) => segmentCount(b.frames, { segmentFrames: sf, hopFrames: hop }));
  const smax = Math.max(...counts);
  const segSize = c * sf * d;
  const out = new Float32Array(n * smax * segSize);
  blocks.forEach((b, i) => {
    for (let seg = 0; seg < counts[i]; seg++) {
      const start = seg * hop;
      const len = Math.min(sf, b.frames - start);
      for (let ch = 0; ch < c; ch++) {
        const src = b.data.subarray((ch * b.frames + start) * d, (ch * b.frames + start + len) * d);
        out.set(src, (i * smax + seg) * segSize + ch * sf * d);
      }
    }
  });
  return { features: out, dims: [n, smax, c, sf, d], lengths };
}

/** A window of a signal, in samples. */
export interface SampleWindow {
  start: number;
  end: number;
}

/**
 * Windows of `length` samples: every `hop` from 0, the last one aligned to the end so each window
 * is full length; a signal no longer than one window is one window.
 */
export function windowsOf(length: number, window: number, hop: number): SampleWindow[] {
  if (length <= window) return [{ start: 0, end: length }];
  const out: SampleWindow[] = [];
  let start = 0;
  for (; start + window < length; start += hop) out.push({ start, end: start + window });
  const last = length - window;
  if (out[out.length - 1].start < last) out.push({ start: last, end: length });
  return out;
}
