/** Reading JSON files with errors that name the file and say what it was meant to be. */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { formatIssues } from './issues.js';

/**
 * Reads and parses the JSON file `path`. Errors: `PATH: cannot read WHAT (CODE)HINT` and
 * `PATH: not valid JSON (reason)`. With `optional`, a missing file gives `undefined`.
 * @param what what the file is, for the error ("the trust report")
 */
export function readJsonFile(path: string, what: string, o: { hint?: string; optional?: boolean } = {}): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (o.optional && code === 'ENOENT') return undefined;
    throw new Error(`${path}: cannot read ${what} (${code ?? (e as Error).message})${o.hint ?? ''}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads `path` (see {@link readJsonFile}) and validates it with `schema`: the typed value, or an
 * error with one `PATH: field: problem` line per issue.
 */
export function readJsonWith<S extends z.ZodType>(path: string, schema: S, what: string, o: { hint?: string } = {}): z.output<S> {
  const r = schema.safeParse(readJsonFile(path, what, o));
  if (!r.success) throw new Error(formatIssues(path, r.error, { schema }));
  return r.data;
}
