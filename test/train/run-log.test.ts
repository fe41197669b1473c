import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleRunLog, trainingSeconds, writeFoldLog } from '../../src/train/run-log.js';
import { tempDir } from '../audio/helpers.js';

const epoch = (fold: number, e: number, seconds: number) => ({
  fold,
  epoch: e,
  trainLoss: 1 / e,
  devUa: 0.5,
  devWa: 0.5,
  lr: 1e-3,
  seconds,
});
const lines = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

test('the run log is assembled from the fold logs in run order; a fold without its own log keeps its old lines', () => {
  const { dir, cleanup } = tempDir();
  try {
    // A run written before fold logs existed: folds 2 and 0 (run order 2, 0, 1) in the run log only.
    writeFileSync(join(dir, 'log.jsonl'), [epoch(2, 1, 1), epoch(0, 1, 2), epoch(0, 2, 3)].map((l) => `${JSON.stringify(l)}\n`).join(''));
    mkdirSync(join(dir, 'fold-0'));
    mkdirSync(join(dir, 'fold-1'));
    // Fold 0 resumed (its log replaces its old lines); fold 1 is new.
    writeFoldLog(dir, 0, [epoch(0, 1, 2), epoch(0, 2, 3), epoch(0, 3, 4)]);
    writeFoldLog(dir, 1, [epoch(1, 1, 5)]);
    assembleRunLog(dir, [2, 0, 1]);
    assert.deepEqual(
      lines(join(dir, 'log.jsonl')).map((l) => [l.fold, l.epoch]),
      [
        [2, 1],
        [0, 1],
        [0, 2],
        [0, 3],
        [1, 1],
      ],
    );
    assert.equal(trainingSeconds(dir), 1 + 2 + 3 + 4 + 5);
    assert.deepEqual(lines(join(dir, 'fold-1', 'log.jsonl')), [epoch(1, 1, 5)]);
  } finally {
    cleanup();
  }
});

test('a run without a log has trained for 0 s', () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.equal(trainingSeconds(dir), 0);
  } finally {
    cleanup();
  }
});
