import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Utterance } from '../../../src/data/corpora/index.js';
import { checkSplit, createSplit, officialSplit, utteranceHoldout } from '../../../src/data/protocol/index.js';
import { fakeUtterances } from './helpers.js';

/** Utterances with a split label per speaker. */
function withSplits(parts: Record<number, string>, perSpeaker = 2): Utterance[] {
  const n = Object.keys(parts).length;
  return fakeUtterances({ speakers: n, perSpeaker }).map((u) => ({
    ...u,
    labels: { ...u.labels, split: parts[Number(u.speaker.slice(-2))] },
  }));
}

describe('official splits', () => {
  test('train/dev plus one fold per test set', () => {
    const utts = withSplits({ 0: 'Train', 1: 'Train', 2: 'Development', 3: 'Test1', 4: 'Test2' });
    const split = officialSplit(utts);
    assert.equal(split.kind, 'official');
    assert.equal(split.seed, 0);
    assert.equal(split.speakerIndependent, true);
    assert.deepEqual(
      split.folds.map((f) => [f.name, f.train.length, f.dev.length, f.test.length]),
      [
        ['Test1', 4, 2, 2],
        ['Test2', 4, 2, 2],
      ],
    );
    checkSplit(split, utts);
    assert.deepEqual(createSplit(utts, { kind: 'official' }), split);
  });

  test('a custom field, no dev partition, eval as test', () => {
    const utts = fakeUtterances({ speakers: 2, perSpeaker: 1 }).map((u, i) => ({
      ...u,
      labels: { ...u.labels, part: i === 0 ? 'train' : 'eval' },
    }));
    const split = officialSplit(utts, { field: 'part' });
    assert.deepEqual(split.folds, [{ name: 'eval', train: ['s00-000'], dev: [], test: ['s01-000'] }]);
  });

  test('missing or unknown partitions, and no train/test, are clear errors', () => {
    assert.throws(() => officialSplit(fakeUtterances({ speakers: 1, perSpeaker: 1 })), /utterance 's00-000' has no 'split' label/);
    assert.throws(
      () => officialSplit(withSplits({ 0: 'train', 1: 'holdout' })),
      /utterance 's01-000' has split 'holdout', which is not a known partition/,
    );
    assert.throws(() => officialSplit(withSplits({ 0: 'test', 1: 'test' })), /no utterance is in a training partition/);
    assert.throws(() => officialSplit(withSplits({ 0: 'train', 1: 'dev' })), /no utterance is in a test partition/);
  });

  test('shared speakers are refused unless allowed, and then marked', () => {
    const utts = withSplits({ 0: 'train', 1: 'test' });
    utts[0] = { ...utts[0], labels: { ...utts[0].labels, split: 'test' } };
    assert.throws(() => officialSplit(utts), /1 speaker\(s\) appear in more than one partition \('fake:s00' in train and test\)/);
    const s = officialSplit(utts, { allowSpeakerOverlap: true });
    assert.equal(s.speakerIndependent, false);
    checkSplit(s, utts);
  });
});

describe('utterance-level holdout', () => {
  const utts = fakeUtterances({ speakers: 4, perSpeaker: 20 });

  test('refused unless explicitly asked for', () => {
    assert.throws(() => utteranceHoldout(utts, {} as never), /same speakers in training and test.*notSpeakerIndependent: true/s);
  });

  test('stratified by emotion, marked NOT speaker-independent, deterministic', () => {
    const s = utteranceHoldout(utts, { notSpeakerIndependent: true, seed: 3, testFraction: 0.25, devFraction: 0.1 });
    assert.equal(s.kind, 'utterance-holdout');
    assert.equal(s.speakerIndependent, false);
    assert.match(s.note!, /NOT speaker-independent/);
    const [f] = s.folds;
    assert.equal(f.name, 'holdout');
    // 20 utterances per emotion: 5 test, 2 dev, 13 train each.
    const emo = new Map(utts.map((u) => [u.id, u.labels.emotion]));
    for (const e of ['neutral', 'happy', 'sad', 'angry']) {
      assert.equal(f.test.filter((id) => emo.get(id) === e).length, 5, e);
      assert.equal(f.dev.filter((id) => emo.get(id) === e).length, 2, e);
      assert.equal(f.train.filter((id) => emo.get(id) === e).length, 13, e);
    }
    checkSplit(s, utts); // allowed: the manifest says it is not speaker-independent
    assert.deepEqual(utteranceHoldout(utts, { notSpeakerIndependent: true, seed: 3, testFraction: 0.25, devFraction: 0.1 }), s);
    assert.notDeepEqual(
      utteranceHoldout(utts, { notSpeakerIndependent: true, seed: 4, testFraction: 0.25, devFraction: 0.1 }).folds,
      s.folds,
    );
  });

  test('bad fractions are refused', () => {
    assert.throws(() => utteranceHoldout(utts, { notSpeakerIndependent: true, testFraction: 0 }), /testFraction must be > 0/);
    assert.throws(() => utteranceHoldout(utts, { notSpeakerIndependent: true, testFraction: 0.6, devFraction: 0.5 }), /must be < 1/);
    assert.throws(() => utteranceHoldout(utts, { notSpeakerIndependent: true, devFraction: -0.1 }), /devFraction must be in \[0, 1\)/);
  });
});
