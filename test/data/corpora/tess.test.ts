import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyLabelMap, getCorpus, TESS_SPEAKERS, tess } from '../../../src/data/corpora/index.js';
import { fixture, rejectsWith, sharedSkip, TESS_DIR, tally } from './helpers.js';

describe('TESS', () => {
  test('file-name labels, speaker age, 7- and 4-class maps', async () => {
    const fx = fixture('tess');
    try {
      const names = [
        'OAF/OAF_back_angry',
        'OAF/OAF_back_ps',
        'OAF/OAF_bath_fear',
        'YAF/YAF_back_neutral',
        'YAF/YAF_dog_disgust',
        'YAF/YAF_dog_sad',
        'YAF/YAF_dog_happy',
      ];
      for (const n of names) fx.wav(`${n}.wav`);
      const utts = await tess.list(fx.root);
      assert.equal(utts.length, 7);
      const first = utts.find((u) => u.id === 'OAF_back_angry');
      assert.deepEqual(first, {
        id: 'OAF_back_angry',
        path: first?.path,
        corpus: 'tess',
        speaker: 'tess:OAF',
        labels: { emotion: 'angry', word: 'back' },
        attributes: { gender: 'female', age: 64 },
      });
      assert.equal(TESS_SPEAKERS.YAF.age, 26);
      const seven = applyLabelMap(utts, tess.labelMaps['7class']);
      assert.deepEqual(
        tally(seven.utterances, (u) => u.labels.emotion),
        { angry: 1, disgust: 1, fearful: 1, happy: 1, neutral: 1, sad: 1, surprised: 1 },
      );
      const four = applyLabelMap(utts, tess.labelMaps['4class']);
      assert.deepEqual(
        tally(four.utterances, (u) => u.labels.emotion),
        { angry: 1, happy: 1, neutral: 1, sad: 1 },
      );
      assert.equal(getCorpus('toronto'), tess);
    } finally {
      fx.cleanup();
    }
  });

  test('malformed names and misplaced files name the file and field', async () => {
    const cases: Array<[string, string]> = [
      ['OAF/OAF_back_bored', 'emotion'],
      ['OAF/ZZZ_back_angry', 'speaker'],
      ['YAF/OAF_back_angry', 'speaker'],
      ['OAF/back_angry', 'file name'],
    ];
    for (const [name, field] of cases) {
      const fx = fixture('tess-bad');
      try {
        fx.wav('OAF/OAF_back_angry.wav');
        fx.wav(`${name}.wav`);
        await rejectsWith(tess.list(fx.root), `${name.split('/')[1]}.wav`, `field '${field}'`);
      } finally {
        fx.cleanup();
      }
    }
    await rejectsWith(tess.list('/nonexistent/tess'), 'tess: corpus folder /nonexistent/tess does not exist');
  });
});

describe('TESS on the real data', { skip: sharedSkip(TESS_DIR) }, () => {
  test('2800 clips, 400 per emotion, 1400 per speaker', async () => {
    const utts = await tess.list(TESS_DIR);
    assert.equal(utts.length, 2800);
    assert.deepEqual(
      tally(utts, (u) => u.speaker),
      { 'tess:OAF': 1400, 'tess:YAF': 1400 },
    );
    const seven = applyLabelMap(utts, tess.labelMaps['7class']);
    for (const count of Object.values(tally(seven.utterances, (u) => u.labels.emotion))) assert.equal(count, 400);
  });
});
