/**
 * A synthesized "emotional speech" corpus for demos and tests when no real corpus is at hand.
 * Each class is a voiced harmonic source whose prosody follows the coarse cues reported for
 * acted emotions (F0 level and range, loudness, tempo of F0 movement, spectral tilt):
 * neutral = mid, flat; happy = high, wide, lively; sad = low, narrow, soft, dark; angry = high,
 * loud, bright (many strong harmonics). Speakers differ by a base-F0 offset, so speaker-independent
 * splits are meaningful. This is a stand-in, not speech: accuracy on it says nothing about SER.
 */
import { DEFAULT_SAMPLE_RATE_HZ } from '../../audio/index.js';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeWav16 } from '../../audio/index.js';
import { makeRng, type Rng } from '../../core/index.js';
import { writeFileAtomicSync } from '../../core/index.js';
import type { Utterance } from './types.js';

/** Class names, in label-index order. */
export const SYNTH_CLASSES = ['neutral', 'happy', 'sad', 'angry'] as const;

interface Prosody {
  /** F0 relative to the speaker's base. */
  f0Ratio: number;
  /** F0 modulation depth (fraction of F0). */
  f0Range: number;
  /** F0 modulation rate (Hz). */
  f0RateHz: number;
  /** Peak amplitude (linear, full scale 1). */
  level: number;
  /** Harmonic amplitude decay per harmonic number (higher = darker). */
  tilt: number;
}

const PROSODY: Record<(typeof SYNTH_CLASSES)[number], Prosody> = {
  neutral: { f0Ratio: 1.0, f0Range: 0.04, f0RateHz: 1.5, level: 0.3, tilt: 1.2 },
  happy: { f0Ratio: 1.35, f0Range: 0.18, f0RateHz: 4.0, level: 0.45, tilt: 1.0 },
  sad: { f0Ratio: 0.85, f0Range: 0.03, f0RateHz: 0.8, level: 0.15, tilt: 1.8 },
  angry: { f0Ratio: 1.3, f0Range: 0.08, f0RateHz: 2.5, level: 0.7, tilt: 0.6 },
};

/** One synthesized utterance. */
export interface SynthUtterance {
  id: string;
  speaker: string;
  label: number;
  emotion: string;
  samples: Float32Array;
}

export interface SynthOptions {
  speakers?: number;
  perClassPerSpeaker?: number;
  durationS?: number;
  seed?: number;
}

function syllableEnvelope(t: number, rateHz: number, phase: number): number {
  // Speech-like amplitude modulation: ~4 syllables per second with short pauses.
  const s = Math.sin(2 * Math.PI * rateHz * t + phase);
  return s > -0.3 ? (s + 0.3) / 1.3 : 0;
}

function synthesize(p: Prosody, baseF0Hz: number, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const f0 = baseF0Hz * p.f0Ratio * (1 + 0.05 * rng.normal());
  const phase = rng.next() * 2 * Math.PI;
  const sylRate = 3.5 + rng.next();
  const nHarm = Math.floor(4000 / f0);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const t = i / DEFAULT_SAMPLE_RATE_HZ;
    const inst = f0 * (1 + p.f0Range * Math.sin(2 * Math.PI * p.f0RateHz * t + phase));
    acc += (2 * Math.PI * inst) / DEFAULT_SAMPLE_RATE_HZ;
    let v = 0;
    for (let h = 1; h <= nHarm; h++) v += Math.sin(h * acc) / h ** p.tilt;
    out[i] = p.level * syllableEnvelope(t, sylRate, phase) * v * 0.5 + 0.003 * rng.normal();
  }
  return out;
}

/**
 * Generates `speakers × classes × perClassPerSpeaker` clips, deterministic for a seed.
 * Speakers alternate low (male-like, ~120 Hz) and high (female-like, ~210 Hz) base F0.
 */
export function synthesizeEmotionCorpus(o: SynthOptions = {}): SynthUtterance[] {
  const speakers = o.speakers ?? 6;
  const per = o.perClassPerSpeaker ?? 6;
  const n = Math.round((o.durationS ?? 1) * DEFAULT_SAMPLE_RATE_HZ);
  const rng = makeRng(o.seed ?? 1);
  const out: SynthUtterance[] = [];
  for (let s = 0; s < speakers; s++) {
    const base = (s % 2 === 0 ? 120 : 210) * (1 + 0.1 * rng.normal());
    for (const [label, emotion] of SYNTH_CLASSES.entries()) {
      for (let k = 0; k < per; k++) {
        out.push({
          id: `spk${s}-${emotion}-${k}`,
          speaker: `spk${s}`,
          label,
          emotion,
          samples: synthesize(PROSODY[emotion], base, n, rng),
        });
      }
    }
  }
  return out;
}

/**
 * Writes the synthesized corpus as 16 kHz WAV files under `dir` (skipping files already there)
 * and returns its utterance records. Even-numbered speakers are labelled male (low base F0),
 * odd ones female, so fairness code has a gender attribute to work with.
 */
export function writeSyntheticCorpus(dir: string, o: SynthOptions = {}): Utterance[] {
  mkdirSync(dir, { recursive: true });
  return synthesizeEmotionCorpus(o).map((u) => {
    const path = resolve(join(dir, `${u.id}.wav`));
    if (!existsSync(path)) writeFileAtomicSync(path, encodeWav16(u.samples, DEFAULT_SAMPLE_RATE_HZ));
    const spk = Number(u.speaker.slice(3));
    return {
      id: u.id,
      path,
      corpus: 'synthetic',
      durationS: u.samples.length / DEFAULT_SAMPLE_RATE_HZ,
      speaker: `synthetic:${u.speaker}`,
      labels: { emotion: u.emotion },
      attributes: { gender: spk % 2 === 0 ? 'male' : 'female' },
    };
  });
}
