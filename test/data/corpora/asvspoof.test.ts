import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyLabelMap, asvspoof2019La, getCorpus, parseCmProtocol } from '../../../src/data/corpora/index.js';
import { checkSplit, officialSplit } from '../../../src/data/protocol/index.js';
import { fixture, flacHeaderOnly, rejectsWith, type Fixture } from './helpers.js';

const CM = 'ASVspoof2019_LA_cm_protocols';
const PROTOCOLS: Record<string, string[]> = {
  'train.trn': ['LA_0079 LA_T_1138215 - - bonafide', 'LA_0079 LA_T_1004644 - A01 spoof', 'LA_0080 LA_T_1055771 - A06 spoof'],
  'dev.trl': ['LA_0069 LA_D_1047731 - - bonafide', 'LA_0070 LA_D_1105538 - A03 spoof'],
  'eval.trl': ['LA_0039 LA_E_2834763 - A11 spoof', 'LA_0014 LA_E_8877452 - - bonafide'],
};
const AUDIO_DIR: Record<string, string> = { 'train.trn': 'train', 'dev.trl': 'dev', 'eval.trl': 'eval' };

function build(fx: Fixture, prefix = '', protocols = PROTOCOLS, audio = true): void {
  for (const [p, lines] of Object.entries(protocols)) {
    fx.text(`${prefix}${CM}/ASVspoof2019.LA.cm.${p}.txt`, `${lines.join('\n')}\n`);
    if (!audio) continue;
    for (const l of lines) fx.bytes(`${prefix}ASVspoof2019_LA_${AUDIO_DIR[p]}/flac/${l.split(' ')[1]}.flac`, flacHeaderOnly(16000, 48000));
  }
}

describe('ASVspoof 2019 LA', () => {
  test('protocols, attacks, partitions, genders from the ASV protocols, FLAC durations', async () => {
    const fx = fixture('asvspoof');
    try {
      build(fx, 'LA/');
      fx.text('LA/ASVspoof2019_LA_asv_protocols/ASVspoof2019.LA.asv.dev.female.trn.txt', 'LA_0069 LA_D_1047731,LA_D_1105538\n');
      fx.text('LA/ASVspoof2019_LA_asv_protocols/ASVspoof2019.LA.asv.dev.male.trn.txt', 'LA_0070 LA_D_1234567\n');
      // The root may be the LA folder or its parent.
      const utts = await getCorpus('asvspoof').list(fx.root, { withDurations: true });
      assert.equal(utts.length, 7);
      const spoof = utts.find((u) => u.id === 'LA_T_1004644')!;
      assert.deepEqual(spoof.labels, { spoof: 'spoof', attack: 'A01', split: 'train' });
      assert.equal(spoof.speaker, 'asvspoof2019-la:LA_0079');
      assert.equal(spoof.durationS, 3);
      assert.deepEqual(utts.find((u) => u.id === 'LA_D_1047731')!.labels, { spoof: 'bonafide', split: 'dev' });
      assert.equal(utts.find((u) => u.id === 'LA_D_1047731')!.attributes.gender, 'female');
      assert.equal(utts.find((u) => u.id === 'LA_D_1105538')!.attributes.gender, 'male');
      assert.deepEqual(utts.find((u) => u.id === 'LA_T_1138215')!.attributes, {});
      const mapped = applyLabelMap(utts, asvspoof2019La.labelMaps.spoof);
      assert.deepEqual(mapped.classes, ['bonafide', 'spoof']);
      assert.equal(mapped.utterances.length, 7);
      const split = officialSplit(utts);
      assert.deepEqual(
        split.folds.map((f) => [f.name, f.train.length, f.dev.length, f.test.length]),
        [['eval', 3, 2, 2]],
      );
      checkSplit(split, utts);
      const onlyDev = await asvspoof2019La.list(`${fx.root}/LA`, { partition: 'dev' });
      assert.deepEqual(
        onlyDev.map((u) => u.id),
        ['LA_D_1047731', 'LA_D_1105538'],
      );
    } finally {
      fx.cleanup();
    }
  });

  test('malformed protocol lines name the file, line and field', () => {
    const file = 'ASVspoof2019.LA.cm.train.trn.txt';
    const bad = (line: string) => () => parseCmProtocol(`LA_0079 LA_T_1138215 - - bonafide\n${line}\n`, file, 'train');
    assert.throws(bad('LA_0079 LA_T_1004644 - A01 fake'), new RegExp(`${file.replace(/\./g, '\\.')}:2: field 'key'`));
    assert.throws(bad('LA_0079 LA_T_1004644 - - spoof'), /:2: field 'system': expected an attack id/);
    assert.throws(bad('LA_0079 LA_T_1004644 - A01 bonafide'), /:2: field 'system': bona fide lines/);
    assert.throws(bad('LA_79 LA_T_1004644 - A01 spoof'), /:2: field 'speaker'/);
    assert.throws(bad('LA_0079 LA_D_1004644 - A01 spoof'), /:2: field 'utterance': expected LA_T_NNNNNNN in the train protocol/);
    assert.throws(bad('LA_0079 LA_T_1004644 A01 spoof'), /:2: expected 5 fields/);
  });

  test('missing protocols, audio and roots are clear errors', async () => {
    const fx = fixture('asvspoof-missing');
    try {
      await rejectsWith(asvspoof2019La.list(fx.root), `no ${CM} folder`);
      build(fx, '', { 'train.trn': PROTOCOLS['train.trn'] }, false);
      await rejectsWith(asvspoof2019La.list(fx.root), '3 audio file(s) named in the metadata are missing', 'LA_T_1138215.flac');
      await rejectsWith(asvspoof2019La.list(fx.root, { partition: 'eval' }), 'ASVspoof2019.LA.cm.eval.trl.txt does not exist');
      fx.text(`${CM}/ASVspoof2019.LA.cm.train.trn.txt`, 'LA_0079 LA_T_1138215 - - genuine\n');
      await rejectsWith(asvspoof2019La.list(fx.root, { missingAudio: 'skip' }), 'ASVspoof2019.LA.cm.train.trn.txt:1', "field 'key'");
    } finally {
      fx.cleanup();
    }
    await rejectsWith(asvspoof2019La.list('/nonexistent/LA'), 'asvspoof2019-la: corpus folder /nonexistent/LA does not exist');
  });
});
