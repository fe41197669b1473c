/**
 * Helpers shared by the adapters: checking the corpus root, scanning folders for audio,
 * reading option values, handling missing audio, and finishing a listing (unique ids,
 * sorting, durations).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { AUDIO_EXTENSIONS, walkFiles } from '../../audio/index.js';
import { fillDurations } from './duration.js';
import type { ListOptions, MissingAudioPolicy, Utterance } from './types.js';

/** How many missing files an error message lists before summarising. */
const MISSING_SHOWN = 3;

/**
 * Resolves `root` and checks that it is a directory.
 * @param expected - what the folder should contain, for the message.
 * @throws Error naming the corpus and the path.
 */
export async function requireDir(root: string, corpus: string, expected: string): Promise<string> {
  if (typeof root !== 'string' || root === '') throw new Error(`${corpus}: no corpus folder given (expected ${expected})`);
  const abs = resolve(root);
  const st = await stat(abs).catch(() => null);
  if (st === null) throw new Error(`${corpus}: corpus folder ${abs} does not exist (expected ${expected})`);
  if (!st.isDirectory()) throw new Error(`${corpus}: ${abs} is not a folder (expected ${expected})`);
  return abs;
}

/** True when `path` is an existing regular file. */
export async function isFile(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  return st?.isFile() ?? false;
}

/** True when `path` is an existing directory. */
export async function isDir(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  return st?.isDirectory() ?? false;
}

/**
 * Reads a required metadata file as UTF-8 (a leading byte-order mark is removed).
 * @throws Error naming the corpus and the file when it is missing.
 */
export async function readMetadata(file: string, corpus: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    throw new Error(`${corpus}: metadata file ${file} ${why}`, { cause: err });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** True for names to ignore: hidden files and macOS resource forks (`._x.wav`). */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/**
 * Every audio file ({@link AUDIO_EXTENSIONS}, or `extensions`) under `dir`, as sorted paths.
 * Sub-folders are scanned unless `options.recurse` is false; symlinked files and folders are
 * followed (loops and dangling links are skipped, and a linked file keeps the link's path).
 * Hidden files are skipped. A missing `dir` gives `[]`.
 */
export async function scanAudio(
  dir: string,
  extensions: readonly string[] = AUDIO_EXTENSIONS,
  options: { recurse?: boolean } = {},
): Promise<string[]> {
  const keep = (name: string) => !isHidden(name) && extensions.includes(extname(name).toLowerCase());
  return walkFiles(dir, { recurse: options.recurse, keep }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}

/** File name without its extension. */
export function stem(path: string): string {
  const b = basename(path);
  const ext = extname(b);
  return ext ? b.slice(0, -ext.length) : b;
}

/** Reads an enumerated option, checking its value. */
export function enumOption<T extends string>(
  options: ListOptions | undefined,
  key: string,
  allowed: readonly T[],
  fallback: T,
  corpus: string,
): T {
  const v = options?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`${corpus}: option '${key}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** Reads a boolean option. */
export function boolOption(options: ListOptions | undefined, key: string, fallback: boolean, corpus: string): boolean {
  const v = options?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${corpus}: option '${key}' must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** The missing-audio policy from the options (default `'error'`). */
export function missingPolicy(options: ListOptions | undefined, corpus: string): MissingAudioPolicy {
  return enumOption(options, 'missingAudio', ['error', 'skip'] as const, 'error', corpus);
}

/**
 * Keeps the utterances whose audio is in `present`; the others fail the listing (policy
 * `'error'`, the message names a few of them) or are dropped (policy `'skip'`).
 */
export function dropMissing(utts: Utterance[], present: ReadonlySet<string>, policy: MissingAudioPolicy, corpus: string): Utterance[] {
  const missing = utts.filter((u) => !present.has(u.path));
  if (missing.length === 0) return utts;
  if (policy === 'error') {
    const shown = missing
      .slice(0, MISSING_SHOWN)
      .map((u) => u.path)
      .join(', ');
    const more = missing.length > MISSING_SHOWN ? ` and ${missing.length - MISSING_SHOWN} more` : '';
    throw new Error(
      `${corpus}: ${missing.length} audio file(s) named in the metadata are missing: ${shown}${more} (pass { missingAudio: 'skip' } to leave them out)`,
    );
  }
  return utts.filter((u) => present.has(u.path));
}

/**
 * Finishes a listing: ids must be unique (the error names both files), the result is sorted
 * by id, and durations are read when `withDurations` is set.
 */
export async function finish(utts: Utterance[], options: ListOptions | undefined, corpus: string): Promise<Utterance[]> {
  const seen = new Map<string, string>();
  for (const u of utts) {
    const prev = seen.get(u.id);
    if (prev !== undefined) throw new Error(`${corpus}: utterance id '${u.id}' occurs twice (${prev} and ${u.path})`);
    seen.set(u.id, u.path);
  }
  utts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (boolOption(options, 'withDurations', false, corpus)) await fillDurations(utts);
  return utts;
}

/** Parses a finite number, or returns null. */
export function toNumber(s: string): number | null {
  if (s.trim() === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/** Normalises common spellings of gender (`F`, `female`, `Female`, `M`, ...); null when unknown. */
export function parseGender(s: string): 'female' | 'male' | null {
  const v = s.trim().toLowerCase();
  if (v === 'f' || v === 'female' || v === 'w' || v === 'woman') return 'female';
  if (v === 'm' || v === 'male' || v === 'man') return 'male';
  return null;
}

/** A copy of `o` without its `undefined`-valued keys (keeps records tidy and comparable). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
