/**
 * Readable validation errors: zod issues as `label: field.path: message` lines, every issue of a
 * value (not only the first), and for a misspelt key the closest valid name at that place.
 */
import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';

/** Lower-case without separators, so `batch_size`, `Batch-Size` and `batchSize` compare equal. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The valid name closest to `given`, or null when none is close: after `aliases` (known
 * long-hand spellings, e.g. `learningrate` → `lr`), the one valid name that `given` begins, else
 * the nearest by edit distance if within a third of the name (at least 2), on squashed spellings.
 */
export function closestName(given: string, known: readonly string[], aliases: Readonly<Record<string, string>> = {}): string | null {
  const alias = aliases[squash(given)];
  if (alias !== undefined && known.includes(alias)) return alias;
  const g = squash(given);
  // A shortened name (`hidden` for `hiddenDims`) is a strong hint on its own.
  const prefixed = known.filter((k) => g.length >= 3 && squash(k).startsWith(g));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(g, squash(k));
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(given.length / 3)) ? best : null;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  element?: z.ZodType;
  valueType?: z.ZodType;
};

/** The object keys a schema accepts at `path` (unions: the keys of every option). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = schema.def as unknown as Def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return keysAt(def.innerType!, path);
    case 'pipe':
      return keysAt(def.in!, path);
    case 'union':
      return [...new Set(def.options!.flatMap((o) => keysAt(o, path)))];
    case 'array':
      return path.length ? keysAt(def.element!, path.slice(1)) : [];
    case 'record':
      return path.length ? keysAt(def.valueType!, path.slice(1)) : [];
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape!);
      const next = def.shape![String(path[0])];
      return next ? keysAt(next, path.slice(1)) : [];
    }
    default:
      return [];
  }
}

/** A zod issue path as `a.b.0.c` (the root as `(root)`). */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(root)';
}

/** Options of {@link issueLines}. */
export interface IssueOptions {
  /** The schema the value was parsed with: unknown keys then name the closest valid key. */
  schema?: z.ZodType;
  /** Long-hand key spellings (squashed) → the key they mean, for the suggestions. */
  aliases?: Readonly<Record<string, string>>;
  /** Path of the parsed value inside a larger document (prefixes every field). */
  at?: readonly PropertyKey[];
}

/**
 * One `field.path: message` line per issue. With a schema, an unknown key names the closest valid
 * key at its place (`unknown key 'learningrate' (did you mean 'lr'?)`) or lists the valid ones.
 */
export function issueLines(error: z.ZodError, o: IssueOptions = {}): string[] {
  const at = o.at ?? [];
  const lines: string[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys' && o.schema) {
      const known = keysAt(o.schema, i.path);
      for (const key of i.keys) {
        const near = closestName(key, known, o.aliases);
        const hint = near ? `did you mean '${near}'?` : `valid keys: ${known.join(', ')}`;
        lines.push(`${issuePath([...at, ...i.path, key])}: unknown key '${key}' (${hint})`);
      }
    } else {
      lines.push(`${issuePath([...at, ...i.path])}: ${i.message}`);
    }
  }
  return lines;
}

/** {@link issueLines}, each line prefixed with `label: ` (a file name), joined by newlines. */
export function formatIssues(label: string, error: z.ZodError, o: IssueOptions = {}): string {
  return issueLines(error, o)
    .map((l) => `${label}: ${l}`)
    .join('\n');
}
