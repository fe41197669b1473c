/**
 * Which files are audio: every audio file under a directory, or the `path` column of a CSV
 * manifest (paths relative to the manifest's folder).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

/** File extensions treated as audio when scanning a directory. */
export const AUDIO_EXTENSIONS = ['.wav', '.flac', '.mp3', '.ogg', '.opus'];

/** One file to process: a stable id (output key) and its path. */
export interface InputItem {
  id: string;
  path: string;
}

/** Every audio file under `root` (recursive, sorted), with ids relative to `root`. */
export async function scanDir(root: string): Promise<InputItem[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && AUDIO_EXTENSIONS.includes(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort()
    .map((p) => ({ id: relative(root, p), path: p }));
}

async function readManifest(file: string): Promise<InputItem[]> {
  const rows = parse(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  if (rows.length > 0 && !('path' in rows[0]))
    throw new Error(`${file}: the manifest has no 'path' column (columns: ${Object.keys(rows[0]).join(', ')})`);
  const base = dirname(resolve(file));
  const items = rows.map((r, i) => {
    if (!r.path) throw new Error(`${file}: row ${i + 2} has an empty 'path'`);
    return { id: r.id || r.path, path: isAbsolute(r.path) ? r.path : join(base, r.path) };
  });
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id)) throw new Error(`${file}: id '${it.id}' appears twice`);
    seen.add(it.id);
  }
  return items;
}

/**
 * Lists the files to process: a directory is scanned recursively for {@link AUDIO_EXTENSIONS};
 * a `.csv` file is read as a manifest with a `path` (and optional `id`) column.
 * @throws when the input does not exist, is empty, or the manifest lacks the `path` column.
 */
export async function listInputs(input: string): Promise<InputItem[]> {
  const st = await stat(input).catch(() => null);
  if (st === null) throw new Error(`${input}: no such file or directory`);
  const items = st.isDirectory() ? await scanDir(input) : extname(input).toLowerCase() === '.csv' ? await readManifest(input) : null;
  if (items === null) throw new Error(`${input}: expected a directory of audio files or a .csv manifest with a 'path' column`);
  if (items.length === 0) throw new Error(`${input}: no audio files found (${AUDIO_EXTENSIONS.join(', ')})`);
  return items;
}
