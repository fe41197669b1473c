/**
 * Train/test splits of a spoof set. Every protocol starts from one speaker-disjoint assignment:
 * the bona fide speakers of each source (RAVDESS actors, LibriSpeech readers) go through a
 * gender-balanced speaker k-fold; a spoof whose speaker is one of them (copy-synthesis) follows
 * that speaker; other spoofs are split by voice within their family, or by clip when a family
 * has fewer voices than folds. Then:
 * - `speaker`: fold `testFold` is the test set (unseen speakers and voices);
 * - `leave-one-family-out`: one family is never trained on; the test set is the unseen
 *   speakers' bona fide trials against every spoof of that family (copy-synthesis spoofs of
 *   training speakers are left out of both sides);
 * - `leave-one-channel-out`: one channel is never trained on; the test set is the unseen
 *   speakers' and voices' clips on that channel, bona fide and spoof.
 * With a dev fold, that fold's speakers and voices leave the training side for a dev side,
 * filtered as the training side is (no held-out family or channel); the test side stays the same.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJsonWith } from '../core/index.js';
import { makeRng, shuffle } from '../core/pure.js';
import { speakerKFold, type Utterance } from '../data/index.js';
import { loadSpoofManifest } from './evaluate.js';
import { z } from 'zod';

/** Files of a `spoof train` run that say what it was trained and tested on. */
export const SPOOF_RUN_CONFIG = 'config.json';
export const SPOOF_SPLIT_FILE = 'split.json';

/** How a spoof set is split into training and test trials. */
export type SpoofProtocol =
  | { kind: 'speaker' }
  | { kind: 'leave-one-family-out'; family: string }
  | { kind: 'leave-one-channel-out'; channel: string };

/** A split: utterance ids, and how any family without enough voices was split. */
export interface SpoofSplit {
  train: string[];
  /** Trials for epoch selection and calibration (empty without a dev fold). */
  dev: string[];
  test: string[];
  notes: string[];
}

type Side = 'train' | 'dev' | 'test';

const attr = (u: Utterance, key: string) => (u.attributes[key] === undefined ? '' : String(u.attributes[key]));
const isSpoof = (u: Utterance) => u.labels.spoof === 'spoof';

function groupBy<T>(items: readonly T[], key: (t: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(t);
  }
  return [...m].sort((a, b) => a[0].localeCompare(b[0]));
}

/** Side of every utterance under fold `testFold` (and `devFold`, when given; see the module comment). */
function assignSides(
  utts: readonly Utterance[],
  folds: number,
  testFold: number,
  devFold: number | undefined,
  seed: number,
  notes: string[],
): Map<string, Side> {
  for (const [name, k] of [
    ['testFold', testFold],
    ['devFold', devFold],
  ] as const)
    if (k !== undefined && !(Number.isInteger(k) && k >= 0 && k < folds))
      throw new Error(`spoof split: ${name} ${k} outside 0..${folds - 1}`);
  if (devFold === testFold) throw new Error(`spoof split: devFold ${devFold} is the test fold; choose another`);
  const sideOfFold = (k: number): Side => (k === testFold ? 'test' : k === devFold ? 'dev' : 'train');
  const side = new Map<string, Side>();
  const speakerSide = new Map<string, Side>();
  const kfold = (list: Utterance[], source: string) => {
    const speakers = new Set(list.map((u) => u.speaker)).size;
    if (speakers < folds) throw new Error(`spoof split: source '${source}' has ${speakers} speaker(s), fewer than the ${folds} folds`);
    // Fold k's test speakers are group k of one partition, so every utterance gets the side of its group.
    speakerKFold(list, { folds, seed, balanceBy: 'gender', devSpeakers: 0 }).folds.forEach((fold, k) => {
      for (const id of fold.test) side.set(id, sideOfFold(k));
    });
  };
  for (const [source, list] of groupBy(
    utts.filter((u) => !isSpoof(u)),
    (u) => attr(u, 'source') || 'unknown',
  )) {
    kfold(list, source);
    for (const u of list) speakerSide.set(u.speaker, side.get(u.id)!);
  }
  const spoofs = utts.filter(isSpoof);
  for (const u of spoofs) {
    const s = speakerSide.get(u.speaker);
    if (s) side.set(u.id, s);
  }
  for (const [family, list] of groupBy(
    spoofs.filter((u) => !side.has(u.id)),
    (u) => attr(u, 'family') || attr(u, 'source') || 'unknown',
  )) {
    if (new Set(list.map((u) => u.speaker)).size >= folds) {
      kfold(list, family);
      continue;
    }
    notes.push(`family '${family}' has fewer voices than the ${folds} folds: its spoofs are split by clip`);
    const order = shuffle(list.map((u) => u.id).sort(), makeRng(seed * 7919 + folds));
    order.forEach((id, i) => side.set(id, sideOfFold(i % folds)));
  }
  return side;
}

