/**
 * A frame matrix: `frames` rows of `dims` values each, row-major (`[T, D]`), e.g. a
 * spectrogram with T analysis frames and D frequency bins, or an LLD contour matrix.
 */
export interface Frames {
  /** Row-major values, length = frames × dims. */
  data: Float32Array;
  /** Number of frames (T). */
  frames: number;
  /** Values per frame (D). */
  dims: number;
}

/** Allocates a zero-filled `[frames, dims]` matrix. */
export function makeFrames(frames: number, dims: number): Frames {
  return { data: new Float32Array(frames * dims), frames, dims };
}

/** Returns frame `t` as a view (no copy). */
export function frameAt(m: Frames, t: number): Float32Array {
  return m.data.subarray(t * m.dims, (t + 1) * m.dims);
}
