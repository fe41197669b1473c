import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyLabelMap, iemocap, parseEmoEvaluation } from '../../../src/data/corpora/index.js';
import { leaveOneSessionOut, checkSplit } from '../../../src/data/protocol/index.js';
import { fixture, rejectsWith, type Fixture } from './helpers.js';

/** An evaluation file in the release's format: header, utterance lines, annotator lines. */
function evaluation(lines: string[]): string {
  const out = ['% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]', ''];
  for (const l of lines) {
    out.push(l, 'C-E1:\tNeutral;\t()', 'C-E2:\tNeutral;\t()', 'A-E1:\tval 3; act 2; dom  2;\t()', '');
  }
  return out.join('\n');
}

const S1_IMPRO = [
  '[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, 2.5000, 2.5000]',
  '[10.0100 - 11.3925]\tSes01F_impro01_M000\tfru\t[2.0000, 3.5000, 3.5000]',
  '[14.8872 - 18.0175]\tSes01F_impro01_F001\texc\t[4.0000, 3.5000, 3.0000]',
];
const S1_SCRIPT = [
  '[1.0000 - 3.5000]\tSes01F_script01_1_M000\tang\t[1.5000, 4.5000, 4.0000]',
  '[4.0000 - 6.0000]\tSes01F_script01_1_F000\thap\t[4.5000, 3.0000, 3.0000]',
];
const S2_IMPRO = [
  '[0.5000 - 2.0000]\tSes02M_impro03_M000\tsad\t[1.5000, 1.5000, 2.0000]',
  '[2.5000 - 4.0000]\tSes02M_impro03_F000\tneu\t[3.0000, 2.0000, 2.5000]',
];

function turnName(line: string): string {
  return line.split('\t')[1];
}

function build(fx: Fixture, files: Record<string, string[]>, withAudio = true): void {
  for (const [rel, lines] of Object.entries(files)) {
    const session = rel.split('/')[0];
    const dialog = rel.split('/').pop()!;
    fx.text(`${session}/dialog/EmoEvaluation/${dialog}.txt`, evaluation(lines));
    if (withAudio) for (const l of lines) fx.wav(`${session}/sentences/wav/${dialog}/${turnName(l)}.wav`);
  }
}

