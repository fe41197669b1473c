/**
 * In-memory utterance lists for the protocol tests (no audio needed), and the real RAVDESS
 * listing when the shared data is present.
 */
import type { Gender, Utterance } from '../../../src/data/corpora/index.js';
import { ravdess } from '../../../src/data/corpora/index.js';
import { RAVDESS_DIR } from '../../audio/helpers.js';

export { RAVDESS_DIR, sharedSkip } from '../../audio/helpers.js';

/** What to generate. */
export interface FakeCorpus {
  speakers: number;
  perSpeaker: number;
  /** Gender of speaker i (default: alternating female/male). */
  gender?: (i: number) => Gender | undefined;
  /** Session of speaker i (default: none). */
  session?: (i: number) => string | undefined;
  emotions?: string[];
  corpus?: string;
}

/** `speakers × perSpeaker` utterances `c:s03-007` of speakers `c:s03`, emotions cycling. */
export function fakeUtterances(o: FakeCorpus): Utterance[] {
  const corpus = o.corpus ?? 'fake';
  const emotions = o.emotions ?? ['neutral', 'happy', 'sad', 'angry'];
  const out: Utterance[] = [];
  for (let s = 0; s < o.speakers; s++) {
    const gender = o.gender ? o.gender(s) : s % 2 === 0 ? 'female' : 'male';
    const session = o.session?.(s);
    for (let k = 0; k < o.perSpeaker; k++) {
      const spk = `s${String(s).padStart(2, '0')}`;
      out.push({
        id: `${spk}-${String(k).padStart(3, '0')}`,
        path: `/data/${spk}/${k}.wav`,
        corpus,
        speaker: `${corpus}:${spk}`,
        ...(session === undefined ? {} : { session }),
        labels: { emotion: emotions[k % emotions.length] },
        attributes: gender === undefined ? {} : { gender },
      });
    }
  }
  return out;
}

let cached: Promise<Utterance[]> | undefined;
/** The real RAVDESS listing (call only when {@link RAVDESS_DIR} exists). */
export function ravdessUtterances(): Promise<Utterance[]> {
  cached ??= ravdess.list(RAVDESS_DIR);
  return cached;
}
