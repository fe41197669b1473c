/**
 * A generic corpus described by a CSV manifest, for data sets without an adapter.
 *
 * Columns: `path` (audio file; relative paths are resolved against the manifest's folder),
 * `label` (raw emotion) and `speaker` are required. Optional: `id` (default: the path as
 * written, without its extension), `session`, `split` (official partition), `arousal`,
 * `valence`, `dominance` (numbers), `gender` (female/male/F/M), `age` (years), `race`,
 * `ethnicity`, `spoof` (anti-spoofing key: bonafide or spoof); any other column becomes a string
 * attribute. Empty optional cells are unset.
 */
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
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
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** Audio files whose existence is checked concurrently. */
const STAT_BATCH = 64;

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
  const table = parseCsv(await readMetadata(file, corpus), file);
  requireColumns(table, MANIFEST_REQUIRED);
  const base = dirname(file);
  const ids = new Map<string, number>();
  const present = new Set<string>();
  const utts: Utterance[] = [];
  for (const row of table.rows) {
    const at = (field: string) => ({ file, line: row.line, field });
    const rawPath = cell(table, row, 'path');
    const path = isAbsolute(rawPath) ? rawPath : join(base, rawPath);
    const id = row.values.id || (extname(rawPath) ? rawPath.slice(0, -extname(rawPath).length) : rawPath);
    const prev = ids.get(id);
    if (prev !== undefined) fail(at(row.values.id ? 'id' : 'path'), `id '${id}' was already used on line ${prev}`);
    ids.set(id, row.line);
    const labels: UtteranceLabels = { emotion: cell(table, row, 'label') };
    for (const c of NUMERIC_LABELS) labels[c] = optionalNumber(table, row, c);
    for (const c of STRING_LABELS) labels[c] = row.values[c] || undefined;
    const key = row.values[SPOOF_COLUMN] ?? '';
    if (key !== '') {
      if (!SPOOF_KEYS.has(key)) fail(at(SPOOF_COLUMN), `expected bonafide or spoof, got '${key}'`);
      labels.spoof = key as SpoofLabel;
    }
    const attributes: UtteranceAttributes = {};
    const g = row.values.gender ?? '';
    if (g !== '') {
      const gender = parseGender(g);
      if (gender === null) fail(at('gender'), `expected female or male (or F/M), got '${g}'`);
      attributes.gender = gender;
    }
    const age = optionalNumber(table, row, 'age');
    if (age !== undefined && age < 0) fail(at('age'), `expected an age in years, got ${age}`);
    attributes.age = age;
    for (const c of table.columns) if (!RESERVED.has(c) && c !== '' && row.values[c] !== '') attributes[c] = row.values[c];
    utts.push({
      id,
      path,
      corpus,
      speaker: `${corpus}:${cell(table, row, 'speaker')}`,
      ...(row.values.session ? { session: row.values.session } : {}),
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
 * prefixed to speakers; default 'manifest'), `missingAudio`. Raw labels are used as they are
 * (the `identity` label map).
 */
export const manifest: CorpusAdapter = {
  name: ADAPTER,
  description: 'Generic CSV manifest: path, label, speaker columns (+ optional id, session, split, gender, age, race, ... as attributes)',
  labelMaps: {},
  defaultLabelMap: '',
  list,
};
