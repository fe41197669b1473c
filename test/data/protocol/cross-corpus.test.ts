import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Utterance } from '../../../src/data/corpora/index.js';
import { allDataSplit, checkSplit, createSplit, crossCorpusSplit, parseSplit, SplitError } from '../../../src/data/protocol/index.js';
import { fakeUtterances } from './helpers.js';

const prefixed = (corpus: string, us: Utterance[]) => us.map((u) => ({ ...u, id: `${corpus}/${u.id}` }));
/** A 10-speaker corpus A, a 2-speaker corpus B and a 4-speaker corpus C, ids prefixed as a multi-corpus run does. */
function corpora(): Utterance[] {
  return [
    ...prefixed('a', fakeUtterances({ corpus: 'a', speakers: 10, perSpeaker: 8 })),
    ...prefixed('b', fakeUtterances({ corpus: 'b', speakers: 2, perSpeaker: 40 })),
    ...prefixed('c', fakeUtterances({ corpus: 'c', speakers: 4, perSpeaker: 8 })),
  ];
}
const speakersOf = (ids: string[], utts: Utterance[]) => new Set(ids.map((id) => utts.find((u) => u.id === id)!.speaker));

describe('cross-corpus split', () => {
  test('train corpora train (minus whole dev speakers), test corpora test; speakers never cross into test', () => {
    const utts = corpora();
    const split = crossCorpusSplit(utts, { train: ['a'], test: ['b', 'c'], devSpeakers: 2, seed: 3 });
    assert.equal(split.kind, 'cross-corpus');
    assert.equal(split.corpus, 'a+b+c');
    assert.equal(split.folds.length, 1);
    const [f] = split.folds;
    assert.equal(f.name, 'a→b+c');
    assert.equal(f.test.length, 80 + 32);
    assert.ok(f.test.every((id) => !id.startsWith('a/')));
    assert.equal(f.train.length + f.dev.length, 80);
    assert.equal(speakersOf(f.dev, utts).size, 2);
    for (const s of speakersOf(f.dev, utts)) assert.ok(!speakersOf(f.train, utts).has(s));
    assert.equal(split.devSharesSpeakers, undefined);
    checkSplit(split, utts);
  });

  test('a corpus with too few speakers gives a stratified utterance-level dev share, and the manifest says so', () => {
    const utts = corpora();
    const split = crossCorpusSplit(utts, { train: ['a', 'b'], test: ['c'], devSpeakers: 2, devFraction: 0.25, seed: 1 });
    const [f] = split.folds;
    const bDev = f.dev.filter((id) => id.startsWith('b/'));
    assert.equal(bDev.length, 20); // 25 % of each of b's 4 emotions × 20 utterances
    assert.equal(speakersOf(bDev, utts).size <= 2, true);
    assert.equal(split.devSharesSpeakers, true);
    assert.match(split.note ?? '', /dev utterances of b share speakers with training/);
    checkSplit(split, utts); // train/dev overlap allowed, test still checked
    // Round trip through the manifest schema keeps the flag.
    assert.equal(parseSplit(JSON.parse(JSON.stringify(split)), 'split.json').devSharesSpeakers, true);
    // The flag does not let a test speaker train.
    const leaky = { ...split, folds: [{ ...f, train: [...f.train, f.test[0]], test: f.test.slice(1) }] };
    assert.throws(
      () => checkSplit(leaky, utts),
      (e: unknown) => e instanceof SplitError && e.problem === 'speaker-leak',
    );
  });

  test('bad requests are refused', () => {
    const utts = corpora();
    assert.throws(() => crossCorpusSplit(utts, { train: ['a'], test: ['a'] }), /'?a'? is both a training and a test corpus/);
    assert.throws(() => crossCorpusSplit(utts, { train: ['a'], test: ['z'] }), /test corpus 'z' has no utterances/);
    assert.throws(() => crossCorpusSplit(utts, { train: ['y'], test: ['b'] }), /corpus 'y' has no utterances/);
    assert.throws(() => crossCorpusSplit(utts, { train: ['a'], test: ['b'], devFraction: 1 }), /devFraction must be in \(0, 1\)/);
    assert.throws(() => crossCorpusSplit(utts, { train: ['a'], test: ['b'], devSpeakers: -1 }), /devSpeakers must be an integer ≥ 0/);
  });
});

describe('all-data split', () => {
  test('every utterance trains or develops, none tests; createSplit dispatches both kinds', () => {
    const utts = corpora();
    const split = createSplit(utts, { kind: 'all', devSpeakers: 2, seed: 2 });
    assert.equal(split.kind, 'all');
    const [f] = split.folds;
    assert.equal(f.test.length, 0);
    assert.equal(f.train.length + f.dev.length, utts.length);
    assert.equal(split.devSharesSpeakers, true); // b and c have too few speakers for whole dev speakers
    checkSplit(split, utts);
    assert.equal(parseSplit(JSON.parse(JSON.stringify(split)), 'split.json').folds[0].test.length, 0);
    const cross = createSplit(utts, { kind: 'cross-corpus', train: ['a'], test: ['c'] });
    assert.equal(cross.folds[0].name, 'a→c');
    assert.deepEqual(allDataSplit(utts, { devSpeakers: 0 }).folds[0].dev, []);
  });

  test('only an all-data split may have an empty test partition', () => {
    const utts = corpora();
    const split = allDataSplit(utts);
    assert.throws(
      () => parseSplit(JSON.parse(JSON.stringify({ ...split, kind: 'speaker-kfold' })), 'split.json'),
      /field 'folds\[0\]\.test': the test partition is empty/,
    );
  });
});
