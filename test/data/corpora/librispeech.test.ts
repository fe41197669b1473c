import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { librispeech, parseSpeakersTxt } from '../../../src/data/corpora/index.js';
import { LIBRISPEECH_DIR, fixture, flacHeaderOnly, rejectsWith, sharedSkip, tally } from './helpers.js';

describe('LibriSpeech on the real subset', { skip: sharedSkip(LIBRISPEECH_DIR) }, () => {
  test('100 utterances of 10 readers, sex from SPEAKERS.TXT', async () => {
    const utts = await librispeech.list(LIBRISPEECH_DIR);
    assert.equal(utts.length, 100);
    const speakers = new Set(utts.map((u) => u.speaker));
    assert.equal(speakers.size, 10);
    // SPEAKERS.TXT says what each reader is; the adapter must agree line by line.
    const table = parseSpeakersTxt(readFileSync(join(LIBRISPEECH_DIR, 'SPEAKERS.TXT'), 'utf8'), 'SPEAKERS.TXT');
    for (const u of utts) {
      const id = u.speaker.replace('librispeech:', '');
      assert.equal(u.attributes.gender, table.get(id)!.gender, u.id);
      assert.equal(u.labels.subset, 'test-other');
      assert.match(u.id, /^\d+-\d+-\d{4}$/);
    }
    const genders = new Map(utts.map((u) => [u.speaker, u.attributes.gender]));
    assert.deepEqual(
      tally([...genders.values()], (g) => g),
      { female: 5, male: 5 },
    );
    assert.equal(genders.get('librispeech:1688'), 'male');
    assert.equal(genders.get('librispeech:1998'), 'female');
    assert.equal(librispeech.defaultLabelMap, '');
  });

  test('SPEAKERS.TXT names with a "|" inside are kept whole', () => {
    const table = parseSpeakersTxt(readFileSync(join(LIBRISPEECH_DIR, 'SPEAKERS.TXT'), 'utf8'), 'SPEAKERS.TXT');
    assert.equal(table.get('60')!.name, '|CBW|Simon');
    assert.ok(table.size > 2000);
  });

  test('withDurations reads the FLAC STREAMINFO', async () => {
    const utts = await librispeech.list(LIBRISPEECH_DIR, { withDurations: true });
    assert.equal(utts.find((u) => u.id === '1688-142285-0000')!.durationS, 15);
    for (const u of utts) assert.ok(u.durationS! > 0.5 && u.durationS! < 40, `${u.id}: ${u.durationS}`);
  });
});

describe('LibriSpeech layout and metadata checks', () => {
  const speakers = [
    ';ID  |SEX| SUBSET           |MINUTES| NAME',
    '14   | F | test-clean | 25.03 | Kristin',
    '17   | M | test-clean | 25.04 | Gord',
  ].join('\n');

  test('SPEAKER/CHAPTER/*.flac with transcripts and SPEAKERS.TXT in the parent folder', async () => {
    const fx = fixture('libri');
    try {
      fx.text('SPEAKERS.TXT', speakers);
      fx.bytes('test-clean/14/208/14-208-0000.flac', flacHeaderOnly(16000, 32000));
      fx.bytes('test-clean/17/362/17-362-0001.flac', flacHeaderOnly(16000, 8000));
      fx.text('test-clean/14/208/14-208.trans.txt', '14-208-0000 HELLO WORLD\n');
      const utts = await librispeech.list(join(fx.root, 'test-clean'), { withDurations: true });
      assert.deepEqual(
        utts.map((u) => [u.id, u.speaker, u.attributes.gender, u.labels.chapter, u.labels.text, u.durationS]),
        [
          ['14-208-0000', 'librispeech:14', 'female', 208, 'HELLO WORLD', 2],
          ['17-362-0001', 'librispeech:17', 'male', 362, undefined, 0.5],
        ],
      );
    } finally {
      fx.cleanup();
    }
  });

  test('malformed SPEAKERS.TXT lines name the file, line and field', async () => {
    const fx = fixture('libri-bad');
    try {
      fx.bytes('14/208/14-208-0000.flac', flacHeaderOnly(16000, 16000));
      const file = fx.text('SPEAKERS.TXT', `${speakers}\n20 | X | test-clean | 1.0 | Someone`);
      await rejectsWith(librispeech.list(fx.root), `${file}:4: field 'SEX'`, "expected 'F' or 'M'");
      fx.text('SPEAKERS.TXT', `${speakers}\n20 | F | test-clean`);
      await rejectsWith(librispeech.list(fx.root), `${file}:4`, "5 '|'-separated fields");
      fx.text('SPEAKERS.TXT', `${speakers}\n20 | F | test-clean | lots | Someone`);
      await rejectsWith(librispeech.list(fx.root), `${file}:4: field 'MINUTES'`);
      fx.text('SPEAKERS.TXT', '17 | M | test-clean | 1 | Gord');
      await rejectsWith(librispeech.list(fx.root), `${file}: field 'ID'`, 'reader 14', 'not listed');
    } finally {
      fx.cleanup();
    }
  });

  test('a file outside its reader folder, a bad name, a missing SPEAKERS.TXT', async () => {
    const fx = fixture('libri-layout');
    try {
      fx.bytes('14/208/17-208-0000.flac', flacHeaderOnly(16000, 16000));
      fx.text('SPEAKERS.TXT', speakers);
      await rejectsWith(librispeech.list(fx.root), '17-208-0000.flac', "field 'speaker'");
      const f2 = fixture('libri-noname');
      try {
        f2.bytes('14/208/intro.flac', flacHeaderOnly(16000, 16000));
        f2.text('SPEAKERS.TXT', speakers);
        await rejectsWith(librispeech.list(f2.root), 'intro.flac', "field 'file name'");
      } finally {
        f2.cleanup();
      }
      const f3 = fixture('libri-nospk');
      try {
        f3.bytes('14/208/14-208-0000.flac', flacHeaderOnly(16000, 16000));
        await rejectsWith(librispeech.list(f3.root), 'no SPEAKERS.TXT');
        const utts = await librispeech.list(f3.root, { requireSpeakers: false });
        assert.deepEqual(utts[0].attributes, {});
      } finally {
        f3.cleanup();
      }
    } finally {
      fx.cleanup();
    }
  });
});
