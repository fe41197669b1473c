/**
 * One spoofed utterance: text → espeak-ng (SSML prosody) → optional lossy codec round trip
 * (the "re-recording" channel) → 16 kHz mono 16-bit WAV at a given peak level. espeak-ng and
 * sox are Debian packages the setup script installs; they are driven as programs because no
 * npm package synthesizes speech offline.
 */
import { DEFAULT_SAMPLE_RATE_HZ } from '../audio/index.js';
import { execFile } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProsodyProfile } from './voices.js';

const run = promisify(execFile);

/** A lossy channel a spoof can be passed through before it is stored. */
export interface CodecChannel {
  /** Container/format extension sox picks the codec by. */
  ext: string;
  /** Sample rate the codec runs at (Hz). */
  rateHz: number;
  /** sox output options selecting the codec's settings. */
  args: readonly string[];
}

/** Codecs: MP3 at 32 kb/s, Ogg Vorbis at quality 0, GSM 06.10 and A-law telephony (8 kHz). */
export const CODECS: Readonly<Record<string, CodecChannel>> = {
  mp3: { ext: 'mp3', rateHz: DEFAULT_SAMPLE_RATE_HZ, args: ['-C', '32'] },
  ogg: { ext: 'ogg', rateHz: DEFAULT_SAMPLE_RATE_HZ, args: ['-C', '0'] },
  gsm: { ext: 'gsm', rateHz: 8000, args: [] },
  alaw: { ext: 'wav', rateHz: 8000, args: ['-e', 'a-law'] },
};

/** How one spoof is rendered. */
export interface Rendition {
  text: string;
  /** espeak-ng voice, e.g. `en-us+f2`. */
  voice: string;
  prosody: ProsodyProfile;
  /** Key of {@link CODECS}, or null for none. */
  codec: string | null;
  /** Peak level of the stored file (dBFS, ≤ 0). */
  peakDb: number;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The SSML document espeak-ng reads for a rendition. */
export function renditionSsml(r: Rendition): string {
  const sign = r.prosody.pitchPct >= 0 ? '+' : '';
  return `<speak><prosody rate="${r.prosody.ratePct.toFixed(0)}%" pitch="${sign}${r.prosody.pitchPct.toFixed(0)}%" range="${r.prosody.rangePct.toFixed(0)}%">${escapeXml(r.text)}</prosody></speak>`;
}

/**
 * Synthesizes `r` into `outPath` (a WAV file). Intermediate files live in `workDir` and are
 * removed; the output appears only when complete (rename), so an interrupted run leaves none.
 * Errors name the program and the voice.
 */
export async function synthesize(r: Rendition, outPath: string, workDir: string): Promise<void> {
  if (r.codec !== null && !(r.codec in CODECS))
    throw new Error(`spoof: unknown codec '${r.codec}' (known: ${Object.keys(CODECS).join(', ')})`);
  const stem = join(workDir, `${process.pid}-${Math.random().toString(36).slice(2)}`);
  const raw = `${stem}-tts.wav`;
  const coded = r.codec ? `${stem}-codec.${CODECS[r.codec].ext}` : null;
  const partial = `${stem}-out.wav`;
  try {
    await tool('espeak-ng', ['-m', '-v', r.voice, '-w', raw, renditionSsml(r)], r.voice);
    let source = raw;
    if (coded && r.codec) {
      const c = CODECS[r.codec];
      await tool('sox', [raw, '-r', String(c.rateHz), '-c', '1', ...c.args, coded], r.voice);
      source = coded;
    }
    await tool(
      'sox',
      [
        source,
        '-r',
        String(DEFAULT_SAMPLE_RATE_HZ),
        '-b',
        '16',
        '-c',
        '1',
        '-e',
        'signed-integer',
        partial,
        'gain',
        '-n',
        r.peakDb.toFixed(1),
      ],
      r.voice,
    );
    await rename(partial, outPath);
  } finally {
    await Promise.all([raw, coded, partial].map((p) => (p ? rm(p, { force: true }) : null)));
  }
}

async function tool(program: string, args: string[], voice: string): Promise<void> {
  try {
    await run(program, args, { maxBuffer: 1 << 20 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error(`spoof: '${program}' is not installed (run scripts/setup, or apt-get install espeak-ng sox libsox-fmt-all)`);
    throw new Error(`spoof: ${program} failed for voice '${voice}': ${(err.stderr ?? err.message).trim().split('\n')[0]}`);
  }
}
