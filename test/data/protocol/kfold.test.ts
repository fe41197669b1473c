import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Utterance } from '../../../src/data/corpora/index.js';
import {
  checkSplit,
  createSplit,
  leaveOneSessionOut,
  leaveOneSpeakerOut,
  speakerKFold,
  type Split,
} from '../../../src/data/protocol/index.js';
import { RAVDESS_DIR, fakeUtterances, ravdessUtterances, sharedSkip } from './helpers.js';

/** Speakers of a list of ids. */
function speakersOf(ids: string[], byId: Map<string, Utterance>): Set<string> {
  return new Set(ids.map((id) => byId.get(id)!.speaker));
}

/** Asserts the invariants every speaker-independent split must have. */
function assertSpeakerIndependent(split: Split, utts: Utterance[]): void {
  const byId = new Map(utts.map((u) => [u.id, u]));
  for (const f of split.folds) {
    const [tr, dv, te] = [speakersOf(f.train, byId), speakersOf(f.dev, byId), speakersOf(f.test, byId)];
    for (const s of te) assert.ok(!tr.has(s) && !dv.has(s), `${f.name}: test speaker ${s} also trains/develops`);
    for (const s of dv) assert.ok(!tr.has(s), `${f.name}: dev speaker ${s} also trains`);
    assert.equal(f.train.length + f.dev.length + f.test.length, utts.length, `${f.name}: every utterance is used once`);
  }
  checkSplit(split, utts);
}

describe('speaker k-fold on the real RAVDESS', { skip: sharedSkip(RAVDESS_DIR) }, () => {
  test('6 folds balanced by gender: every actor tested once, 4 per fold, 2 male + 2 female', async () => {
    const utts = await ravdessUtterances();
    const byId = new Map(utts.map((u) => [u.id, u]));
    const genderOf = new Map(utts.map((u) => [u.speaker, u.attributes.gender]));
    const split = speakerKFold(utts, { folds: 6, seed: 7, balanceBy: 'gender' });
    assert.equal(split.kind, 'speaker-kfold');
    assert.equal(split.corpus, 'ravdess');
    assert.equal(split.seed, 7);
    assert.equal(split.speakerIndependent, true);
    assert.deepEqual(split.options, { folds: 6, devSpeakers: 2, balanceBy: 'gender' });
    assert.equal(split.folds.length, 6);
    const tested = new Map<string, number>();
    for (const f of split.folds) {
      const te = speakersOf(f.test, byId);
      assert.equal(te.size, 4, f.name);
      // RAVDESS: odd actor numbers are male.
      const males = [...te].filter((s) => Number(s.split(':')[1]) % 2 === 1);
      assert.equal(males.length, 2, `${f.name}: 2 male test actors`);
      assert.ok([...te].every((s) => genderOf.get(s) === (males.includes(s) ? 'male' : 'female')));
      for (const s of te) tested.set(s, (tested.get(s) ?? 0) + 1);
      assert.equal(f.test.length, 240);
      // Dev: 2 speakers, one of each gender, drawn from the training speakers.
      const dv = speakersOf(f.dev, byId);
      assert.equal(dv.size, 2);
      assert.deepEqual([...dv].map((s) => genderOf.get(s)).sort(), ['female', 'male']);
      assert.equal(speakersOf(f.train, byId).size, 18);
    }
    assert.equal(tested.size, 24, 'every actor is in a test fold');
    for (const [s, n] of tested) assert.equal(n, 1, `${s} tested once`);
    assertSpeakerIndependent(split, utts);
  });

  test('same seed gives the same split; another seed a different one', async () => {
    const utts = await ravdessUtterances();
    const a = speakerKFold(utts, { folds: 6, seed: 3, balanceBy: 'gender' });
    const b = speakerKFold([...utts].reverse(), { folds: 6, seed: 3, balanceBy: 'gender' });
    assert.deepEqual(a, b, 'independent of input order');
    const c = speakerKFold(utts, { folds: 6, seed: 4, balanceBy: 'gender' });
    assert.notDeepEqual(
      a.folds.map((f) => f.test),
      c.folds.map((f) => f.test),
    );
  });
});

