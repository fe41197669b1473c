/**
 * The fairness report: the fairness metrics of fairness.ts and UA/WA/macro-F1, overall and per
 * group, each with utterance-level and speaker-cluster bootstrap intervals (bootstrap.ts).
 */
import { bootstrapCis, isBootstrapCi, type BootstrapCi, type BootstrapFailure } from './bootstrap.js';
import { classificationMetrics } from './classification.js';
import { fairnessFromCounts, type FairnessOptions, type PairwiseFairness } from './fairness.js';
import { countByGroup, countsIfAllGroups, groupCounts, performanceFromCounts, resolveClasses, type GroupedPrediction } from './groups.js';

/** A scored utterance with its speaker and its protected attributes (read by name). */
export interface ReportPrediction {
  truth: number;
  pred: number;
  speaker: string | number;
  [attribute: string]: unknown;
}

/** Options of `fairnessReport`. */
export interface FairnessReportOptions extends FairnessOptions {
  /** K (default: the largest label or prediction + 1, at least 2). */
  numClasses?: number;
  /** Bootstrap resamples per interval kind (≥ 10, default 1000). */
  resamples?: number;
  /** Confidence level in (0, 1) (default 0.95). */
  level?: number;
  /** PRNG seed (default 1); the report is deterministic for a seed. */
  seed?: number;
}

/**
 * A bootstrap interval in a report, with the point it belongs to. `percentile` when the
 * percentile interval holds the plug-in estimate: `center` is the plug-in. `basic` when the
 * resamples lie so far to one side that it does not (a biased plug-in, typical of max-over-pairs
 * gaps on small groups): `center` is the bias-corrected estimate 2θ̂ − median(θ*) and the
 * interval the basic (pivotal) one [2θ̂ − q_hi, 2θ̂ − q_lo], which contains it by construction.
 * Either way `low ≤ center ≤ high`.
 */
export interface Interval {
  center: number;
  low: number;
  high: number;
  se: number;
  method: 'percentile' | 'basic';
  /** Resamples on which the statistic was defined (e.g. every group present). */
  resamples: number;
}

/** A number with its utterance-level and speaker-cluster bootstrap intervals (null: none formed). */
export interface Estimate {
  /** The plug-in value on the full data. */
  value: number;
  utterance: Interval | null;
  speaker: Interval | null;
  /** Why there is no speaker-cluster interval (e.g. a group of a single speaker). */
  noSpeakerInterval?: string;
}

/** A pairwise metric in the report: the aggregates carry intervals. */
export type ReportedMetric<G> = Omit<PairwiseFairness<G>, 'max' | 'mean'> & { max: Estimate; mean: Estimate };

/** Performance of one group in the report. */
export interface ReportedGroup {
  n: number;
  speakers: number;
  ua: Estimate;
  wa: Estimate;
  macroF1: Estimate;
  recall: (number | null)[];
  confusion: number[][];
}

/** The fairness of a set of predictions with respect to one attribute (JSON-serializable). */
export interface FairnessReport {
  attribute: string;
  numClasses: number;
  classes: number[];
  groups: string[];
  n: number;
  speakers: number;
  bootstrap: { method: 'percentile'; resamples: number; level: number; seed: number };
  overall: { ua: Estimate; wa: Estimate; macroF1: Estimate };
  perGroup: Record<string, ReportedGroup>;
  statisticalParity: ReportedMetric<number[]>;
  equalityOfOpportunity: ReportedMetric<number[][]>;
  trueRates: ReportedMetric<number[]>;
  averageOdds: ReportedMetric<number[]>;
  demographicParity: ReportedMetric<number[]>;
  /** Caveats found while computing (e.g. intervals that could not be formed). */
  notes: string[];
}

const METRIC_KEYS = ['statisticalParity', 'equalityOfOpportunity', 'trueRates', 'averageOdds', 'demographicParity'] as const;

interface Row extends GroupedPrediction {
  speaker: string;
}

function reportRows(preds: readonly ReportPrediction[], attribute: string): Row[] {
  return preds.map((p, i) => {
    const g = p[attribute];
    if (g === undefined || g === null || g === '') throw new Error(`fairness report: prediction ${i} has no '${attribute}'`);
    if (p.speaker === undefined || p.speaker === null || p.speaker === '')
      throw new Error(`fairness report: prediction ${i} has no speaker`);
    return { truth: p.truth, pred: p.pred, group: String(g), speaker: String(p.speaker) };
  });
}

