// The synthetic spoof set: espeak-ng renditions + codec channel over a tiny RAVDESS-layout tree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCorpus, RAVDESS_STATEMENTS } from '../../src/data/corpora/index.js';
import { loadAudio } from '../../src/audio/index.js';
import { makeSpoofSet, planSpoofs, SPOOF_MANIFEST, EMOTION_PROSODY } from '../../src/spoof/index.js';
import { fixture } from '../data/corpora/helpers.js';

const VOICES = [
  { name: 'en-us+m1', gender: 'male' as const },
  { name: 'en-gb+f2', gender: 'female' as const },
];

function ravdessTree() {
  const fx = fixture('spoof-ravdess');
  fx.wav('Actor_01/03-01-05-01-01-01-01.wav');
  fx.wav('Actor_02/03-01-04-01-02-01-02.wav');
  return fx;
}

describe('spoof make-set', () => {
  it('writes a loadable manifest, 16 kHz spoofs for every emotion, and resumes after an interruption', async () => {
    const fx = ravdessTree();
    const out = join(fx.root, 'set');
    try {
      const opts = {
        outDir: out,
        ravdessRoot: fx.root,
        librispeechRoot: null,
        voices: VOICES,
        codecs: ['gsm', 'mp3'],
        codecFraction: 0.5,
        seed: 3,
        progress: false,
      };
      const r = await makeSpoofSet(opts);
      const emotions = Object.keys(EMOTION_PROSODY);
      const expected = VOICES.length * Object.keys(RAVDESS_STATEMENTS).length * emotions.length;
      assert.deepEqual([r.bonafide, r.spoof, r.synthesized], [2, expected, expected]);
      const corpus = await loadCorpus('manifest', r.manifest);
      const spoofs = corpus.utterances.filter((u) => u.labels.spoof === 'spoof');
      assert.equal(spoofs.length, expected);
      assert.equal(corpus.utterances.filter((u) => u.labels.spoof === 'bonafide').length, 2);
      // every emotion group holds spoofs; the codec channel was used for some and not all
      assert.deepEqual([...new Set(spoofs.map((u) => u.labels.emotion))].sort(), [...emotions].sort());
      const codecs = new Set(spoofs.map((u) => u.attributes.codec));
      assert.ok(codecs.has('none') && (codecs.has('gsm') || codecs.has('mp3')));
      const header = readFileSync(spoofs[0].path);
      assert.deepEqual([header.readUInt16LE(22), header.readUInt32LE(24), header.readUInt16LE(34)], [1, 16000, 16], 'mono, 16 kHz, 16-bit');
      const a = await loadAudio(spoofs[0].path);
      assert.ok(a.samples.length > 16000 * 0.5, 'a sentence lasts more than half a second');
      // a slower, lower profile gives a longer rendition than a faster one for the same voice/text
      const dur = async (tag: string) => (await loadAudio(join(out, 'spoof', 'en-us+m1', `${tag}-s01-t1.wav`))).samples.length;
      assert.ok((await dur('disgust')) > (await dur('fearful')));

      // An interrupted run (no manifest, one WAV missing) is resumed: only that file is made again.
      rmSync(r.manifest);
      rmSync(join(out, 'spoof', 'en-gb+f2', 'angry-s02-t1.wav'));
      const again = await makeSpoofSet(opts);
      assert.equal(again.synthesized, 1);
      // A finished set is not overwritten.
      await assert.rejects(makeSpoofSet(opts), /already holds a spoof set/);
    } finally {
      fx.cleanup();
    }
  });

  it('is deterministic for a seed', () => {
    const o = { outDir: '/unused', ravdessRoot: '/x', librispeechRoot: '/y', voices: VOICES, seed: 5 };
    assert.deepEqual(planSpoofs(o), planSpoofs(o));
    assert.notDeepEqual(planSpoofs(o), planSpoofs({ ...o, seed: 6 }));
  });

  it('refuses bad settings before writing anything', async () => {
    const fx = ravdessTree();
    const out = join(fx.root, 'bad');
    try {
      const base = { outDir: out, ravdessRoot: fx.root, librispeechRoot: null, voices: VOICES, progress: false };
      await assert.rejects(makeSpoofSet({ ...base, ravdessRoot: null }), /no bona fide data/);
      await assert.rejects(makeSpoofSet({ ...base, ravdessRoot: join(fx.root, 'nope') }), /RAVDESS folder .* does not exist/);
      await assert.rejects(makeSpoofSet({ ...base, codecs: ['flac9'] }), /unknown codec 'flac9'/);
      await assert.rejects(makeSpoofSet({ ...base, takes: 0 }), /takes must be a positive integer/);
      await assert.rejects(makeSpoofSet({ ...base, codecFraction: 2 }), /codecFraction must lie in \[0, 1\]/);
      assert.equal(existsSync(out), false);
      // an unknown voice fails in espeak-ng with the voice named; no manifest is written
      await assert.rejects(
        makeSpoofSet({ ...base, voices: [{ name: 'xx-nonexistent', gender: 'male' }] }),
        /espeak-ng failed for voice 'xx-nonexistent'/,
      );
      assert.equal(existsSync(join(out, SPOOF_MANIFEST)), false);
      assert.deepEqual(readdirSync(join(out, 'spoof', 'xx-nonexistent')), []);
    } finally {
      fx.cleanup();
    }
  });
});
