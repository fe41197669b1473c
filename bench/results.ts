/**
 * Writes one benchmark's section of bench/RESULTS.md, replacing that section's previous text
 * (between `<!-- NAME:start -->` and `<!-- NAME:end -->`) and keeping the others. Atomic.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../src/core/atomic.js';
import { packageRoot } from '../src/core/paths.js';

const HEADER =
  '# Benchmark results\n\nEach section is written by its benchmark (`npm run bench:NAME`); numbers are from the run on the date shown.\n';

const RESULTS_FILE = join(packageRoot(), 'bench', 'RESULTS.md');
const markers = (name: string) => ({ start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` });

/** Replaces (or appends) the section `name` of bench/RESULTS.md with `markdown`. */
export function writeResultsSection(name: string, markdown: string): string {
  const text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : HEADER;
  const { start, end } = markers(name);
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileAtomicSync(RESULTS_FILE, next);
  return RESULTS_FILE;
}

/** The text of section `name` of bench/RESULTS.md as written earlier ('' when there is none). */
export function recordedSection(name: string): string {
  const text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '';
  const { start, end } = markers(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  return i >= 0 && j > i ? text.slice(i, j) : '';
}

/** A machine description for result tables. */
export function machineLine(): string {
  const os = process.platform;
  return `${os}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/**
 * The glibc allocator settings the engine's addon applies to itself at load (native/src/addon.cc),
 * as environment variables, so that Python references run under the same allocator and speed
 * ratios compare the frameworks, not their malloc settings.
 */
const REFERENCE_MALLOC_ENV = { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: '2147483647' } as const;

/**
 * Runs a Python reference script with Debian's python3 (torch, torchaudio), one BLAS thread (torch
 * uses its own threads) and {@link REFERENCE_MALLOC_ENV}; returns its last stdout line parsed as
 * JSON. Errors end with `hint` (how to get the reference stack).
 */
export function runPythonReference<T>(script: string, args: readonly string[], hint = "install it with 'bash scripts/setup --bench'"): T {
  const r = spawnSync('/usr/bin/python3', [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', ...REFERENCE_MALLOC_ENV },
  });
  if (r.status !== 0) throw new Error(`Python reference ${script} failed (${hint}): ${(r.stderr ?? '').trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/**
 * Items per second of `step` (one call handles `items` items): `warmup` untimed calls, then
 * calls timed until at least `minSeconds` have passed and `minRuns` calls were made.
 */
export async function itemsPerSecond(
  items: number,
  minSeconds: number,
  step: () => unknown,
  o: { warmup?: number; minRuns?: number } = {},
): Promise<number> {
  for (let i = 0; i < (o.warmup ?? 1); i++) await step();
  let n = 0;
  const t0 = performance.now();
  for (;;) {
    await step();
    n++;
    const s = (performance.now() - t0) / 1000;
    if (s >= minSeconds && n >= (o.minRuns ?? 1)) return (n * items) / s;
  }
}