describe('speaker k-fold', () => {
  test('without balancing: folds differ in size by at most one speaker', () => {
    const utts = fakeUtterances({ speakers: 11, perSpeaker: 3 });
    const split = speakerKFold(utts, { folds: 4, seed: 1, devSpeakers: 1 });
    const sizes = split.folds.map((f) => f.test.length / 3).sort();
    assert.deepEqual(sizes, [2, 3, 3, 3]);
    assertSpeakerIndependent(split, utts);
  });

  test('unbalanced genders still spread evenly; unknown gender is its own group', () => {
    const utts = fakeUtterances({ speakers: 10, perSpeaker: 2, gender: (i) => (i < 7 ? 'female' : i < 9 ? 'male' : undefined) });
    const split = speakerKFold(utts, { folds: 2, seed: 5, balanceBy: 'gender', devSpeakers: 2 });
    const byId = new Map(utts.map((u) => [u.id, u]));
    const males = split.folds.map(
      (f) => [...speakersOf(f.test, byId)].filter((s) => byId.get(`${s.split(':')[1]}-000`)!.attributes.gender === 'male').length,
    );
    assert.deepEqual(males, [1, 1]);
    assert.deepEqual(
      split.folds.map((f) => f.test.length / 2),
      [5, 5],
    );
    assertSpeakerIndependent(split, utts);
  });

  test('devSpeakers 0 gives no dev set', () => {
    const utts = fakeUtterances({ speakers: 4, perSpeaker: 2 });
    const split = speakerKFold(utts, { folds: 2, devSpeakers: 0 });
    for (const f of split.folds) assert.deepEqual(f.dev, []);
    assert.equal(split.seed, 1, 'default seed recorded');
  });

  test('invalid requests are refused with clear messages', () => {
    const utts = fakeUtterances({ speakers: 4, perSpeaker: 2 });
    assert.throws(() => speakerKFold(utts, { folds: 1 }), /folds must be an integer ≥ 2/);
    assert.throws(() => speakerKFold(utts, { folds: 5 }), /folds \(5\) exceeds the number of speakers \(4\)/);
    assert.throws(
      () => speakerKFold(utts, { folds: 2, devSpeakers: 2 }),
      /fold 'fold-\d': 2 speaker\(s\) remain outside the test set, too few for 2 dev speaker\(s\)/,
    );
    assert.throws(() => speakerKFold(utts, { folds: 2, seed: 1.5 }), /seed must be an integer/);
    assert.throws(() => speakerKFold([], { folds: 2 }), /empty list/);
    const clash = fakeUtterances({ speakers: 2, perSpeaker: 2 });
    clash[1] = { ...clash[1], attributes: { gender: 'male' } };
    assert.throws(
      () => speakerKFold(clash, { folds: 2 }),
      /speaker 'fake:s00' has gender 'female' on utterance 's00-000' but 'male' on 's00-001'/,
    );
  });
});

describe('leave-one-out', () => {
  test('leave one speaker out: one fold per speaker, named after it', () => {
    const utts = fakeUtterances({ speakers: 5, perSpeaker: 2 });
    const split = leaveOneSpeakerOut(utts, { devSpeakers: 1, seed: 2 });
    assert.deepEqual(
      split.folds.map((f) => f.name),
      ['fake:s00', 'fake:s01', 'fake:s02', 'fake:s03', 'fake:s04'],
    );
    assert.deepEqual(split.folds[2].test, ['s02-000', 's02-001']);
    assert.equal(split.kind, 'leave-one-speaker-out');
    assertSpeakerIndependent(split, utts);
  });

  test('leave one session out: every session tested once, dev balanced by gender', () => {
    const utts = fakeUtterances({ speakers: 10, perSpeaker: 3, session: (i) => `Session${Math.floor(i / 2) + 1}` });
    const split = leaveOneSessionOut(utts, { seed: 1 });
    assert.deepEqual(
      split.folds.map((f) => f.name),
      ['Session1', 'Session2', 'Session3', 'Session4', 'Session5'],
    );
    const byId = new Map(utts.map((u) => [u.id, u]));
    for (const f of split.folds) {
      assert.equal(new Set(f.test.map((id) => byId.get(id)!.session)).size, 1);
      const dev = [...speakersOf(f.dev, byId)].map((s) => utts.find((u) => u.speaker === s)!.attributes.gender);
      assert.deepEqual(dev.sort(), ['female', 'male']);
    }
    assertSpeakerIndependent(split, utts);
    assert.deepEqual(createSplit(utts, { kind: 'leave-one-session-out', seed: 1 }), split);
  });

  test('leave one session out refuses utterances without a session and speakers in two sessions', () => {
    assert.throws(() => leaveOneSessionOut(fakeUtterances({ speakers: 4, perSpeaker: 1 })), /utterance 's00-000' has no session/);
    const utts = fakeUtterances({ speakers: 4, perSpeaker: 2, session: (i) => `S${i % 2}` });
    utts[1] = { ...utts[1], session: 'S1' };
    assert.throws(() => leaveOneSessionOut(utts), /speaker 'fake:s00' is in session 'S0' \(utterance 's00-000'\) and 'S1'/);
  });
});
