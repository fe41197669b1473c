import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getCorpus, loadCorpus, MANIFEST_COLUMNS, manifest, parseColumnMapping } from '../../../src/data/corpora/index.js';
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

  test('the columns option reads the file under its own column names; relative paths resolve against the manifest, from any working directory', async () => {
    const fx = fixture('manifest-columns');
    const cwd = process.cwd();
    try {
      fx.wav('audio/a.wav');
      fx.wav('lists/sub/clips/b.wav');
      fx.text(
        'lists/sub/m.csv',
        [
          'file,emotion,actor,sex,Race,take,label,accent',
          '../../audio/a.wav,happy,s1,F,Asian,t1,3,north',
          'clips/b.wav,sad,s2,M,,t2,1,',
        ].join('\n'),
      );
      mkdirSync(join(fx.root, 'elsewhere'));
      process.chdir(join(fx.root, 'elsewhere'));
      const columns = parseColumnMapping('path=file, label=emotion,speaker=actor,gender=sex,race=Race,id=take');
      const utts = await manifest.list('../lists/sub/m.csv', { columns });
      assert.deepEqual(
        utts.map((u) => [u.id, u.path, u.speaker, u.labels.emotion]),
        [
          ['t1', join(fx.root, 'audio/a.wav'), 'manifest:s1', 'happy'],
          ['t2', join(fx.root, 'lists/sub/clips/b.wav'), 'manifest:s2', 'sad'],
        ],
      );
      // The file's own 'label' column is shadowed by the mapping; unmapped columns stay attributes.
      assert.deepEqual(utts[0].attributes, { gender: 'female', race: 'Asian', accent: 'north' });
      assert.deepEqual(utts[1].attributes, { gender: 'male' });
      const loaded = await loadCorpus('csv', join(fx.root, 'lists/sub/m.csv'), { columns });
      assert.deepEqual(loaded.classes, ['happy', 'sad']);
    } finally {
      process.chdir(cwd);
      fx.cleanup();
    }
  });

  test('bad column mappings name the accepted names, the file and the column', async () => {
    const fx = fixture('manifest-columns-bad');
    try {
      fx.wav('a.wav');
      const file = fx.text('m.csv', 'file,emotion,actor\na.wav,happy,s1\n');
      const base = { path: 'file', label: 'emotion', speaker: 'actor' };
      await rejectsWith(
        manifest.list(file, { columns: { ...base, mood: 'emotion2' } }),
        "option 'columns'",
        "unknown column 'mood'",
        `accepted: ${MANIFEST_COLUMNS.join(', ')}`,
      );
      await rejectsWith(
        manifest.list(file, { columns: { ...base, speaker: 'talker' } }),
        `${file}:1: field 'talker'`,
        "missing column (option 'columns' maps 'speaker' to it",
        'header has: file, emotion, actor',
      );
      await rejectsWith(
        manifest.list(file, { columns: { ...base, session: 'actor' } }),
        "'speaker' and 'session' are both mapped to column 'actor'",
      );
      await rejectsWith(
        manifest.list(file, { columns: { path: 'file', label: 'emotion' } }),
        `${file}:1: field 'speaker'`,
        'missing column',
      );
      await rejectsWith(manifest.list(file, { columns: 'path=file' }), "option 'columns'", 'must be an object');
      await rejectsWith(manifest.list(file, { columns: { ...base, age: 3 } }), "column 'age' must be mapped to a column name");
      // Row errors name the user's column.
      fx.text('m.csv', 'file,emotion,actor\na.wav,,s1\n');
      await rejectsWith(manifest.list(file, { columns: base }), `${file}:2: field 'emotion'`, 'empty value');
    } finally {
      fx.cleanup();
    }
  });

  test('parseColumnMapping reads name=column pairs and quotes the bad part', () => {
    assert.deepEqual(parseColumnMapping(' path = file ,label=emotion,speaker=actor'), { path: 'file', label: 'emotion', speaker: 'actor' });
    const bad: Array<[string, RegExp]> = [
      ['', /empty column mapping/],
      ['path=file,,label=x', /'path=file,,label=x': empty pair/],
      ['path=file,label', /'label': expected name=column/],
      ['=file', /'=file': the name before '=' is empty/],
      ['path=', /'path=': the column after '=' is empty/],
      ['path=a=b', /'path=a=b': expected one '='/],
      ['path=a,path=b', /'path=b': 'path' is mapped twice/],
      ['path=a,id=a', /'id=a': column 'a' is already mapped to 'path'/],
    ];
    for (const [text, re] of bad) assert.throws(() => parseColumnMapping(text), re, text);
    // Unusual names become own keys, so the reader can refuse them by name.
    assert.deepEqual(Object.keys(parseColumnMapping('__proto__=x')), ['__proto__']);
  });
});
