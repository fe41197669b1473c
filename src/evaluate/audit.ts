/**
 * `trustser audit`: every trust dimension of a trained run, on its held-out folds — accuracy and
 * fairness with bootstrap CIs (speaker-cluster intervals where they can be formed, else
 * utterance-level), waveform attacks, robustness, privacy probes, sustainability — written as
 * trust.json (report schema + full details) and trust.html in the run directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeTrustReport, type FairnessAttribute, type TrustReport } from '../report/index.js';
import type { RunMetrics, FoldResult } from '../train/run.js';
import { listRunUtterances, type LabelledUtterance } from '../train/corpus.js';
import { runConfig, trainedFolds } from '../train/predict.js';
import { fairnessReport, type Estimate, type FairnessReport, type ReportPrediction } from './bootstrap.js';
import { measureRun, type MeasureOptions } from './measure.js';
import { classificationMetrics } from './classification.js';

/** Age bands used as a fairness attribute when a corpus records ages (years). */
const AGE_BANDS: [number, string][] = [[30, 'under 30'], [45, '30–44'], [Infinity, '45 and over']];

export interface AuditOptions extends Partial<MeasureOptions> {
  /** Bootstrap resamples per interval (default 1000). */
  resamples?: number;
}

function ageBand(age: number | undefined): string | undefined {
  if (age === undefined) return undefined;
  return AGE_BANDS.find(([max]) => age < max)![1];
}

/** The report's interval: the speaker-cluster CI when formed, else the utterance CI, else the point. */
function interval(e: Estimate): { value: number; low: number; high: number } {
  const ci = e.speaker ?? e.utterance;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return { value: clamp(e.value), low: clamp(ci?.low ?? e.value), high: clamp(ci?.high ?? e.value) };
}

function toAttribute(f: FairnessReport): FairnessAttribute {
  return {
    groups: f.groups.map((g) => ({ name: g, n: f.perGroup[g].n, ua: interval(f.perGroup[g].ua) })),
    statisticalParity: interval(f.statisticalParity.max),
    equalOpportunity: interval(f.equalityOfOpportunity.max),
    trueRatesDifference: interval(f.trueRates.max),
    averageOdds: interval(f.averageOdds.max),
    ...(f.groups.length === 2 ? { demographicParity: interval(f.demographicParity.max) } : {}),
    aggregation: 'max',
  };
}

/** Audits the run in `runDir`; writes trust.json and trust.html there and returns the report. */
export async function auditRun(runDir: string, o: AuditOptions = {}): Promise<TrustReport> {
  const dir = resolve(runDir);
  const cfg = runConfig(dir);
  const log = o.log ?? (() => {});
  const folds = trainedFolds(dir).filter((k) => existsSync(join(dir, `fold-${k}`, 'result.json')));
  if (folds.length === 0) throw new Error(`${dir}: no finished fold to audit (fold-K/result.json); finish training first`);
  const results = folds.map((k) => JSON.parse(readFileSync(join(dir, `fold-${k}`, 'result.json'), 'utf8')) as FoldResult);
  const metrics = existsSync(join(dir, 'metrics.json')) ? (JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as RunMetrics) : null;
  const { utterances, classes } = await listRunUtterances(cfg);
  const byId = new Map(utterances.map((u) => [u.id, u]));
  const split = JSON.parse(readFileSync(join(dir, 'split.json'), 'utf8')) as { folds: { train: string[]; dev: string[] }[] };
  // Runs from before predictions carried their path: take it from the corpus listing.
  for (const r of results) for (const p of r.predictions) p.path ??= byId.get(p.id)?.path ?? '';

  const preds: ReportPrediction[] = results.flatMap((r) => r.predictions.map((p) => {
    const a = byId.get(p.id)?.attributes ?? {};
    return { truth: p.truth, pred: p.pred, speaker: p.speaker, gender: a.gender, race: a.race, age: ageBand(a.age), speakerId: p.speaker };
  }));
  const seed = o.seed ?? 1;
  const resamples = o.resamples ?? 1000;
  const attributes = ['gender', 'race', 'age', 'speakerId'].filter((a) => new Set(preds.map((p) => p[a]).filter((v) => v !== undefined)).size >= 2);
  const fairness: Record<string, FairnessReport> = {};
  for (const a of attributes) {
    log(`fairness by ${a === 'speakerId' ? 'speaker' : a} (${resamples} bootstrap resamples)`);
    const rows = preds.filter((p) => p[a] !== undefined);
    fairness[a === 'speakerId' ? 'speaker' : a] = fairnessReport(rows, a, { numClasses: classes.length, resamples, seed });
  }
  // Overall accuracy intervals: from any attribute's report (the overall numbers do not depend on it),
  // else from a report over speakers.
  const overall = (Object.values(fairness)[0] ?? fairnessReport(preds.map((p) => ({ ...p, all: 'all' })), 'speaker', { numClasses: classes.length, resamples, seed })).overall;

  const measured = await measureRun(
    dir, results,
    (k) => [...split.folds[k].train, ...split.folds[k].dev].map((id) => byId.get(id)).filter((u): u is LabelledUtterance => u !== undefined),
    (id) => byId.get(id)?.attributes.gender,
    metrics?.trainSeconds ?? null,
    {
      snrDb: o.snrDb ?? [45, 40, 35, 30], attacks: o.attacks ?? ['fgsm', 'pgd'], pgdSteps: o.pgdSteps ?? 10,
      maxUtterancesPerFold: o.maxUtterancesPerFold ?? 60, robustness: o.robustness ?? true, seed, log,
    },
  );
  // Pooled over the audited folds; a class absent from the test sets reports recall 0 (the schema wants a rate).
  const pooled = classificationMetrics(preds.map((p) => p.truth), preds.map((p) => p.pred), classes.length);
  const recall = pooled.recall.map((r) => (Number.isNaN(r) ? 0 : r));
  const safety = Array.isArray(measured.safety) ? measured.safety : null;
  const report: TrustReport = {
    version: 1,
    model: { name: cfg.model.name, description: `${cfg.model.name} on ${cfg.features.set} features` },
    corpus: { name: cfg.corpus.name, protocol: `${cfg.protocol.kind}${'folds' in cfg.protocol ? `, ${cfg.protocol.folds} folds` : ''} (${results.length} audited)`, testUtterances: preds.length },
    classes,
    createdAt: new Date().toISOString(),
    accuracy: { ua: interval(overall.ua), wa: interval(overall.wa), macroF1: interval(overall.macroF1), confusion: pooled.confusion, perClassRecall: recall },
    fairness: Object.fromEntries(Object.entries(fairness).map(([k, f]) => [k, toAttribute(f)])),
    ...(safety ? { safety: { attacks: safety.filter((a) => Number.isFinite(a.successRate)).map((a) => ({ method: a.method, snrDb: a.snrDb, successRate: a.successRate })) } } : {}),
    ...(measured.robustness ? { robustness: measured.robustness.map((p) => ({ kind: p.kind, level: p.level, ua: p.ua })) } : {}),
    ...('accuracy' in measured.privacy.gender ? {
      privacy: {
        genderProbe: { accuracy: measured.privacy.gender.accuracy, majority: measured.privacy.gender.baseline },
        ...('accuracy' in measured.privacy.speaker ? { speakerProbe: { accuracy: measured.privacy.speaker.accuracy, chance: measured.privacy.speaker.baseline } } : {}),
      },
    } : {}),
    sustainability: measured.sustainability,
    details: { fairness, safety: measured.safety, privacy: measured.privacy, robustness: measured.robustness, folds: folds },
  };
  await writeTrustReport(dir, report);
  return report;
}
