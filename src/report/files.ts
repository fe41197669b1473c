/** Reading `trust.json`, and writing a run directory's `trust.json` and `trust.html`, each atomically. */
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../core/index.js';
import { renderTrustHtml } from './html.js';
import { TRUST_HTML, TRUST_JSON, TRUST_REPORT_VERSION, type TrustReport, parseTrustReport } from './schema.js';

/** Paths written by {@link writeTrustReport}. */
export interface WrittenTrustReport {
  json: string;
  html: string;
}

/**
 * Validates `report`, then writes `dir/trust.json` (the validated record, stamped with the
 * format version) and `dir/trust.html` (its rendered page). Each file is replaced atomically:
 * readers see the old file or the complete new one. `dir` is created when missing.
 * @throws Error naming the invalid field when the report does not validate (nothing is written).
 */
export async function writeTrustReport(dir: string, report: TrustReport): Promise<WrittenTrustReport> {
  const valid = parseTrustReport({ ...report, version: TRUST_REPORT_VERSION }, join(dir, TRUST_JSON));
  const html = renderTrustHtml([valid]);
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, TRUST_JSON), html: join(dir, TRUST_HTML) };
  await writeFileAtomic(paths.json, `${JSON.stringify(valid, null, 2)}\n`);
  await writeFileAtomic(paths.html, html);
  return paths;
}

/**
 * Reads and validates `trust.json`.
 * @param path - the file, or a run directory holding `trust.json`.
 */
export function loadTrustReport(path: string): TrustReport {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, TRUST_JSON);
  } catch {
    // reported below by the read
  }
  return parseTrustReport(readJsonFile(file, 'the trust report'), file);
}
