/**
 * Whole-clip scoring with a fixed-input countermeasure: a clip is cut into windows of the
 * model's input length (default hop = one window, so every sample is scored once; the last
 * window ends at the clip's end), each window is scored, and the windows' logits are
 * aggregated into the clip's. Engine-free: the engine, ONNX Runtime and the web app share it.
 */
import { speechSpan } from '../../audio/pure.js';
import { fitAasistInput } from './fit.js';

/**
 * What a countermeasure hears of a clip: all of it, or (`energy`) the clip without its leading
 * and trailing silence, so the length of the silence around speech is no cue. A model trained on
 * trimmed clips is scored on trimmed clips (the mode travels with the run and the ONNX sidecar).
 */
export const SPOOF_VAD_MODES = ['none', 'energy'] as const;
export type SpoofVad = (typeof SPOOF_VAD_MODES)[number];

/** The part of `x` (at `rateHz`) a countermeasure with VAD mode `vad` scores. */
export function spoofInput(x: Float32Array, rateHz: number, vad: SpoofVad): Float32Array {
  return vad === 'energy' ? speechSpan(x, rateHz) : x;
}

/** How window logits become a clip's: their mean, the most spoof-like window, or the mean of the k most spoof-like. */
export const SPOOF_AGGREGATIONS = ['mean', 'max', 'top-k'] as const;
export type SpoofAggregation = (typeof SPOOF_AGGREGATIONS)[number];

/** Windows the `top-k` aggregation averages unless set. */
export const DEFAULT_TOP_K = 3;

/** How clips are cut into windows and their scores combined. */
export interface SpoofWindowing {
  /** Samples between window starts (default: the window length, no overlap). */
  hopSamples?: number;
  /** Default 'mean'. */
  aggregate?: SpoofAggregation;
  /** Windows averaged by `top-k` (default {@link DEFAULT_TOP_K}). */
  topK?: number;
}

/**
 * Checks `o` and fills its defaults for windows of `window` samples.
 * @throws Error naming the option at fault.
 */
export function resolveWindowing(o: SpoofWindowing, window: number): Required<SpoofWindowing> {
  const hop = o.hopSamples ?? window;
  if (!Number.isInteger(hop) || hop < 1) throw new Error(`spoof windows: hop must be a positive whole number of samples, got ${hop}`);
  const aggregate = o.aggregate ?? 'mean';
  if (!(SPOOF_AGGREGATIONS as readonly string[]).includes(aggregate))
    throw new Error(`spoof windows: aggregate must be one of ${SPOOF_AGGREGATIONS.join(', ')}, got '${aggregate}'`);
  const topK = o.topK ?? DEFAULT_TOP_K;
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`spoof windows: top-k must be a positive integer, got ${topK}`);
  return { hopSamples: hop, aggregate, topK };
}

/**
 * Start samples of the windows of a clip of `length` samples: every `hop` from 0 while a whole
 * window fits, plus one ending at the clip's end when the last left samples unscored. A clip
 * shorter than a window has one window at 0 (fitted by tiling, as the published evaluation does).
 */
export function windowStarts(length: number, window: number, hop: number): number[] {
  if (length <= window) return [0];
  const starts: number[] = [];
  for (let s = 0; s + window <= length; s += hop) starts.push(s);
  const last = starts[starts.length - 1];
  if (last + window < length && hop <= window) starts.push(length - window);
  return starts;
}

/** Samples of a clip of `length` that some window covers (all of a short clip, once). */
function coveredSamples(length: number, starts: readonly number[], window: number): number {
  let covered = 0;
  let end = 0;
  for (const s of starts) {
    const from = Math.max(s, end);
    const to = Math.min(length, s + window);
    if (to > from) covered += to - from;
    end = Math.max(end, to);
  }
  return covered;
}

/**
 * The clip's logits [spoof, bona fide] from its windows': `mean` averages each class's logit;
 * `max` takes the window with the lowest bona fide margin (logit bona fide − logit spoof, the
 * most spoof-like); `top-k` averages the k most spoof-like windows (all when fewer).
 */
export function aggregateWindowLogits(windows: readonly (readonly [number, number])[], o: Required<SpoofWindowing>): [number, number] {
  if (windows.length === 0) throw new Error('spoof windows: no window to aggregate');
  const mean = (ws: readonly (readonly [number, number])[]): [number, number] => [
    ws.reduce((a, w) => a + w[0], 0) / ws.length,
    ws.reduce((a, w) => a + w[1], 0) / ws.length,
  ];
  if (o.aggregate === 'mean') return mean(windows);
  const bySpoofness = [...windows].sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
  return mean(bySpoofness.slice(0, o.aggregate === 'max' ? 1 : o.topK));
}

/** A clip scored in windows. */
export interface WindowedScore {
  /** Aggregated logits [spoof, bona fide]. */
  logits: [number, number];
  /** Windows scored. */
  windows: number;
  /** Samples of the clip some window covered. */
  scoredSamples: number;
}

/** What a clip's windowed score says about the audio behind it: its logits, windows, and its length and the part scored (s, at `rateHz`). */
export function windowedSummary(r: WindowedScore, samples: number, rateHz: number) {
  return { logits: r.logits, windows: r.windows, seconds: samples / rateHz, scoredSeconds: r.scoredSamples / rateHz };
}

/**
 * Scores every clip in windows of `window` samples: the windows of all clips are pooled and
 * run `batchSize` at a time (so memory holds one batch of windows, however long the clips),
 * then aggregated per clip. `run(wave, rows, owners)` scores `rows` fitted windows (row-major
 * in `wave`) of clips `owners` and returns their logits [rows · 2].
 * @throws Error naming `labels[i]` for an empty clip.
 */
export async function scoreInWindows(
  clips: readonly Float32Array[],
  window: number,
  o: Required<SpoofWindowing>,
  batchSize: number,
  run: (wave: Float32Array, rows: number, owners: readonly number[]) => Promise<Float32Array> | Float32Array,
  labels?: readonly string[],
): Promise<WindowedScore[]> {
  const all: { clip: number; start: number }[] = [];
  const starts = clips.map((c, i) => {
    if (c.length === 0) throw new Error(`${labels?.[i] ?? `clip ${i}`}: empty clip (0 samples); nothing to score`);
    const s = windowStarts(c.length, window, o.hopSamples);
    for (const start of s) all.push({ clip: i, start });
    return s;
  });
  const perClip: [number, number][][] = clips.map(() => []);
  for (let b = 0; b < all.length; b += batchSize) {
    const part = all.slice(b, b + batchSize);
    const wave = new Float32Array(part.length * window);
    part.forEach((w, j) => wave.set(fitAasistInput(clips[w.clip].subarray(w.start, w.start + window), window), j * window));
    const l = await run(
      wave,
      part.length,
      part.map((w) => w.clip),
    );
    part.forEach((w, j) => perClip[w.clip].push([l[2 * j], l[2 * j + 1]]));
  }
  return clips.map((c, i) => ({
    logits: aggregateWindowLogits(perClip[i], o),
    windows: starts[i].length,
    scoredSamples: coveredSamples(c.length, starts[i], window),
  }));
}
