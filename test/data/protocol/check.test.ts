import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SplitError, checkSplit, foldUtterances, loadSplit, speakerKFold, type Split } from '../../../src/data/protocol/index.js';
import { RAVDESS_DIR, fakeUtterances, ravdessUtterances, sharedSkip } from './helpers.js';

const utts = fakeUtterances({ speakers: 6, perSpeaker: 3 });
const good = speakerKFold(utts, { folds: 3, seed: 2, devSpeakers: 1 });

function copy(s: Split): Split {
  return JSON.parse(JSON.stringify(s)) as Split;
}

describe('checkSplit', () => {
  test('a valid split passes and is summarised per fold', () => {
    const summary = checkSplit(good, utts);
    assert.deepEqual(
      summary.folds.map((f) => [f.name, f.utterances, f.speakers]),
      [
        ['fold-0', { train: 9, dev: 3, test: 6 }, { train: 3, dev: 1, test: 2 }],
        ['fold-1', { train: 9, dev: 3, test: 6 }, { train: 3, dev: 1, test: 2 }],
        ['fold-2', { train: 9, dev: 3, test: 6 }, { train: 3, dev: 1, test: 2 }],
      ],
    );
  });

  test('speaker leakage is refused, naming the speaker, both partitions and the fold', () => {
    const leaky = copy(good);
    // Move one utterance of a test speaker into training.
    const moved = leaky.folds[1].test.pop()!;
    leaky.folds[1].train.push(moved);
    const speaker = utts.find((u) => u.id === moved)!.speaker;
    assert.throws(
      () => checkSplit(leaky, utts),
      (e: Error) => {
        assert.ok(e instanceof SplitError);
        assert.equal(e.problem, 'speaker-leak');
        assert.equal(e.fold, 'fold-1');
        assert.match(e.message, new RegExp(`^fold 'fold-1': speaker '${speaker}' is in both (test and train|train and test)`));
        assert.match(e.message, /speaker-independent split must keep each speaker in one partition/);
        return true;
      },
    );
    // Same for dev vs test.
    const devLeak = copy(good);
    devLeak.folds[0].dev.push(devLeak.folds[0].test.pop()!);
    assert.throws(() => checkSplit(devLeak, utts), /fold 'fold-0': speaker '.*' is in both (dev and test|test and dev)/);
  });

  test('unknown ids and duplicates are refused', () => {
    const unknown = copy(good);
    unknown.folds[2].test.push('ghost-1', 'ghost-2', 'ghost-3', 'ghost-4');
    assert.throws(
      () => checkSplit(unknown, utts),
      /fold 'fold-2': test lists 4 id\(s\) that are not in corpus 'fake': 'ghost-1', 'ghost-2', 'ghost-3' and 1 more/,
    );
    const twice = copy(good);
    twice.folds[0].train.push(twice.folds[0].train[0]);
    assert.throws(() => checkSplit(twice, utts), /fold 'fold-0': utterance '.*' is listed twice in train/);
    const both = copy(good);
    both.folds[0].dev.push(both.folds[0].train[0]);
    assert.throws(() => checkSplit(both, utts), /fold 'fold-0': utterance '.*' is in both train and dev/);
  });

  test('a split made for another corpus is refused', () => {
    const other = fakeUtterances({ speakers: 6, perSpeaker: 3, corpus: 'other' });
    assert.throws(() => checkSplit(good, other), /split was made for corpus 'fake', but the utterances are from 'other'/);
  });

  test('splits marked speakerIndependent: false may share speakers', () => {
    const shared = copy(good);
    shared.folds[0].train.push(shared.folds[0].test.pop()!);
    shared.speakerIndependent = false;
    checkSplit(shared, utts);
  });

  test('loadSplit with utterances checks for leakage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustser-check-'));
    try {
      const leaky = copy(good);
      leaky.folds[2].dev.push(leaky.folds[2].train.pop()!);
      const p = join(dir, 'leaky.json');
      writeFileSync(p, JSON.stringify(leaky));
      await assert.rejects(loadSplit(p, utts), /fold 'fold-2': speaker '.*' is in both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('foldUtterances resolves a fold to records', () => {
    const f = foldUtterances(good, 'fold-1', utts);
    assert.equal(f.test.length, 6);
    assert.deepEqual(
      f.test.map((u) => u.id),
      good.folds[1].test,
    );
    assert.equal(foldUtterances(good, 0, utts).name, 'fold-0');
    assert.throws(() => foldUtterances(good, 'fold-9', utts), /split has no fold 'fold-9' \(folds: fold-0, fold-1, fold-2\)/);
  });

  test('RAVDESS: leakage in a real 6-fold split is refused', { skip: sharedSkip(RAVDESS_DIR) }, async () => {
    const all = await ravdessUtterances();
    const split = speakerKFold(all, { folds: 6, seed: 1, balanceBy: 'gender' });
    checkSplit(split, all);
    const leaky = copy(split);
    const id = leaky.folds[3].test[0];
    leaky.folds[3].train.push(id);
    leaky.folds[3].test.shift();
    const actor = all.find((u) => u.id === id)!.speaker;
    assert.throws(() => checkSplit(leaky, all), new RegExp(`fold 'fold-3': speaker '${actor}' is in both`));
  });
});

describe('foldUtterances on a label-mapped subset', () => {
  test('skipMissing leaves out ids the subset dropped', () => {
    const subset = utts.filter((u) => u.labels.emotion !== 'sad');
    assert.throws(() => foldUtterances(good, 0, subset), /is not among the utterances/);
    const f = foldUtterances(good, 0, subset, { skipMissing: true });
    assert.ok(f.test.every((u) => u.labels.emotion !== 'sad'));
    assert.equal(f.train.length + f.dev.length + f.test.length, subset.length);
  });
});
