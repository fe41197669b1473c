// Spoofing metrics on hand-made scores whose answers are worked out in the comments.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detCurve, eerByGroup, equalErrorRate, minDcf, operatingPoints, probit } from '../../src/metrics/spoofing.js';

describe('equalErrorRate', () => {
  it('is 0 for separable scores, with the threshold at the lowest bona fide score', () => {
    const r = equalErrorRate([3, 4], [1, 2]);
    assert.equal(r.eer, 0);
    assert.equal(r.threshold, 3);
  });

  it('interpolates across a horizontal ROC step', () => {
    // bona 1,3,5; spoof 2,4. Raising the threshold past 3 rejects bona 3: pMiss 1/3 → 2/3 while
    // pFa stays 1/2, so pMiss = pFa = 1/2 halfway between thresholds 3 and 4.
    const r = equalErrorRate([1, 3, 5], [2, 4]);
    assert.ok(Math.abs(r.eer - 0.5) < 1e-12);
    assert.ok(Math.abs(r.threshold - 3.5) < 1e-12);
  });

  it('is 1 for perfectly inverted scores and invariant to order', () => {
    assert.equal(equalErrorRate([1, 2], [3, 4]).eer, 1);
    assert.equal(equalErrorRate([5, 1, 3], [4, 2]).eer, equalErrorRate([1, 3, 5], [2, 4]).eer);
  });

  it('treats tied scores as one operating point', () => {
    const pts = operatingPoints([1, 1, 2], [1]);
    // thresholds: -inf, then past 1 (rejects both bona 1s and the spoof 1), then past 2
    assert.deepEqual(
      pts.map((p) => [p.pMiss, p.pFa]),
      [
        [0, 1],
        [2 / 3, 0],
        [1, 0],
      ],
    );
  });

  it('refuses one-class input and non-finite scores', () => {
    assert.throws(() => equalErrorRate([], [1]), /both classes: got 0 bona fide and 1 spoof/);
    assert.throws(() => equalErrorRate([1, NaN], [0]), /score NaN at index 1/);
  });
});

describe('minDcf', () => {
  it('matches a cost computed by hand', () => {
    // bona 1,3; spoof 2; C_miss = C_fa = 1, π = 0.5, normalizer 0.5.
    // thresholds -inf: (0,1) → 1; past 1: (.5,1) → 1.5; past 2: (.5,0) → 0.5; past 3: (1,0) → 1.
    const r = minDcf([1, 3], [2], { costMiss: 1, costFa: 1, priorSpoof: 0.5 });
    assert.equal(r.minDcf, 0.5);
    assert.equal(r.threshold, 3);
  });

  it('never exceeds 1 (a trivial detector is always available) and is 0 when separable', () => {
    assert.ok(minDcf([1, 2, 3], [2.5, 0.5, 1.5]).minDcf <= 1);
    assert.equal(minDcf([3, 4], [1, 2]).minDcf, 0);
  });

  it('refuses bad costs and priors', () => {
    assert.throws(() => minDcf([1], [0], { priorSpoof: 1 }), /priorSpoof must lie in \(0, 1\)/);
    assert.throws(() => minDcf([1], [0], { costFa: 0 }), /costs must be positive/);
  });
});

describe('detCurve and probit', () => {
  it('probit inverts the normal CDF at known quantiles', () => {
    assert.equal(probit(0.5), 0);
    assert.ok(Math.abs(probit(0.975) - 1.959963985) < 1e-8);
    assert.ok(Math.abs(probit(0.001) + 3.090232306) < 1e-8);
  });

  it('gives monotone, clamped probit points', () => {
    const det = detCurve([0.2, 0.9, 0.7, 0.4], [0.1, 0.5, 0.3]);
    for (let i = 1; i < det.length; i++) {
      assert.ok(det[i].pMiss >= det[i - 1].pMiss && det[i].pFa <= det[i - 1].pFa);
    }
    assert.ok(det.every((p) => Math.abs(p.probitMiss) <= 4.75 && Math.abs(p.probitFa) <= 4.75));
  });
});

describe('eerByGroup', () => {
  it('scores each two-class group and lists one-class groups as skipped', () => {
    const r = eerByGroup([
      { score: 3, bonafide: true, group: 'angry' },
      { score: 1, bonafide: false, group: 'angry' },
      { score: 1, bonafide: true, group: 'sad' },
      { score: 2, bonafide: false, group: 'sad' },
      { score: 5, bonafide: true, group: 'calm' },
      { score: 0, bonafide: false },
    ]);
    assert.deepEqual(
      r.groups.map((g) => [g.group, g.eer, g.bonafide, g.spoof]),
      [
        ['angry', 0, 1, 1],
        ['sad', 1, 1, 1],
      ],
    );
    assert.deepEqual(r.skipped, ['calm']);
  });

  it('gives each group its miss and false-acceptance rates at the shared threshold', () => {
    const trials = [
      { score: 5, bonafide: true, group: 'a' },
      { score: 4, bonafide: true, group: 'a' },
      { score: 1, bonafide: false, group: 'a' },
      { score: 2.5, bonafide: true, group: 'b' },
      { score: 3.5, bonafide: true, group: 'b' },
      { score: 0, bonafide: false, group: 'b' },
    ];
    // Shared threshold 3: group a keeps both bona fide (miss 0); group b rejects 2.5 (miss 1/2).
    const r = eerByGroup(trials, { sharedThreshold: 3 });
    assert.deepEqual(
      r.groups.map((g) => [g.group, g.eer, g.pMissShared, g.pFaShared]),
      [
        ['a', 0, 0, 0],
        ['b', 0, 0.5, 0],
      ],
    );
  });

  it('scores spoof-only groups against every bona fide trial when asked', () => {
    const trials = [
      { score: 2, bonafide: true, group: 'none' },
      { score: 3, bonafide: true, group: 'none' },
      { score: 2.5, bonafide: false, group: 'mp3' },
      { score: 0, bonafide: false, group: 'gsm' },
    ];
    assert.deepEqual(eerByGroup(trials).skipped, ['gsm', 'mp3', 'none']);
    const r = eerByGroup(trials, { pooledBonafide: true, sharedThreshold: 1 });
    // mp3: bona 2,3 vs spoof 2.5 → pMiss = pFa = 1/2 between thresholds 2.5 and 3; gsm separable.
    assert.deepEqual(
      r.groups.map((g) => [g.group, g.bonafide, g.eer]),
      [
        ['gsm', 2, 0],
        ['mp3', 2, 0.5],
      ],
    );
    assert.ok(Number.isNaN(r.groups[0].pMissShared));
    assert.equal(r.groups[1].pFaShared, 1);
  });
});
