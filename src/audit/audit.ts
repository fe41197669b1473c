/**
 * `trustser audit`: every trust dimension of a trained run, on its held-out folds — accuracy and
 * fairness with bootstrap CIs (speaker-cluster intervals where they can be formed, else
 * utterance-level), calibration of the posteriors, waveform attacks, robustness, privacy probes, sustainability — written as
 * trust.json (report schema + full details) and trust.html in the run directory.
 */
import { join, resolve } from 'node:path';
import {
  classificationMetrics,
  fairnessReport,
  wilsonInterval,
  type Estimate,
  type FairnessReport,
  type ReportPrediction,
} from '../metrics/index.js';
import {
  writeTrustReport,
  type Estimate as ReportEstimate,
  type FairnessAttribute,
  type Interval as ReportInterval,
  type TrustDimension,
  type TrustReport,
} from '../report/index.js';
import {
  RESULT_FILE,
  SPLIT_FILE,
  finishedFolds,
  foldTemperature,
  readFoldCalibration,
  corpusLabel,
  listRunUtterances,
  makeRunSplit,
  readFoldResult,
  readRunMetrics,
  runConfig,
  trainedFolds,
  type FoldResult,
  type LabelledUtterance,
} from '../run/index.js';
import { measureCalibration } from './calibration.js';
import { combineMeasurements, measureFold, type FoldMeasurement, type MeasureOptions, type MeasureSettings } from './measure.js';

/** Age bands used as a fairness attribute when a corpus records ages (years). */
const AGE_BANDS: [number, string][] = [
  [30, 'under 30'],
  [45, '30–44'],
  [Infinity, '45 and over'],
];

export interface AuditOptions extends Partial<MeasureOptions> {
  /** Bootstrap resamples per interval (default 1000). */
  resamples?: number;
  /**
   * Measures the listed folds elsewhere — each with {@link auditRunFold}, e.g. one queue job per
   * fold, the first fold with `sustainability` — and returns their measurements in that order;
   * default: here, one after another.
   */
  measureFolds?: (runDir: string, folds: number[], settings: MeasureSettings) => Promise<FoldMeasurement[]>;
}

/** The run's corpus as its folds see it: the utterances, the split, each fold's training speakers. */
async function runContext(dir: string) {
  const cfg = runConfig(dir);
  const { utterances, classes } = await listRunUtterances(cfg);
  const byId = new Map(utterances.map((u) => [u.id, u]));
  const { split } = await makeRunSplit(cfg, utterances, join(dir, SPLIT_FILE));
  const trainSeconds = readRunMetrics(dir)?.trainSeconds ?? null;
  /** The fold's training and dev utterances (whose embeddings train the gender probe). */
  const trainOf = (k: number) =>
    [...split.folds[k].train, ...split.folds[k].dev].map((id) => byId.get(id)).filter((u): u is LabelledUtterance => u !== undefined);
  const genderOf = (id: string) => byId.get(id)?.attributes.gender;
  return {
    cfg,
    classes,
    byId,
    // Runs from before predictions carried their path take it from the corpus listing.
    result: (k: number) => readFoldResult(dir, k, (id) => byId.get(id)?.path),
    /** The model-dependent measurements of one fold (with `sustainability`, also the model's cost). */
    measure: (r: FoldResult, settings: MeasureSettings & { sustainability: boolean }, log: (line: string) => void) =>
      measureFold(dir, r, trainOf(r.fold), genderOf, { ...settings, log, trainSeconds }),
  };
}

/**
 * The model-dependent measurements of fold `k` of the run in `runDir` (attacks, robustness,
 * privacy probes, and with `sustainability` the model's cost): what a queue worker runs for one
 * fold of an audit.
 */
export async function auditRunFold(
  runDir: string,
  k: number,
  settings: MeasureSettings & { sustainability: boolean },
  log: (line: string) => void = () => {},
): Promise<FoldMeasurement> {
  const ctx = await runContext(resolve(runDir));
  return ctx.measure(ctx.result(k), settings, log);
}

function ageBand(age: number | undefined): string | undefined {
  if (age === undefined) return undefined;
  return AGE_BANDS.find(([max]) => age < max)![1];
}

/** Attacks on fewer utterances than this get a caveat: their success rate is rough. */
const FEW_ATTACKED = 30;

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * The report's estimate: the speaker-cluster CI when formed, else the utterance CI; its value is
 * the interval's own point (the plug-in, or the bias-corrected value of a `basic` interval, with
 * the plug-in kept), so the point always lies inside the interval drawn around it. Without any
 * interval the plug-in alone.
 */
function reported(e: Estimate): ReportEstimate {
  const ci = e.speaker ?? e.utterance;
  if (!ci) return { value: clamp01(e.value) };
  return {
    value: clamp01(ci.center),
    low: clamp01(ci.low),
    high: clamp01(ci.high),
    unit: e.speaker ? 'speaker' : 'utterance',
    method: ci.method,
    ...(ci.method === 'basic' ? { plugIn: clamp01(e.value) } : {}),
  };
}

