/**
 * A generic corpus described by a CSV manifest, for data sets without an adapter.
 *
 * Columns: `path` (audio file; relative paths are resolved against the manifest's folder),
 * `label` (raw emotion) and `speaker` are required. Optional: `id` (default: the path as
 * written, without its extension), `session`, `split` (official partition), `arousal`,
 * `valence`, `dominance` (numbers), `gender` (female/male/F/M), `age` (years), `race`,
 * `ethnicity`, `spoof` (anti-spoofing key: bonafide or spoof); any other column becomes a string
 * attribute. Empty optional cells are unset. The `columns` option maps these names onto the
 * file's own column names (`{ path: 'file', label: 'emotion', speaker: 'actor' }`); a file column
 * that carries a canonical name mapped to another column is then ignored.
 */
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { checkColumnMapping } from '../../audio/index.js';
import { compact, dropMissing, finish, isDir, isFile, missingPolicy, parseGender, readMetadata, toNumber } from './common.js';
import { cell, parseCsv, requireColumns, type CsvRow, type CsvTable } from './csv.js';
import { fail } from './errors.js';
import type { CorpusAdapter, ListOptions, SpoofLabel, Utterance, UtteranceAttributes, UtteranceLabels } from './types.js';

const ADAPTER = 'manifest';
/** File looked for when the root is a folder. */
export const MANIFEST_FILE = 'manifest.csv';
/** Required columns. */
export const MANIFEST_REQUIRED = ['path', 'label', 'speaker'];
const NUMERIC_LABELS = ['arousal', 'valence', 'dominance'];
const STRING_LABELS = ['split'];
const SPOOF_COLUMN = 'spoof';
const SPOOF_KEYS = new Set(['bonafide', 'spoof']);
const RESERVED = new Set(['id', 'path', 'label', 'speaker', 'session', 'gender', 'age', SPOOF_COLUMN, ...NUMERIC_LABELS, ...STRING_LABELS]);
/** Attributes with a documented meaning; other columns become attributes under their own name. */
const NAMED_ATTRIBUTES = ['race', 'ethnicity'];
/** Canonical names the `columns` option can map. */
export const MANIFEST_COLUMNS = [...RESERVED, ...NAMED_ATTRIBUTES];
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** Audio files whose existence is checked concurrently. */
const STAT_BATCH = 64;

/**
 * Checks that every column the mapping names is in the header.
 * @throws MetadataError naming the file, line 1 and the missing column.
 */
function requireMapped(table: CsvTable, mapping: Record<string, string>): void {
  for (const [name, column] of Object.entries(mapping))
    if (!table.columns.includes(column))
      fail(
        { file: table.file, line: 1, field: column },
        `missing column (option 'columns' maps '${name}' to it; header has: ${table.columns.join(', ')})`,
      );
}

function optionalNumber(table: CsvTable, row: CsvRow, column: string): number | undefined {
  const v = row.values[column];
  if (v === undefined || v === '') return undefined;
  const n = toNumber(v);
  if (n === null) fail({ file: table.file, line: row.line, field: column }, `expected a number, got '${v}'`);
  return n;
}

