/**
 * What the synthetic spoof set says and how: the sentences spoken, and one prosody profile per
 * RAVDESS emotion so that every emotion group holds spoofed speech too
 * (needed for a per-emotion EER, as in Emotion-aware AASIST's per-emotion evaluation).
 */

/** A synthesizer voice and the sex it imitates. */
export interface SpoofVoice {
  name: string;
  gender: 'female' | 'male';
}

/**
 * Read-speech sentences for the spoofed counterpart of LibriSpeech (the LibriSpeech subset here
 * ships without transcripts, so these stand in): Harvard sentences (IEEE 1969, public domain).
 */
export const READ_SENTENCES: readonly string[] = [
  'The birch canoe slid on the smooth planks.',
  'Glue the sheet to the dark blue background.',
  'It is easy to tell the depth of a well.',
  'These days a chicken leg is a rare dish.',
  'Rice is often served in round bowls.',
  'The juice of lemons makes fine punch.',
  'The box was thrown beside the parked truck.',
  'The hogs were fed chopped corn and garbage.',
  'Four hours of steady work faced us.',
  'A large size in stockings is hard to sell.',
];

/** Group name of read speech (LibriSpeech bona fide and its spoofed counterpart). */
export const READ_GROUP = 'read';

/**
 * Prosody relative to the voice's default, in SSML terms: speaking rate (%), mean pitch
 * (% change) and pitch range (%); and the level of the stored clip relative to the drawn one
 * (dB, the "energy" of the emotion).
 */
export interface ProsodyProfile {
  ratePct: number;
  pitchPct: number;
  rangePct: number;
  levelDb: number;
}

/**
 * One profile per RAVDESS emotion, following the direction of the acoustic correlates reviewed
 * by Murray & Arnott (1993): anger, happiness and fear faster, higher and wider; sadness and
 * calm slower, lower and narrower; disgust much slower and lower; the high-arousal emotions
 * louder, sadness and calm quieter. The magnitudes are ours.
 */
export const EMOTION_PROSODY: Readonly<Record<string, ProsodyProfile>> = {
  neutral: { ratePct: 100, pitchPct: 0, rangePct: 100, levelDb: 0 },
  calm: { ratePct: 88, pitchPct: -8, rangePct: 70, levelDb: -3 },
  happy: { ratePct: 110, pitchPct: 25, rangePct: 160, levelDb: 2 },
  sad: { ratePct: 80, pitchPct: -12, rangePct: 55, levelDb: -4 },
  angry: { ratePct: 115, pitchPct: 20, rangePct: 180, levelDb: 4 },
  fearful: { ratePct: 125, pitchPct: 35, rangePct: 150, levelDb: 1 },
  disgust: { ratePct: 75, pitchPct: -18, rangePct: 120, levelDb: -1 },
  surprised: { ratePct: 105, pitchPct: 40, rangePct: 200, levelDb: 2 },
};

/** Uniform random change (±%) applied to rate and pitch of each rendition. */
export const PROSODY_JITTER_PCT = 6;