function values(utts: readonly Utterance[], key: string): string[] {
  return [...new Set(utts.filter(isSpoof).map((u) => attr(u, key)))].filter((v) => v !== '').sort();
}

/**
 * Splits a spoof set's utterances by `protocol` (default `speaker`) for fold `testFold` of
 * `folds`, with fold `devFold` (when given) as a dev side. Errors name the protocol and what is
 * missing (an unknown family or channel, a side without bona fide or spoof trials).
 */
export function spoofSplit(
  utts: readonly Utterance[],
  folds: number,
  testFold: number,
  seed: number,
  protocol: SpoofProtocol = { kind: 'speaker' },
  devFold?: number,
): SpoofSplit {
  const notes: string[] = [];
  const side = assignSides(utts, folds, testFold, devFold, seed, notes);
  const sides: Record<Side, string[]> = { train: [], dev: [], test: [] };
  let held: (u: Utterance) => boolean = () => false;
  if (protocol.kind === 'leave-one-family-out') {
    const known = values(utts, 'family');
    if (!known.includes(protocol.family))
      throw new Error(`leave-one-family-out: the set has no family '${protocol.family}' (it has: ${known.join(', ') || 'none'})`);
    held = (u) => isSpoof(u) && attr(u, 'family') === protocol.family;
  } else if (protocol.kind === 'leave-one-channel-out') {
    const known = [...new Set(utts.map((u) => attr(u, 'channel')))].filter((v) => v !== '').sort();
    if (!known.includes(protocol.channel))
      throw new Error(`leave-one-channel-out: the set has no channel '${protocol.channel}' (it has: ${known.join(', ') || 'none'})`);
    held = (u) => attr(u, 'channel') === protocol.channel;
  }
  // Copies of speakers whose bona fide trials are trained on (or used for dev) never reach the test side.
  const seenSpeakers = new Set(utts.filter((u) => !isSpoof(u) && side.get(u.id) !== 'test').map((u) => u.speaker));
  for (const u of utts) {
    const s = side.get(u.id)!;
    if (protocol.kind === 'speaker') sides[s].push(u.id);
    else if (protocol.kind === 'leave-one-channel-out') {
      if (held(u) === (s === 'test')) sides[s].push(u.id);
    } else if (!isSpoof(u)) sides[s].push(u.id);
    else if (!held(u)) {
      if (s !== 'test') sides[s].push(u.id);
    } else if (!seenSpeakers.has(u.speaker)) sides.test.push(u.id);
  }
  const byId = new Map(utts.map((u) => [u.id, u]));
  const checked: [string, string[]][] = [
    ['training', sides.train],
    ['test', sides.test],
  ];
  if (devFold !== undefined) checked.push(['dev', sides.dev]);
  for (const [name, ids] of checked) {
    const kinds = new Set(ids.map((id) => (isSpoof(byId.get(id)!) ? 'spoof' : 'bonafide')));
    if (kinds.size < 2)
      throw new Error(`spoof split (${protocol.kind}): the ${name} side has no ${kinds.has('spoof') ? 'bona fide' : 'spoof'} trials`);
  }
  return { ...sides, notes };
}

const RunSetSchema = z.object({ set: z.string() });
const SplitFileSchema = z.object({ test: z.array(z.string()) });

/**
 * The held-out trials of a `spoof train` run: its spoof set's manifest rows listed in the run's
 * split.json test side. Errors name the run folder and the file that is missing or malformed.
 */
export async function heldOutTrials(runDir: string): Promise<Utterance[]> {
  const dir = resolve(runDir);
  for (const f of [SPOOF_RUN_CONFIG, SPOOF_SPLIT_FILE])
    if (!existsSync(join(dir, f))) throw new Error(`${dir}: not a \`spoof train\` run (no ${f})`);
  const { set } = readJsonWith(join(dir, SPOOF_RUN_CONFIG), RunSetSchema, 'spoof run config');
  const { test } = readJsonWith(join(dir, SPOOF_SPLIT_FILE), SplitFileSchema, 'spoof run split');
  const utts = await loadSpoofManifest(set);
  const byId = new Map(utts.map((u) => [u.id, u]));
  const missing = test.filter((id) => !byId.has(id));
  if (missing.length)
    throw new Error(
      `${join(dir, SPOOF_SPLIT_FILE)}: ${missing.length} test id(s) are not in ${set} (first: ${missing[0]}); was the set rebuilt?`,
    );
  return test.map((id) => byId.get(id)!);
}
