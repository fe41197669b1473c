/**
 * Writes one benchmark's section of bench/RESULTS.md, replacing that section's previous text
 * (between `<!-- NAME:start -->` and `<!-- NAME:end -->`) and keeping the others. Atomic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../src/util/atomic.js';
import { packageRoot } from '../src/util/paths.js';

const HEADER = '# Benchmark results\n\nEach section is written by its benchmark (`npm run bench:NAME`); numbers are from the run on the date shown.\n';

/** Replaces (or appends) the section `name` of bench/RESULTS.md with `markdown`. */
export function writeResultsSection(name: string, markdown: string): string {
  const path = join(packageRoot(), 'bench', 'RESULTS.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileAtomicSync(path, next);
  return path;
}

/** A machine description for result tables. */
export function machineLine(): string {
  const os = process.platform;
  return `${os}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}
