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
