/**
 * Cutting utterance-level feature matrices into fixed-length segments (the spectrogram-image recipe's
 * `segment_nd_features`).
 *
 * A `[T, D]` {@link Features} (treated as one channel) or `[C, T, D]` {@link Features} is
 * cut along T into chunks of `segmentFrames` frames starting at 0, hop, 2·hop, … (hop defaults
 * to `segmentFrames`: non-overlapping, as that recipe). With `padLast` (default, as that recipe) the
 * chunks continue until the end of the utterance is covered and the last chunk is zero-padded
 * (an utterance shorter than one segment gives one padded segment); with `padLast: false` only
 * complete chunks are kept (possibly none). An empty utterance (T = 0) gives no segments.
 *
 * Count: padLast → 1 + ⌈max(0, T − S)/hop⌉ for T > 0 (= ⌈T/S⌉ when hop = S);
 * otherwise ⌊(T − S)/hop⌋ + 1 for T ≥ S, else 0.
 *
 * Output layout: data row-major `[N, C, S, D]` (segment n, channel c, frame t, dim d at
 * ((n·C + c)·S + t)·D + d). The seed stores `(N, C, F, T)`; transpose the last two axes if a
 * model expects that.
 */
import type { Features } from './types.js';

/** Default segment length in frames (the recipe's `segment_size`: 3 s at a 10 ms hop). */
export const DEFAULT_SEGMENT_FRAMES = 300;

/** Segmenting options. */
export interface SegmentOptions {
  /** Features per segment S (positive integer); default {@link DEFAULT_SEGMENT_FRAMES}. */
  segmentFrames?: number;
  /** Features between segment starts (positive integer); default S (no overlap). */
  hopFrames?: number;
  /** Zero-pad a final partial segment (default true, as that recipe) instead of dropping it. */
  padLast?: boolean;
}

/** Segments of one or more utterances. */
export interface Segments {
  /** Number of segments N. */
  count: number;
  /** Channels per segment C (1 for `[T, D]` input). */
  channels: number;
  /** Features per segment S. */
  frames: number;
  /** Values per frame D. */
  dims: number;
  /** Row-major `[N, C, S, D]`. */
  data: Float32Array;
  /** For each segment, its first frame in its utterance. */
  startFrame: Int32Array;
  /** For each segment, how many of its S frames are real (the rest are zero padding). */
  validFrames: Int32Array;
  /** For each segment, the index of its utterance (all 0 for {@link segmentFrames}). */
  utterance: Int32Array;
  /** For each utterance, its number of segments (the recipe's per-utterance `segs`). */
  segmentsPerUtterance: Int32Array;
  /** For each utterance, the index of its first segment (length = utterances + 1; last = N). */
  firstSegment: Int32Array;
}

function asChannels(m: Features | Features, who: string): Features {
  const c = m.channels;
  if (!(m.data instanceof Float32Array)) throw new TypeError(`${who}: data must be a Float32Array`);
  for (const [k, v] of [
    ['channels', c],
    ['frames', m.frames],
    ['dims', m.dims],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${who}: ${k} must be a non-negative integer, got ${v}`);
  }
  if (m.data.length !== c * m.frames * m.dims) {
    throw new RangeError(`${who}: data length ${m.data.length} ≠ channels (${c}) × frames (${m.frames}) × dims (${m.dims})`);
  }
  return { channels: c, frames: m.frames, dims: m.dims, data: m.data };
}

function resolve(o: SegmentOptions, who: string): Required<SegmentOptions> {
  const segmentFrames = o.segmentFrames ?? DEFAULT_SEGMENT_FRAMES;
  if (!Number.isInteger(segmentFrames) || segmentFrames < 1) {
    throw new RangeError(`${who}: segmentFrames must be a positive integer, got ${segmentFrames}`);
  }
  const hopFrames = o.hopFrames ?? segmentFrames;
  if (!Number.isInteger(hopFrames) || hopFrames < 1) throw new RangeError(`${who}: hopFrames must be a positive integer, got ${hopFrames}`);
  return { segmentFrames, hopFrames, padLast: o.padLast ?? true };
}

/** Number of segments for an utterance of `frames` frames (see the module notes). */
export function segmentCount(frames: number, o: SegmentOptions = {}): number {
  const { segmentFrames: S, hopFrames: H, padLast } = resolve(o, 'segmentCount');
  if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`segmentCount: frames must be a non-negative integer, got ${frames}`);
  if (frames === 0) return 0;
  if (padLast) return 1 + Math.ceil(Math.max(0, frames - S) / H);
  return frames < S ? 0 : 1 + Math.floor((frames - S) / H);
}

/**
 * Segments several utterances (all with the same channels and dims) into one batch, with the
 * utterance ↔ segment mapping.
 * @throws RangeError for malformed inputs, mismatched channels/dims or bad options.
 */
export function segmentUtterances(utterances: readonly (Features | Features)[], o: SegmentOptions = {}): Segments {
  const who = 'segmentUtterances';
  const opts = resolve(o, who);
  const S = opts.segmentFrames;
  const H = opts.hopFrames;
  const mats = utterances.map((u, i) => asChannels(u, `${who}: utterance ${i}`));
  const C = mats.length > 0 ? mats[0].channels : 1;
  const D = mats.length > 0 ? mats[0].dims : 0;
  mats.forEach((m, i) => {
    if (m.channels !== C || m.dims !== D) {
      throw new RangeError(`${who}: utterance ${i} has ${m.channels} channels × ${m.dims} dims, expected ${C} × ${D}`);
    }
  });
  const perUtt = Int32Array.from(mats, (m) => segmentCount(m.frames, opts));
  const first = new Int32Array(mats.length + 1);
  for (let u = 0; u < mats.length; u++) first[u + 1] = first[u] + perUtt[u];
  const N = first[mats.length];
  const data = new Float32Array(N * C * S * D);
  const startFrame = new Int32Array(N);
  const validFrames = new Int32Array(N);
  const utterance = new Int32Array(N);
  for (let u = 0; u < mats.length; u++) {
    const m = mats[u];
    const T = m.frames;
    for (let j = 0; j < perUtt[u]; j++) {
      const n = first[u] + j;
      const start = j * H;
      const valid = Math.min(S, T - start);
      startFrame[n] = start;
      validFrames[n] = valid;
      utterance[n] = u;
      for (let c = 0; c < C; c++) {
        const src = (c * T + start) * D;
        data.set(m.data.subarray(src, src + valid * D), (n * C + c) * S * D);
      }
    }
  }
  return {
    count: N,
    channels: C,
    frames: S,
    dims: D,
    data,
    startFrame,
    validFrames,
    utterance,
    segmentsPerUtterance: perUtt,
    firstSegment: first,
  };
}

/** Segments one utterance (`[T, D]` or `[C, T, D]`); see {@link segmentUtterances}. */
export function segmentFrames(m: Features | Features, o: SegmentOptions = {}): Segments {
  return segmentUtterances([m], o);
}

/** Segment `n` as a `[C, S, D]` view into `s.data` (no copy). */
export function segmentAt(s: Segments, n: number): Features {
  if (!Number.isInteger(n) || n < 0 || n >= s.count) throw new RangeError(`segmentAt: index ${n} outside [0, ${s.count})`);
  const size = s.channels * s.frames * s.dims;
  return { channels: s.channels, frames: s.frames, dims: s.dims, data: s.data.subarray(n * size, (n + 1) * size) };
}
