import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { applyLabelMap, getCorpus, loadCorpus, parseRavdessName, ravdess, type Utterance } from '../../../src/data/corpora/index.js';
import { RAVDESS_DIR, fixture, rejectsWith, sharedSkip, tally } from './helpers.js';

describe('RAVDESS on the real data', { skip: sharedSkip(RAVDESS_DIR) }, () => {
  let all: Utterance[] = [];
  test('lists 1440 utterances of 24 actors, 12 male and 12 female', async () => {
    all = await ravdess.list(RAVDESS_DIR);
    assert.equal(all.length, 1440);
    const speakers = new Set(all.map((u) => u.speaker));
    assert.equal(speakers.size, 24);
    const genderOf = new Map(all.map((u) => [u.speaker, u.attributes.gender]));
    assert.deepEqual(
      tally([...genderOf.values()], (g) => g),
      { female: 12, male: 12 },
    );
    assert.equal(genderOf.get('ravdess:01'), 'male');
    assert.equal(genderOf.get('ravdess:24'), 'female');
    for (const u of all) {
      assert.equal(u.corpus, 'ravdess');
      assert.ok(u.path.startsWith('/'), u.path);
      assert.equal(u.durationS, undefined, 'durations are not read by default');
    }
    assert.equal(new Set(all.map((u) => u.id)).size, 1440);
    assert.deepEqual(
      all.map((u) => u.id),
      [...all.map((u) => u.id)].sort(),
      'sorted by id',
    );
  });

  test('8-class counts: neutral 96, every other emotion 192', () => {
    const { utterances, classes } = applyLabelMap(all, ravdess.labelMaps['8class']);
    assert.equal(utterances.length, 1440);
    assert.deepEqual(classes, ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised']);
    const counts = tally(utterances, (u) => u.labels.emotion);
    for (const c of classes) assert.equal(counts[c], c === 'neutral' ? 96 : 192, c);
  });

  test('the 4-class map (Trust-SER setting) keeps 672 utterances', async () => {
    const { utterances, classes, dropped } = applyLabelMap(all, ravdess.labelMaps['4class']);
    assert.equal(utterances.length, 672);
    assert.equal(dropped, 1440 - 672);
    assert.deepEqual(classes, ['neutral', 'happy', 'sad', 'angry']);
    assert.deepEqual(
      tally(utterances, (u) => u.labels.emotion),
      { angry: 192, happy: 192, neutral: 96, sad: 192 },
    );
    const loaded = await loadCorpus('RAVDESS', RAVDESS_DIR, { labelMap: '4class' });
    assert.equal(loaded.utterances.length, 672);
    assert.equal(loaded.all.length, 1440);
  });

  test('intensity, statement and repetition are labels', () => {
    const u = all.find((x) => x.id === '03-01-05-02-02-01-12')!;
    assert.deepEqual(u.labels, { emotion: 'angry', intensity: 'strong', statement: 'dogs', repetition: 1, vocalChannel: 'speech' });
    assert.deepEqual(
      tally(all, (x) => String(x.labels.intensity)),
      { normal: 768, strong: 672 },
    );
    assert.deepEqual(
      tally(all, (x) => String(x.labels.statement)),
      { dogs: 720, kids: 720 },
    );
  });

  test('withDurations reads the WAV headers (about 3-5 s each)', async () => {
    const some = await getCorpus('ravdess').list(RAVDESS_DIR, { withDurations: true });
    for (const u of some) assert.ok(u.durationS! > 2.5 && u.durationS! < 6, `${u.id}: ${u.durationS}`);
  });
});

describe('RAVDESS file names', () => {
  const fx = fixture('ravdess');
  after(() => fx.cleanup());

  test('parses every field', () => {
    assert.deepEqual(parseRavdessName('/x/Actor_07/03-01-08-02-01-02-07.wav'), {
      modality: '03',
      channel: '01',
      emotion: 'surprised',
      intensity: 'strong',
      statement: '01',
      repetition: 2,
      actor: '07',
    });
  });

  test('a malformed name names the file and the field', async () => {
    assert.throws(() => parseRavdessName('/x/03-01-09-01-01-01-01.wav'), /03-01-09-01-01-01-01\.wav: field 'emotion': invalid code '09'/);
    assert.throws(() => parseRavdessName('/x/03-01-01-02-01-01-01.wav'), /field 'intensity'/); // neutral has no strong intensity
    assert.throws(() => parseRavdessName('/x/03-01-01-01-01-01-25.wav'), /field 'actor'/);
    assert.throws(() => parseRavdessName('/x/03-01-01.wav'), /field 'file name'/);
  });

  test('a folder whose actor disagrees with the file name is refused', async () => {
    fx.wav('Actor_01/03-01-01-01-01-01-01.wav');
    fx.wav('Actor_02/03-01-01-01-01-01-03.wav');
    await rejectsWith(ravdess.list(fx.root), 'Actor_02/03-01-01-01-01-01-03.wav', "field 'actor'", 'Actor_02');
  });

  test('song files are left out unless asked for', async () => {
    const f = fixture('ravdess-song');
    try {
      f.wav('Actor_01/03-01-01-01-01-01-01.wav');
      f.wav('Actor_01/03-02-03-01-01-01-01.wav');
      f.wav('Actor_01/01-01-03-01-01-01-01.wav'); // audio-video copy: ignored
      assert.equal((await ravdess.list(f.root)).length, 1);
      const both = await ravdess.list(f.root, { vocalChannel: 'all' });
      assert.deepEqual(
        both.map((u) => u.labels.vocalChannel),
        ['speech', 'song'],
      );
      await rejectsWith(ravdess.list(f.root, { vocalChannel: 'sung' }), "option 'vocalChannel'");
    } finally {
      f.cleanup();
    }
  });

  test('a missing root gives a clear error', async () => {
    await rejectsWith(ravdess.list('/nonexistent/ravdess'), 'ravdess: corpus folder /nonexistent/ravdess does not exist');
  });
});
