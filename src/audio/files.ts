/**
 * Which files are audio: every audio file under a directory (symlinks followed), or the `path`
 * column of a CSV manifest (paths relative to the manifest's folder), with the user's own column
 * names mapped onto the canonical ones.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

/** File extensions treated as audio when scanning a directory. */
export const AUDIO_EXTENSIONS = ['.wav', '.flac', '.mp3', '.ogg', '.opus'];

/** Canonical columns of an input manifest: the audio file and its optional output key. */
export const INPUT_COLUMNS = ['path', 'id'] as const;

/** One file to process: a stable id (output key) and its path. */
export interface InputItem {
  id: string;
  path: string;
}

/** How {@link listInputs} reads its input. */
export interface ListInputsOptions {
  /**
   * CSV manifests: canonical column → the manifest's own column name, e.g. `{ path: 'file' }`
   * (canonical names: {@link INPUT_COLUMNS}). Not allowed for a directory.
   */
  columns?: Record<string, string>;
  /** Directories: also scan sub-folders (default true); false lists the top folder only. */
  recurse?: boolean;
}

/** What {@link walkFiles} lists. */
export interface WalkOptions {
  /** Descend into sub-folders (default true). */
  recurse?: boolean;
  /** Keeps a file by its name (default: every file). */
  keep?: (name: string) => boolean;
}

/**
 * Every file under `root` as sorted paths built from `root` and the entry names, so a file
 * reached through a symlink keeps the link's path. Symlinked files are followed, and so are
 * symlinked folders when recursing; a folder whose real path is one of its own ancestors (a
 * symlink loop) is not entered again, and a dangling symlink is skipped.
 * @throws when `root` cannot be read (missing, not a folder, no permission).
 */
export async function walkFiles(root: string, options: WalkOptions = {}): Promise<string[]> {
  const recurse = options.recurse ?? true;
  const keep = options.keep ?? (() => true);
  const out: string[] = [];
  const visit = async (dir: string, ancestors: ReadonlySet<string>): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const subdirs: string[] = [];
    for (const e of entries) {
      const p = join(dir, e.name);
      let file = e.isFile();
      let folder = e.isDirectory();
      if (e.isSymbolicLink()) {
        const target = await stat(p).catch(() => null);
        if (target === null) continue; // dangling link
        file = target.isFile();
        folder = target.isDirectory();
      }
      if (file && keep(e.name)) out.push(p);
      else if (folder && recurse) subdirs.push(p);
    }
    await Promise.all(
      subdirs.map(async (p) => {
        const real = await realpath(p).catch(() => null);
        if (real === null || ancestors.has(real)) return; // vanished, or a loop back to an ancestor
        await visit(p, new Set([...ancestors, real]));
      }),
    );
  };
  await visit(root, new Set([await realpath(root)]));
  return out.sort();
}

/**
 * Every audio file ({@link AUDIO_EXTENSIONS}) under `root` (sorted; sub-folders unless
 * `recurse` is false; symlinks followed as in {@link walkFiles}), with ids relative to `root`.
 */
export async function scanDir(root: string, options: { recurse?: boolean } = {}): Promise<InputItem[]> {
  const paths = await walkFiles(root, { recurse: options.recurse, keep: (name) => AUDIO_EXTENSIONS.includes(extname(name).toLowerCase()) });
  return paths.map((p) => ({ id: relative(root, p), path: p }));
}

/**
 * Checks a column mapping (canonical column name → the file's own column name).
 * @param where - what the mapping belongs to, prefixed to messages (an option, a file).
 * @throws Error when it is not an object of non-empty strings, names a column outside
 *   `accepted` (the message lists them), or maps two names to the same column (also a column
 *   that carries another canonical name which is not mapped away).
 */
