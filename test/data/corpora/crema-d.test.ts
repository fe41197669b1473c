import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyLabelMap, cremaD, getCorpus } from '../../../src/data/corpora/index.js';
import { fixture, rejectsWith, type Fixture } from './helpers.js';

const DEMOGRAPHICS = [
  'ActorID,Age,Sex,Race,Ethnicity',
  '1001,51,Male,Caucasian,Not Hispanic',
  '1002,21,Female,African American,Not Hispanic',
  '1003,42,Female,Asian,Hispanic',
].join('\n');
// The real summaryTable.csv starts with an unnamed (row index) column.
const SUMMARY = [
  '"","FileName","VoiceVote","VoiceLevel","FaceVote","FaceLevel","MultiModalVote","MultiModalLevel"',
  '"1","1001_DFA_ANG_XX","A","60","A","50","A","70"',
  '"2","1002_IEO_HAP_HI","N","40","H","60","H","55"',
  '"3","1003_TIE_SAD_LO","S:N","50:30","S","40","S","45"',
].join('\n');
const FILES = ['1001_DFA_ANG_XX', '1002_IEO_HAP_HI', '1003_TIE_SAD_LO', '1003_WSI_FEA_MD'];

function corpus(fx: Fixture, o: { demographics?: string | null; summary?: string | null; files?: string[] } = {}): void {
  for (const f of o.files ?? FILES) fx.wav(`AudioWAV/${f}.wav`);
  if (o.demographics !== null) fx.text('VideoDemographics.csv', o.demographics ?? DEMOGRAPHICS);
  if (o.summary !== null) fx.text('processedResults/summaryTable.csv', o.summary ?? SUMMARY);
}

describe('CREMA-D', () => {
  let fx: Fixture;
  before(() => {
    fx = fixture('crema');
    corpus(fx);
  });
  after(() => fx.cleanup());

  test('intended labels from file names, observed from VoiceVote, demographics as attributes', async () => {
    const utts = await cremaD.list(fx.root);
    assert.deepEqual(
      utts.map((u) => u.id),
      FILES,
    );
    const [ang, hap, sadTie, fea] = utts;
    assert.equal(ang.speaker, 'crema-d:1001');
    assert.deepEqual(ang.attributes, { gender: 'male', age: 51, race: 'Caucasian', ethnicity: 'Not Hispanic' });
    assert.deepEqual(ang.labels, {
      emotion: 'ANG',
      intended: 'ANG',
      observed: 'ANG',
      voiceVote: 'A',
      voiceLevel: 60,
      sentence: 'DFA',
      level: 'unspecified',
    });
    assert.equal(hap.labels.emotion, 'HAP');
    assert.equal(hap.labels.observed, 'NEU', 'the crowd heard neutral');
    assert.equal(hap.labels.level, 'high');
    assert.equal(sadTie.labels.observed, undefined, 'a tie has no observed label');
    assert.equal(sadTie.labels.voiceVote, 'S:N');
    assert.equal(fea.labels.observed, undefined, 'unrated file');
    assert.deepEqual(fea.attributes, { gender: 'female', age: 42, race: 'Asian', ethnicity: 'Hispanic' });
  });

  test("label: 'observed' uses the crowd vote; ties and unrated files drop out of the label map", async () => {
    const utts = await getCorpus('cremad').list(fx.root, { label: 'observed' });
    assert.deepEqual(
      utts.map((u) => u.labels.emotion),
      ['ANG', 'NEU', undefined, undefined],
    );
    const { utterances, classes } = applyLabelMap(utts, cremaD.labelMaps['6class']);
    assert.deepEqual(
      utterances.map((u) => u.labels.emotion),
      ['angry', 'neutral'],
    );
    assert.deepEqual(classes, ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust']);
    const four = applyLabelMap(await cremaD.list(fx.root), cremaD.labelMaps['4class']);
    assert.deepEqual(
      four.utterances.map((u) => u.labels.emotion),
      ['angry', 'happy', 'sad'],
    );
  });

  test('malformed metadata lines name the file, line and field', async () => {
    const cases: Array<[Partial<Parameters<typeof corpus>[1]>, string[]]> = [
      [{ demographics: DEMOGRAPHICS.replace('1002,21,Female', '1002,21,Unknown') }, ['VideoDemographics.csv:3', "field 'Sex'", 'Unknown']],
      [{ demographics: DEMOGRAPHICS.replace('1003,42', '1003,forty') }, ['VideoDemographics.csv:4', "field 'Age'", 'forty']],
      [{ demographics: `${DEMOGRAPHICS}\n1001,51,Male,Caucasian,Not Hispanic` }, ['VideoDemographics.csv:5', "field 'ActorID'", 'twice']],
      [{ demographics: DEMOGRAPHICS.replace('Ethnicity', 'Ethnic') }, ['VideoDemographics.csv:1', "field 'Ethnicity'", 'missing column']],
      [{ demographics: `${DEMOGRAPHICS}\n1004,30,Male` }, ['VideoDemographics.csv:5', 'fields']],
      [{ summary: SUMMARY.replace('"A","60","A","50"', '"Q","60","A","50"') }, ['summaryTable.csv:2', "field 'VoiceVote'", "'Q'"]],
      [{ summary: SUMMARY.replace('"1001_DFA_ANG_XX"', '""') }, ['summaryTable.csv:2', "field 'FileName'", 'empty']],
      [{ demographics: DEMOGRAPHICS.split('\n').slice(0, 3).join('\n') }, ['VideoDemographics.csv', "field 'ActorID'", 'actor 1003']],
    ];
    for (const [o, fragments] of cases) {
      const f = fixture('crema-bad');
      try {
        corpus(f, o);
        await rejectsWith(cremaD.list(f.root), ...fragments);
      } finally {
        f.cleanup();
      }
    }
  });

  test('malformed file names name the file and the part', async () => {
    for (const [name, field] of [
      ['1001_DFA_XXX_XX', 'emotion'],
      ['1001_ABC_ANG_XX', 'sentence'],
      ['1001_DFA_ANG_ZZ', 'level'],
      ['1001-DFA-ANG-XX', 'file name'],
    ]) {
      const f = fixture('crema-name');
      try {
        corpus(f, { files: [name] });
        await rejectsWith(cremaD.list(f.root), `${name}.wav`, `field '${field}'`);
      } finally {
        f.cleanup();
      }
    }
  });

  test('missing metadata files give clear errors (or are optional when asked)', async () => {
    const f = fixture('crema-missing');
    try {
      corpus(f, { demographics: null, summary: null });
      await rejectsWith(cremaD.list(f.root), 'VideoDemographics.csv does not exist', 'requireDemographics');
      const utts = await cremaD.list(f.root, { requireDemographics: false });
      assert.deepEqual(utts[0].attributes, {});
      await rejectsWith(cremaD.list(f.root, { requireDemographics: false, label: 'observed' }), 'summaryTable.csv', 'does not exist');
      await rejectsWith(cremaD.list(f.root, { label: 'crowd' }), "option 'label'");
    } finally {
      f.cleanup();
    }
    await rejectsWith(cremaD.list('/nonexistent/crema'), 'crema-d: corpus folder /nonexistent/crema does not exist');
  });
});
