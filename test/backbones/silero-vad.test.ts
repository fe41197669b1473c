import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeAudio, padSilence, prepareAudio, whiteNoise, addNoise } from '../../src/audio/index.js';
import { SILERO_FRAME_SAMPLES, SILERO_VAD, modelSource, type SpeechDetector } from '../../src/backbones/index.js';
import { makeRng } from '../../src/core/index.js';
import { getFeatureSet } from '../../src/features/index.js';
import { tempDir } from '../audio/helpers.js';

const SR = 16000;
const haveEspeak = () => {
  const r = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
};

/** An espeak-ng sentence at 16 kHz. */
async function sentence(): Promise<Float32Array> {
  const { dir, cleanup } = tempDir();
  try {
    const wav = join(dir, 's.wav');
    const r = spawnSync('espeak-ng', ['-w', wav, 'The weather was lovely and we walked along the river all afternoon.']);
    assert.equal(r.status, 0, String(r.stderr));
    return prepareAudio(await decodeAudio(new Uint8Array(readFileSync(wav)), wav), SR);
  } finally {
    cleanup();
  }
}

describe('Silero VAD', { skip: haveEspeak() ? false : 'espeak-ng is not installed (apt-get install espeak-ng)' }, () => {
  test('speech frames are found in speech and not in the noise floor around it', async () => {
    const detector = await modelSource<SpeechDetector>(SILERO_VAD).load({ weights: null });
    const speech = await sentence();
    const padded = padSilence(speech, SR, 2, 2, makeRng(1));
    const p = await detector.speechProbabilities(padded);
    assert.equal(p.length, Math.ceil(padded.length / SILERO_FRAME_SAMPLES));
    const lead = Math.floor((2 * SR) / SILERO_FRAME_SAMPLES);
    const inSpeech = p.slice(lead + 5, lead + Math.floor(speech.length / SILERO_FRAME_SAMPLES) - 5);
    const inSilence = p.slice(0, lead - 2);
    assert.ok(inSpeech.filter((v) => v >= 0.5).length > 0.6 * inSpeech.length, 'most speech frames are speech');
    assert.ok(
      inSilence.every((v) => v < 0.5),
      'no silence frame is speech',
    );
  });

  test("vad 'silero' trims the silence around a sentence, also under white noise where the energy rule keeps it", async () => {
    const speech = await sentence();
    const rng = makeRng(2);
    const padded = padSilence(speech, SR, 2, 2, rng);
    const noisy = addNoise(padded, whiteNoise(padded.length, rng), 10);
    const frames = async (vad: string, x: Float32Array) => (await getFeatureSet('logmel', { vad }).compute(x)).frames;
    const speechFrames = await frames('none', speech);
    const silero = await frames('silero', noisy);
    const energy = await frames('energy', noisy);
    assert.ok(Math.abs(silero - speechFrames) < 60, `silero kept ${silero} frames, the sentence has ${speechFrames}`);
    assert.ok(energy > speechFrames + 250, `energy VAD kept ${energy} of ${await frames('none', noisy)} frames under 10 dB noise`);
    assert.notEqual(getFeatureSet('logmel', { vad: 'silero' }).settingsKey(), getFeatureSet('logmel', { vad: 'energy' }).settingsKey());
    assert.throws(() => getFeatureSet('egemaps-ts', { sampleRateHz: 8000, vad: 'silero' }), /vad 'silero' needs 16000 Hz input/);
  });
});
