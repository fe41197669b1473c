/**
 * Calibrating a countermeasure on a labelled dev set (`trustser spoof calibrate`): its scores
 * joined to the set's manifest, the logistic calibration fitted (src/metrics spoof-calibration),
 * and a calibration file that `spoof score`, `spoof evaluate`, `analyze` and `export-spoof`
 * (hence the service and the web app) read to report P(spoof) and the dev set's EER threshold.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { issueLines } from '../core/pure.js';
import { writeFileAtomic } from '../core/index.js';
import type { Utterance } from '../data/index.js';
import {
  SpoofCalibrationSchema,
  fitSpoofCalibration,
  spoofProbability,
  spoofReliability,
  type CalibrationError,
  type SpoofCalibration,
} from '../metrics/index.js';
import type { ScoredFile } from './evaluate.js';

/** The calibration a `spoof train` run with a dev fold writes into its folder. */
export const RUN_CALIBRATION_FILE = 'calibration.json';

const CALIBRATION_FORMAT = 'trustser-spoof-calibration';
const CALIBRATION_VERSION = 1;

const CalibrationFileSchema = z.strictObject({
  format: z.literal(CALIBRATION_FORMAT),
  version: z.literal(CALIBRATION_VERSION),
  createdAt: z.string().min(1),
  /** The scores file and manifest it was fitted on. */
  fittedOn: z.strictObject({ scores: z.string().min(1), manifest: z.string().min(1) }),
  calibration: SpoofCalibrationSchema,
});

/** A fitted calibration with the dev set's reliability before (the model's own softmax, when both logits were scored) and after. */
export interface CalibrationFit {
  calibration: SpoofCalibration;
  before: CalibrationError | null;
  after: CalibrationError;
}

/** Scored files joined to their manifest rows by path (files not in the manifest are ignored). */
function labelled(scores: readonly ScoredFile[], utts: readonly Utterance[]): { s: ScoredFile; bonafide: boolean }[] {
  const byPath = new Map(scores.map((s) => [resolve(s.path), s]));
  const out: { s: ScoredFile; bonafide: boolean }[] = [];
  for (const u of utts) {
    const s = byPath.get(resolve(u.path));
    if (!s) continue;
    if (u.labels.spoof === undefined) throw new Error(`manifest row '${u.id}' has no spoof key (column 'spoof': bonafide or spoof)`);
    out.push({ s, bonafide: u.labels.spoof === 'bonafide' });
  }
  if (out.length === 0) throw new Error('no scored file is listed in the manifest (are the paths the same?)');
  return out;
}

const softmaxSpoof = (l: readonly [number, number]) => 1 / (1 + Math.exp(l[1] - l[0]));

/**
 * Fits the calibration of `scores` (a dev set's, from `spoof score`) against the labels of
 * `utts`, with the dev set's reliability before and after.
 * @throws Error when no scored file is in the manifest or a class is missing.
 */
export function calibrateScores(scores: readonly ScoredFile[], utts: readonly Utterance[]): CalibrationFit {
  const trials = labelled(scores, utts);
  const calibration = fitSpoofCalibration(
    trials.filter((t) => t.bonafide).map((t) => t.s.score),
    trials.filter((t) => !t.bonafide).map((t) => t.s.score),
  );
  const truth = trials.map((t) => t.bonafide);
  const withLogits = trials.every((t) => t.s.logits !== undefined);
  return {
    calibration,
    before: withLogits
      ? spoofReliability(
          trials.map((t) => softmaxSpoof(t.s.logits!)),
          truth,
        )
      : null,
    after: spoofReliability(
      trials.map((t) => spoofProbability(calibration, t.s.score)),
      truth,
    ),
  };
}

/** The reliability of calibrated P(spoof) on a labelled set (what `spoof evaluate --calibration` reports). */
export function calibratedReliability(c: SpoofCalibration, scores: readonly ScoredFile[], utts: readonly Utterance[]): CalibrationError {
  const trials = labelled(scores, utts);
  return spoofReliability(
    trials.map((t) => spoofProbability(c, t.s.score)),
    trials.map((t) => t.bonafide),
  );
}

/** Writes calibration `c` (fitted on `scoresFile` against `manifest`) to `path` atomically. */
export async function writeCalibration(path: string, c: SpoofCalibration, fittedOn: { scores: string; manifest: string }): Promise<void> {
  const file = CalibrationFileSchema.parse({
    format: CALIBRATION_FORMAT,
    version: CALIBRATION_VERSION,
    createdAt: new Date().toISOString(),
    fittedOn: { scores: resolve(fittedOn.scores), manifest: resolve(fittedOn.manifest) },
    calibration: c,
  });
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * The calibration in a file {@link writeCalibration} wrote.
 * @throws Error naming the file (and the field) when it cannot be read or is not a calibration.
 */
export function readCalibration(path: string): SpoofCalibration {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read the spoof calibration (${(e as Error).message.split('\n')[0]})`);
  }
  const r = CalibrationFileSchema.safeParse(value);
  if (!r.success)
    throw new Error(
      issueLines(r.error, { schema: CalibrationFileSchema })
        .map((l) => `${path}: ${l}`)
        .join('\n'),
    );
  return r.data.calibration;
}

/**
 * The calibration to apply for a model spec: the `--calibration` file when given, else the
 * run folder's own calibration.json (a `spoof train` run with a dev fold), else none.
 */
export function calibrationFor(modelSpec: string, file?: string): SpoofCalibration | undefined {
  if (file) return readCalibration(file);
  const own = join(resolve(modelSpec), RUN_CALIBRATION_FILE);
  return existsSync(own) ? readCalibration(own) : undefined;
}

/** One line on the calibration: the map and the operating point. */
export function describeCalibration(c: SpoofCalibration): string {
  return `P(bona fide) = σ(${c.slope.toFixed(4)} · score ${c.intercept >= 0 ? '+' : '−'} ${Math.abs(c.intercept).toFixed(4)}); spoof below score ${c.threshold.toFixed(4)} (the dev set's EER ${(100 * c.dev.eer).toFixed(2)} %, ${c.dev.bonafide} bona fide + ${c.dev.spoof} spoof trials)`;
}