/** {@link reported} where the schema needs an interval: a missing one is the point itself (with a note by the caller). */
function interval(e: Estimate): ReportInterval {
  const r = reported(e);
  return { ...r, low: r.low ?? r.value, high: r.high ?? r.value };
}

function toAttribute(f: FairnessReport): FairnessAttribute {
  return {
    groups: f.groups.map((g) => ({ name: g, n: f.perGroup[g].n, ua: reported(f.perGroup[g].ua) })),
    statisticalParity: interval(f.statisticalParity.max),
    equalOpportunity: interval(f.equalityOfOpportunity.max),
    trueRatesDifference: interval(f.trueRates.max),
    averageOdds: interval(f.averageOdds.max),
    ...(f.groups.length === 2 ? { demographicParity: interval(f.demographicParity.max) } : {}),
    aggregation: 'max',
  };
}

/** Collects caveats, reasons for what was not measured, and page-wide warnings. */
class Caveats {
  readonly notes: Partial<Record<TrustDimension, string[]>> = {};
  readonly notMeasured: Partial<Record<TrustDimension, string>> = {};
  readonly warnings: string[] = [];
  note(d: TrustDimension, text: string): void {
    const list = this.notes[d] ?? [];
    list.push(text);
    this.notes[d] = list;
  }
}

