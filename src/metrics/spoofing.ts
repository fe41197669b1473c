/**
 * Anti-spoofing metrics on detection scores (higher score = more bona fide): the equal error
 * rate (EER, interpolated on the ROC as docs/metrics.md defines it), the normalized minimum
 * detection cost (min DCF) with configurable costs and prior, DET-curve points, and the EER of
 * every group of a metadata attribute (e.g. emotion).
 *
 * Convention: bona fide = target. A trial is accepted when `score >= threshold`; a miss is a
 * bona fide trial rejected (score < threshold), a false alarm a spoof trial accepted.
 */

/** One operating point of the detector. */
export interface OperatingPoint {
  /** Accept when score >= threshold. */
  threshold: number;
  /** Fraction of bona fide trials rejected (false rejection rate). */
  pMiss: number;
  /** Fraction of spoof trials accepted (false acceptance rate). */
  pFa: number;
}

/** Equal error rate and the threshold where it occurs. */
export interface EerResult {
  /** EER in [0, 1]. */
  eer: number;
  /** Threshold at the crossing, linearly interpolated between the neighbouring thresholds. */
  threshold: number;
}

/** Costs and prior of the detection cost function (defaults: ASVspoof 5's CM setting). */
export interface DcfOptions {
  /** Cost of rejecting a bona fide trial. */
  costMiss?: number;
  /** Cost of accepting a spoof trial. */
  costFa?: number;
  /** Prior probability of a spoof trial. */
  priorSpoof?: number;
}

/** ASVspoof 5's CM costs: C_miss = 1, C_fa = 10, π_spoof = 0.05. */
export const DEFAULT_DCF: Required<DcfOptions> = { costMiss: 1, costFa: 10, priorSpoof: 0.05 };

/** Normalized minimum DCF and where it occurs. */
export interface MinDcfResult extends OperatingPoint {
  /** min over thresholds of DCF / DCF of the best trivial system (always accept or reject). */
  minDcf: number;
}

function checkScores(bona: ArrayLike<number>, spoof: ArrayLike<number>): void {
  if (bona.length === 0 || spoof.length === 0) {
    throw new Error(`spoofing metrics need both classes: got ${bona.length} bona fide and ${spoof.length} spoof scores`);
  }
  for (const s of [bona, spoof]) {
    for (let i = 0; i < s.length; i++)
      if (!Number.isFinite(s[i])) throw new Error(`spoofing metrics: score ${s[i]} at index ${i} is not a finite number`);
  }
}

/**
 * Every distinct operating point, from the threshold below all scores (accept everything:
 * pMiss 0, pFa 1) up to the one above all scores (reject everything: pMiss 1, pFa 0). Tied
 * scores move together, so each point is one the detector can actually be set to.
 */
export function operatingPoints(bona: ArrayLike<number>, spoof: ArrayLike<number>): OperatingPoint[] {
  checkScores(bona, spoof);
  const trials: [number, boolean][] = [];
  for (let i = 0; i < bona.length; i++) trials.push([bona[i], true]);
  for (let i = 0; i < spoof.length; i++) trials.push([spoof[i], false]);
  trials.sort((a, b) => a[0] - b[0]);
  const points: OperatingPoint[] = [{ threshold: -Infinity, pMiss: 0, pFa: 1 }];
  let missed = 0,
    rejectedSpoof = 0;
  for (let i = 0; i < trials.length; ) {
    const t = trials[i][0];
    // Raising the threshold just past t rejects every trial scored t.
    for (; i < trials.length && trials[i][0] === t; i++) trials[i][1] ? missed++ : rejectedSpoof++;
    const next = i < trials.length ? trials[i][0] : Infinity;
    points.push({ threshold: next, pMiss: missed / bona.length, pFa: 1 - rejectedSpoof / spoof.length });
  }
  return points;
}

/**
 * Equal error rate: the rate where false acceptance equals false rejection, linearly
 * interpolated between the two operating points that bracket the crossing.
 */
export function equalErrorRate(bona: ArrayLike<number>, spoof: ArrayLike<number>): EerResult {
  const pts = operatingPoints(bona, spoof);
  // pMiss rises and pFa falls with the threshold; find the first point where pMiss >= pFa.
  let k = pts.findIndex((p) => p.pMiss >= p.pFa);
  if (k <= 0) k = 1;
  const a = pts[k - 1],
    b = pts[k];
  const da = a.pMiss - a.pFa,
    db = b.pMiss - b.pFa;
  const alpha = db === da ? 0 : -da / (db - da);
  const eer = a.pMiss + alpha * (b.pMiss - a.pMiss);
  return { eer, threshold: interpolateThreshold(a.threshold, b.threshold, alpha) };
}

function interpolateThreshold(lo: number, hi: number, alpha: number): number {
  if (!Number.isFinite(lo)) return hi;
  if (!Number.isFinite(hi)) return lo;
  return lo + alpha * (hi - lo);
}

/**
 * Normalized minimum detection cost: min over thresholds of
 * `C_miss·P_miss·(1−π) + C_fa·P_fa·π`, divided by `min(C_miss·(1−π), C_fa·π)`, the cost of the
 * better of the two trivial detectors (π = prior of spoof).
 */
