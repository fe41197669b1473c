// Fuzzing of the audio decoders: real files of every supported container as seeds, fast-check
// mutations (bit flips, byte and length-field overwrites, truncation, insertion, deletion,
// duplication — biased towards the headers), and the property every input must satisfy:
// decodeAudio resolves with well-formed audio or rejects with one AudioError naming the input.
// Shared by test/audio/fuzz.test.ts (a few thousand inputs) and bench/fuzz (≥ 100 000).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AudioError, decodeAudio, type Audio } from '../../src/audio/index.js';
import { FIXTURES, hasSox, makeWav, sox, soxFormats, tempDir, tone, wavFromFloat } from '../audio/helpers.js';

/** A valid file to mutate. */
export interface Seed {
  name: string;
  bytes: Uint8Array;
}

/** Seed files: WAV (PCM, float, extensible), and FLAC / Ogg Vorbis (SoX) / MP3 / Ogg Opus (fixtures). */
export function fuzzSeeds(): Seed[] {
  const x = tone(330, 16000, 3200, 0.5);
  const ints = Array.from(x, (v) => Math.round(v * 32767));
  const seeds: Seed[] = [
    { name: 'pcm16.wav', bytes: wavFromFloat(x, 16000) },
    {
      name: 'float32-stereo.wav',
      bytes: makeWav({ format: 'float32', sampleRateHz: 22050, channels: [Array.from(x), Array.from(x, (v) => -v)] }),
    },
    {
      name: 'pcm24-extensible.wav',
      bytes: makeWav({ format: 'pcm24', sampleRateHz: 8000, channels: [ints.map((v) => v * 256)], extensible: true }),
    },
    { name: 'chirp.mp3', bytes: new Uint8Array(readFileSync(join(FIXTURES, 'chirp-16k-mono.mp3'))) },
    { name: 'chirp.opus', bytes: new Uint8Array(readFileSync(join(FIXTURES, 'chirp-48k-stereo.opus'))) },
  ];
  if (hasSox()) {
    const formats = soxFormats();
    const { dir, cleanup } = tempDir();
    try {
      const wav = join(dir, 'seed.wav');
      writeFileSync(wav, seeds[0].bytes);
      for (const [ext, name] of [
        ['flac', 'seed.flac'],
        ['ogg', 'seed.ogg'],
      ] as const) {
        if (!formats.has(ext)) continue;
        sox([wav, join(dir, name)]);
        seeds.push({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) });
      }
    } finally {
      cleanup();
    }
  }
  return seeds;
}

/** One edit of a file. Positions are taken modulo the current length. */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

/** Header-heavy positions: half of them in the first 64 bytes, where the length fields are. */
const position = fc.oneof(fc.nat(63), fc.nat(1 << 20));
/** Values that break length fields: zero, one, the signed and unsigned extremes. */
const EDGE_U32 = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('u32' as const), at: position, value: fc.oneof(fc.constantFrom(...EDGE_U32), fc.nat()) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 4096 }) }),
);

/** A fuzz case: which seed, and the edits applied to it in order. */
export interface FuzzCase {
  seed: number;
  mutations: Mutation[];
}

export function caseArb(seeds: number): fc.Arbitrary<FuzzCase> {
  return fc.record({ seed: fc.nat(seeds - 1), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 6 }) });
}

/** The bytes of a case. */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b: Uint8Array = bytes.slice();
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at] ^= 1 << m.bit;
        break;
      case 'set':
        if (b.length) b[at] = m.value;
        break;
      case 'u32':
        if (b.length >= 4) new DataView(b.buffer).setUint32(Math.min(at, b.length - 4), m.value >>> 0, true);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'insert':
        b = concat(b.subarray(0, at), m.bytes, b.subarray(at));
        break;
      case 'delete':
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + m.length)));
        break;
      case 'duplicate':
        b = concat(b.subarray(0, at), b.subarray(at, at + m.length), b.subarray(at));
        break;
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What decoding one input gave. */
export type Outcome = { ok: true; frames: number } | { ok: false; kind: string };

/** Largest decoded length accepted from a fuzzed seed (samples per channel): 10 min at 48 kHz. */
const MAX_FRAMES = 48000 * 600;

/**
 * Decodes `bytes` and checks the property; throws (an assertion failure, not an AudioError)
 * when it is violated: a non-AudioError escaped, an error did not name the input, or the
 * decoded audio is malformed (no channels, unequal lengths, a non-finite sample, a bad rate).
 */
export async function checkDecode(bytes: Uint8Array, label: string): Promise<Outcome> {
  let audio: Audio;
  try {
    audio = await decodeAudio(bytes, label);
  } catch (e) {
    if (!(e instanceof AudioError))
      throw new Error(
        `${label}: decodeAudio threw ${(e as Error)?.name ?? typeof e}, not an AudioError: ${String((e as Error)?.message ?? e)}`,
      );
    if (!e.message.startsWith(`${label}: `) || e.reason.trim() === '') throw new Error(`${label}: unclear error '${e.message}'`);
    return { ok: false, kind: e.kind };
  }
  const n = audio.channels[0]?.length ?? 0;
  if (audio.channels.length === 0 || n === 0) throw new Error(`${label}: decoded to no samples without an error`);
  if (!Number.isInteger(audio.sampleRateHz) || audio.sampleRateHz <= 0)
    throw new Error(`${label}: decoded with sample rate ${audio.sampleRateHz}`);
  if (n > MAX_FRAMES) throw new Error(`${label}: ${n} samples from a ${bytes.length}-byte input`);
  for (const ch of audio.channels) {
    if (ch.length !== n) throw new Error(`${label}: channels of unequal length`);
    for (let i = 0; i < ch.length; i++) if (!Number.isFinite(ch[i])) throw new Error(`${label}: sample ${i} is ${ch[i]}`);
  }
  return { ok: true, frames: n };
}
