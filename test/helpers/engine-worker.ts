// A piscina task for test/engine/threads.test.ts: a tensor made and read back in a worker thread.
import { tensor } from '../../src/engine/index.js';

export default function roundTrip(values: number[]): number[] {
  return Array.from(tensor(values).toArray() as Float32Array);
}
