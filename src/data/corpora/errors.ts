/**
 * Errors about corpus metadata. Every message names the file, and where they apply the line
 * (1-based) and the field, so a user can open the file and fix it.
 */

/** Where in a metadata file a problem was found. */
export interface MetadataLocation {
  /** File the problem is in (metadata file, or the audio file whose name carries the labels). */
  file: string;
  /** 1-based line (or CSV row's line) number. */
  line?: number;
  /** Name of the field / column / file-name part that is wrong. */
  field?: string;
}

/** A malformed or inconsistent piece of corpus metadata. */
export class MetadataError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  /** The problem without the location prefix. */
  readonly reason: string;

  constructor(where: MetadataLocation, reason: string) {
    super(`${formatLocation(where)}: ${reason}`);
    this.name = 'MetadataError';
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
    this.reason = reason;
  }
}

/** `file:line: field 'x'` style prefix. */
function formatLocation(where: MetadataLocation): string {
  let s = where.file;
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.field !== undefined) s += `: field '${where.field}'`;
  return s;
}

/** Throws a {@link MetadataError}. */
export function fail(where: MetadataLocation, reason: string): never {
  throw new MetadataError(where, reason);
}

/** `JSON.stringify` for quoting offending values in messages (truncated to 60 characters). */
export function quote(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
