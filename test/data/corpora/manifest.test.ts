import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getCorpus, loadCorpus, manifest } from '../../../src/data/corpora/index.js';
import { fixture, rejectsWith } from './helpers.js';

describe('CSV manifest', () => {
  test('paths relative to the manifest, labels, speakers and attributes', async () => {
    const fx = fixture('manifest');
    try {
      fx.wav('audio/a.wav');
      fx.wav('audio/b.wav');
      const abs = fx.wav('elsewhere/c.wav');
      fx.text(
        'lists/manifest.csv',
        [
          'path,label,speaker,gender,race,age,session,split,arousal,accent,spoof',
          '../audio/a.wav,happy,s1,F,Asian,31,day1,train,3.5,north,',
          '../audio/b.wav,sad,s2,male,,,,test,,,spoof',
          `${abs},sad,s1,female,Asian,31,day2,dev,2,north,bonafide`,
        ].join('\n'),
      );
      const utts = await getCorpus('csv').list(join(fx.root, 'lists'), { corpus: 'my-data' });
      assert.deepEqual(
        utts.map((u) => [u.id, u.path, u.corpus, u.speaker]),
        [
          ['../audio/a', join(fx.root, 'audio/a.wav'), 'my-data', 'my-data:s1'],
          ['../audio/b', join(fx.root, 'audio/b.wav'), 'my-data', 'my-data:s2'],
          [abs.slice(0, -4), abs, 'my-data', 'my-data:s1'],
        ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      );
      const a = utts.find((u) => u.id === '../audio/a')!;
      assert.deepEqual(a.labels, { emotion: 'happy', arousal: 3.5, split: 'train' });
      assert.deepEqual(a.attributes, { gender: 'female', age: 31, race: 'Asian', accent: 'north' });
      assert.equal(a.session, 'day1');
      const b = utts.find((u) => u.id === '../audio/b')!;
      assert.deepEqual(b.attributes, { gender: 'male' });
      assert.equal(b.session, undefined);
      assert.equal(b.labels.spoof, 'spoof');
      // Raw labels are the classes (identity map).
      const loaded = await loadCorpus('manifest', join(fx.root, 'lists', 'manifest.csv'));
      assert.deepEqual(loaded.classes, ['happy', 'sad']);
      assert.equal(loaded.utterances.length, 3);
      assert.equal(loaded.utterances[0].corpus, 'manifest');
    } finally {
      fx.cleanup();
    }
  });

  test('errors name the file, the row and the field', async () => {
    const fx = fixture('manifest-bad');
    try {
      fx.wav('a.wav');
      fx.wav('b.wav');
      const file = join(fx.root, 'm.csv');
      const cases: Array<[string[], string[]]> = [
        [
          ['path,label,speaker,gender', 'a.wav,happy,s1,X'],
          [`${file}:2: field 'gender'`, "'X'"],
        ],
        [
          ['path,label,speaker,age', 'a.wav,happy,s1,old'],
          [`${file}:2: field 'age'`, 'expected a number'],
        ],
        [['path,label,speaker,arousal', 'a.wav,happy,s1,3', 'b.wav,sad,s2,high'], [`${file}:3: field 'arousal'`]],
        [
          ['path,label,speaker', 'a.wav,,s1'],
          [`${file}:2: field 'label'`, 'empty value'],
        ],
        [
          ['path,label,speaker,spoof', 'a.wav,happy,s1,fake'],
          [`${file}:2: field 'spoof'`, 'expected bonafide or spoof'],
        ],
        [
          ['path,label,speaker', 'a.wav,happy,'],
          [`${file}:2: field 'speaker'`, 'empty value'],
        ],
        [
          ['path,label', 'a.wav,happy'],
          [`${file}:1: field 'speaker'`, 'missing column'],
        ],
        [
          ['path,label,speaker', 'a.wav,happy,s1', 'a.wav,sad,s1'],
          [`${file}:3: field 'path'`, 'already used on line 2'],
        ],
        [['id,path,label,speaker', 'x,a.wav,happy,s1', 'x,b.wav,sad,s1'], [`${file}:3: field 'id'`]],
        [
          ['path,label,speaker', 'a.wav,happy,s1,extra'],
          [`${file}:2`, 'row has 4 fields, the header has 3'],
        ],
        [['path,label,speaker'], [`${file}: the manifest has no rows`]],
        [
          ['path,label,speaker', 'missing.wav,happy,s1'],
          ['1 audio file(s) named in the metadata are missing', 'missing.wav'],
        ],
      ];
      for (const [lines, fragments] of cases) {
        fx.text('m.csv', lines.join('\n'));
        await rejectsWith(manifest.list(file), ...fragments);
      }
      fx.text('m.csv', 'path,label,speaker\na.wav,happy,s1\nmissing.wav,sad,s2');
      assert.equal((await manifest.list(file, { missingAudio: 'skip' })).length, 1);
      await rejectsWith(manifest.list(file, { corpus: 'Bad Name' }), "option 'corpus'");
      await rejectsWith(manifest.list(join(fx.root, 'nope.csv')), 'is neither a CSV manifest nor a folder');
      await rejectsWith(manifest.list(fx.root), 'is neither a CSV manifest nor a folder holding manifest.csv');
    } finally {
      fx.cleanup();
    }
  });
});
