/**
 * Training-time waveform augmentation: a random chain of speed perturbation, room
 * reverberation, additive noise, a narrow-band or lossy channel, a level change and silence
 * padding, each applied with its own probability and drawn from its own range. The chain only
 * draws from the {@link Rng} it is given, so a (seed, utterance, copy) triple always gives the
 * same audio; feature caches key on it.
 */
import { drawUniform, type Rng } from '../core/pure.js';
import { addNoise, applyGainDb, babbleNoise, speedPerturb, whiteNoise } from './augment.js';
import { padSilence, pinkNoise, telephoneBand } from './channel.js';
import { codecRoundTrip } from './codec.js';
import { reverberate } from './reverb.js';

/** A closed range [lo, hi]. */
export type Range = readonly [number, number];

/** Noise families the chain can add (babble needs other talkers' signals). */
export const AUGMENT_NOISE_KINDS = ['white', 'pink', 'babble'] as const;
export type AugmentNoiseKind = (typeof AUGMENT_NOISE_KINDS)[number];

/** Probabilities (0–1) and ranges of every step; a probability of 0 turns a step off. */
export interface AugmentSpec {
  speed: { prob: number; factor: Range };
  reverb: { prob: number; rt60S: Range };
  noise: { prob: number; snrDb: Range; kinds: readonly AugmentNoiseKind[] };
  /** Telephone band (300–3400 Hz, 8 kHz µ-law). */
  telephone: { prob: number };
  /** MP3 round trip at a bit rate drawn from `bitrateKbps`. */
  codec: { prob: number; bitrateKbps: Range };
  gain: { prob: number; db: Range };
  /** Leading and trailing silence, each up to `maxS` seconds. */
  silence: { prob: number; maxS: number };
}

/** Talkers mixed into one babble signal. */
const BABBLE_TALKERS = 5;

/**
 * One augmented copy of `x` (mono, `sampleRateHz`, [-1, 1]).
 * @param babble - other talkers' signals at the same rate; needed when `noise.kinds` has 'babble'.
 * @returns the samples and the names of the steps applied, in order.
 */
export async function augmentSignal(
  x: Float32Array,
  sampleRateHz: number,
  spec: AugmentSpec,
  rng: Rng,
  babble: readonly Float32Array[] = [],
): Promise<{ samples: Float32Array; applied: string[] }> {
  const applied: string[] = [];
  let y = x;
  const step = (prob: number, name: string, f: () => Float32Array) => {
    if (prob > 0 && rng.next() < prob) {
      y = f();
      applied.push(name);
    }
  };
  step(spec.speed.prob, 'speed', () => speedPerturb(y, drawUniform(rng, spec.speed.factor)));
  step(spec.reverb.prob, 'reverb', () => reverberate(y, sampleRateHz, drawUniform(rng, spec.reverb.rt60S), rng));
  step(spec.noise.prob, 'noise', () => {
    const kind = spec.noise.kinds[rng.int(spec.noise.kinds.length)];
    if (kind === 'babble' && babble.length === 0)
      throw new Error('augmentation: babble noise needs other talkers’ recordings (noise.babbleDir)');
    const n =
      kind === 'white'
        ? whiteNoise(y.length, rng)
        : kind === 'pink'
          ? pinkNoise(y.length, rng)
          : babbleNoise(
              Array.from({ length: BABBLE_TALKERS }, () => babble[rng.int(babble.length)] as Float32Array),
              y.length,
              rng,
            );
    return addNoise(y, n, drawUniform(rng, spec.noise.snrDb));
  });
  step(spec.telephone.prob, 'telephone', () => telephoneBand(y, sampleRateHz));
  if (spec.codec.prob > 0 && rng.next() < spec.codec.prob) {
    y = await codecRoundTrip(y, sampleRateHz, { format: 'mp3', bitrateKbps: Math.round(drawUniform(rng, spec.codec.bitrateKbps)) });
    applied.push('codec');
  }
  step(spec.gain.prob, 'gain', () => applyGainDb(y, drawUniform(rng, spec.gain.db)));
  step(spec.silence.prob, 'silence', () =>
    padSilence(y, sampleRateHz, drawUniform(rng, [0, spec.silence.maxS]), drawUniform(rng, [0, spec.silence.maxS]), rng),
  );
  return { samples: y, applied };
}
