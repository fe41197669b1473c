// egemaps-ts on real speech: 10 RAVDESS clips (shared data, skipped when absent) must give
// finite, plausible features.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAudio } from '../../src/audio/load.js';
import { computeEgemaps } from '../../src/features/egemaps/index.js';

const ROOT = new URL('../../../shared/data/ravdess-speech-16k', import.meta.url).pathname;
const CLIPS = 10;

/** Every 144th file of the sorted corpus: spread over actors (odd = male, even = female). */
function pickClips(): string[] {
  const files: string[] = [];
  for (const actor of readdirSync(ROOT)
    .filter((d) => d.startsWith('Actor_'))
    .sort()) {
    for (const f of readdirSync(join(ROOT, actor)).sort()) if (f.endsWith('.wav')) files.push(join(ROOT, actor, f));
  }
  const step = Math.max(1, Math.floor(files.length / CLIPS));
  return files.filter((_, i) => i % step === 0).slice(0, CLIPS);
}

describe('egemaps-ts on RAVDESS speech', () => {
  const skip = existsSync(ROOT) ? false : `RAVDESS not found at ${ROOT} (shared data absent)`;

  it(`gives finite, plausible features for ${CLIPS} clips`, { skip }, async () => {
    const clips = pickClips();
    assert.equal(clips.length, CLIPS);
    const f0ByGender: Record<'male' | 'female', number[]> = { male: [], female: [] };
    for (const path of clips) {
      const { samples, sampleRateHz } = await loadAudio(path, { sampleRateHz: 16000 });
      const r = computeEgemaps(samples, sampleRateHz, { strict: true });
      const get = (n: string) => r.values[r.names.indexOf(n)];
      const bad = r.names.filter((_, i) => !Number.isFinite(r.values[i]));
      assert.deepEqual(bad, [], `${path}: non-finite features`);
      const name = path.split('/').pop();
      assert.ok(get('voicedFraction') > 0.05 && get('voicedFraction') < 0.8, `${name} voicedFraction ${get('voicedFraction')}`);
      assert.ok(get('F0Hz_mean') > 70 && get('F0Hz_mean') < 500, `${name} F0 ${get('F0Hz_mean')}`);
      assert.ok(get('jitterLocal_mean') > 0 && get('jitterLocal_mean') < 0.1, `${name} jitter ${get('jitterLocal_mean')}`);
      assert.ok(get('shimmerLocalDb_mean') > 0 && get('shimmerLocalDb_mean') < 3, `${name} shimmer ${get('shimmerLocalDb_mean')}`);
      assert.ok(get('HNRdB_mean') > 0 && get('HNRdB_mean') < 30, `${name} HNR ${get('HNRdB_mean')}`);
      assert.ok(get('F1frequencyHz_mean') > 250 && get('F1frequencyHz_mean') < 1000, `${name} F1 ${get('F1frequencyHz_mean')}`);
      assert.ok(get('F2frequencyHz_mean') > get('F1frequencyHz_mean') && get('F3frequencyHz_mean') > get('F2frequencyHz_mean'));
      assert.ok(get('alphaRatioV_mean') < 0 && get('hammarbergIndexV_mean') > 0, `${name} spectral tilt of voiced speech`);
      assert.ok(get('loudnessPeaksPerSec') > 0.5 && get('loudnessPeaksPerSec') < 8, `${name} peaks/s ${get('loudnessPeaksPerSec')}`);
      const actor = Number(/-(\d\d)\.wav$/.exec(path)?.[1]);
      f0ByGender[actor % 2 === 1 ? 'male' : 'female'].push(get('F0semitoneFrom27.5Hz_p50'));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    assert.ok(f0ByGender.male.length > 0 && f0ByGender.female.length > 0);
    assert.ok(mean(f0ByGender.female) > mean(f0ByGender.male), 'female voices have a higher median F0 on average');
  });
});
