/**
 * Reading audio files from disk: one file ({@link loadAudio}) or many ({@link loadAudioBatch}).
 */
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_SAMPLE_RATE_HZ, toMono } from './buffer.js';
import { decodeAudio } from './decode.js';
import { AudioError, asAudioError } from './errors.js';
import { resample } from '../dsp/index.js';

/** Options for {@link loadAudio} and {@link loadAudioBatch}. */
export interface LoadAudioOptions {
  /** Output sample rate in Hz (positive integer). Default {@link DEFAULT_SAMPLE_RATE_HZ} (16 000). */
  sampleRateHz?: number;
  /** Mix all channels to one by averaging. Default true. */
  mono?: boolean;
}

/** A loaded file. */
export interface LoadedAudio {
  /** The mono mix (default), or the first channel when `mono: false`. */
  samples: Float32Array;
  /** Sample rate of `samples` and `channels` in Hz. */
  sampleRateHz: number;
  /** Every channel, resampled (just `[samples]` when `mono` is true). */
  channels: Float32Array[];
}

/** Maximum files read concurrently by {@link loadAudioBatch} (decoding itself is serial). */
export const BATCH_READ_CONCURRENCY = 4;

const NODE_ERROR_KINDS: Record<string, { kind: 'missing' | 'not-a-file' | 'io'; text: string }> = {
  ENOENT: { kind: 'missing', text: 'file does not exist' },
  ENOTDIR: { kind: 'missing', text: 'a parent of the path is not a directory' },
  EISDIR: { kind: 'not-a-file', text: 'path is a directory, not an audio file' },
  EACCES: { kind: 'io', text: 'permission denied' },
};

/** Reads a whole file, turning file-system failures into {@link AudioError}s. */
async function readAudioBytes(path: string): Promise<Uint8Array> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new AudioError(path, 'not-a-file', 'path is a directory, not an audio file');
    if (!st.isFile()) throw new AudioError(path, 'not-a-file', 'path is not a regular file');
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    if (err instanceof AudioError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const known = NODE_ERROR_KINDS[code];
    if (known) throw new AudioError(path, known.kind, known.text, { cause: err });
    throw asAudioError(path, err, 'io', 'cannot read file');
  }
}

/**
 * Reads and decodes an audio file, optionally mixing to mono and resampling.
 *
 * @param path - file path (WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus; see {@link decodeAudio}).
 * @param opts - `sampleRateHz` (default 16 000 Hz) and `mono` (default true).
 * @returns samples at `sampleRateHz`.
 * @throws AudioError whose `file` is `path` for a missing file, a directory, or any decoding
 *   failure (empty, truncated, corrupt, unsupported, zero samples, NaN/Inf samples).
 */
export async function loadAudio(path: string, opts: LoadAudioOptions = {}): Promise<LoadedAudio> {
  const targetHz = opts.sampleRateHz ?? DEFAULT_SAMPLE_RATE_HZ;
  if (!Number.isInteger(targetHz) || targetHz <= 0)
    throw new RangeError(`loadAudio: sampleRateHz must be a positive integer, got ${targetHz}`);
  const bytes = await readAudioBytes(path);
  const audio = await decodeAudio(bytes, path);
  const mono = opts.mono ?? true;
  const source = mono ? [toMono(audio)] : audio.channels;
  const channels = source.map((ch) => (audio.sampleRateHz === targetHz ? ch : resample(ch, audio.sampleRateHz, targetHz)));
  return { samples: channels[0], sampleRateHz: targetHz, channels };
}

/** Progress report from {@link loadAudioBatch}, one per file, in completion order. */
export interface BatchProgress {
  /** Files finished so far (including this one). */
  done: number;
  /** Files in the batch. */
  total: number;
  /** The file just finished. */
  path: string;
  /** Set when this file failed (it is skipped and listed in `failed`). */
  error?: AudioError;
}

/** Result of {@link loadAudioBatch}; both lists keep the order of the input paths. */
export interface BatchResult {
  ok: { path: string; samples: Float32Array }[];
  failed: { path: string; reason: string; error: AudioError }[];
  /** Sample rate of every `samples` array, in Hz. */
  sampleRateHz: number;
}

/**
 * Loads many files for a batch job. A file that cannot be loaded is skipped and listed in
 * `failed` with its reason (never dropped silently); `onProgress` is called once per file.
 * Errors that are not about a file (e.g. an invalid `sampleRateHz`) still throw.
 *
 * @param paths - files to load.
 * @param opts - as for {@link loadAudio} (only the mono mix / first channel is returned).
 * @param onProgress - optional per-file callback (for progress bars and logging).
 */
export async function loadAudioBatch(
  paths: readonly string[],
  opts: LoadAudioOptions = {},
  onProgress?: (p: BatchProgress) => void,
): Promise<BatchResult> {
  const sampleRateHz = opts.sampleRateHz ?? DEFAULT_SAMPLE_RATE_HZ;
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0)
    throw new RangeError(`loadAudioBatch: sampleRateHz must be a positive integer, got ${sampleRateHz}`);
  const results: Array<{ samples: Float32Array } | { error: AudioError }> = new Array(paths.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      const path = paths[i];
      let error: AudioError | undefined;
      try {
        results[i] = { samples: (await loadAudio(path, opts)).samples };
      } catch (err) {
        error = asAudioError(path, err, 'corrupt');
        results[i] = { error };
      }
      done++;
      onProgress?.({ done, total: paths.length, path, error });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_READ_CONCURRENCY, paths.length) }, worker));
  const out: BatchResult = { ok: [], failed: [], sampleRateHz };
  results.forEach((r, i) => {
    if ('error' in r) out.failed.push({ path: paths[i], reason: r.error.reason, error: r.error });
    else out.ok.push({ path: paths[i], samples: r.samples });
  });
  return out;
}
