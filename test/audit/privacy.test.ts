import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng } from '../../src/core/index.js';
import { genderProbe, speakerProbe, type EmbeddedUtterance } from '../../src/audit/privacy.js';

/** 24 speakers (12 f, 12 m) × 10 utterances, 16-dim embeddings; `leak` scales how much gender/speaker identity they carry. */
function embeddings(leak: number, seed: number): EmbeddedUtterance[] {
  const rng = makeRng(seed);
  const out: EmbeddedUtterance[] = [];
  for (let s = 0; s < 24; s++) {
    const gender = s % 2 === 0 ? 'female' : 'male';
    const centroid = Float32Array.from({ length: 16 }, () => 0.5 * rng.normal());
    for (let u = 0; u < 10; u++) {
      const e = Float32Array.from(
        { length: 16 },
        (_, k) => leak * (centroid[k] + (k === 0 ? (gender === 'female' ? 3 : -3) : 0)) + rng.normal(),
      );
      out.push({ embedding: e, speaker: `s${s}`, gender });
    }
  }
  return out;
}

test('a gender-revealing embedding is detected; a random one is not', () => {
  const leaky = genderProbe(embeddings(1, 1));
  assert.equal(leaky.baseline, 0.5);
  assert.equal(leaky.n, 240);
  assert.ok(leaky.accuracy > 0.9, `leaky ${leaky.accuracy}`);
  const clean = genderProbe(embeddings(0, 1));
  assert.ok(clean.accuracy < 0.7, `random ${clean.accuracy}`);
});

test('speaker identity is recovered from speaker-specific embeddings, not from noise', () => {
  const leaky = speakerProbe(embeddings(1, 2));
  assert.ok(Math.abs(leaky.baseline - 1 / 24) < 1e-12);
  assert.ok(leaky.accuracy > 0.25, `leaky ${leaky.accuracy} (chance 0.04)`);
  assert.ok(speakerProbe(embeddings(0, 2)).accuracy < 0.15);
});

test('probes refuse data they cannot be measured on', () => {
  const one = embeddings(1, 3).filter((u) => u.gender === 'female');
  assert.throws(() => genderProbe(one), /at least two genders/);
  assert.throws(() => speakerProbe(one.filter((u) => u.speaker === 's0')), /at least two speakers/);
});