/** K when not given: the largest label or prediction + 1 (at least 2). */
function inferNumClasses(rows: readonly Row[]): number {
  let k = 2;
  rows.forEach((r, i) => {
    for (const v of [r.truth, r.pred]) {
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`fairness report: label or prediction ${v} of prediction ${i} is not a class index 0, 1, …`);
      k = Math.max(k, v + 1);
    }
  });
  return k;
}

/** The scalar statistics of a sample, keyed for `bootstrapCis`. */
function reportStatistics(rows: readonly Row[], numClasses: number, groups: readonly string[], classes: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const m = classificationMetrics(
    rows.map((r) => r.truth),
    rows.map((r) => r.pred),
    numClasses,
  );
  Object.assign(out, { 'overall.ua': m.ua, 'overall.wa': m.wa, 'overall.macroF1': m.macroF1 });
  const raw = countByGroup(rows, numClasses, groups);
  raw.confusion.forEach((confusion, i) => {
    if (raw.sizes[i] === 0) return;
    const perf = performanceFromCounts({ numClasses, groups: [groups[i]], sizes: [raw.sizes[i]], confusion: [confusion] }).byGroup[
      groups[i]
    ];
    Object.assign(out, { [`group.${i}.ua`]: perf.ua, [`group.${i}.wa`]: perf.wa, [`group.${i}.macroF1`]: perf.macroF1 });
  });
  const counts = countsIfAllGroups(rows, numClasses, groups);
  if (counts !== undefined) {
    const f = fairnessFromCounts(counts, classes);
    for (const k of METRIC_KEYS) Object.assign(out, { [`${k}.max`]: f[k].max, [`${k}.mean`]: f[k].mean });
  }
  return out;
}

/** The report interval of a bootstrap result (see {@link Interval} for the two methods). */
export function toInterval(r: BootstrapCi | BootstrapFailure | undefined): Interval | null {
  if (r === undefined || !isBootstrapCi(r)) return null;
  const base = { se: r.se, resamples: r.resamples };
  if (r.low <= r.estimate && r.estimate <= r.high) return { center: r.estimate, low: r.low, high: r.high, method: 'percentile', ...base };
  return { center: 2 * r.estimate - r.median, low: 2 * r.estimate - r.high, high: 2 * r.estimate - r.low, method: 'basic', ...base };
}

/**
 * The fairness report of one protected attribute: per-group performance (size, speakers, UA, WA,
 * macro-F1, recall, confusion), overall UA/WA/macro-F1, and the five fairness metrics (statistical
 * parity, equality of opportunity, true-rates difference, average odds, demographic parity; each
 * in [0, 1], higher = less fair, with max and mean over group pairs and the pairwise tables).
 * Every UA/WA/macro-F1 and every metric aggregate carries two percentile bootstrap intervals:
 * resampling utterances, and resampling speakers (cluster bootstrap; wider when a speaker's
 * utterances are correlated, as they are). Resamples that lack a group are skipped for the
 * metrics and counted (`Interval.resamples`); an interval that cannot be formed is `null` with a
 * note. The class set is fixed from the full data for every resample. Caveat: with small groups
 * the plug-in max-over-pairs metrics are biased upwards (noise alone makes groups differ), and
 * their bootstrap distribution more so — the interval need not contain the estimate.
 *
 * @param preds - predictions with `truth`, `pred`, `speaker` and the attribute.
 * @param attribute - the field of each prediction holding its group (e.g. 'gender', 'speaker').
 * @param options - numClasses, resamples (default 1000), level (0.95), seed (1), groups, classes.
 */
