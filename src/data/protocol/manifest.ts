/**
 * Split manifests: the versioned JSON file that fixes which utterances (by id) each fold
 * trains, validates and tests on. Loading validates every field with zod and names the file
 * and field of any problem; saving is atomic and writes nothing when the split is invalid.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Utterance } from '../corpora/index.js';
import { writeFileAtomic } from '../../core/index.js';
import { checkSplit } from './check.js';

/** The manifest version this code reads and writes. */
export const SPLIT_MANIFEST_VERSION = 1;
/** Value of `createdBy` in every manifest. */
export const SPLIT_CREATOR = 'trustser';
/** The kinds of split the generators produce (`custom`: made elsewhere). */
export const SPLIT_KINDS = [
  'speaker-kfold',
  'leave-one-speaker-out',
  'leave-one-session-out',
  'official',
  'utterance-holdout',
  'cross-corpus',
  'all',
  'custom',
] as const;
export type SplitKind = (typeof SPLIT_KINDS)[number];

/** One fold: utterance ids per partition. */
export interface Fold {
  name: string;
  train: string[];
  /** May be empty (no development set). */
  dev: string[];
  test: string[];
}

/** A split manifest (version 1). */
export interface Split {
  version: 1;
  /** Corpus name (`'+'`-joined when utterances of several corpora are split together). */
  corpus: string;
  kind: SplitKind;
  /** Seed of the generator (0 for deterministic splits such as `official`). */
  seed: number;
  createdBy: 'trustser';
  /**
   * False only for splits that knowingly share speakers between partitions (utterance-level
   * holdout, MELD's official partitions); {@link checkSplit} then skips the speaker check.
   * Absent means true.
   */
  speakerIndependent?: boolean;
  /**
   * True when dev utterances may share speakers with training (a training corpus with too few
   * speakers for a speaker-level dev set); test still shares none. Absent means false.
   */
  devSharesSpeakers?: boolean;
  /** Human-readable remark (e.g. why a split is not speaker-independent). */
  note?: string;
  /** Generator options, recorded for reproducibility. */
  options?: Record<string, unknown>;
  folds: Fold[];
}

const Id = z.string().min(1, 'expected a non-empty utterance id');
const FoldSchema = z.strictObject({
  name: z.string().min(1, 'expected a non-empty fold name'),
  train: z.array(Id).min(1, 'the training partition is empty'),
  dev: z.array(Id),
  /** Empty only in an `all` split (the deployed model, tested elsewhere). */
  test: z.array(Id),
});
const SplitSchema = z
  .strictObject({
    version: z.literal(SPLIT_MANIFEST_VERSION),
    corpus: z.string().min(1, 'expected a non-empty corpus name'),
    kind: z.enum(SPLIT_KINDS),
    seed: z.number().int('expected an integer seed'),
    createdBy: z.literal(SPLIT_CREATOR),
    speakerIndependent: z.boolean().optional(),
    devSharesSpeakers: z.boolean().optional(),
    note: z.string().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    folds: z.array(FoldSchema).min(1, 'expected at least one fold'),
  })
  .superRefine((s, ctx) => {
    const names = new Map<string, number>();
    s.folds.forEach((f, i) => {
      const prev = names.get(f.name);
      if (prev !== undefined)
        ctx.addIssue({ code: 'custom', path: ['folds', i, 'name'], message: `fold name '${f.name}' is also used by folds[${prev}]` });
      names.set(f.name, i);
    });
    s.folds.forEach((f, i) => {
      if (f.test.length === 0 && s.kind !== 'all')
        ctx.addIssue({ code: 'custom', path: ['folds', i, 'test'], message: 'the test partition is empty' });
    });
    if (s.kind === 'utterance-holdout' && s.speakerIndependent !== false) {
      ctx.addIssue({
        code: 'custom',
        path: ['speakerIndependent'],
        message: "an 'utterance-holdout' split shares speakers between partitions and must say speakerIndependent: false",
      });
    }
  });

/** `folds[0].train[3]` style rendering of an issue path. */
function fieldPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `${s ? '.' : ''}${String(p)}`;
  return s || '(root)';
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * Validates a manifest object.
 * @param label - the file name (or another label) that prefixes every error.
 * @throws Error `label: field 'x': problem` (all problems, one per line).
 */
export function parseSplit(value: unknown, label = 'split'): Split {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${label}: a split manifest must be a JSON object`);
  const version = (value as Record<string, unknown>).version;
  if (version === undefined) throw new Error(`${label}: field 'version': missing (expected ${SPLIT_MANIFEST_VERSION})`);
  if (version !== SPLIT_MANIFEST_VERSION)
    throw new Error(
      `${label}: field 'version': unsupported split manifest version ${JSON.stringify(version)} (this trustser reads version ${SPLIT_MANIFEST_VERSION})`,
    );
  const r = SplitSchema.safeParse(value);
  if (r.success) return r.data as Split;
  const lines = r.error.issues.map((i) => {
    const missing = i.code !== 'custom' && i.code !== 'unrecognized_keys' && valueAt(value, i.path) === undefined;
    const message =
      i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.map((k) => `'${k}'`).join(', ')}` : missing ? 'missing' : i.message;
    return `${label}: field '${fieldPath(i.path)}': ${message}`;
  });
  throw new Error(lines.join('\n'));
}

/**
 * Reads and validates a split manifest; with `utterances`, also runs {@link checkSplit}.
 * @throws Error naming the file (and the field) when it cannot be read, is not JSON, or is invalid.
 */
export async function loadSplit(path: string, utterances?: readonly Utterance[]): Promise<Split> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read the split manifest (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`, {
      cause: err,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const split = parseSplit(value, path);
  if (utterances) checkSplit(split, utterances);
  return split;
}

/** The manifest with its fields in the canonical order (for stable, readable files). */
function canonical(s: Split): Split {
  const out: Split = { version: s.version, corpus: s.corpus, kind: s.kind, seed: s.seed, createdBy: s.createdBy, folds: [] };
  if (s.devSharesSpeakers !== undefined) out.devSharesSpeakers = s.devSharesSpeakers;
  if (s.speakerIndependent !== undefined) out.speakerIndependent = s.speakerIndependent;
  if (s.note !== undefined) out.note = s.note;
  if (s.options !== undefined) out.options = s.options;
  out.folds = s.folds.map((f) => ({ name: f.name, train: f.train, dev: f.dev, test: f.test }));
  return out;
}

/**
 * Validates `split` (and, with `utterances`, checks it with {@link checkSplit}) and writes it
 * to `path` atomically as indented JSON. Nothing is written when validation fails.
 * @throws Error naming the path and field of an invalid split, or the I/O failure.
 */
export async function saveSplit(path: string, split: Split, utterances?: readonly Utterance[]): Promise<void> {
  const valid = parseSplit(split, path);
  if (utterances) checkSplit(valid, utterances);
  await writeFileAtomic(path, `${JSON.stringify(canonical(valid), null, 2)}\n`);
}
