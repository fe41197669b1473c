/**
 * One stored clip of a spoof set: a family renders the utterance (or a bona fide file is taken
 * as it is), the clip's channel is applied (the project's channel shifts: telephone band,
 * codecs, noise, rooms…, the same for bona fide and spoof), spoofs are set to their peak level,
 * and a 16 kHz mono 16-bit WAV appears at the output path only when complete (rename).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SAMPLE_RATE_HZ, encodeWav16, getChannelShift, loadAudio } from '../audio/index.js';
import { writeFileAtomic } from '../core/index.js';
import { makeRng } from '../core/pure.js';
import type { SpoofFamily, TtsJob } from './families.js';

/** What produces a clip's signal. */
type ClipSource =
  | { kind: 'tts'; family: SpoofFamily & { kind: 'tts' }; job: TtsJob }
  | { kind: 'copy'; family: SpoofFamily & { kind: 'copy' }; sourcePath: string }
  | { kind: 'bonafide'; sourcePath: string };

/** How one clip is made. */
export interface ClipPlan {
  source: ClipSource;
  /** Channel shift name (see the audio stage's registry), or null for the clean channel. */
  channel: string | null;
  /** Seed of the channel's randomness (noise, room, …). */
  channelSeed: number;
  /** Peak level of the stored clip (dBFS, ≤ 0), or null to keep the level (bona fide). */
  peakDb: number | null;
}

/** Context shared by every clip of a set. */
export interface ClipContext {
  /** Scratch folder (its files are removed). */
  workDir: string;
  /** Other talkers' signals at 16 kHz for the babble channels. */
  babble?: Float32Array[];
}

function scaleToPeak(x: Float32Array, peakDb: number): Float32Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  if (peak === 0) throw new Error('spoof: the rendition is silent');
  const g = 10 ** (peakDb / 20) / peak;
  return Float32Array.from(x, (v) => v * g);
}

/** Makes the clip `plan` describes at `outPath` (see the module comment). */
export async function renderClip(plan: ClipPlan, outPath: string, ctx: ClipContext): Promise<void> {
  const stem = join(ctx.workDir, `${process.pid}-${Math.random().toString(36).slice(2)}`);
  const raw = `${stem}-render.wav`;
  try {
    const s = plan.source;
    if (s.kind === 'tts') await s.family.render(s.job, raw);
    else if (s.kind === 'copy') await s.family.render(s.sourcePath, raw, ctx.workDir);
    let x = (await loadAudio(s.kind === 'bonafide' ? s.sourcePath : raw, { sampleRateHz: DEFAULT_SAMPLE_RATE_HZ })).samples;
    if (plan.channel !== null) {
      x = await getChannelShift(plan.channel).apply(x, DEFAULT_SAMPLE_RATE_HZ, { rng: makeRng(plan.channelSeed), babble: ctx.babble });
    }
    if (plan.peakDb !== null) x = scaleToPeak(x, plan.peakDb);
    await writeFileAtomic(outPath, encodeWav16(x, DEFAULT_SAMPLE_RATE_HZ));
  } finally {
    await rm(raw, { force: true });
  }
}