export function minDcf(bona: ArrayLike<number>, spoof: ArrayLike<number>, options: DcfOptions = {}): MinDcfResult {
  const { costMiss, costFa, priorSpoof } = { ...DEFAULT_DCF, ...options };
  if (!(costMiss > 0 && costFa > 0)) throw new Error(`min DCF: costs must be positive, got costMiss ${costMiss}, costFa ${costFa}`);
  if (!(priorSpoof > 0 && priorSpoof < 1)) throw new Error(`min DCF: priorSpoof must lie in (0, 1), got ${priorSpoof}`);
  const norm = Math.min(costMiss * (1 - priorSpoof), costFa * priorSpoof);
  let best: MinDcfResult | null = null;
  for (const p of operatingPoints(bona, spoof)) {
    const dcf = (costMiss * p.pMiss * (1 - priorSpoof) + costFa * p.pFa * priorSpoof) / norm;
    if (best === null || dcf < best.minDcf) best = { ...p, minDcf: dcf };
  }
  return best!;
}

/** A DET-curve point: error rates and their probit (normal deviate) transforms. */
export interface DetPoint extends OperatingPoint {
  /** Φ⁻¹(pMiss), clamped to ±`DET_PROBIT_LIMIT`. */
  probitMiss: number;
  /** Φ⁻¹(pFa), clamped likewise. */
  probitFa: number;
}

/** Probits are clamped here (≈ 1e-6 and 1 − 1e-6) so that rates of 0 and 1 stay plottable. */
export const DET_PROBIT_LIMIT = 4.75;

/** DET-curve data: every operating point with probit-scaled axes. */
export function detCurve(bona: ArrayLike<number>, spoof: ArrayLike<number>): DetPoint[] {
  const clamp = (z: number) => Math.max(-DET_PROBIT_LIMIT, Math.min(DET_PROBIT_LIMIT, z));
  return operatingPoints(bona, spoof).map((p) => ({ ...p, probitMiss: clamp(probit(p.pMiss)), probitFa: clamp(probit(p.pFa)) }));
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error
 * < 1.2e-9). Written here because it is a dozen lines and no small, kept package offers it alone.
 */
export function probit(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5,
    r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** A scored trial with its metadata. */
export interface SpoofTrial {
  score: number;
  bonafide: boolean;
  /** Group of the trial for `eerByGroup` (e.g. its emotion); undefined = no group. */
  group?: string;
}

/** EER of one group, and its error rates at a shared (pooled) threshold. */
export interface GroupEer extends EerResult {
  group: string;
  bonafide: number;
  spoof: number;
  /** Fraction of the group's bona fide trials rejected at the shared threshold (NaN when none). */
  pMissShared: number;
  /** Fraction of the group's spoof trials accepted at the shared threshold (NaN when none). */
  pFaShared: number;
}

/** Options of {@link eerByGroup}. */
export interface GroupEerOptions {
  /**
   * Score each group's spoofs against every bona fide trial (per-attack EER, as ASVspoof reports
   * it): for attributes that only spoofs carry, such as the codec or the voice.
   */
  pooledBonafide?: boolean;
  /** Threshold for the shared-threshold rates (default: the pooled EER threshold). */
  sharedThreshold?: number;
}

/** Scores split by class. */
export function splitScores(trials: readonly SpoofTrial[]): { bona: number[]; spoof: number[] } {
  const bona: number[] = [],
    spoof: number[] = [];
  for (const t of trials) (t.bonafide ? bona : spoof).push(t.score);
  return { bona, spoof };
}

const rateAtOrAbove = (xs: readonly number[], t: number) => (xs.length === 0 ? NaN : xs.filter((x) => x >= t).length / xs.length);

/**
 * EER per group, for every group that holds both classes (or spoofs, with `pooledBonafide`),
 * sorted by name, plus each group's miss and false-alarm rates at one shared threshold — the
 * operating point a deployed detector has, so a group whose bona fide speech is rejected more
 * often shows up even where every group's own EER is 0. Groups that cannot be scored are listed
 * in `skipped`.
 */
export function eerByGroup(trials: readonly SpoofTrial[], o: GroupEerOptions = {}): { groups: GroupEer[]; skipped: string[] } {
  const all = splitScores(trials);
  const shared = o.sharedThreshold ?? equalErrorRate(all.bona, all.spoof).threshold;
  const byGroup = new Map<string, SpoofTrial[]>();
  for (const t of trials) {
    if (t.group === undefined) continue;
    if (!byGroup.has(t.group)) byGroup.set(t.group, []);
    byGroup.get(t.group)!.push(t);
  }
  const groups: GroupEer[] = [],
    skipped: string[] = [];
  for (const name of [...byGroup.keys()].sort()) {
    const own = splitScores(byGroup.get(name)!);
    const bona = o.pooledBonafide ? all.bona : own.bona;
    if (bona.length === 0 || own.spoof.length === 0) {
      skipped.push(name);
      continue;
    }
    groups.push({
      group: name,
      bonafide: bona.length,
      spoof: own.spoof.length,
      ...equalErrorRate(bona, own.spoof),
      pMissShared: own.bona.length === 0 ? NaN : 1 - rateAtOrAbove(own.bona, shared),
      pFaShared: rateAtOrAbove(own.spoof, shared),
    });
  }
  return { groups, skipped };
}
