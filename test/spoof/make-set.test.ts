// The spoof set: six generator families, channels for bona fide and spoof alike, failures
// skipped and listed, resumption, and refusals before anything is written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadCorpus, RAVDESS_STATEMENTS } from '../../src/data/corpora/index.js';
import type { Utterance } from '../../src/data/corpora/types.js';
import { loadAudio } from '../../src/audio/index.js';
import { makeSpoofSet, planSpoofSet, SPOOF_FAMILY_NAMES, SPOOF_MANIFEST, SPOOF_SETTINGS, EMOTION_PROSODY } from '../../src/spoof/index.js';
import { copySynthesize } from '../../src/spoof/copy-synthesis.js';
import { fixture, type Fixture } from '../data/corpora/helpers.js';

const ESPEAK = {
  espeak: [
    { name: 'en-us+m1', gender: 'male' as const },
    { name: 'en-gb+f2', gender: 'female' as const },
  ],
};
const ITEMS = Object.keys(RAVDESS_STATEMENTS).length * Object.keys(EMOTION_PROSODY).length;

/** A RAVDESS-layout tree whose two "recordings" are espeak-ng speech (so copy-synthesis has real structure to follow). */
function ravdessTree(): Fixture {
  const fx = fixture('spoof-set');
  for (const [rel, voice] of [
    ['Actor_01/03-01-05-01-01-01-01.wav', 'en-us+m3'],
    ['Actor_02/03-01-04-01-02-01-02.wav', 'en-us+f3'],
  ]) {
    const p = join(fx.root, 'ravdess', rel);
    mkdirSync(dirname(p), { recursive: true });
    execFileSync('espeak-ng', ['-v', voice, '-w', p, 'Kids are talking by the door']);
  }
  return fx;
}

const rows = (manifest: string) => loadCorpus('manifest', manifest).then((c) => c.utterances);
const seconds = async (p: string) => {
  const a = await loadAudio(p);
  return a.samples.length / a.sampleRateHz;
};