export function fairnessReport(preds: readonly ReportPrediction[], attribute: string, options: FairnessReportOptions = {}): FairnessReport {
  const { resamples = 1000, level = 0.95, seed = 1 } = options;
  if (preds.length === 0) throw new Error('fairness report: no predictions');
  const rows = reportRows(preds, attribute);
  const numClasses = options.numClasses ?? inferNumClasses(rows);
  const counts = groupCounts(rows, numClasses, options);
  const classes = resolveClasses(counts, options.classes);
  const groups = counts.groups;
  const metrics = fairnessFromCounts(counts, classes);
  const perf = performanceFromCounts(counts);
  const stat = (s: readonly Row[]) => reportStatistics(s, numClasses, groups, classes);
  const utt = bootstrapCis(rows, stat, { resamples, level, seed });
  const spk = bootstrapCis(rows, stat, { resamples, level, seed: seed + 1, clusterBy: (r) => r.speaker });
  const full = stat(rows);
  const speakerSets = new Map<string, Set<string>>(groups.map((g) => [g, new Set<string>()]));
  for (const r of rows) speakerSets.get(r.group)!.add(r.speaker);
  const groupSpeakers = groups.map((g) => speakerSets.get(g)!.size);
  const singleSpeakerGroups = groups.filter((_, i) => groupSpeakers[i] < 2);
  // Resampling speakers says nothing about a group of one speaker (every resample that holds the
  // group holds the same utterances: a zero-width interval), nor about gaps between such groups.
  const groupIndex = (key: string) => /^group\.(\d+)\./.exec(key)?.[1] ?? null;
  const noSpeakerInterval = (key: string): string | undefined => {
    const g = groupIndex(key);
    if (g !== null) return groupSpeakers[Number(g)] < 2 ? `the group '${groups[Number(g)]}' has a single speaker` : undefined;
    if (key.startsWith('overall.')) return undefined;
    return singleSpeakerGroups.length > 0
      ? `${singleSpeakerGroups.length} group(s) have a single speaker (${singleSpeakerGroups.slice(0, 3).join(', ')}${singleSpeakerGroups.length > 3 ? ', …' : ''})`
      : undefined;
  };
  const estimate = (key: string): Estimate => {
    const why = noSpeakerInterval(key);
    return {
      value: full[key],
      utterance: toInterval(utt[key]),
      speaker: why ? null : toInterval(spk[key]),
      ...(why ? { noSpeakerInterval: why } : {}),
    };
  };

  const notes: string[] = [];
  for (const [kind, res] of [
    ['utterance', utt],
    ['speaker', spk],
  ] as const) {
    if (kind === 'speaker' && singleSpeakerGroups.length > 0) continue; // not used for the gaps, see below
    const failed = Object.entries(res)
      .filter(([, r]) => !isBootstrapCi(r))
      .map(([k]) => k);
    if (failed.length > 0)
      notes.push(`${kind} bootstrap: no interval for ${failed.join(', ')} (too few resamples with every group present)`);
    const valid = res['statisticalParity.max']?.resamples ?? 0;
    if (valid < 0.9 * resamples)
      notes.push(`${kind} bootstrap: only ${valid} of ${resamples} resamples contained every group; the fairness intervals rest on those`);
  }
  if (singleSpeakerGroups.length > 0) {
    notes.push(
      `${singleSpeakerGroups.length === groups.length ? 'every group is one speaker' : `${singleSpeakerGroups.length} of ${groups.length} groups have a single speaker`}: the gaps and those groups' UA carry utterance-level intervals only (resampling speakers says nothing about one speaker)`,
    );
  }
  const biased = METRIC_KEYS.filter(
    (k) => estimate(`${k}.max`).utterance?.method === 'basic' || estimate(`${k}.max`).speaker?.method === 'basic',
  );
  if (biased.length > 0) {
    notes.push(
      `the plug-in ${biased.join(', ')} (max over group pairs) lie outside their bootstrap percentile range: the estimates are biased upward by sampling noise, so the bias-corrected estimate (2θ̂ − median) and the basic bootstrap interval are reported`,
    );
  }

  const reported = <G>(k: (typeof METRIC_KEYS)[number], m: PairwiseFairness<G>): ReportedMetric<G> => ({
    ...m,
    max: estimate(`${k}.max`),
    mean: estimate(`${k}.mean`),
  });
  return {
    attribute,
    numClasses,
    classes,
    groups: [...groups],
    n: rows.length,
    speakers: new Set(rows.map((r) => r.speaker)).size,
    bootstrap: { method: 'percentile', resamples, level, seed },
    overall: { ua: estimate('overall.ua'), wa: estimate('overall.wa'), macroF1: estimate('overall.macroF1') },
    perGroup: Object.fromEntries(
      groups.map((g, i): [string, ReportedGroup] => {
        const p = perf.byGroup[g];
        return [
          g,
          {
            n: p.n,
            speakers: groupSpeakers[i],
            ua: estimate(`group.${i}.ua`),
            wa: estimate(`group.${i}.wa`),
            macroF1: estimate(`group.${i}.macroF1`),
            recall: p.recall,
            confusion: p.confusion,
          },
        ];
      }),
    ),
    statisticalParity: reported('statisticalParity', metrics.statisticalParity),
    equalityOfOpportunity: reported('equalityOfOpportunity', metrics.equalityOfOpportunity),
    trueRates: reported('trueRates', metrics.trueRates),
    averageOdds: reported('averageOdds', metrics.averageOdds),
    demographicParity: reported('demographicParity', metrics.demographicParity),
    notes,
  };
}
