/**
 * Calibration of a spoofing countermeasure's scores: a logistic map from the score (higher = more
 * bona fide) to P(bona fide), fitted on a labelled dev set (Platt scaling), with the dev set's EER
 * threshold as the operating point — so a score can be read as a probability and a verdict no
 * longer rests on "logit > 0". Pure: the CLI, the service and the web app share it.
 */
import { z } from 'zod';
import { expectedCalibrationError, type CalibrationError } from './calibration.js';
import { equalErrorRate } from './spoofing.js';

/** A countermeasure's calibration: P(bona fide | s) = σ(slope · s + intercept). */
export const SpoofCalibrationSchema = z.strictObject({
  kind: z.literal('logistic'),
  slope: z.number().finite(),
  intercept: z.number().finite(),
  /** The score at the dev set's EER: lower scores are called spoof. */
  threshold: z.number().finite(),
  /** The dev set it was fitted on: trials per class and its EER (0–1). */
  dev: z.strictObject({ bonafide: z.number().int().positive(), spoof: z.number().int().positive(), eer: z.number().min(0).max(1) }),
});
export type SpoofCalibration = z.infer<typeof SpoofCalibrationSchema>;

/** Ridge on the slope (in standardized score units): keeps the fit finite when dev scores separate the classes. */
const RIDGE = 1e-3;
const MAX_NEWTON_STEPS = 100;
const NEWTON_TOLERANCE = 1e-10;

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Fits the logistic calibration on dev scores of bona fide (`bona`) and spoof (`spoof`) trials
 * by Newton's method on the penalized log loss (scores standardized first), and takes the EER
 * threshold of the same scores.
 * @throws Error when a class has no trial or a score is not finite.
 */
export function fitSpoofCalibration(bona: readonly number[], spoof: readonly number[]): SpoofCalibration {
  if (bona.length === 0 || spoof.length === 0)
    throw new Error(`spoof calibration: the dev set needs bona fide and spoof trials (has ${bona.length} and ${spoof.length})`);
  const s = [...bona, ...spoof];
  if (!s.every(Number.isFinite)) throw new Error('spoof calibration: every score must be a finite number');
  const y = s.map((_, i) => (i < bona.length ? 1 : 0));
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length) || 1;
  const x = s.map((v) => (v - mean) / std);
  // w = [slope, intercept] in standardized units; Newton steps on the 2 × 2 system.
  let a = 0,
    b = Math.log(bona.length / spoof.length);
  for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
    let ga = RIDGE * a,
      gb = 0,
      haa = RIDGE,
      hab = 0,
      hbb = 1e-12;
    x.forEach((xi, i) => {
      const p = sigmoid(a * xi + b);
      const r = p - y[i];
      const w = p * (1 - p);
      ga += r * xi;
      gb += r;
      haa += w * xi * xi;
      hab += w * xi;
      hbb += w;
    });
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < NEWTON_TOLERANCE) break;
  }
  const eer = equalErrorRate(bona, spoof);
  return {
    kind: 'logistic',
    slope: a / std,
    intercept: b - (a * mean) / std,
    threshold: eer.threshold,
    dev: { bonafide: bona.length, spoof: spoof.length, eer: eer.eer },
  };
}

/** The verdict at the calibration's threshold (the dev set's EER operating point). */
export function spoofVerdictAt(c: SpoofCalibration, score: number): 'bonafide' | 'spoof' {
  return score >= c.threshold ? 'bonafide' : 'spoof';
}

/** P(spoof) of score `score` under calibration `c` (0–1). */
export function spoofProbability(c: SpoofCalibration, score: number): number {
  return 1 - sigmoid(c.slope * score + c.intercept);
}

/**
 * ECE and reliability bins of probabilities [P(spoof), P(bona fide)] against the trials' truth
 * (class 0 spoof, 1 bona fide, as the countermeasures' logits).
 */
export function spoofReliability(pSpoof: readonly number[], bonafide: readonly boolean[], bins?: number): CalibrationError {
  return expectedCalibrationError(
    pSpoof.map((p) => [p, 1 - p]),
    bonafide.map((b) => (b ? 1 : 0)),
    bins,
  );
}
