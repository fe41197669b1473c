/**
 * Spoof families: the speech generators a spoof set is built from. Each is a Debian-packaged
 * synthesizer driven as a program (no npm package synthesizes speech offline): espeak-ng
 * (formant), flite diphone and clustergen (statistical parametric), festival HTS and festival
 * diphone, plus copy-synthesis of real speech (see ./copy-synthesis.ts). A family renders one
 * utterance into a WAV file at its own sample rate; ./synth.ts turns that into the stored clip.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { runTool } from './tool.js';
import { copySynthesize } from './copy-synthesis.js';
import type { ProsodyProfile, SpoofVoice } from './voices.js';

/** What a text-to-speech family is asked to say. */
export interface TtsJob {
  text: string;
  voice: string;
  prosody: ProsodyProfile;
}

/** Which prosody dimensions a family honours (the rest are left at the voice's default). */
type ProsodyDimension = 'rate' | 'pitch' | 'range';

interface FamilyBase {
  name: string;
  description: string;
  /** Debian packages the family needs. */
  packages: readonly string[];
  /** Program looked up on PATH. */
  program: string;
}

/** A text-to-speech family. */
export interface TtsFamily extends FamilyBase {
  kind: 'tts';
  voices: readonly SpoofVoice[];
  prosody: readonly ProsodyDimension[];
  /** Data a voice needs besides the program, as [path, Debian package] (checked before a run). */
  voiceData?: (voice: string) => [string, string] | null;
  render(job: TtsJob, outWav: string): Promise<void>;
}

/** Analysis–resynthesis of a real utterance (content, prosody and speaker are the source's). */
interface CopyFamily extends FamilyBase {
  kind: 'copy';
  render(sourcePath: string, outWav: string, workDir: string): Promise<void>;
}

export type SpoofFamily = TtsFamily | CopyFamily;

/** Default espeak-ng voices: five male and five female variants over five English accents. */
export const ESPEAK_VOICES: readonly SpoofVoice[] = [
  { name: 'en-us+m1', gender: 'male' },
  { name: 'en-us+f2', gender: 'female' },
  { name: 'en-gb+m3', gender: 'male' },
  { name: 'en-gb+f4', gender: 'female' },
  { name: 'en-gb-x-rp+m7', gender: 'male' },
  { name: 'en-gb-x-rp+f1', gender: 'female' },
  { name: 'en-gb-scotland+m2', gender: 'male' },
  { name: 'en-gb-scotland+f3', gender: 'female' },
  { name: 'en-029+klatt3', gender: 'male' },
  { name: 'en-029+f5', gender: 'female' },
];

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The SSML document espeak-ng reads for a job. */
export function espeakSsml(job: TtsJob): string {
  const p = job.prosody;
  const sign = p.pitchPct >= 0 ? '+' : '';
  return `<speak><prosody rate="${p.ratePct.toFixed(0)}%" pitch="${sign}${p.pitchPct.toFixed(0)}%" range="${p.rangePct.toFixed(0)}%">${escapeXml(job.text)}</prosody></speak>`;
}

/**
 * Flite's intonation targets per voice: mean F0 (Hz, measured with SPTK's `pitch` on Harvard
 * sentences at the voice's defaults) and the `int_f0_target_stddev` that reproduces the
 * voice's default F0 spread (found by trying values), so a 100 % range keeps the voice as it is.
 */
const FLITE_F0: Readonly<Record<string, { meanHz: number; stddevHz: number }>> = {
  kal16: { meanHz: 91, stddevHz: 13 },
  awb: { meanHz: 121, stddevHz: 30 },
  rms: { meanHz: 103, stddevHz: 30 },
  slt: { meanHz: 172, stddevHz: 28 },
};

async function renderFlite(job: TtsJob, outWav: string): Promise<void> {
  const f0 = FLITE_F0[job.voice] ?? { meanHz: 120, stddevHz: 20 };
  const p = job.prosody;
  await runTool(
    'flite',
    [
      '-voice',
      job.voice,
      '--setf',
      `duration_stretch=${(100 / p.ratePct).toFixed(3)}`,
      '--setf',
      `int_f0_target_mean=${(f0.meanHz * (1 + p.pitchPct / 100)).toFixed(1)}`,
      '--setf',
      `int_f0_target_stddev=${((f0.stddevHz * p.rangePct) / 100).toFixed(1)}`,
      '-t',
      job.text,
      '-o',
      outWav,
    ],
    { what: `voice '${job.voice}'`, packages: ['flite'] },
  );
}

/** Festival voice folders, and the Debian package of each voice the project knows. */
const FESTIVAL_VOICE_ROOT = '/usr/share/festival/voices';
const FESTIVAL_VOICE_PACKAGES: Readonly<Record<string, string>> = {
  kal_diphone: 'festvox-kallpc16k',
  ked_diphone: 'festvox-kdlpc16k',
  cmu_us_slt_arctic_hts: 'festvox-us-slt-hts',
};

function festivalVoiceData(voice: string): [string, string] | null {
  const pkg = FESTIVAL_VOICE_PACKAGES[voice];
  if (!pkg) return null;
  const dirs = ['english', 'us'].map((lang) => join(FESTIVAL_VOICE_ROOT, lang, voice));
  return [dirs.find((d) => existsSync(d)) ?? dirs[0], pkg];
}

/**
 * Festival through `text2wave`. Diphone voices take rate (`Duration_Stretch`) and their linear
 * intonation model's target mean and spread (`int_lr_params`); HTS voices take the rate through
 * hts_engine's `-r` (their F0 comes from the statistical model and is left as it is).
 */
