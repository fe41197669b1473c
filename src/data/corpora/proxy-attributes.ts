/**
 * Proxy arousal / valence / dominance for corpora that have categorical labels only (RAVDESS,
 * TESS, ...): each emotion class is placed at its pleasure–arousal–dominance coordinates from
 * Russell & Mehrabian's ratings of emotion terms, scaled towards neutral by the utterance's
 * intensity, and mapped onto a 1–5 scale (IEMOCAP's). Numbers computed on these are proxies —
 * they measure how well a regressor recovers the category's position, not perceived affect —
 * and are always reported as such (docs/dimensional.md gives the table and its source).
 */

/** The three attributes, in the order trustser reports them. */
export const ATTRIBUTES = ['arousal', 'valence', 'dominance'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** The 1–5 scale of proxy values: the scale's midpoint is neutral, ±1 in PAD space its ends. */
export const PROXY_SCALE = { min: 1, max: 5 } as const;
const PROXY_MID = (PROXY_SCALE.min + PROXY_SCALE.max) / 2;
const PROXY_HALF_RANGE = (PROXY_SCALE.max - PROXY_SCALE.min) / 2;

/**
 * Share of the distance from neutral an utterance of `normal` intensity gets (RAVDESS records
 * every emotion but neutral at normal and strong intensity; `strong` and unrated utterances get 1).
 */
export const NORMAL_INTENSITY_FACTOR = 0.6;

/**
 * Pleasure (valence), arousal, dominance in [−1, 1] per emotion class (Russell & Mehrabian 1977,
 * "Evidence for a three-factor theory of emotions", J. Res. Personality 11; values as reproduced
 * in the affective-computing literature; `calm` uses the term "relaxed"; neutral is the origin).
 */
const PAD: Readonly<Record<string, { valence: number; arousal: number; dominance: number }>> = {
  neutral: { valence: 0, arousal: 0, dominance: 0 },
  calm: { valence: 0.68, arousal: -0.46, dominance: 0.06 },
  happy: { valence: 0.81, arousal: 0.51, dominance: 0.46 },
  sad: { valence: -0.63, arousal: -0.27, dominance: -0.33 },
  angry: { valence: -0.51, arousal: 0.59, dominance: 0.25 },
  fearful: { valence: -0.64, arousal: 0.6, dominance: -0.43 },
  disgust: { valence: -0.6, arousal: 0.35, dominance: 0.11 },
  surprised: { valence: 0.4, arousal: 0.67, dominance: -0.13 },
  bored: { valence: -0.65, arousal: -0.62, dominance: -0.33 },
};

/** Other spellings of the classes above used by the label maps of the corpora. */
const SYNONYMS: Readonly<Record<string, string>> = {
  anger: 'angry',
  fear: 'fearful',
  happiness: 'happy',
  joy: 'happy',
  sadness: 'sad',
  disgusted: 'disgust',
  surprise: 'surprised',
  ps: 'surprised',
  boredom: 'bored',
};

/** The emotion classes that have proxy attributes. */
export const PROXY_CLASSES: readonly string[] = [...Object.keys(PAD), ...Object.keys(SYNONYMS)].sort();

/**
 * Proxy attributes of an utterance of class `emotion` at `intensity` (RAVDESS `normal` /
 * `strong`; anything else counts as full intensity), on the 1–5 scale; null for a class without
 * coordinates (e.g. contempt, other).
 */
export function proxyAttributes(emotion: string, intensity?: string | number): Record<Attribute, number> | null {
  const key = emotion.toLowerCase();
  const pad = PAD[SYNONYMS[key] ?? key];
  if (!pad) return null;
  const k = intensity === 'normal' ? NORMAL_INTENSITY_FACTOR : 1;
  const at = (v: number) => PROXY_MID + PROXY_HALF_RANGE * k * v;
  return { arousal: at(pad.arousal), valence: at(pad.valence), dominance: at(pad.dominance) };
}