describe('spoof make-set', () => {
  let fx: Fixture;
  before(() => {
    fx = ravdessTree();
  });
  after(() => fx.cleanup());

  it('builds every family with prosody variants, channels on bona fide and spoof alike, and resumes', async () => {
    const out = join(fx.root, 'all');
    const opts = {
      outDir: out,
      ravdessRoot: join(fx.root, 'ravdess'),
      librispeechRoot: null,
      renditions: 1,
      channelFraction: 1,
      channels: ['telephone', 'white-20db'],
      seed: 3,
      progress: false,
    };
    const r = await makeSpoofSet(opts);
    // Five TTS families speak each (statement, emotion) once; copy-synthesis re-synthesizes both bona fide clips.
    const tts = SPOOF_FAMILY_NAMES.filter((f) => f !== 'copy-sptk');
    assert.deepEqual(r.families, Object.fromEntries([...tts.map((f) => [f, ITEMS]), ['copy-sptk', 2]]));
    assert.deepEqual([r.bonafide, r.spoof, r.failed], [2, tts.length * ITEMS + 2, []]);
    const utts = await rows(r.manifest);
    const spoofs = utts.filter((u) => u.labels.spoof === 'spoof');
    for (const u of spoofs) {
      assert.ok(u.attributes.family && u.attributes.voice && u.attributes.channel, u.id);
      const header = readFileSync(u.path);
      assert.deepEqual(
        [header.readUInt16LE(22), header.readUInt32LE(24), header.readUInt16LE(34)],
        [1, 16000, 16],
        `${u.id}: mono 16 kHz 16-bit`,
      );
    }
    assert.deepEqual([...new Set(spoofs.map((u) => u.labels.emotion))].sort(), Object.keys(EMOTION_PROSODY).sort());
    // Every clip went through a channel: bona fide ones are stored copies, not the originals.
    const bona = utts.filter((u) => u.labels.spoof === 'bonafide');
    for (const u of bona) {
      assert.ok(['telephone', 'white-20db'].includes(String(u.attributes.channel)), u.id);
      assert.ok(u.path.startsWith(join(out, 'bonafide')), u.path);
    }
    assert.deepEqual(new Set(utts.map((u) => u.attributes.channel)), new Set(['telephone', 'white-20db']));
    // Rate is honoured by every TTS family: disgust (75 %) lasts longer than fearful (125 %).
    for (const family of tts) {
      const path = (emotion: string) => spoofs.find((u) => u.attributes.family === family && u.id.includes(`${emotion}-s01`))!.path;
      assert.ok((await seconds(path('disgust'))) > (await seconds(path('fearful'))), `${family}: disgust longer than fearful`);
    }
    // Copy-synthesis keeps the source's speaker, emotion and duration.
    const copies = spoofs.filter((u) => u.attributes.family === 'copy-sptk');
    for (const c of copies) {
      const src = bona.find((b) => b.speaker === c.speaker)!;
      assert.equal(c.labels.emotion, src.labels.emotion);
      assert.ok(Math.abs((await seconds(c.path)) - (await seconds(src.path))) < 0.02, c.id);
    }
    const settings = JSON.parse(readFileSync(join(out, SPOOF_SETTINGS), 'utf8'));
    assert.deepEqual(
      settings.families.map((f: { name: string }) => f.name),
      SPOOF_FAMILY_NAMES,
    );

    // An interrupted run (no manifest, one WAV missing) is resumed: only that file is made again.
    rmSync(r.manifest);
    const lost = spoofs.find((u) => u.attributes.family === 'festival-hts')!.path;
    rmSync(lost);
    // what kill -9 leaves of an atomic write: a temporary of a process that no longer runs
    const stale = join(dirname(lost), `.${basename(lost)}.999999999.0123456789ab.tmp`);
    writeFileSync(stale, 'partial');
    const again = await makeSpoofSet(opts);
    assert.equal(again.synthesized, 1);
    assert.equal(existsSync(stale), false, 'the stale temporary is removed');
    assert.deepEqual(await rows(again.manifest), utts);
    // A finished set is not overwritten.
    await assert.rejects(makeSpoofSet(opts), /already holds a spoof set/);
  });

  it('copy-synthesis follows the source: same length, different samples, correlated energy envelope', async () => {
    const src = join(fx.root, 'ravdess', 'Actor_01', '03-01-05-01-01-01-01.wav');
    const out = join(fx.root, 'copy.wav');
    await copySynthesize(src, out, fx.root);
    const [a, b] = [(await loadAudio(src)).samples, (await loadAudio(out)).samples];
    assert.ok(Math.abs(a.length - b.length) <= 80, `${a.length} vs ${b.length} samples`);
    const envelope = (x: Float32Array) =>
      Array.from({ length: Math.floor(x.length / 400) }, (_, i) =>
        Math.log(1e-6 + x.subarray(i * 400, i * 400 + 400).reduce((s, v) => s + v * v, 0)),
      );
    const [ea, eb] = [envelope(a), envelope(b)];
    const n = Math.min(ea.length, eb.length);
    const mean = (v: number[]) => v.slice(0, n).reduce((s, x) => s + x, 0) / n;
    const [ma, mb] = [mean(ea), mean(eb)];
    let sab = 0,
      saa = 0,
      sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (ea[i] - ma) * (eb[i] - mb);
      saa += (ea[i] - ma) ** 2;
      sbb += (eb[i] - mb) ** 2;
    }
    assert.ok(sab / Math.sqrt(saa * sbb) > 0.8, `envelope correlation ${sab / Math.sqrt(saa * sbb)}`);
    let diff = 0;
    for (let i = 0; i < n * 400; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    assert.ok(diff > 0.05, 'the waveform is rebuilt, not copied');
  });

  it('skips and lists the clips a voice fails on, builds the rest, and refuses a set where nothing could be made', async () => {
    const out = join(fx.root, 'partial');
    const base = {
      ravdessRoot: join(fx.root, 'ravdess'),
      librispeechRoot: null,
      families: ['espeak'],
      renditions: 2,
      channelFraction: 0,
      progress: false,
    };
    const r = await makeSpoofSet({
      ...base,
      outDir: out,
      voices: { espeak: [ESPEAK.espeak[0], { name: 'xx-nonexistent', gender: 'male' }] },
    });
    assert.equal(r.spoof, ITEMS);
    assert.equal(r.failed.length, ITEMS);
    for (const f of r.failed)
      assert.match(`${f.id} ${f.reason}`, /^espeak\/xx-nonexistent\/.* espeak-ng failed for voice 'xx-nonexistent'/);
    const listed = JSON.parse(readFileSync(join(out, SPOOF_SETTINGS), 'utf8')).failed;
    assert.deepEqual(listed, r.failed);
    assert.ok((await rows(r.manifest)).every((u) => u.attributes.voice !== 'xx-nonexistent'));

    const none = join(fx.root, 'none');
    await assert.rejects(
      makeSpoofSet({ ...base, outDir: none, voices: { espeak: [{ name: 'xx-nonexistent', gender: 'male' }] } }),
      /no spoof could be made \(first failure: espeak\/xx-nonexistent\/.*espeak-ng failed for voice 'xx-nonexistent'/,
    );
    assert.equal(existsSync(join(none, SPOOF_MANIFEST)), false);
  });

  it('is deterministic for a seed', () => {
    const bona: Utterance[] = [
      { id: 'a', path: '/x/a.wav', corpus: 'ravdess', speaker: 'ravdess:01', labels: { emotion: 'angry' }, attributes: { gender: 'male' } },
    ];
    const o = { outDir: '/unused', ravdessRoot: '/x', librispeechRoot: '/y', seed: 5 };
    assert.deepEqual(planSpoofSet(o, bona), planSpoofSet(o, bona));
    assert.notDeepEqual(planSpoofSet(o, bona), planSpoofSet({ ...o, seed: 6 }, bona));
  });

  it('refuses bad settings, and a family whose synthesizer is missing names its package, before writing anything', async () => {
    const out = join(fx.root, 'bad');
    const base = { outDir: out, ravdessRoot: join(fx.root, 'ravdess'), librispeechRoot: null, progress: false };
    await assert.rejects(makeSpoofSet({ ...base, ravdessRoot: null }), /no bona fide data/);
    await assert.rejects(makeSpoofSet({ ...base, ravdessRoot: join(fx.root, 'nope') }), /RAVDESS folder .* does not exist/);
    await assert.rejects(makeSpoofSet({ ...base, channels: ['flac9'] }), /unknown channel shift 'flac9'/);
    await assert.rejects(makeSpoofSet({ ...base, channels: ['babble-20db'] }), /channel 'babble-20db' needs other talkers/);
    await assert.rejects(makeSpoofSet({ ...base, families: ['wavenet'] }), /unknown family 'wavenet' \(known: espeak, /);
    await assert.rejects(makeSpoofSet({ ...base, voices: { 'copy-sptk': ESPEAK.espeak } }), /'copy-sptk' has no voices to choose/);
    await assert.rejects(makeSpoofSet({ ...base, renditions: 0 }), /renditions must be a positive integer/);
    await assert.rejects(makeSpoofSet({ ...base, channelFraction: 2 }), /channelFraction must lie in \[0, 1\]/);
    const path = process.env.PATH;
    process.env.PATH = join(fx.root, 'empty-bin');
    try {
      await assert.rejects(
        makeSpoofSet({ ...base, families: ['flite-cg', 'festival-hts'] }),
        /flite-cg needs 'flite' \(apt-get install flite\); festival-hts needs 'text2wave' \(apt-get install festival festvox-us-slt-hts\)/,
      );
    } finally {
      process.env.PATH = path;
    }
    assert.equal(existsSync(out), false);
  });
});
