// Fuzzing the decoders: thousands of mutated WAV, FLAC, MP3, Ogg Vorbis and Ogg Opus files; each
// decodes to well-formed audio or fails with one AudioError naming it; none crashes or hangs.
// (`npm run bench:fuzz` runs the same property on ≥ 100 000 inputs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../helpers/fuzz-run.js';

/** Cases per worker in the test suite (two workers). */
const RUNS = 2500;

test(`decoders: ${2 * RUNS} mutated files, no crash, no hang, every failure an AudioError naming the file`, async (t) => {
  const s = await runFuzz({ runs: RUNS, seed: 20261202, workers: 2, stallMs: 20_000 });
  t.diagnostic(`${s.cases} cases in ${s.seconds.toFixed(1)} s: ${JSON.stringify(s.outcomes)}`);
  assert.equal(s.cases, 2 * RUNS);
  assert.ok((s.outcomes.decoded ?? 0) > 0, 'some mutations still decode');
  assert.ok(Object.keys(s.outcomes).length > 2, 'the mutations reach several kinds of failure');
});