/** Audits the run in `runDir`; writes trust.json and trust.html there and returns the report. */
export async function auditRun(runDir: string, o: AuditOptions = {}): Promise<TrustReport> {
  const dir = resolve(runDir);
  runConfig(dir); // first: a folder that is not a run is named as such
  const log = o.log ?? (() => {});
  const trained = new Set(trainedFolds(dir));
  const folds = finishedFolds(dir).filter((k) => trained.has(k));
  if (folds.length === 0) throw new Error(`${dir}: no finished fold to audit (fold-K/${RESULT_FILE}); finish training first`);
  const ctx = await runContext(dir);
  const { cfg, classes, byId } = ctx;
  const results = folds.map((k) => ctx.result(k));

  const preds: ReportPrediction[] = results.flatMap((r) =>
    r.predictions.map((p) => {
      const a = byId.get(p.id)?.attributes ?? {};
      return {
        truth: p.truth,
        pred: p.pred,
        speaker: p.speaker,
        gender: a.gender,
        race: a.race,
        age: ageBand(a.age),
        speakerId: p.speaker,
      };
    }),
  );
  const seed = o.seed ?? 1;
  const resamples = o.resamples ?? 1000;
  const attributes = ['gender', 'race', 'age', 'speakerId'].filter(
    (a) => new Set(preds.map((p) => p[a]).filter((v) => v !== undefined)).size >= 2,
  );
  const fairness: Record<string, FairnessReport> = {};
  for (const a of attributes) {
    log(`fairness by ${a === 'speakerId' ? 'speaker' : a} (${resamples} bootstrap resamples)`);
    const rows = preds.filter((p) => p[a] !== undefined);
    fairness[a === 'speakerId' ? 'speaker' : a] = fairnessReport(rows, a, { numClasses: classes.length, resamples, seed });
  }
  // Overall accuracy intervals: from any attribute's report (the overall numbers do not depend on it),
  // else from a report over speakers.
  const overall = (
    Object.values(fairness)[0] ??
    fairnessReport(
      preds.map((p) => ({ ...p, all: 'all' })),
      'speaker',
      { numClasses: classes.length, resamples, seed },
    )
  ).overall;
  const c = new Caveats();
  if (attributes.length === 0)
    c.notMeasured.fairness = 'the corpus records no speaker attribute with two or more values among the test utterances';
  for (const [a, f] of Object.entries(fairness)) for (const n of f.notes) c.note('fairness', `by ${a}: ${n}`);

  const settings: MeasureSettings = {
    snrDb: o.snrDb ?? [45, 40, 35, 30],
    attacks: o.attacks ?? ['fgsm', 'pgd'],
    pgdSteps: o.pgdSteps ?? 10,
    maxUtterancesPerFold: o.maxUtterancesPerFold ?? 60,
    robustness: o.robustness ?? true,
    seed,
  };
  const perFold: FoldMeasurement[] = [];
  if (o.measureFolds) perFold.push(...(await o.measureFolds(dir, folds, settings)));
  else for (const [i, r] of results.entries()) perFold.push(await ctx.measure(r, { ...settings, sustainability: i === 0 }, log));
  const measured = combineMeasurements(perFold, settings);
  // Pooled over the audited folds; a class absent from the test sets reports recall 0 (the schema wants a rate).
  const pooled = classificationMetrics(
    preds.map((p) => p.truth),
    preds.map((p) => p.pred),
    classes.length,
  );
  const recall = pooled.recall.map((r) => (Number.isNaN(r) ? 0 : r));
  const calibration = measureCalibration(
    results,
    folds.map((k) => foldTemperature(dir, k)),
  );
  if ('skipped' in calibration) c.notMeasured.calibration = calibration.skipped;
  else for (const n of calibration.notes) c.note('calibration', n);
  const safety = Array.isArray(measured.safety) ? measured.safety.filter((a) => a.attacked > 0) : null;
  if (!Array.isArray(measured.safety)) c.notMeasured.safety = measured.safety.skipped;
  else if (o.attacks?.length === 0) c.notMeasured.safety = 'no attack was requested (--attacks)';
  else if (safety?.length === 0) c.notMeasured.safety = 'no test utterance was classified correctly, so there was nothing to attack';
  if (safety && safety.length > 0) {
    const fewest = Math.min(...safety.map((a) => a.attacked));
    c.note(
      'safety',
      `each success rate is over the utterances classified correctly before the attack (${fewest === Math.max(...safety.map((a) => a.attacked)) ? fewest : `${fewest}–${Math.max(...safety.map((a) => a.attacked))}`} here, from at most ${o.maxUtterancesPerFold ?? 60} per fold); brackets are 95% Wilson intervals, which treat utterances as independent`,
    );
    if (fewest < FEW_ATTACKED)
      c.note('safety', `only ${fewest} utterance(s) were attacked at some points: those rates are rough (see the intervals)`);
  }
  if (!measured.robustness) c.notMeasured.robustness = 'skipped (--no-robustness)';
  if (!('accuracy' in measured.privacy.gender)) c.notMeasured.privacy = measured.privacy.gender.skipped;
  else if (!('accuracy' in measured.privacy.speaker)) c.note('privacy', `no speaker probe: ${measured.privacy.speaker.skipped}`);
  const chance = 1 / classes.length;
  const ua = reported(overall.ua);
  if ((ua.low ?? ua.value) <= chance) {
    const text = `UA ${(100 * ua.value).toFixed(1)}% is not distinguishable from chance (${(100 * chance).toFixed(1)}% for ${classes.length} classes): the model has not learnt to recognize these emotions, and its fairness, safety and privacy numbers describe a guesser`;
    c.warnings.push(text);
    c.note('accuracy', text);
  }
  c.note(
    'accuracy',
    `intervals: 95% bootstrap, resampling ${ua.unit === 'speaker' ? 'speakers (cluster bootstrap)' : 'utterances'} (${resamples} resamples)`,
  );
  if (Object.values(fairness).some((f) => f.notes.some((n) => n.includes('bias-corrected')))) {
    c.warnings.push(
      'some fairness gaps are biased upward by sampling noise (small groups); their bias-corrected values and basic bootstrap intervals are shown, with the plug-in values beside them',
    );
  }
  const report: TrustReport = {
    version: 1,
    model: { name: cfg.model.name, description: `${cfg.model.name} on ${cfg.features.set} features` },
    corpus: {
      name: corpusLabel(cfg),
      protocol: `${cfg.protocol.kind}${'folds' in cfg.protocol ? `, ${cfg.protocol.folds} folds` : ''} (${results.length} audited)`,
      testUtterances: preds.length,
    },
    classes,
    createdAt: new Date().toISOString(),
    accuracy: {
      ua,
      wa: reported(overall.wa),
      macroF1: reported(overall.macroF1),
      confusion: pooled.confusion,
      perClassRecall: recall,
      chance,
    },
    ...('section' in calibration ? { calibration: calibration.section } : {}),
    fairness: Object.fromEntries(Object.entries(fairness).map(([k, f]) => [k, toAttribute(f)])),
    ...(safety && safety.length > 0
      ? {
          safety: {
            attacks: safety.map((a) => ({
              method: a.method,
              snrDb: a.snrDb,
              successRate: a.successRate,
              attacked: a.attacked,
              flipped: a.flipped,
              ...wilsonInterval(a.flipped, a.attacked),
            })),
          },
        }
      : {}),
    ...(measured.robustness ? { robustness: measured.robustness.map((p) => ({ kind: p.kind, level: p.level, ua: p.ua })) } : {}),
    ...('accuracy' in measured.privacy.gender
      ? {
          privacy: {
            genderProbe: { accuracy: measured.privacy.gender.accuracy, majority: measured.privacy.gender.baseline },
            ...('accuracy' in measured.privacy.speaker
              ? { speakerProbe: { accuracy: measured.privacy.speaker.accuracy, chance: measured.privacy.speaker.baseline } }
              : {}),
          },
        }
      : {}),
    sustainability: measured.sustainability,
    notes: c.notes,
    notMeasured: c.notMeasured,
    warnings: c.warnings,
    details: {
      fairness,
      safety: measured.safety,
      privacy: measured.privacy,
      robustness: measured.robustness,
      folds: folds,
      // Each fold's calibration.json (dev-set NLL and ECE before and after its temperature); null: trained before it existed.
      calibration: Object.fromEntries(folds.map((k) => [k, readFoldCalibration(dir, k)])),
    },
  };
  await writeTrustReport(dir, report);
  return report;
}