async function renderFestival(job: TtsJob, outWav: string, hts: boolean): Promise<void> {
  const p = job.prosody;
  const evals = [`(voice_${job.voice})`];
  if (hts) {
    evals.push(`(set! hts_engine_params (append hts_engine_params (list (list "-r" ${(p.ratePct / 100).toFixed(3)}))))`);
  } else {
    evals.push(
      `(Parameter.set 'Duration_Stretch ${(100 / p.ratePct).toFixed(3)})`,
      `(let ((m (assoc 'target_f0_mean int_lr_params)) (s (assoc 'target_f0_std int_lr_params))) (set-car! (cdr m) (* (cadr m) ${(1 + p.pitchPct / 100).toFixed(3)})) (set-car! (cdr s) (* (cadr s) ${(p.rangePct / 100).toFixed(3)})))`,
    );
  }
  await runTool('text2wave', [...evals.flatMap((e) => ['-eval', e]), '-o', outWav], {
    what: `voice '${job.voice}'`,
    packages: ['festival', FESTIVAL_VOICE_PACKAGES[job.voice] ?? 'festival'],
    input: job.text,
  });
}

/** Every family, in the order of the manifest and the reports. */
export const SPOOF_FAMILIES: readonly SpoofFamily[] = [
  {
    kind: 'tts',
    name: 'espeak',
    description: 'espeak-ng formant (rule-based) synthesis',
    packages: ['espeak-ng'],
    program: 'espeak-ng',
    voices: ESPEAK_VOICES,
    prosody: ['rate', 'pitch', 'range'],
    render: async (job, out) => {
      await runTool('espeak-ng', ['-m', '-v', job.voice, '-w', out, espeakSsml(job)], {
        what: `voice '${job.voice}'`,
        packages: ['espeak-ng'],
      });
    },
  },
  {
    kind: 'tts',
    name: 'flite-diphone',
    description: 'flite diphone concatenation (kal16)',
    packages: ['flite'],
    program: 'flite',
    voices: [{ name: 'kal16', gender: 'male' }],
    prosody: ['rate', 'pitch', 'range'],
    render: renderFlite,
  },
  {
    kind: 'tts',
    name: 'flite-cg',
    description: 'flite clustergen statistical parametric synthesis (awb, rms, slt)',
    packages: ['flite'],
    program: 'flite',
    voices: [
      { name: 'awb', gender: 'male' },
      { name: 'rms', gender: 'male' },
      { name: 'slt', gender: 'female' },
    ],
    prosody: ['rate', 'pitch', 'range'],
    render: renderFlite,
  },
  {
    kind: 'tts',
    name: 'festival-hts',
    description: 'festival HMM-based (HTS) synthesis (cmu_us_slt_arctic_hts)',
    packages: ['festival', 'festvox-us-slt-hts'],
    program: 'text2wave',
    voices: [{ name: 'cmu_us_slt_arctic_hts', gender: 'female' }],
    prosody: ['rate'],
    voiceData: festivalVoiceData,
    render: (job, out) => renderFestival(job, out, true),
  },
  {
    kind: 'tts',
    name: 'festival-diphone',
    description: 'festival residual-LPC diphone synthesis (kal_diphone, ked_diphone)',
    packages: ['festival', 'festvox-kallpc16k', 'festvox-kdlpc16k'],
    program: 'text2wave',
    voices: [
      { name: 'kal_diphone', gender: 'male' },
      { name: 'ked_diphone', gender: 'male' },
    ],
    prosody: ['rate', 'pitch', 'range'],
    voiceData: festivalVoiceData,
    render: (job, out) => renderFestival(job, out, false),
  },
  {
    kind: 'copy',
    name: 'copy-sptk',
    description: 'copy-synthesis of real speech: SPTK mel-cepstral analysis, pitch excitation, MLSA filter',
    packages: ['sptk'],
    program: 'sptk',
    render: copySynthesize,
  },
];

/** Names of {@link SPOOF_FAMILIES}. */
export const SPOOF_FAMILY_NAMES: readonly string[] = SPOOF_FAMILIES.map((f) => f.name);

/** The family called `name`; the error lists the known ones. */
export function getSpoofFamily(name: string): SpoofFamily {
  const f = SPOOF_FAMILIES.find((x) => x.name === name);
  if (!f) throw new Error(`spoof: unknown family '${name}' (known: ${SPOOF_FAMILY_NAMES.join(', ')})`);
  return f;
}

async function onPath(program: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/**
 * Checks that every family's program and voice data are installed; the error names each
 * missing family and the Debian packages to install.
 */
export async function checkFamiliesInstalled(
  families: readonly SpoofFamily[],
  voicesOf: (f: TtsFamily) => readonly SpoofVoice[],
): Promise<void> {
  const missing: string[] = [];
  for (const f of families) {
    if (!(await onPath(f.program))) {
      missing.push(`${f.name} needs '${f.program}' (apt-get install ${f.packages.join(' ')})`);
      continue;
    }
    if (f.kind !== 'tts' || !f.voiceData) continue;
    for (const v of voicesOf(f)) {
      const data = f.voiceData(v.name);
      if (data && !existsSync(data[0])) missing.push(`${f.name} voice '${v.name}' is not installed (apt-get install ${data[1]})`);
    }
  }
  if (missing.length) throw new Error(`spoof make-set: ${missing.join('; ')}`);
}
