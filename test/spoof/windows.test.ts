// Whole-file spoof scoring: windows over the file, aggregation, and what the output says was scored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav16, loadAudio } from '../../src/audio/index.js';
import { noGrad, tensor, tidy } from '../../src/engine/index.js';
import {
  AASIST_SAMPLES,
  aggregateWindowLogits,
  fitAasistInput,
  resolveWindowing,
  scoreInWindows,
  windowStarts,
} from '../../src/models/index.js';
import { loadSpoofModel, scoreFiles, scoresCsv } from '../../src/spoof/index.js';
import { tempDir } from '../audio/helpers.js';
import { aasistSkip } from '../helpers/aasist.js';

const skip = aasistSkip;
const RATE = 16000;

test('windows: every sample is covered, the last window ends at the end, short clips have one', () => {
  assert.deepEqual(windowStarts(100, 40, 40), [0, 40, 60]);
  assert.deepEqual(windowStarts(120, 40, 40), [0, 40, 80]);
  assert.deepEqual(windowStarts(30, 40, 40), [0]);
  assert.deepEqual(windowStarts(100, 40, 20), [0, 20, 40, 60]);
  // A hop longer than the window samples the file (and says so by the covered seconds).
  assert.deepEqual(windowStarts(200, 40, 100), [0, 100]);
  assert.throws(() => resolveWindowing({ hopSamples: 0 }, 40), /hop must be a positive whole number/);
  assert.throws(() => resolveWindowing({ aggregate: 'median' as never }, 40), /aggregate must be one of mean, max, top-k/);
  assert.throws(() => resolveWindowing({ topK: 0 }, 40), /top-k must be a positive integer/);
});

test('windows: mean of the logits, the most spoof-like window, the mean of the k most spoof-like', () => {
  const w: [number, number][] = [
    [0, 2], // margin +2
    [1, -1], // −2 (most spoof-like)
    [0, 1], // +1
  ];
  const o = (aggregate: 'mean' | 'max' | 'top-k', topK = 2) => resolveWindowing({ aggregate, topK }, 10);
  assert.deepEqual(aggregateWindowLogits(w, o('mean')), [1 / 3, 2 / 3]);
  assert.deepEqual(aggregateWindowLogits(w, o('max')), [1, -1]);
  assert.deepEqual(aggregateWindowLogits(w, o('top-k')), [0.5, 0]);
  assert.deepEqual(aggregateWindowLogits(w, o('top-k', 10)), [1 / 3, 2 / 3]);
});

test('windows: pooled across clips in bounded batches, aggregated per clip, coverage reported', async () => {
  const clips = [Float32Array.from({ length: 100 }, () => 1), Float32Array.from({ length: 30 }, () => 2), new Float32Array(200).fill(3)];
  const batches: number[] = [];
  // "Logits" that expose what each window held: its sum, and its first sample.
  const rs = await scoreInWindows(clips, 40, resolveWindowing({}, 40), 4, (wave, rows) => {
    batches.push(rows);
    const out = new Float32Array(2 * rows);
    for (let r = 0; r < rows; r++) {
      const win = wave.subarray(r * 40, (r + 1) * 40);
      out[2 * r] = win.reduce((a, b) => a + b, 0);
      out[2 * r + 1] = win[0];
    }
    return out;
  });
  assert.deepEqual(batches, [4, 4, 1]); // 3 + 1 + 5 windows, at most 4 at a time
  assert.deepEqual(
    rs.map((r) => [r.windows, r.scoredSamples]),
    [
      [3, 100],
      [1, 30],
      [5, 200],
    ],
  );
  assert.deepEqual(rs[0].logits, [40, 1]);
  assert.deepEqual(rs[1].logits, [80, 2]); // tiled to the window
  await assert.rejects(
    scoreInWindows([new Float32Array(0)], 40, resolveWindowing({}, 40), 4, () => new Float32Array(2), ['a.wav']),
    /a\.wav: empty clip/,
  );
});

test('spoof score: a long file is judged on all of its windows, not its first 4.04 s', { skip }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  // 10 s: a tone for the first 4 s, then noise (different content the first window never sees).
  const n = 10 * RATE;
  let seed = 7;
  const tone = Float32Array.from({ length: n }, (_, i) => {
    if (i < 4 * RATE) return 0.3 * Math.sin((2 * Math.PI * 220 * i) / RATE);
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return 0.3 * (seed / 2 ** 31 - 0.5);
  });
  const path = join(dir, 'long.wav');
  writeFileSync(path, encodeWav16(tone, RATE));
  const x = (await loadAudio(path, { sampleRateHz: RATE })).samples; // as the scorer decodes it
  const model = await loadSpoofModel('aasist');
  try {
    const starts = windowStarts(n, AASIST_SAMPLES, AASIST_SAMPLES);
    assert.deepEqual(starts, [0, AASIST_SAMPLES, n - AASIST_SAMPLES]);
    model.module.eval();
    const windows = noGrad(() =>
      tidy(() =>
        model
          .forward(
            tensor(Float32Array.from(starts.flatMap((s) => Array.from(fitAasistInput(x.subarray(s, s + AASIST_SAMPLES))))), [
              starts.length,
              AASIST_SAMPLES,
            ]),
            starts.map(() => path),
          )
          .toFloat32(),
      ),
    );
    const mean = [0, 1].map((c) => (windows[c] + windows[2 + c] + windows[4 + c]) / 3);
    const {
      scores: [s],
    } = await scoreFiles(model, [path], { batchSize: 2 });
    assert.equal(s.windows, 3);
    assert.equal(s.seconds, 10);
    assert.equal(s.scoredSeconds, 10);
    s.logits.forEach((v, c) => assert.ok(Math.abs(v - mean[c]) < 1e-4, `class ${c}: ${v} vs ${mean[c]}`));
    assert.notEqual(s.score, windows[1], 'not the first window alone');
    const {
      scores: [first],
    } = await scoreFiles(model, [path], { hopSamples: 10 * AASIST_SAMPLES });
    assert.equal(first.windows, 1);
    assert.ok(Math.abs(first.scoredSeconds - AASIST_SAMPLES / RATE) < 1e-9);
    assert.ok(Math.abs(first.score - windows[1]) < 1e-4);
    const {
      scores: [worst],
    } = await scoreFiles(model, [path], { aggregate: 'max' });
    const margins = [0, 1, 2].map((k) => windows[2 * k + 1] - windows[2 * k]);
    assert.ok(Math.abs(worst.logits[1] - worst.logits[0] - Math.min(...margins)) < 1e-4);
    const csv = scoresCsv([s]).split('\n');
    assert.equal(csv[0], 'path,score,logit_spoof,logit_bonafide,windows,duration_s,scored_s');
    assert.match(csv[1], /,3,10,10$/);
    await assert.rejects(scoreFiles(model, [path], { topK: 0 }), /top-k must be a positive integer/);
  } finally {
    model.module.dispose();
  }
});
