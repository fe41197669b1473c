import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyLabelMap, mspImprov, mspPodcast } from '../../../src/data/corpora/index.js';
import { checkSplit, officialSplit } from '../../../src/data/protocol/index.js';
import { fixture, rejectsWith, type Fixture } from './helpers.js';

const PODCAST_HEADER = 'FileName,EmoClass,EmoAct,EmoVal,EmoDom,SpkrID,Gender,Split_Set';
const PODCAST_ROWS = [
  'MSP-PODCAST_0001_0008.wav,N,4.2,4.0,4.4,127,Female,Train',
  'MSP-PODCAST_0001_0019.wav,H,5.0,5.6,4.8,127,Female,Train',
  'MSP-PODCAST_0002_0033.wav,A,6.0,2.2,5.4,3,Male,Development',
  'MSP-PODCAST_0003_0010.wav,S,2.4,2.0,3.0,12,Male,Test1',
  'MSP-PODCAST_0004_0001.wav,X,3.8,4.2,3.6,Unknown,Unknown,Train',
  'MSP-PODCAST_0005_0002.wav,C,4.0,3.0,4.2,50,Female,Test2',
];

function podcast(fx: Fixture, rows = PODCAST_ROWS, audio = true): void {
  fx.text('Labels/labels_consensus.csv', [PODCAST_HEADER, ...rows].join('\n'));
  if (audio) for (const r of rows) fx.wav(`Audios/${r.split(',')[0]}`);
}

describe('MSP-Podcast', () => {
  test('labels_consensus.csv: classes, attributes (1-7), speakers, gender and Split_Set', async () => {
    const fx = fixture('podcast');
    try {
      podcast(fx);
      const utts = await mspPodcast.list(fx.root);
      assert.equal(utts.length, 6);
      const u = utts.find((x) => x.id === 'MSP-PODCAST_0002_0033')!;
      assert.deepEqual(u.labels, { emotion: 'A', arousal: 6, valence: 2.2, dominance: 5.4, split: 'Development' });
      assert.equal(u.speaker, 'msp-podcast:3');
      assert.deepEqual(u.attributes, { gender: 'male' });
      const unknown = utts.find((x) => x.id === 'MSP-PODCAST_0004_0001')!;
      assert.equal(unknown.speaker, 'msp-podcast:unknown-MSP-PODCAST_0004_0001');
      assert.deepEqual(unknown.attributes, { speakerKnown: 'no' });
      assert.equal((await mspPodcast.list(fx.root, { unknownSpeakers: 'drop' })).length, 5);
      const four = applyLabelMap(utts, mspPodcast.labelMaps['4class']);
      assert.deepEqual(
        four.utterances.map((x) => x.labels.emotion),
        ['neutral', 'happy', 'angry', 'sad'],
      );
      assert.equal(applyLabelMap(utts, mspPodcast.labelMaps['8class']).utterances.length, 5, 'X (no agreement) is dropped');
      // Official partitions: one fold per test set.
      const split = officialSplit(utts);
      assert.deepEqual(
        split.folds.map((f) => [f.name, f.train.length, f.dev.length, f.test.length]),
        [
          ['Test1', 3, 1, 1],
          ['Test2', 3, 1, 1],
        ],
      );
      assert.equal(split.speakerIndependent, true);
      checkSplit(split, utts);
    } finally {
      fx.cleanup();
    }
  });

  test('malformed rows name the file, line and column', async () => {
    const cases: Array<[string, string, string]> = [
      ['MSP-PODCAST_0001_0008.wav,Q,4.2,4.0,4.4,127,Female,Train', 'EmoClass', "unknown class 'Q'"],
      ['MSP-PODCAST_0001_0008.wav,N,9.5,4.0,4.4,127,Female,Train', 'EmoAct', 'in [1, 7]'],
      ['MSP-PODCAST_0001_0008.wav,N,4.2,high,4.4,127,Female,Train', 'EmoVal', 'expected a number'],
      ['MSP-PODCAST_0001_0008.wav,N,4.2,4.0,4.4,abc,Female,Train', 'SpkrID', "'abc'"],
      ['MSP-PODCAST_0001_0008.wav,N,4.2,4.0,4.4,127,Femme,Train', 'Gender', "'Femme'"],
      ['MSP-PODCAST_0001_0008.wav,N,4.2,4.0,4.4,127,Female,Testing', 'Split_Set', "'Testing'"],
      ['MSP-PODCAST_0001_0008.wav,N,4.2,4.0,4.4,127,Female,Validation', 'Split_Set', "'Validation'"],
      [',N,4.2,4.0,4.4,127,Female,Train', 'FileName', 'empty value'],
    ];
    for (const [row, field, text] of cases) {
      const fx = fixture('podcast-bad');
      try {
        podcast(fx, [PODCAST_ROWS[1], row], false);
        await rejectsWith(mspPodcast.list(fx.root), 'labels_consensus.csv:3', `field '${field}'`, text);
      } finally {
        fx.cleanup();
      }
    }
  });

  test('a missing column, missing audio and a missing root are clear errors', async () => {
    const fx = fixture('podcast-missing');
    try {
      fx.text(
        'Labels/labels_consensus.csv',
        'FileName,EmoClass,EmoAct,EmoVal,EmoDom,SpkrID,Gender\nMSP-PODCAST_0001_0008.wav,N,4.2,4.0,4.4,127,Female',
      );
      await rejectsWith(mspPodcast.list(fx.root), 'labels_consensus.csv:1', "field 'Split_Set'", 'missing column');
      podcast(fx, PODCAST_ROWS.slice(0, 2), false);
      fx.wav(`Audios/${PODCAST_ROWS[0].split(',')[0]}`);
      await rejectsWith(mspPodcast.list(fx.root), '1 audio file(s) named in the metadata are missing', 'MSP-PODCAST_0001_0019.wav');
      assert.equal((await mspPodcast.list(fx.root, { missingAudio: 'skip' })).length, 1);
    } finally {
      fx.cleanup();
    }
    await rejectsWith(mspPodcast.list('/nonexistent/MSP-Podcast'), 'msp-podcast: corpus folder /nonexistent/MSP-Podcast does not exist');
    const e = fixture('podcast-empty');
    try {
      await rejectsWith(mspPodcast.list(e.root), 'labels_consensus.csv does not exist');
    } finally {
      e.cleanup();
    }
  });
});

