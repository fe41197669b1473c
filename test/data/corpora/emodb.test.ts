import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyLabelMap, emodb, EMODB_SPEAKERS } from '../../../src/data/corpora/index.js';
import { speakerKFold } from '../../../src/data/protocol/index.js';
import { fixture, rejectsWith, tally } from './helpers.js';

describe('EmoDB', () => {
  test('file-name labels, speaker gender and age from the published list', async () => {
    const fx = fixture('emodb');
    try {
      const names = [
        '03a01Fa',
        '03a01Wa',
        '08a02Lb',
        '09b01Ec',
        '10b03Aa',
        '11a04Ta',
        '12a05Nb',
        '13b09Fa',
        '14b10Wa',
        '15a07Na',
        '16b02Td',
      ];
      for (const n of names) fx.wav(`wav/${n}.wav`);
      const utts = await emodb.list(fx.root);
      assert.deepEqual(
        utts.map((u) => u.id),
        names,
      );
      assert.deepEqual(utts[0], {
        id: '03a01Fa',
        path: utts[0].path,
        corpus: 'emodb',
        speaker: 'emodb:03',
        labels: { emotion: 'happiness', text: 'a01', version: 'a' },
        attributes: { gender: 'male', age: 31 },
      });
      const genders = new Map(utts.map((u) => [u.speaker, u.attributes.gender]));
      assert.deepEqual(
        tally([...genders.values()], (g) => g),
        { female: 5, male: 5 },
      );
      for (const spk of ['03', '10', '11', '12', '15']) assert.equal(EMODB_SPEAKERS[spk].gender, 'male');
      for (const spk of ['08', '09', '13', '14', '16']) assert.equal(EMODB_SPEAKERS[spk].gender, 'female');
      const seven = applyLabelMap(utts, emodb.labelMaps['7class']);
      assert.deepEqual(
        tally(seven.utterances, (u) => u.labels.emotion),
        { angry: 2, bored: 1, disgust: 1, fearful: 1, happy: 2, neutral: 2, sad: 2 },
      );
      assert.equal(applyLabelMap(utts, emodb.labelMaps['4class']).utterances.length, 8);
      // 10 speakers, 5 folds balanced by gender: one man and one woman per test fold.
      const split = speakerKFold(utts, { folds: 5, balanceBy: 'gender', devSpeakers: 2 });
      for (const f of split.folds) {
        const test = utts.filter((u) => f.test.includes(u.id));
        assert.deepEqual(
          tally([...new Map(test.map((u) => [u.speaker, u.attributes.gender])).values()], (g) => g),
          { female: 1, male: 1 },
        );
      }
    } finally {
      fx.cleanup();
    }
  });

  test('files directly in the root are accepted; malformed names name the file and field', async () => {
    const cases: Array<[string, string]> = [
      ['03a01Xa', 'emotion'],
      ['05a01Fa', 'speaker'],
      ['03c01Fa', 'file name'],
      ['readme', 'file name'],
    ];
    for (const [name, field] of cases) {
      const fx = fixture('emodb-bad');
      try {
        fx.wav('03a01Fa.wav');
        fx.wav(`${name}.wav`);
        await rejectsWith(emodb.list(fx.root), `${name}.wav`, `field '${field}'`);
      } finally {
        fx.cleanup();
      }
    }
    await rejectsWith(emodb.list('/nonexistent/emodb'), 'emodb: corpus folder /nonexistent/emodb does not exist');
  });
});
