import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustSummary } from '../../src/runtime/export/run.js';
import { trustScores, trustScoreSources } from '../../src/report/radar.js';
import { BONAFIDE_CLASS } from '../../src/models/aasist/model.js';
import { LOGITS_OUTPUT, SCORE_INDEX, SPOOF_CLASSES, WAVE_INPUT } from '../../src/runtime/index.js';
import {
  BONAFIDE_LOGIT_INDEX,
  SPOOF_INPUT,
  SPOOF_LOGIT_INDEX,
  SPOOF_OUTPUT,
  analyzeEmotion,
  emotionResult,
  meanPosteriors,
  resolveServeOptions,
  spoofVerdict,
  summaryTrustScores,
  summaryTrustSources,
} from '../../src/serve/index.js';
import { fullReport, minimalReport } from '../report/fixtures.js';

describe('analysis helpers', () => {
  test('no emotion for a clip without speech: digital silence, low-level noise, 10 ms; the model is not even asked', async () => {
    const rate = 16000;
    const never = async () => assert.fail('the model must not run on a clip without speech');
    const noise = Float32Array.from({ length: rate }, (_, i) => 1e-5 * Math.sin(i * 1.7));
    const tone = (n: number) => Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 200 * i) / rate));
    for (const [name, x, reason] of [
      ['silence', new Float32Array(2 * rate), /digital silence/],
      ['noise at −100 dBFS', noise, /silence \(loudest frame -10\d\.\d dBFS, below the -70 dBFS floor\)/],
      ['10 ms', tone(160), /too short to hold speech \(10 ms; at least 100 ms needed\)/],
    ] as const) {
      const r = await analyzeEmotion(['a', 'b'], x, rate, never);
      assert.equal(r.emotion, null, name);
      assert.deepEqual(r.windows, [], name);
      assert.equal(r.speech.detected, false, name);
      assert.match(r.speech.reason ?? '', reason, name);
    }
    const r = await analyzeEmotion(['a', 'b'], tone(rate), rate, async () => [{ startSeconds: 0, endSeconds: 1, probs: [0.25, 0.75] }]);
    assert.equal(r.emotion?.label, 'b');
    assert.equal(r.speech.detected, true);
    assert.ok(Math.abs(r.speech.activeSeconds - 1) < 0.02, `active ${r.speech.activeSeconds} s`);
    assert.ok(r.speech.peakDbfs !== null && Math.abs(r.speech.peakDbfs - 10 * Math.log10(0.045)) < 0.1);
  });

  test('the decision is the mean of the windows, keyed by class; the label its argmax', () => {
    const classes = ['a', 'b', 'c'];
    const w = [
      { startSeconds: 0, endSeconds: 1, probs: [0.2, 0.5, 0.3] },
      { startSeconds: 0.5, endSeconds: 1.5, probs: [0.6, 0.1, 0.3] },
    ];
    const r = emotionResult(classes, w);
    assert.deepEqual(r.emotion.probs, { a: (0.2 + 0.6) / 2, b: (0.5 + 0.1) / 2, c: (0.3 + 0.3) / 2 });
    assert.equal(r.emotion.label, 'a');
    assert.deepEqual(
      r.windows.map((x) => x.label),
      ['b', 'a'],
    );
    assert.throws(() => meanPosteriors([], 3), /no analysis windows/);
    assert.throws(() => emotionResult(['a', 'b'], w), /3 probabilities for 2 classes/);
  });

  test('spoof verdict: the bona fide logit is the score, in the AASIST class order', () => {
    assert.equal(BONAFIDE_LOGIT_INDEX, BONAFIDE_CLASS);
    // The browser-safe copy of the contract agrees with the runtime's.
    assert.deepEqual([SPOOF_INPUT, SPOOF_OUTPUT, BONAFIDE_LOGIT_INDEX], [WAVE_INPUT, LOGITS_OUTPUT, SCORE_INDEX]);
    assert.equal(SPOOF_CLASSES[SPOOF_LOGIT_INDEX], 'spoof');
    const scored = { windows: 3, scoredSeconds: 10.5 };
    assert.deepEqual(spoofVerdict([-1.5, 2], scored), {
      score: 2,
      label: 'bonafide',
      logits: { spoof: -1.5, bonafide: 2 },
      ...scored,
      pSpoof: null,
      threshold: null,
    });
    assert.equal(spoofVerdict([3, 0.5], scored).label, 'spoof');
    // Calibrated: judged at the threshold (not by the larger logit), with P(spoof).
    const c = { kind: 'logistic' as const, slope: 2, intercept: -1, threshold: 0.25, dev: { bonafide: 10, spoof: 10, eer: 0.1 } };
    const v = spoofVerdict([3, 0.5], scored, c);
    assert.equal(v.label, 'bonafide');
    assert.equal(v.threshold, 0.25);
    assert.ok(Math.abs(v.pSpoof! - 0.5) < 1e-12, String(v.pSpoof));
    assert.throws(() => spoofVerdict([1, 2, 3], scored), /must output 2 logits/);
  });
});

describe('trust scores from the sidecar summary', () => {
  test("equal the report radar's scores of the audit they summarize", () => {
    for (const r of [fullReport('a', 0.3), fullReport('b', 0.8), minimalReport()]) {
      const s = trustSummary(r);
      assert.deepEqual(summaryTrustScores(s), trustScores(r), r.model.name);
      const want = trustScoreSources(r);
      const got = summaryTrustSources(s);
      for (const k of ['accuracy', 'fairness', 'safety', 'privacy'] as const) assert.equal(got[k], want[k], `${r.model.name} ${k}`);
      assert.equal(got.efficiency === null, want.efficiency === null);
    }
  });
});

describe('serve options', () => {
  test('defaults, and one clear error per bad field', () => {
    const o = resolveServeOptions({ modelPath: 'm.onnx', webDir: null });
    assert.equal(o.host, '127.0.0.1', 'loopback by default');
    assert.equal(o.maxBodyBytes, 16 * 1024 * 1024);
    assert.equal(o.token, null);
    assert.equal(resolveServeOptions({ modelPath: 'm.onnx', windowSeconds: 1 }).hopSeconds, 1, 'the hop never exceeds a short window');
    assert.throws(() => resolveServeOptions({ modelPath: '' }), /^Error: modelPath: the SER model/);
    assert.throws(() => resolveServeOptions({ modelPath: 'm', port: 70000 }), /port: expected 0…65535, got 70000/);
    assert.throws(() => resolveServeOptions({ modelPath: 'm', concurrency: 1.5 }), /concurrency: expected an integer ≥ 1, got 1.5/);
    assert.throws(() => resolveServeOptions({ modelPath: 'm', maxSeconds: 0 }), /maxSeconds: expected a number > 0, got 0/);
    assert.throws(() => resolveServeOptions({ modelPath: 'm', token: 'has space' }), /token: must be non-empty printable ASCII/);
    assert.throws(
      () => resolveServeOptions({ modelPath: 'm', minConfidence: 1.2 }),
      /minConfidence: expected a probability between 0 and 1, got 1\.2/,
    );
  });
});