const IMPROV_LINES = [
  'UTD-IMPROV-S01A-F01-R-FM01.avi; A; A:3.400000; V:2.000000; D:3.600000; N:3.200000',
  'Utt: Anger; Anger; A:4.000000; V:2.000000; D:4.000000; N:3.000000',
  '',
  'UTD-IMPROV-S01A-M01-T-MF02.avi; N; A:2.600000; V:3.000000; D:2.800000; N:3.600000',
  '',
  'UTD-IMPROV-S02H-F02-P-FM03.avi; H; A:3.800000; V:4.200000; D:3.200000; N:4.000000',
  'UTD-IMPROV-S02H-M02-S-MF04.avi; X; A:3.000000; V:3.000000; D:3.000000',
];

function improvAudio(fx: Fixture): void {
  fx.wav('Audio/session1/S01A/R/MSP-IMPROV-S01A-F01-R-FM01.wav');
  fx.wav('Audio/session1/S01A/T/MSP-IMPROV-S01A-M01-T-MF02.wav');
  fx.wav('Audio/session2/S02H/P/MSP-IMPROV-S02H-F02-P-FM03.wav');
  fx.wav('Audio/session2/S02H/S/MSP-IMPROV-S02H-M02-S-MF04.wav');
}

describe('MSP-IMPROV', () => {
  test('Evalution.txt summary lines, speakers, sessions and scenarios', async () => {
    const fx = fixture('improv');
    try {
      fx.text('Evalution.txt', IMPROV_LINES.join('\n'));
      improvAudio(fx);
      const utts = await mspImprov.list(fx.root);
      assert.deepEqual(
        utts.map((u) => u.id),
        ['MSP-IMPROV-S01A-F01-R-FM01', 'MSP-IMPROV-S01A-M01-T-MF02', 'MSP-IMPROV-S02H-F02-P-FM03', 'MSP-IMPROV-S02H-M02-S-MF04'],
      );
      const u = utts[0];
      assert.equal(u.speaker, 'msp-improv:F01');
      assert.equal(u.session, 'session1');
      assert.deepEqual(u.attributes, { gender: 'female' });
      assert.deepEqual(u.labels, {
        emotion: 'A',
        arousal: 3.4,
        valence: 2,
        dominance: 3.6,
        naturalness: 3.2,
        sentence: 'S01A',
        scenario: 'R',
      });
      assert.ok(u.path.endsWith('Audio/session1/S01A/R/MSP-IMPROV-S01A-F01-R-FM01.wav'));
      assert.equal(utts[3].labels.naturalness, undefined);
      assert.deepEqual(
        applyLabelMap(utts, mspImprov.labelMaps['4class']).utterances.map((x) => x.labels.emotion),
        ['angry', 'neutral', 'happy'],
      );
    } finally {
      fx.cleanup();
    }
  });

  test('malformed summary lines name the file, line and field', async () => {
    const cases: Array<[string, string]> = [
      ['UTD-IMPROV-S01A-F01-R-FM01.avi; Z; A:3.4; V:2.0; D:3.6', "field 'emotion'"],
      ['UTD-IMPROV-S01A-F01-R-FM01.avi; A; A:3.4; V:9.0; D:3.6', "field 'valence'"],
      ['UTD-IMPROV-S01A-F01-R-FM01.avi; A; A:3.4; V:2.0; N:3.6', "field 'dominance'"],
      ['UTD-IMPROV-S01A-F01-R-FM01.avi; A; A:3.4; V:2.0; Q:3.6', "field 'ratings'"],
      ['UTD-IMPROV-S01A-X01-R-FM01.avi; A; A:3.4; V:2.0; D:3.6', "field 'file name'"],
      ['UTD-IMPROV-S01A-F01-R-FM01.avi; A', 'expected'],
    ];
    for (const [line, field] of cases) {
      const fx = fixture('improv-bad');
      try {
        fx.text('Evalution.txt', [IMPROV_LINES[3], '', line].join('\n'));
        improvAudio(fx);
        await rejectsWith(mspImprov.list(fx.root), 'Evalution.txt:3', field);
      } finally {
        fx.cleanup();
      }
    }
    const fx = fixture('improv-dup');
    try {
      fx.text('Evaluation.txt', [IMPROV_LINES[0], IMPROV_LINES[0]].join('\n'));
      improvAudio(fx);
      await rejectsWith(mspImprov.list(fx.root), 'Evaluation.txt:2', 'already rated on line 1');
      fx.text('Evaluation.txt', IMPROV_LINES[0]);
      fx.wav('copy/MSP-IMPROV-S01A-F01-R-FM01.wav');
      await rejectsWith(mspImprov.list(fx.root), 'two audio files for MSP-IMPROV-S01A-F01-R-FM01');
    } finally {
      fx.cleanup();
    }
    const e = fixture('improv-empty');
    try {
      await rejectsWith(mspImprov.list(e.root), 'no Evalution.txt or Evaluation.txt');
    } finally {
      e.cleanup();
    }
  });
});