async function manifestFile(root: string): Promise<string> {
  if (typeof root !== 'string' || root === '')
    throw new Error(`${ADAPTER}: no manifest given (expected a .csv file or a folder holding ${MANIFEST_FILE})`);
  const abs = resolve(root);
  if (await isFile(abs)) return abs;
  if ((await isDir(abs)) && (await isFile(join(abs, MANIFEST_FILE)))) return join(abs, MANIFEST_FILE);
  throw new Error(`${ADAPTER}: ${abs} is neither a CSV manifest nor a folder holding ${MANIFEST_FILE}`);
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const file = await manifestFile(root);
  const corpus = options?.corpus ?? ADAPTER;
  if (typeof corpus !== 'string' || !NAME_PATTERN.test(corpus))
    throw new Error(`${ADAPTER}: option 'corpus' must be a lower-case name such as 'my-corpus', got ${JSON.stringify(corpus)}`);
  const policy = missingPolicy(options, corpus);
  const mapping =
    options?.columns === undefined ? {} : checkColumnMapping(options.columns, MANIFEST_COLUMNS, `${corpus}: option 'columns'`);
  const col = (name: string) => mapping[name] ?? name;
  const table = parseCsv(await readMetadata(file, corpus), file);
  requireMapped(table, mapping);
  requireColumns(table, MANIFEST_REQUIRED.map(col));
  /** File columns read under a canonical name, or shadowed by a mapped canonical name. */
  const claimed = new Set([...RESERVED, ...Object.keys(mapping), ...Object.values(mapping)]);
  const base = dirname(file);
  const ids = new Map<string, number>();
  const present = new Set<string>();
  const utts: Utterance[] = [];
  for (const row of table.rows) {
    const at = (name: string) => ({ file, line: row.line, field: col(name) });
    const value = (name: string) => row.values[col(name)] ?? '';
    const rawPath = cell(table, row, col('path'));
    const path = isAbsolute(rawPath) ? rawPath : join(base, rawPath);
    const id = value('id') || (extname(rawPath) ? rawPath.slice(0, -extname(rawPath).length) : rawPath);
    const prev = ids.get(id);
    if (prev !== undefined) fail(at(value('id') ? 'id' : 'path'), `id '${id}' was already used on line ${prev}`);
    ids.set(id, row.line);
    const labels: UtteranceLabels = { emotion: cell(table, row, col('label')) };
    for (const c of NUMERIC_LABELS) labels[c] = optionalNumber(table, row, col(c));
    for (const c of STRING_LABELS) labels[c] = value(c) || undefined;
    const key = value(SPOOF_COLUMN);
    if (key !== '') {
      if (!SPOOF_KEYS.has(key)) fail(at(SPOOF_COLUMN), `expected bonafide or spoof, got '${key}'`);
      labels.spoof = key as SpoofLabel;
    }
    const attributes: UtteranceAttributes = {};
    const g = value('gender');
    if (g !== '') {
      const gender = parseGender(g);
      if (gender === null) fail(at('gender'), `expected female or male (or F/M), got '${g}'`);
      attributes.gender = gender;
    }
    const age = optionalNumber(table, row, col('age'));
    if (age !== undefined && age < 0) fail(at('age'), `expected an age in years, got ${age}`);
    attributes.age = age;
    for (const c of table.columns) if (!claimed.has(c) && c !== '' && row.values[c] !== '') attributes[c] = row.values[c];
    for (const c of NAMED_ATTRIBUTES) if (value(c) !== '') attributes[c] = value(c);
    utts.push({
      id,
      path,
      corpus,
      speaker: `${corpus}:${cell(table, row, col('speaker'))}`,
      ...(value('session') ? { session: value('session') } : {}),
      labels: compact(labels),
      attributes: compact(attributes),
    });
  }
  if (utts.length === 0) throw new Error(`${file}: the manifest has no rows`);
  for (let i = 0; i < utts.length; i += STAT_BATCH) {
    const batch = utts.slice(i, i + STAT_BATCH);
    const exists = await Promise.all(batch.map((u) => isFile(u.path)));
    batch.forEach((u, j) => exists[j] && present.add(u.path));
  }
  return finish(dropMissing(utts, present, policy, corpus), options, corpus);
}

/**
 * The CSV manifest adapter. `root` is the manifest file (or a folder holding
 * {@link MANIFEST_FILE}). Options: `corpus` (the corpus name given to utterances and
 * prefixed to speakers; default 'manifest'), `missingAudio`, `columns` (canonical name → the
 * file's column name, for the names in {@link MANIFEST_COLUMNS}). Raw labels are used as they are
 * (the `identity` label map).
 */
export const manifest: CorpusAdapter = {
  name: ADAPTER,
  description: 'Generic CSV manifest: path, label, speaker columns (+ optional id, session, split, gender, age, race, ... as attributes)',
  labelMaps: {},
  defaultLabelMap: '',
  list,
};
