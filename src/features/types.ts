/**
 * The one array type of features: `channels` planes of `frames` rows of `dims` values, row-major
 * (`[C, T, D]`, index (c·frames + t)·dims + d). A spectrogram or an LLD contour matrix is one
 * channel of T frames of D bins; the image sets stack several channels; a functional set is one
 * frame. Feature sets return it, the cache and the models take it, and files store its shape.
 */
export interface Features {
  /** Row-major values, length = channels × frames × dims. */
  data: Float32Array;
  /** Planes (C; 1 for frame features). */
  channels: number;
  /** Features per plane (T). */
  frames: number;
  /** Values per frame (D). */
  dims: number;
}

/** Allocates zero-filled features `[channels, frames, dims]` (one channel by default). */
export function makeFeatures(frames: number, dims: number, channels = 1): Features {
  return { data: new Float32Array(channels * frames * dims), channels, frames, dims };
}

/** Frame `t` of channel `c` as a view (no copy). */
export function frameAt(m: Features, t: number, c = 0): Float32Array {
  const base = (c * m.frames + t) * m.dims;
  return m.data.subarray(base, base + m.dims);
}

/** The shape stored in feature files: `[T, D]` for one channel, else `[C, T, D]`. */
export function shapeOf(f: Features): number[] {
  return f.channels === 1 ? [f.frames, f.dims] : [f.channels, f.frames, f.dims];
}

/** Features from a stored shape (`[T, D]` or `[C, T, D]`) and its values; errors name `label`. */
export function fromShape(shape: readonly number[], data: Float32Array, label = 'features'): Features {
  if (shape.length !== 2 && shape.length !== 3)
    throw new Error(`${label}: expected a [T, D] or [C, T, D] shape, got [${shape.join(', ')}]`);
  const [channels, frames, dims] = shape.length === 2 ? [1, shape[0], shape[1]] : [shape[0], shape[1], shape[2]];
  if (channels * frames * dims !== data.length)
    throw new Error(`${label}: shape [${shape.join(', ')}] does not hold ${data.length} values`);
  return { data, channels, frames, dims };
}

/** First frame of the centred `maxFrames`-frame window of `frames` frames (0 when they fit). */
export function centreCropStart(frames: number, maxFrames: number): number {
  return frames <= maxFrames ? 0 : Math.floor((frames - maxFrames) / 2);
}

/**
 * The centred `maxFrames` frames of features (of every channel: a backbone's layers are one
 * crop) — what a frame model sees of a long utterance at evaluation (training draws random
 * crops of the same length). Shorter ones are returned as they are.
 */
export function centreCrop(f: Features, maxFrames: number): Features {
  if (f.frames <= maxFrames) return f;
  const start = centreCropStart(f.frames, maxFrames);
  const plane = f.frames * f.dims;
  const data = new Float32Array(f.channels * maxFrames * f.dims);
  for (let c = 0; c < f.channels; c++)
    data.set(f.data.subarray(c * plane + start * f.dims, c * plane + (start + maxFrames) * f.dims), c * maxFrames * f.dims);
  return { channels: f.channels, frames: maxFrames, dims: f.dims, data };
}
