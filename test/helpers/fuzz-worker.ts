// A worker thread that runs fuzz cases against the decoders (see fuzz.ts) and reports progress,
// so its parent can stop it and name the input when one hangs.
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { caseArb, checkDecode, fuzzSeeds, mutate, type FuzzCase } from './fuzz.js';

/** What the parent asks for. */
export interface FuzzJob {
  runs: number;
  seed: number;
  /** Send a progress message every this many cases. */
  reportEvery: number;
}

/** Messages to the parent. */
export type FuzzMessage =
  | { type: 'case'; seedFile: string; mutations: string }
  | { type: 'progress'; done: number; outcomes: Record<string, number> }
  | { type: 'done'; done: number; outcomes: Record<string, number> }
  | { type: 'failed'; message: string };

const job = workerData as FuzzJob;
const seeds = fuzzSeeds();
const outcomes: Record<string, number> = {};
let done = 0;
const post = (m: FuzzMessage) => parentPort!.postMessage(m);

try {
  await fc.assert(
    fc.asyncProperty(caseArb(seeds.length), async (c: FuzzCase) => {
      const seed = seeds[c.seed];
      // Before decoding: the last case announced is the one that hung, if any does.
      if (done % job.reportEvery === 0) post({ type: 'case', seedFile: seed.name, mutations: JSON.stringify(c.mutations) });
      const bytes = mutate(seed.bytes, c.mutations);
      const r = await checkDecode(bytes, `fuzz-${seed.name}`);
      const key = r.ok ? 'decoded' : r.kind;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      done++;
      if (done % job.reportEvery === 0) post({ type: 'progress', done, outcomes });
    }),
    { numRuns: job.runs, seed: job.seed, endOnFailure: true },
  );
  post({ type: 'done', done, outcomes });
} catch (e) {
  const cause = (e as Error).cause;
  post({ type: 'failed', message: `${(e as Error).message}${cause instanceof Error ? `\ncause: ${cause.message}` : ''}` });
}
