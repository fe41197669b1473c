import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyLabelMap,
  getCorpus,
  identityLabelMap,
  listCorpora,
  makeLabelMap,
  resolveLabelMap,
  synthesizeEmotionCorpus,
  validateLabelMap,
  type Utterance,
} from '../../../src/data/corpora/index.js';

function utt(id: string, emotion: string | undefined): Utterance {
  return { id, path: `/x/${id}.wav`, corpus: 'c', speaker: 'c:1', labels: emotion === undefined ? {} : { emotion }, attributes: {} };
}

describe('label maps', () => {
  const map = makeLabelMap('m', ['neutral', 'happy'], { neu: 'neutral', hap: 'happy', exc: 'happy', ang: null });

  test('applyLabelMap maps, drops null/unmapped/unlabelled, keeps the raw value and leaves the input alone', () => {
    const input = [utt('a', 'neu'), utt('b', 'exc'), utt('c', 'ang'), utt('d', 'fru'), utt('e', undefined)];
    const { utterances, classes, dropped } = applyLabelMap(input, map);
    assert.deepEqual(
      utterances.map((u) => [u.id, u.labels.emotion, u.labels.emotionRaw]),
      [
        ['a', 'neutral', 'neu'],
        ['b', 'happy', 'exc'],
      ],
    );
    assert.deepEqual(classes, ['neutral', 'happy']);
    assert.equal(dropped, 3);
    assert.equal(input[0].labels.emotion, 'neu', 'input not modified');
    // 'constructor' and other prototype keys are not labels.
    assert.equal(applyLabelMap([utt('p', 'constructor')], map).utterances.length, 0);
  });

  test('invalid maps are refused', () => {
    assert.throws(() => validateLabelMap({ name: 'x', classes: ['a', 'a'], map: {} }), /duplicate class names/);
    assert.throws(() => makeLabelMap('x', ['a'], { r: 'b' }), /'r' maps to 'b', which is not one of its classes/);
  });

  test('identity and resolution by name', () => {
    const utts = [utt('a', 'sad'), utt('b', 'happy'), utt('c', 'sad')];
    assert.deepEqual(identityLabelMap(utts).classes, ['happy', 'sad']);
    assert.throws(() => identityLabelMap([utt('a', undefined)]), /no utterance has a 'emotion' label/);
    const ravdess = getCorpus('ravdess');
    assert.equal(resolveLabelMap(ravdess, undefined, utts).name, '8class');
    assert.equal(resolveLabelMap(ravdess, '4class', utts).name, '4class');
    assert.equal(resolveLabelMap(ravdess, 'identity', utts).name, 'identity');
    assert.throws(
      () => resolveLabelMap(ravdess, '5class', utts),
      /ravdess: no label map '5class' \(available: '8class', '4class', 'identity'\)/,
    );
  });
});

describe('registry', () => {
  test('every adapter is listed, has a description, valid maps and a default that exists', () => {
    const names = listCorpora().map((a) => a.name);
    assert.deepEqual(names, [
      'ravdess',
      'tess',
      'crema-d',
      'iemocap',
      'msp-improv',
      'msp-podcast',
      'meld',
      'emodb',
      'asvspoof2019-la',
      'librispeech',
      'manifest',
    ]);
    for (const a of listCorpora()) {
      assert.ok(a.description.length > 10, a.name);
      for (const [name, m] of Object.entries(a.labelMaps)) {
        assert.equal(m.name, name);
        validateLabelMap(m);
      }
      if (a.defaultLabelMap !== '') assert.ok(a.labelMaps[a.defaultLabelMap], `${a.name}: default map exists`);
    }
  });

  test('aliases and unknown names', () => {
    assert.equal(getCorpus('CREMA_D').name, 'crema-d');
    assert.equal(getCorpus('msp_podcast').name, 'msp-podcast');
    assert.equal(getCorpus('emo-db').name, 'emodb');
    assert.equal(getCorpus('csv').name, 'manifest');
    assert.throws(() => getCorpus('timit'), /unknown corpus 'timit' \(known: ravdess, tess, crema-d/);
  });

  test('the synthetic corpus is exported from the index', () => {
    const clips = synthesizeEmotionCorpus({ speakers: 2, perClassPerSpeaker: 1, durationS: 0.05 });
    assert.equal(clips.length, 8);
  });
});
