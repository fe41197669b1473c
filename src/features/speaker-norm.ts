/**
 * Speaker-level feature normalization (Busso et al., "Iterative feature normalization scheme for
 * automatic emotion detection from speech", IEEE TAC 2013): every utterance's features are
 * standardized with the mean and standard deviation of *its speaker's* utterances, which removes
 * much of the speaker-specific offset (pitch range, vocal tract, recording level) that a
 * speaker-independent model otherwise has to ignore.
 *
 * Only features are used, never labels. Test speakers are normalized with statistics of their own
 * unlabelled test utterances, so a deployed model needs a few utterances of each speaker first
 * (enrollment); results of speaker-normalized runs must be reported as such.
 */
import type { Features } from './types.js';
import { fitNormalizer, normalize, type Normalizer } from './normalize.js';

/** A speaker's statistics need at least this many utterances (one utterance has no spread between utterances). */
export const MIN_SPEAKER_UTTERANCES = 4;

/**
 * Fits one {@link Normalizer} per speaker.
 * @throws Error naming every speaker with fewer than {@link MIN_SPEAKER_UTTERANCES} utterances.
 */
export function fitSpeakerNormalizers(items: { speaker: string; features: Features }[]): Map<string, Normalizer> {
  const bySpeaker = new Map<string, Features[]>();
  for (const it of items) {
    const g = bySpeaker.get(it.speaker);
    if (g) g.push(it.features);
    else bySpeaker.set(it.speaker, [it.features]);
  }
  const few = [...bySpeaker].filter(([, fs]) => fs.length < MIN_SPEAKER_UTTERANCES).map(([s, fs]) => `${s} (${fs.length})`);
  if (few.length > 0) {
    throw new Error(
      `speaker normalization needs at least ${MIN_SPEAKER_UTTERANCES} utterances per speaker; too few for: ${few.join(', ')}`,
    );
  }
  return new Map([...bySpeaker].map(([s, fs]) => [s, fitNormalizer(fs)]));
}

/**
 * What speaker normalization will do badly on a corpus, before any feature is computed:
 * - one warning per speaker whose utterances all carry the same emotion label: that speaker's
 *   mean is then the emotion's own mean, so normalization subtracts the emotion from their
 *   features (the message names the speaker, the label and the utterance count);
 * - one warning naming every speaker with fewer than {@link MIN_SPEAKER_UTTERANCES} utterances,
 *   whose statistics {@link fitSpeakerNormalizers} refuses.
 * Speakers are named in the order they first occur; no warnings gives `[]`.
 */
export function speakerNormWarnings(utts: { speaker: string; label: string }[]): string[] {
  const bySpeaker = new Map<string, { count: number; labels: Set<string> }>();
  for (const u of utts) {
    const s = bySpeaker.get(u.speaker);
    if (s) {
      s.count++;
      s.labels.add(u.label);
    } else bySpeaker.set(u.speaker, { count: 1, labels: new Set([u.label]) });
  }
  const warnings: string[] = [];
  for (const [speaker, { count, labels }] of bySpeaker) {
    if (labels.size !== 1) continue;
    const [label] = labels;
    warnings.push(
      `speaker '${speaker}': all ${count} utterance(s) are labelled '${label}', so speaker normalization removes the emotion itself (the speaker's mean is the '${label}' mean)`,
    );
  }
  const few = [...bySpeaker].filter(([, s]) => s.count < MIN_SPEAKER_UTTERANCES).map(([speaker, s]) => `'${speaker}' (${s.count})`);
  if (few.length > 0)
    warnings.push(`speaker normalization needs at least ${MIN_SPEAKER_UTTERANCES} utterances per speaker; too few for: ${few.join(', ')}`);
  return warnings;
}

/**
 * Speaker-normalized copies of the features of `utterances` (ids → features), with statistics
 * of each speaker's utterances in the list.
 */
export function speakerNormalize(utterances: { id: string; speaker: string }[], feats: Map<string, Features>): Map<string, Features> {
  const stats = fitSpeakerNormalizers(utterances.map((u) => ({ speaker: u.speaker, features: feats.get(u.id)! })));
  return new Map(utterances.map((u) => [u.id, normalize(feats.get(u.id)!, stats.get(u.speaker)!)]));
}
