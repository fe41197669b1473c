/**
 * The LibriSpeech talkers of the benchmarks' babble, split in two disjoint groups: the channel
 * shifts of bench:robustness mix test talkers, training augmentation (bench:ser-ravdess *augl*
 * rows) mixes the others, so no model is tested on babble voices it was trained with.
 */
import { join } from 'node:path';
import { packageRoot } from '../src/core/paths.js';

/** The LibriSpeech test-other subset (10 speakers, 10 clips each) beside the project. */
const LIBRISPEECH_DIR = join(packageRoot(), '..', 'shared', 'data', 'librispeech-test-other-subset');
/** Speakers whose clips make the test babble (4 speakers, 40 clips: the first four folders). */
const TEST_SPEAKERS = ['1688', '1998', '2033', '2414'];
/** Speakers whose clips make training babble (the other six). */
const TRAINING_SPEAKERS = ['2609', '3005', '3080', '3331', '367', '533'];

/** Folders of the test babble's talkers. */
export const testBabbleDirs = (): string[] => TEST_SPEAKERS.map((s) => join(LIBRISPEECH_DIR, s));
/** Folders of the training babble's talkers (disjoint from {@link testBabbleDirs}). */
const trainingBabbleDirs = (): string[] => TRAINING_SPEAKERS.map((s) => join(LIBRISPEECH_DIR, s));

/**
 * Training augmentation noise of the *augl* recipes: noise on 80 % of the copies (white, pink or
 * babble of the training talkers, 5–30 dB SNR). Set a priori, not tuned.
 */
export const librispeechBabbleNoise = () => ({ prob: 0.8, kinds: ['white', 'pink', 'babble'], babbleDir: trainingBabbleDirs() });
