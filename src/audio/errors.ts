/**
 * Errors raised while reading or decoding audio. Every failure is one {@link AudioError}
 * whose message starts with the file it concerns, so a batch job can report it as is.
 */

/** Why a file could not be turned into samples. */
export type AudioErrorKind =
  /** The path does not exist. */
  | 'missing'
  /** The path exists but is a directory or another non-regular file. */
  | 'not-a-file'
  /** The path could not be read (permissions, I/O error). */
  | 'io'
  /** The file has zero bytes. */
  | 'empty'
  /** The file ends before its own headers say it should. */
  | 'truncated'
  /** Headers or frames are inconsistent or fail their checksums. */
  | 'corrupt'
  /** The container or codec is not one this module decodes. */
  | 'unsupported'
  /** The file is well formed but holds no audio samples. */
  | 'no-samples'
  /** A decoded sample is NaN or ±Infinity. */
  | 'non-finite';

/**
 * One clear, single error about one audio file.
 *
 * `message` reads `"<file>: <reason>"`; `file` and `kind` allow programmatic handling and
 * `reason` is the message without the file prefix.
 */
export class AudioError extends Error {
  /** The file (path or label) the error is about. */
  readonly file: string;
  /** Category of the failure. */
  readonly kind: AudioErrorKind;
  /** Human-readable reason, without the file prefix. */
  readonly reason: string;

  constructor(file: string, kind: AudioErrorKind, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${reason}`, options);
    this.name = 'AudioError';
    this.file = file;
    this.kind = kind;
    this.reason = reason;
  }
}

/** Returns `err` unchanged when it is already an {@link AudioError}, else wraps it. */
export function asAudioError(file: string, err: unknown, kind: AudioErrorKind = 'corrupt', context = ''): AudioError {
  if (err instanceof AudioError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new AudioError(file, kind, context ? `${context}: ${detail}` : detail, { cause: err });
}
