/**
 * The augmented copies of a run's training utterances: `copies` per utterance, each with a
 * seed derived from the run's augmentation seed, the utterance's file and the copy index (so a copy
 * is the same in every fold and after a resume, and the feature cache serves it), and, for
 * babble noise, talkers drawn from the configured folder.
 */
import { scanDir } from '../audio/index.js';
import type { TaskAugmentation } from '../features/index.js';
import type { AugmentConfig, LabelledUtterance } from '../run/index.js';

/** Recordings drawn from the `babbleDir` folder(s) for one copy's babble. */
const BABBLE_SOURCES_PER_COPY = 5;
/** Separator of a copy's id from its utterance's id: `<id>#aug<k>`. */
export const AUGMENT_ID_SEPARATOR = '#aug';

/** 32-bit FNV-1a of a string. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** One augmented copy: its id, the utterance it copies, and what the feature task applies. */
export interface AugmentedCopy {
  utterance: LabelledUtterance;
  augment: TaskAugmentation;
}

/**
 * The augmented copies of `utts` (ids `<id>#aug<k>`, k = 0 … copies − 1).
 * @throws Error naming `noise.babbleDir` when one of its folders holds no audio.
 */
export async function augmentedCopies(cfg: AugmentConfig, utts: readonly LabelledUtterance[]): Promise<AugmentedCopy[]> {
  const { copies, seed, noise, ...steps } = cfg;
  const spec = { ...steps, noise: { prob: noise.prob, snrDb: noise.snrDb, kinds: noise.kinds } };
  const dirs = noise.kinds.includes('babble') && noise.babbleDir !== undefined ? [noise.babbleDir].flat() : [];
  const pool: string[] = [];
  for (const d of dirs) {
    const files = (await scanDir(d)).map((i) => i.path);
    if (files.length === 0) throw new Error(`training.augment.noise.babbleDir: no audio files in ${d}`);
    pool.push(...files);
  }
  const out: AugmentedCopy[] = [];
  for (const u of utts) {
    for (let k = 0; k < copies; k++) {
      // Seeded by the audio file, not the id: a multi-corpus run (ids prefixed by corpus) reuses the cached copies.
      const s = hash32(`${seed}\0${u.path}\0${k}`);
      const babble =
        pool.length === 0 ? [] : Array.from({ length: BABBLE_SOURCES_PER_COPY }, (_, j) => pool[hash32(`${s}\0${j}`) % pool.length]);
      out.push({ utterance: { ...u, id: `${u.id}${AUGMENT_ID_SEPARATOR}${k}` }, augment: { spec, seed: s, babble } });
    }
  }
  return out;
}