describe('IEMOCAP', () => {
  let fx: Fixture;
  before(() => {
    fx = fixture('iemocap');
    build(fx, { 'Session1/Ses01F_impro01': S1_IMPRO, 'Session1/Ses01F_script01_1': S1_SCRIPT, 'Session2/Ses02M_impro03': S2_IMPRO });
    fx.text('Session1/dialog/EmoEvaluation/._Ses01F_impro01.txt', 'macOS resource fork: ignored');
    fx.text('Session1/dialog/EmoEvaluation/Categorical/Ses01F_impro01_e1_cat.txt', 'annotator files: ignored');
  });
  after(() => fx.cleanup());

  test('utterances, speakers (session + gender of the turn), sessions, V/A/D and mode', async () => {
    const utts = await iemocap.list(fx.root);
    assert.equal(utts.length, 7);
    const u = utts.find((x) => x.id === 'Ses01F_impro01_M000')!;
    assert.equal(u.speaker, 'iemocap:Ses01M', 'the male actor of session 1 speaks in a dialog named ...F');
    assert.equal(u.session, 'Session1');
    assert.equal(u.attributes.gender, 'male');
    assert.deepEqual(u.labels, { emotion: 'fru', valence: 2, arousal: 3.5, dominance: 3.5, mode: 'improvised', dialog: 'Ses01F_impro01' });
    assert.ok(Math.abs(u.durationS! - 1.3825) < 1e-9);
    assert.ok(u.path.endsWith('Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M000.wav'));
    const s = utts.find((x) => x.id === 'Ses01F_script01_1_F000')!;
    assert.equal(s.labels.mode, 'scripted');
    assert.equal(s.speaker, 'iemocap:Ses01F');
    assert.deepEqual([...new Set(utts.map((x) => x.speaker))].sort(), [
      'iemocap:Ses01F',
      'iemocap:Ses01M',
      'iemocap:Ses02F',
      'iemocap:Ses02M',
    ]);
  });

  test('4-class map, and excited merged into happy on request', async () => {
    const utts = await iemocap.list(fx.root);
    const four = applyLabelMap(utts, iemocap.labelMaps['4class']);
    assert.deepEqual(
      four.utterances.map((u) => `${u.id}:${u.labels.emotion}`),
      [
        'Ses01F_impro01_F000:neutral',
        'Ses01F_script01_1_F000:happy',
        'Ses01F_script01_1_M000:angry',
        'Ses02M_impro03_F000:neutral',
        'Ses02M_impro03_M000:sad',
      ],
    );
    const merged = applyLabelMap(utts, iemocap.labelMaps['4class-exc']);
    assert.equal(merged.utterances.length, 6);
    assert.equal(merged.utterances.find((u) => u.id === 'Ses01F_impro01_F001')!.labels.emotion, 'happy');
  });

  test('leave-one-session-out uses the sessions', async () => {
    const utts = await iemocap.list(fx.root);
    const split = leaveOneSessionOut(utts, { devSpeakers: 0 });
    assert.deepEqual(
      split.folds.map((f) => f.name),
      ['Session1', 'Session2'],
    );
    assert.equal(split.folds[1].test.length, 2);
    checkSplit(split, utts);
  });

  test('malformed utterance lines name the file, line and field', () => {
    const file = 'Ses01F_impro01.txt';
    const bad = (line: string): string => evaluation([S1_IMPRO[0], line]);
    // Line 8 is the second utterance line (header, blank, line, 3 annotator lines, blank).
    assert.throws(
      () => parseEmoEvaluation(bad('[6.2901 - 8.2357]\tSes01F_impro01_F002\tjoy\t[2.5, 2.5, 2.5]'), file, 'Ses01F_impro01'),
      /Ses01F_impro01\.txt:8: field 'emotion': unknown emotion code "joy"/,
    );
    assert.throws(
      () => parseEmoEvaluation(bad('[6.2901 - 8.2357]\tSes01F_impro01_F002\tneu\t[2.5, 2.5]'), file, 'Ses01F_impro01'),
      /:8: field 'valence\/arousal\/dominance'/,
    );
    assert.throws(
      () => parseEmoEvaluation(bad('[6.2901 - 8.2357]\tSes01F_impro01_F002\tneu\t[2.5, 9, 2.5]'), file, 'Ses01F_impro01'),
      /:8: field 'valence\/arousal\/dominance'/,
    );
    assert.throws(
      () => parseEmoEvaluation(bad('[8.2901 - 6.2357]\tSes01F_impro01_F002\tneu\t[2.5, 2.5, 2.5]'), file, 'Ses01F_impro01'),
      /:8: field 'time range'/,
    );
    assert.throws(
      () => parseEmoEvaluation(bad('[6.2901 - 8.2357]\tSes01F_impro01_X002\tneu\t[2.5, 2.5, 2.5]'), file, 'Ses01F_impro01'),
      /:8: field 'turn name'/,
    );
    assert.throws(
      () => parseEmoEvaluation(bad('[6.2901 - 8.2357]\tSes01F_impro02_F002\tneu\t[2.5, 2.5, 2.5]'), file, 'Ses01F_impro01'),
      /:8: field 'turn name': turn Ses01F_impro02_F002 does not belong/,
    );
    assert.throws(
      () => parseEmoEvaluation(bad('[6.2901 - 8.2357] Ses01F_impro01_F002 neu'), file, 'Ses01F_impro01'),
      /:8: expected 4 tab-separated fields/,
    );
  });

  test('malformed files fail the listing; a turn in the wrong session is refused', async () => {
    const f = fixture('iemocap-bad');
    try {
      build(f, { 'Session1/Ses01F_impro01': [S1_IMPRO[0], S1_IMPRO[1].replace('fru', 'FRU')] });
      await rejectsWith(iemocap.list(f.root), 'Ses01F_impro01.txt:8', "field 'emotion'");
    } finally {
      f.cleanup();
    }
    const g = fixture('iemocap-session');
    try {
      build(g, { 'Session2/Ses01F_impro01': [S1_IMPRO[0]] });
      await rejectsWith(iemocap.list(g.root), 'Ses01F_impro01.txt', "field 'turn name'", 'Session2');
    } finally {
      g.cleanup();
    }
  });

  test('missing audio fails by default and is skipped on request; a missing root or layout is named', async () => {
    const f = fixture('iemocap-audio');
    try {
      build(f, { 'Session1/Ses01F_impro01': S1_IMPRO }, false);
      f.wav(`Session1/sentences/wav/Ses01F_impro01/${turnName(S1_IMPRO[0])}.wav`);
      await rejectsWith(
        iemocap.list(f.root),
        '2 audio file(s) named in the metadata are missing',
        'Ses01F_impro01_M000.wav',
        "missingAudio: 'skip'",
      );
      assert.deepEqual(
        (await iemocap.list(f.root, { missingAudio: 'skip' })).map((u) => u.id),
        ['Ses01F_impro01_F000'],
      );
    } finally {
      f.cleanup();
    }
    await rejectsWith(iemocap.list('/nonexistent/IEMOCAP'), 'iemocap: corpus folder /nonexistent/IEMOCAP does not exist');
    const e = fixture('iemocap-empty');
    try {
      e.text('README.txt', 'not IEMOCAP');
      await rejectsWith(iemocap.list(e.root), 'no Session1 ... Session5 folders');
      e.text('Session1/README.txt', '');
      await rejectsWith(iemocap.list(e.root), 'EmoEvaluation', 'does not exist');
    } finally {
      e.cleanup();
    }
  });
});
