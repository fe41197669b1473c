/**
 * Speaker bookkeeping shared by the split generators: one record per speaker, seeded
 * shuffling, dealing speakers into folds, gender-balanced draws and fold assembly.
 */
import { makeRng, shuffle, type Rng } from '../../core/index.js';
import type { Utterance } from '../corpora/index.js';
import { corpusNameOf } from './check.js';
import { SPLIT_CREATOR, SPLIT_MANIFEST_VERSION, type Fold, type Split, type SplitKind } from './manifest.js';

/** Seed used when none is given. */
export const DEFAULT_SPLIT_SEED = 1;
/** Development speakers drawn per fold when not told otherwise. */
export const DEFAULT_DEV_SPEAKERS = 2;
/** Group of speakers whose gender is not recorded. */
export const UNKNOWN_GENDER = 'unknown';

/** What the generators need to know about a speaker. */
export interface SpeakerInfo {
  id: string;
  /** `female`, `male`, or {@link UNKNOWN_GENDER}. */
  gender: string;
  /** Session, when the utterances record one. */
  session: string | undefined;
  utterances: number;
}

/**
 * One record per speaker, sorted by id.
 * @throws Error naming the speaker when its utterances disagree about its gender, or (with
 *   `sessions`) about its session.
 */
export function speakerTable(utts: readonly Utterance[], sessions = false): SpeakerInfo[] {
  if (utts.length === 0) throw new Error('cannot split an empty list of utterances');
  const table = new Map<string, SpeakerInfo & { firstId: string }>();
  for (const u of utts) {
    const gender = u.attributes.gender ?? UNKNOWN_GENDER;
    const s = table.get(u.speaker);
    if (!s) {
      table.set(u.speaker, { id: u.speaker, gender, session: u.session, utterances: 1, firstId: u.id });
      continue;
    }
    s.utterances++;
    if (s.gender !== gender)
      throw new Error(`speaker '${u.speaker}' has gender '${s.gender}' on utterance '${s.firstId}' but '${gender}' on '${u.id}'`);
    if (sessions && s.session !== u.session) {
      throw new Error(
        `speaker '${u.speaker}' is in session '${s.session}' (utterance '${s.firstId}') and '${u.session}' (utterance '${u.id}'); leave-one-session-out would leak this speaker`,
      );
    }
  }
  return [...table.values()].map(({ firstId: _f, ...s }) => s).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Speaker ids grouped by a key, groups in sorted key order. */
export function groupBy(speakers: readonly SpeakerInfo[], key: (s: SpeakerInfo) => string): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const s of speakers) {
    const k = key(s);
    groups.set(k, [...(groups.get(k) ?? []), s.id]);
  }
  return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * Deals the (already shuffled) groups' members round-robin into `k` bins, continuing where
 * the previous group stopped, so every bin gets as equal a share of each group as possible
 * and bin sizes differ by at most one.
 */
export function deal(groups: readonly string[][], k: number): string[][] {
  const bins: string[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const g of groups) for (const id of g) bins[next++ % k].push(id);
  return bins;
}

/**
 * Draws `n` speakers from `candidates`, alternating between genders (shuffled within each
 * gender, the starting gender drawn at random) so the draw is gender-balanced when possible.
 */
function drawBalanced(candidates: readonly SpeakerInfo[], n: number, rng: Rng): string[] {
  const groups = groupBy(candidates, (s) => s.gender).map(([, ids]) => shuffle([...ids], rng));
  const out: string[] = [];
  let g = groups.length > 0 ? rng.int(groups.length) : 0;
  while (out.length < n && groups.some((x) => x.length > 0)) {
    const grp = groups[g % groups.length];
    if (grp.length > 0) out.push(grp.shift()!);
    g++;
  }
  return out;
}

/** Checks a non-negative integer option. */
export function requireCount(value: number, name: string, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

/** Checks a seed. */
function requireSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
}

/** A seeded generator for a split. */
export function splitRng(seed: number): Rng {
  requireSeed(seed);
  return makeRng(seed);
}

/** Sorted ids of the utterances whose speaker is in `speakers`. */
function idsOf(utts: readonly Utterance[], speakers: ReadonlySet<string>): string[] {
  return utts
    .filter((u) => speakers.has(u.speaker))
    .map((u) => u.id)
    .sort();
}

/**
 * A fold from test and dev speaker sets; every other speaker trains.
 * @throws Error when no training speaker is left.
 */
export function speakerFold(name: string, utts: readonly Utterance[], test: ReadonlySet<string>, dev: ReadonlySet<string>): Fold {
  const trainSpk = new Set(utts.map((u) => u.speaker).filter((s) => !test.has(s) && !dev.has(s)));
  if (trainSpk.size === 0)
    throw new Error(`fold '${name}': no training speakers left after ${test.size} test and ${dev.size} dev speakers`);
  return { name, train: idsOf(utts, trainSpk), dev: idsOf(utts, dev), test: idsOf(utts, test) };
}

/**
 * Picks `n` dev speakers among the speakers not in `test`, gender-balanced when possible.
 * @throws Error when fewer than `n + 1` speakers remain (training needs at least one).
 */
export function pickDev(speakers: readonly SpeakerInfo[], test: ReadonlySet<string>, n: number, rng: Rng, fold: string): Set<string> {
  const rest = speakers.filter((s) => !test.has(s.id));
  if (rest.length < n + 1)
    throw new Error(
      `fold '${fold}': ${rest.length} speaker(s) remain outside the test set, too few for ${n} dev speaker(s) and at least one training speaker`,
    );
  return new Set(drawBalanced(rest, n, rng));
}

/** Assembles a manifest. */
export function makeSplit(
  utts: readonly Utterance[],
  kind: SplitKind,
  seed: number,
  folds: Fold[],
  extra: Pick<Split, 'speakerIndependent' | 'devSharesSpeakers' | 'note' | 'options'>,
): Split {
  const s: Split = { version: SPLIT_MANIFEST_VERSION, corpus: corpusNameOf(utts), kind, seed, createdBy: SPLIT_CREATOR, folds };
  if (extra.speakerIndependent !== undefined) s.speakerIndependent = extra.speakerIndependent;
  if (extra.devSharesSpeakers !== undefined) s.devSharesSpeakers = extra.devSharesSpeakers;
  if (extra.note !== undefined) s.note = extra.note;
  if (extra.options !== undefined) s.options = extra.options;
  return s;
}
