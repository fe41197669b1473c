// Spoof-set splits: speaker-disjoint, leave-one-family-out and leave-one-channel-out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Utterance } from '../../src/data/corpora/types.js';
import { spoofSplit } from '../../src/spoof/index.js';

const CHANNELS = ['clean', 'telephone', 'mp3-16kbps'];

/** 8 RAVDESS-like actors (4 female), 3 clips each; TTS families with 4, 1 voices; copies of every actor. */
function set(): Utterance[] {
  const utts: Utterance[] = [];
  let n = 0;
  const add = (u: Omit<Utterance, 'path' | 'corpus'>) => utts.push({ ...u, path: `/set/${u.id}.wav`, corpus: 'spoof-set' });
  const channel = () => CHANNELS[n++ % CHANNELS.length];
  for (let a = 1; a <= 8; a++) {
    const speaker = `ravdess:${a}`;
    const gender = a % 2 ? 'male' : 'female';
    for (let k = 0; k < 3; k++) {
      add({
        id: `ravdess/${a}-${k}`,
        speaker,
        labels: { emotion: 'angry', spoof: 'bonafide' },
        attributes: { gender, source: 'ravdess', channel: channel() },
      });
      add({
        id: `copy/${a}-${k}`,
        speaker,
        labels: { emotion: 'angry', spoof: 'spoof' },
        attributes: { gender, source: 'copy-sptk', family: 'copy-sptk', voice: speaker, channel: channel() },
      });
    }
  }
  for (const [family, voices] of [
    ['espeak', 4],
    ['flite-diphone', 1],
  ] as const) {
    for (let v = 0; v < voices; v++)
      for (let k = 0; k < 6; k++)
        add({
          id: `${family}/v${v}/${k}`,
          speaker: `${family}-v${v}`,
          labels: { emotion: 'sad', spoof: 'spoof' },
          attributes: { gender: v % 2 ? 'female' : 'male', source: family, family, voice: `v${v}`, channel: channel() },
        });
  }
  return utts;
}

