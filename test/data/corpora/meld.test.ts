import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyLabelMap, meld } from '../../../src/data/corpora/index.js';
import { checkSplit, officialSplit } from '../../../src/data/protocol/index.js';
import { fixture, rejectsWith, type Fixture } from './helpers.js';

const HEADER = 'Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime';
const TRAIN = [
  '1,"also I was the point person on my company\'s transition from the KL-5 to GR-6 system.",Chandler,neutral,neutral,0,0,8,21,"00:16:16,059","00:16:21,731"',
  '2,"You must\'ve had your hands full.",The Interviewer,neutral,neutral,0,1,8,21,"00:16:21,940","00:16:23,442"',
  '3,"That I did. That I did.",Chandler,joy,positive,0,2,8,21,"00:16:23,442","00:16:26,389"',
];
const DEV = ['1,"Oh my God, he\'s lost it. He\'s totally lost it.",Phoebe,sadness,negative,0,0,4,7,"00:20:57,256","00:21:00,049"'];
const TEST = [
  '1,"Why do all you\'re coffee mugs have numbers on the bottom?",Mark,surprise,positive,0,0,3,19,"00:14:38,688","00:14:40,671"',
  '2,"Oh. That\'s so Monica can keep track.",Rachel,anger,negative,0,1,3,19,"00:14:40,786","00:14:44,289"',
];

function build(fx: Fixture, o: { train?: string[]; dev?: string[]; test?: string[]; audio?: boolean } = {}): void {
  const parts = { train: o.train ?? TRAIN, dev: o.dev ?? DEV, test: o.test ?? TEST };
  const dirs = { train: 'train_splits', dev: 'dev_splits_complete', test: 'output_repeated_splits_test' };
  for (const [split, rows] of Object.entries(parts) as Array<[keyof typeof dirs, string[]]>) {
    fx.text(`${split}_sent_emo.csv`, [HEADER, ...rows].join('\n'));
    if (o.audio === false) continue;
    for (const r of rows) {
      const m = /,(\d+),(\d+),\d+,\d+,"/.exec(r);
      if (m) fx.wav(`${dirs[split]}/dia${m[1]}_utt${m[2]}.wav`);
    }
  }
}

describe('MELD', () => {
  test('the three partitions, ids per split, emotions, sentiments and speakers', async () => {
    const fx = fixture('meld');
    try {
      build(fx);
      const utts = await meld.list(fx.root);
      assert.deepEqual(
        utts.map((u) => u.id),
        ['dev/dia0_utt0', 'test/dia0_utt0', 'test/dia0_utt1', 'train/dia0_utt0', 'train/dia0_utt1', 'train/dia0_utt2'],
      );
      const u = utts.find((x) => x.id === 'train/dia0_utt2')!;
      assert.equal(u.speaker, 'meld:Chandler');
      assert.deepEqual(u.labels, { emotion: 'joy', sentiment: 'positive', split: 'train', dialogue: 0, utterance: 2 });
      assert.ok(u.path.endsWith('train_splits/dia0_utt2.wav'));
      assert.deepEqual(
        applyLabelMap(utts, meld.labelMaps['4class']).utterances.map((x) => x.labels.emotion),
        ['sad', 'angry', 'neutral', 'neutral', 'happy'],
      );
      const sentiment = applyLabelMap(utts, meld.labelMaps.sentiment);
      assert.equal(sentiment.utterances.length, 6);
      assert.deepEqual(sentiment.classes, ['neutral', 'positive', 'negative']);
      const split = officialSplit(utts);
      assert.deepEqual(
        split.folds.map((f) => [f.name, f.train.length, f.dev.length, f.test.length]),
        [['test', 3, 1, 2]],
      );
      checkSplit(split, utts);
    } finally {
      fx.cleanup();
    }
  });

  test('official MELD partitions that share characters are refused unless explicitly allowed', async () => {
    const fx = fixture('meld-overlap');
    try {
      build(fx, { test: [TEST[0].replace(',Mark,', ',Chandler,')] });
      const utts = await meld.list(fx.root);
      assert.throws(() => officialSplit(utts), /'meld:Chandler' in train and test.*not speaker-independent.*allowSpeakerOverlap/s);
      const split = officialSplit(utts, { allowSpeakerOverlap: true });
      assert.equal(split.speakerIndependent, false);
      assert.match(split.note!, /NOT speaker-independent/);
      checkSplit(split, utts); // accepted because the manifest says so
    } finally {
      fx.cleanup();
    }
  });

  test('malformed rows name the file, line and field; missing audio is reported', async () => {
    const cases: Array<[string, string]> = [
      [TRAIN[0].replace(',neutral,neutral,', ',bored,neutral,'), "field 'Emotion'"],
      [TRAIN[0].replace(',neutral,neutral,', ',neutral,meh,'), "field 'Sentiment'"],
      [TRAIN[0].replace(',0,0,8,', ',x,0,8,'), "field 'Dialogue_ID'"],
      [TRAIN[0].replace(',Chandler,', ',,'), "field 'Speaker'"],
    ];
    for (const [row, field] of cases) {
      const fx = fixture('meld-bad');
      try {
        build(fx, { train: [TRAIN[1], row] });
        await rejectsWith(meld.list(fx.root), 'train_sent_emo.csv:3', field);
      } finally {
        fx.cleanup();
      }
    }
    const fx = fixture('meld-audio');
    try {
      build(fx, { audio: false });
      await rejectsWith(meld.list(fx.root), '6 audio file(s) named in the metadata are missing', 'dia0_utt0.wav');
      assert.equal((await meld.list(fx.root, { missingAudio: 'skip' })).length, 0);
    } finally {
      fx.cleanup();
    }
    const e = fixture('meld-empty');
    try {
      await rejectsWith(meld.list(e.root), 'none of train_sent_emo.csv');
    } finally {
      e.cleanup();
    }
  });
});