export function checkColumnMapping(value: unknown, accepted: readonly string[], where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where}: the column mapping must be an object such as { path: 'file' }, got ${JSON.stringify(value)}`);
  const byColumn = new Map<string, string>();
  for (const [name, column] of Object.entries(value)) {
    if (!accepted.includes(name)) throw new Error(`${where}: unknown column '${name}' in the mapping (accepted: ${accepted.join(', ')})`);
    if (typeof column !== 'string' || column.trim() === '')
      throw new Error(`${where}: column '${name}' must be mapped to a column name, got ${JSON.stringify(column)}`);
    const other = byColumn.get(column);
    if (other !== undefined) throw new Error(`${where}: '${other}' and '${name}' are both mapped to column '${column}'`);
    byColumn.set(column, name);
  }
  for (const [column, name] of byColumn)
    if (column !== name && accepted.includes(column) && !Object.hasOwn(value, column))
      throw new Error(
        `${where}: '${name}' is mapped to column '${column}', which is also read as '${column}' (map '${column}' to another column too)`,
      );
  return value as Record<string, string>;
}

async function readManifest(file: string, mapping: Record<string, string>): Promise<InputItem[]> {
  let header: string[] = [];
  const rows = parse(await readFile(file, 'utf8'), {
    columns: (h: string[]) => (header = h),
    skip_empty_lines: true,
    trim: true,
  }) as Record<string, string>[];
  const col = (name: string) => mapping[name] ?? name;
  for (const [name, column] of Object.entries(mapping))
    if (!header.includes(column))
      throw new Error(`${file}: column '${column}' (mapped to '${name}') is not in the manifest (columns: ${header.join(', ')})`);
  if (rows.length > 0 && !header.includes(col('path')))
    throw new Error(`${file}: the manifest has no 'path' column (columns: ${header.join(', ')}; map another column with { path: '...' })`);
  const base = dirname(resolve(file));
  const items = rows.map((r, i) => {
    const path = r[col('path')];
    if (!path) throw new Error(`${file}: row ${i + 2} has an empty '${col('path')}'`);
    return { id: r[col('id')] || path, path: isAbsolute(path) ? path : join(base, path) };
  });
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id)) throw new Error(`${file}: id '${it.id}' appears twice`);
    seen.add(it.id);
  }
  return items;
}

/**
 * Lists the files to process: a directory is scanned for {@link AUDIO_EXTENSIONS} (recursively
 * unless `recurse` is false); a `.csv` file is read as a manifest with a `path` (and optional
 * `id`) column, or the columns `options.columns` maps to them.
 * @throws when the input does not exist, is empty, the mapping is invalid or names a column the
 *   manifest lacks, a mapping is given for a directory, or the manifest lacks the `path` column.
 */
export async function listInputs(input: string, options: ListInputsOptions = {}): Promise<InputItem[]> {
  const mapping = options.columns === undefined ? undefined : checkColumnMapping(options.columns, INPUT_COLUMNS, input);
  const st = await stat(input).catch(() => null);
  if (st === null) throw new Error(`${input}: no such file or directory`);
  if (st.isDirectory() && mapping !== undefined) throw new Error(`${input}: a column mapping applies to CSV manifests, not to folders`);
  const items = st.isDirectory()
    ? await scanDir(input, { recurse: options.recurse })
    : extname(input).toLowerCase() === '.csv'
      ? await readManifest(input, mapping ?? {})
      : null;
  if (items === null) throw new Error(`${input}: expected a directory of audio files or a .csv manifest with a 'path' column`);
  if (items.length === 0) throw new Error(`${input}: no audio files found (${AUDIO_EXTENSIONS.join(', ')})`);
  return items;
}

/**
 * The audio files named by command-line style `inputs`: folders are scanned as by
 * {@link scanDir}, `.csv` files are read as manifests (with `options.columns`), and any other
 * file is taken as it is.
 * @throws when an input does not exist, a column mapping is given but no input is a `.csv`
 *   manifest, or no audio file is found at all.
 */
export async function listInputFiles(inputs: readonly string[], options: ListInputsOptions = {}): Promise<string[]> {
  if (options.columns !== undefined && !inputs.some((p) => extname(p).toLowerCase() === '.csv'))
    throw new Error(`a column mapping applies to CSV manifests, and none of ${inputs.join(', ')} is a .csv file`);
  const out: string[] = [];
  for (const p of inputs) {
    const st = await stat(p).catch(() => null);
    if (st === null) throw new Error(`${p}: no such file or directory`);
    if (st.isDirectory()) out.push(...(await scanDir(p, { recurse: options.recurse })).map((it) => it.path));
    else if (extname(p).toLowerCase() === '.csv') out.push(...(await listInputs(p, { columns: options.columns })).map((it) => it.path));
    else out.push(p);
  }
  if (out.length === 0) throw new Error(`no audio files in ${inputs.join(', ')}`);
  return out;
}
