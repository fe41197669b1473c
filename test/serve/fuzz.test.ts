// Fuzzing the HTTP upload path: mutated audio files (see test/helpers/fuzz.ts) as raw bodies
// under assorted content types and inside well- and ill-formed multipart bodies. The service
// must answer every one with 200 or a 4xx JSON error naming the problem: never a 5xx, never a
// hang, and it must stay healthy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, type RunningService } from '../../src/serve/index.js';
import { tempDir } from '../audio/helpers.js';
import { caseArb, fuzzSeeds, mutate, type Seed } from '../helpers/fuzz.js';
import { tinyModel } from './helpers.js';

/** Requests in the test suite (`npm run bench:fuzz` sends more). */
const RUNS = 300;
const CLIENT_ERRORS = new Set([400, 413, 415, 422]);
const TYPES = [
  'audio/wav',
  'audio/mpeg',
  'audio/ogg',
  'application/octet-stream',
  'audio/x-made-up',
  'text/plain',
  'multipart/form-data',
] as const;

let dir = '';
let cleanup = () => {};
let s: RunningService;
let seeds: Seed[] = [];
before(async () => {
  ({ dir, cleanup } = tempDir());
  s = await startServer({ modelPath: await tinyModel(dir), port: 0, webDir: null, threads: 1, maxBodyMb: 1, timeoutMs: 20_000 });
  seeds = fuzzSeeds();
});
after(async () => {
  await s?.close();
  cleanup();
});

/** A multipart body holding `bytes` as its file part; `broken` damages its framing. */
function multipart(bytes: Uint8Array, broken: boolean): { body: Uint8Array; type: string } {
  const boundary = 'fuzzBoundary7MA4YWxk';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(broken ? `\r\n--${boundary.slice(3)}--\r\n` : `\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), type: `multipart/form-data; boundary=${boundary}` };
}

test(`upload path: ${RUNS} mutated uploads, each a 200 or a 4xx JSON error; the service stays healthy`, async (t) => {
  const statuses: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(caseArb(seeds.length), fc.constantFrom(...TYPES), fc.boolean(), async (c, type, broken) => {
      const bytes = mutate(seeds[c.seed].bytes, c.mutations);
      const req = type === 'multipart/form-data' ? multipart(bytes, broken) : { body: bytes, type };
      const res = await fetch(`${s.url}/v1/analyze`, {
        method: 'POST',
        body: req.body,
        headers: { 'content-type': req.type },
        signal: AbortSignal.timeout(30_000),
      });
      const json = (await res.json()) as { error?: { code: string; message: string }; emotion?: unknown; speech?: unknown };
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) assert.ok('speech' in json && 'emotion' in json, JSON.stringify(json).slice(0, 200));
      else {
        assert.ok(CLIENT_ERRORS.has(res.status), `${res.status} for ${seeds[c.seed].name} as ${req.type}: ${JSON.stringify(json)}`);
        assert.ok(json.error && json.error.code.length > 0 && json.error.message.length > 0, JSON.stringify(json));
      }
    }),
    { numRuns: RUNS, seed: 4242, endOnFailure: true },
  );
  t.diagnostic(`statuses: ${JSON.stringify(statuses)}`);
  const health = await fetch(`${s.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual([((await health.json()) as { active: number }).active], [0]);
});
