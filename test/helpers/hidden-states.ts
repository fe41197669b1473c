/** Shared by the backbone parity tests: the fixture scripts' waveform and their reference hidden states. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixture scripts' deterministic waveform (computed in float64, stored as float32). */
export function fixtureWaveform(n: number, phase = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.031 * i + phase) + 0.3 * Math.sin(0.17 * i * (1 + i / (4 * n))));
}

/** `layers` float32 blocks of `size` values each, from a fixture file in `dir`. */
export function referenceLayers(dir: string, file: string, layers: number, size: number): Float32Array[] {
  const all = new Float32Array(new Uint8Array(readFileSync(join(dir, file))).buffer);
  assert.equal(all.length, layers * size, `${file}: expected ${layers} × ${size} values`);
  return Array.from({ length: layers }, (_, l) => all.subarray(l * size, (l + 1) * size));
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
