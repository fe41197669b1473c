/**
 * CSV metadata reading with line numbers, so errors can point at the offending row.
 */
import { parse } from 'csv-parse/sync';
import { fail } from './errors.js';

/** One data row: its values by column name and the file line it ends on (1-based). */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** A parsed CSV file. */
export interface CsvTable {
  file: string;
  /** Column names as written in the header (trimmed). */
  columns: string[];
  rows: CsvRow[];
}

/**
 * Parses CSV text whose first line is a header. Values are trimmed; blank lines are skipped.
 * @throws MetadataError naming the file and line for unbalanced quotes, a row with a different
 *   number of fields than the header, or an empty file.
 */
export function parseCsv(text: string, file: string, delimiter = ','): CsvTable {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      delimiter,
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    fail({ file, line: e.lines }, `not valid CSV: ${e.message}`);
  }
  if (records.length === 0) fail({ file }, 'the file is empty (expected a header line)');
  const columns = records[0].record.map((c) => c.trim());
  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.length !== columns.length)
      fail({ file, line: info.lines }, `row has ${record.length} fields, the header has ${columns.length}`);
    const values: Record<string, string> = {};
    columns.forEach((c, i) => (values[c] = record[i]));
    rows.push({ line: info.lines, values });
  }
  return { file, columns, rows };
}

/**
 * Checks that the table has the given columns.
 * @throws MetadataError naming the file, line 1 and the first missing column.
 */
export function requireColumns(table: CsvTable, required: readonly string[]): void {
  for (const c of required) {
    if (!table.columns.includes(c))
      fail({ file: table.file, line: 1, field: c }, `missing column (header has: ${table.columns.join(', ')})`);
  }
}

/**
 * A non-empty value of a row.
 * @throws MetadataError naming the file, line and column when it is empty.
 */
export function cell(table: CsvTable, row: CsvRow, column: string): string {
  const v = row.values[column];
  if (v === undefined || v === '') fail({ file: table.file, line: row.line, field: column }, 'empty value');
  return v;
}

/**
 * A numeric value of a row.
 * @throws MetadataError naming the file, line and column when it is not a finite number.
 */
export function numberCell(table: CsvTable, row: CsvRow, column: string): number {
  const v = cell(table, row, column);
  const n = Number(v);
  if (!Number.isFinite(n)) fail({ file: table.file, line: row.line, field: column }, `expected a number, got '${v}'`);
  return n;
}

/** Separates the pairs of a column mapping on the command line (`path=file,label=emotion`). */
const MAPPING_PAIR_SEPARATOR = ',';
/** Separates a canonical column name from the file's column name (`label=emotion`). */
const MAPPING_NAME_SEPARATOR = '=';

/**
 * Parses the command-line spelling of a column mapping, `path=file,label=emotion,speaker=actor`
 * (canonical column name = the CSV file's own column name; spaces around names are ignored), into
 * `{ path: 'file', label: 'emotion', speaker: 'actor' }`. Which canonical names are accepted is
 * checked by the reader the mapping is given to.
 * @throws Error quoting the bad part: an empty mapping, a pair without `=`, an empty name or
 *   column, a name given twice, or two names mapped to the same column.
 */
export function parseColumnMapping(text: string): Record<string, string> {
  if (text.trim() === '') throw new Error('empty column mapping (expected name=column pairs such as path=file,label=emotion)');
  const mapping = new Map<string, string>();
  const byColumn = new Map<string, string>();
  for (const raw of text.split(MAPPING_PAIR_SEPARATOR)) {
    const part = raw.trim();
    if (part === '') throw new Error(`'${text}': empty pair (expected name=column pairs separated by commas)`);
    const at = part.indexOf(MAPPING_NAME_SEPARATOR);
    if (at < 0) throw new Error(`'${part}': expected name=column (such as label=emotion)`);
    const name = part.slice(0, at).trim();
    const column = part.slice(at + 1).trim();
    if (name === '') throw new Error(`'${part}': the name before '=' is empty`);
    if (column === '') throw new Error(`'${part}': the column after '=' is empty`);
    if (column.includes(MAPPING_NAME_SEPARATOR)) throw new Error(`'${part}': expected one '=' (name=column)`);
    if (mapping.has(name)) throw new Error(`'${part}': '${name}' is mapped twice`);
    const other = byColumn.get(column);
    if (other !== undefined) throw new Error(`'${part}': column '${column}' is already mapped to '${other}'`);
    mapping.set(name, column);
    byColumn.set(column, name);
  }
  return Object.fromEntries(mapping);
}
