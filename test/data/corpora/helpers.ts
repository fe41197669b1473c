/**
 * Fixture trees for the corpus adapter tests: a temporary folder filled with tiny audio files
 * and metadata in each corpus' real layout, generated at run time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tone, wavFromFloat } from '../../audio/helpers.js';

export { LIBRISPEECH_DIR, RAVDESS_DIR, sharedSkip, TESS_DIR } from '../../audio/helpers.js';

/** Sample rate of the fixture audio (Hz). */
const FIXTURE_RATE_HZ = 16000;
/** Length of each fixture clip (samples): 0.1 s. */
const FIXTURE_SAMPLES = 1600;

/** A temporary corpus folder. */
export interface Fixture {
  root: string;
  /** Writes a text file (parents created) and returns its absolute path. */
  text(rel: string, content: string): string;
  /** Writes a tiny 16-bit WAV (0.1 s tone by default) and returns its absolute path. */
  wav(rel: string, samples?: number): string;
  /** Writes arbitrary bytes. */
  bytes(rel: string, data: Uint8Array): string;
  cleanup(): void;
}

/** Creates an empty fixture folder. */
export function fixture(prefix = 'corpus'): Fixture {
  const root = mkdtempSync(join(tmpdir(), `trustser-${prefix}-`));
  const write = (rel: string, data: string | Uint8Array): string => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    return p;
  };
  return {
    root,
    text: (rel, content) => write(rel, content),
    wav: (rel, samples = FIXTURE_SAMPLES) => write(rel, wavFromFloat(tone(220, FIXTURE_RATE_HZ, samples, 0.1), FIXTURE_RATE_HZ)),
    bytes: (rel, data) => write(rel, data),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A FLAC file holding only the `fLaC` marker and a STREAMINFO block (no audio frames): enough
 * for header-based duration reading and for adapters that only list files.
 */
export function flacHeaderOnly(sampleRateHz: number, totalSamples: number): Uint8Array {
  const b = new Uint8Array(4 + 4 + 34);
  b.set([0x66, 0x4c, 0x61, 0x43]); // 'fLaC'
  b.set([0x80, 0, 0, 34], 4); // last block, type 0 (STREAMINFO), 34 bytes
  const s = 8;
  b[s] = 0x10; // min block size 4096
  b[s + 2] = 0x10; // max block size 4096
  // 20 bits rate, 3 bits channels-1 (0), 5 bits bps-1 (15), 36 bits total samples.
  b[s + 10] = (sampleRateHz >> 12) & 0xff;
  b[s + 11] = (sampleRateHz >> 4) & 0xff;
  b[s + 12] = ((sampleRateHz & 0x0f) << 4) | (0 << 1) | ((15 >> 4) & 1);
  b[s + 13] = ((15 & 0x0f) << 4) | (Math.floor(totalSamples / 2 ** 32) & 0x0f);
  const low = totalSamples % 2 ** 32;
  b[s + 14] = (low >>> 24) & 0xff;
  b[s + 15] = (low >>> 16) & 0xff;
  b[s + 16] = (low >>> 8) & 0xff;
  b[s + 17] = low & 0xff;
  return b;
}

/**
 * Asserts that `promise` rejects with a message containing every fragment (file, line, field).
 */
export async function rejectsWith(promise: Promise<unknown>, ...fragments: string[]): Promise<string> {
  let message = '';
  await assert.rejects(promise, (err: Error) => {
    message = err.message;
    for (const f of fragments)
      assert.ok(err.message.includes(f), `expected the error to mention ${JSON.stringify(f)}, got: ${err.message}`);
    return true;
  });
  return message;
}

/** Counts of a string-valued key over items, as a plain object with sorted keys. */
export function tally<T>(items: readonly T[], key: (x: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) {
    const k = key(x);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