describe('spoof splits', () => {
  const utts = set();
  const byId = new Map(utts.map((u) => [u.id, u]));
  const of = (ids: string[]) => ids.map((id) => byId.get(id)!);
  const speakers = (ids: string[]) => new Set(of(ids).map((u) => u.speaker));

  it('speaker: unseen actors and voices; copies follow their actor; a one-voice family is split by clip', () => {
    const s = spoofSplit(utts, 4, 1, 3);
    assert.equal(s.train.length + s.test.length, utts.length);
    const train = speakers(s.train);
    for (const u of of(s.test)) if (u.attributes.family !== 'flite-diphone') assert.ok(!train.has(u.speaker), u.id);
    assert.equal(
      of(s.test).filter((u) => u.speaker.startsWith('ravdess') && u.labels.spoof === 'bonafide').length,
      6,
      '2 of 8 actors × 3 clips',
    );
    assert.deepEqual(s.notes, ["family 'flite-diphone' has fewer voices than the 4 folds: its spoofs are split by clip"]);
    assert.ok(
      of(s.test).some((u) => u.attributes.family === 'flite-diphone') && of(s.train).some((u) => u.attributes.family === 'flite-diphone'),
    );
    // every fold holds out different actors, and together they cover all of them
    const tested = new Set<string>();
    for (let f = 0; f < 4; f++)
      for (const u of of(spoofSplit(utts, 4, f, 3).test)) if (u.labels.spoof === 'bonafide') tested.add(u.speaker);
    assert.equal(tested.size, 8);
  });

  it('leave-one-family-out: the family never trains and all of it is tested; copies of training actors are dropped', () => {
    const s = spoofSplit(utts, 4, 0, 3, { kind: 'leave-one-family-out', family: 'espeak' });
    assert.ok(!of(s.train).some((u) => u.attributes.family === 'espeak'));
    const testSpoofs = of(s.test).filter((u) => u.labels.spoof === 'spoof');
    assert.equal(testSpoofs.length, 24, 'all 4 voices × 6 clips');
    assert.ok(testSpoofs.every((u) => u.attributes.family === 'espeak'));
    const trainActors = speakers(s.train);
    assert.ok(of(s.test).every((u) => !trainActors.has(u.speaker)));

    const c = spoofSplit(utts, 4, 0, 3, { kind: 'leave-one-family-out', family: 'copy-sptk' });
    const copies = of(c.test).filter((u) => u.labels.spoof === 'spoof');
    assert.equal(copies.length, 6, 'only the 2 held-out actors’ copies');
    const testActors = speakers(
      of(c.test)
        .filter((u) => u.labels.spoof === 'bonafide')
        .map((u) => u.id),
    );
    assert.ok(copies.every((u) => testActors.has(u.speaker)));
    assert.ok(!of(c.train).some((u) => u.attributes.family === 'copy-sptk'));
  });

  it('leave-one-channel-out: the channel never trains; the test side is that channel only, on unseen speakers', () => {
    const s = spoofSplit(utts, 4, 0, 3, { kind: 'leave-one-channel-out', channel: 'telephone' });
    assert.ok(!of(s.train).some((u) => u.attributes.channel === 'telephone'));
    assert.ok(of(s.test).every((u) => u.attributes.channel === 'telephone'));
    const both = new Set(of(s.test).map((u) => u.labels.spoof));
    assert.deepEqual(both, new Set(['bonafide', 'spoof']));
    const actors = [...speakers(s.test)].filter((sp) => sp.startsWith('ravdess'));
    for (const a of actors) assert.ok(!speakers(s.train).has(a), a);
  });

  it('a dev fold takes its speakers and voices off the training side, filtered like it; the test side does not change', () => {
    for (const protocol of [
      { kind: 'speaker' as const },
      { kind: 'leave-one-family-out' as const, family: 'copy-sptk' },
      { kind: 'leave-one-family-out' as const, family: 'espeak' },
      { kind: 'leave-one-channel-out' as const, channel: 'telephone' },
    ]) {
      const plain = spoofSplit(utts, 4, 0, 3, protocol);
      const d = spoofSplit(utts, 4, 0, 3, protocol, 2);
      assert.deepEqual(plain.dev, []);
      assert.deepEqual(d.test, plain.test, protocol.kind);
      assert.deepEqual([...d.train, ...d.dev].sort(), [...plain.train].sort(), `${protocol.kind}: dev + train = the old training side`);
      assert.ok(d.dev.length > 0 && d.train.length > 0);
      const devSpk = speakers(d.dev);
      for (const u of of(d.train))
        if (u.attributes.family !== 'flite-diphone') assert.ok(!devSpk.has(u.speaker), `${u.id} in train and dev`);
      assert.deepEqual(new Set(of(d.dev).map((u) => u.labels.spoof)), new Set(['bonafide', 'spoof']));
      if (protocol.kind === 'leave-one-family-out') assert.ok(!of(d.dev).some((u) => u.attributes.family === protocol.family));
      if (protocol.kind === 'leave-one-channel-out') assert.ok(!of(d.dev).some((u) => u.attributes.channel === protocol.channel));
    }
    // the dev fold's actors are the test actors of that fold
    const d = spoofSplit(utts, 4, 0, 3, { kind: 'speaker' }, 2);
    assert.deepEqual(
      [...speakers(d.dev)].filter((sp) => sp.startsWith('ravdess')).sort(),
      [...speakers(spoofSplit(utts, 4, 2, 3).test)].filter((sp) => sp.startsWith('ravdess')).sort(),
    );
    assert.throws(() => spoofSplit(utts, 4, 1, 3, { kind: 'speaker' }, 1), /devFold 1 is the test fold/);
    assert.throws(() => spoofSplit(utts, 4, 1, 3, { kind: 'speaker' }, 4), /devFold 4 outside 0\.\.3/);
  });

  it('names an unknown family or channel and a side without one of the classes', () => {
    assert.throws(
      () => spoofSplit(utts, 4, 0, 3, { kind: 'leave-one-family-out', family: 'wavenet' }),
      /no family 'wavenet' \(it has: copy-sptk, espeak, flite-diphone\)/,
    );
    assert.throws(
      () => spoofSplit(utts, 4, 0, 3, { kind: 'leave-one-channel-out', channel: 'gsm' }),
      /no channel 'gsm' \(it has: clean, mp3-16kbps, telephone\)/,
    );
    assert.throws(() => spoofSplit(utts, 4, 4, 3), /testFold 4 outside 0\.\.3/);
    assert.throws(() => spoofSplit(utts, 9, 0, 3), /source 'ravdess' has 8 speaker\(s\), fewer than the 9 folds/);
    const onlyBona = utts.filter((u) => u.labels.spoof === 'bonafide' || u.attributes.family === 'espeak');
    assert.throws(
      () => spoofSplit(onlyBona, 4, 0, 3, { kind: 'leave-one-family-out', family: 'espeak' }),
      /leave-one-family-out\): the training side has no spoof trials/,
    );
  });
});
