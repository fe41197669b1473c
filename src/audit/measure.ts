/**
 * The model-dependent trust measurements of a run, fold by fold on each fold's own test
 * speakers (so every number is speaker-independent): waveform attacks, robustness sweeps,
 * embedding privacy probes and sustainability. Each fold is measured on its own
 * ({@link measureFold}: in this process, or as a queue job) and the folds are then combined in
 * fold order ({@link combineMeasurements}), so both give the same numbers.
 */
import { loadAudio } from '../audio/index.js';
import { DEFAULT_FRAME_RATE_HZ } from '../models/index.js';
import { enrollAll, loadFold } from '../run/index.js';
import { argmax } from '../core/index.js';
import type { FoldResult } from '../run/index.js';
import type { LabelledUtterance } from '../run/index.js';
import { genderProbeHeldOut, speakerProbe, type EmbeddedUtterance, type ProbeResult } from './privacy.js';
import { robustnessSweep, type RobustnessPoint } from './robustness.js';
import { attackSuccess, type AttackResult } from './safety.js';
import { measureSustainability, type BackboneCost, type SustainabilityReport } from './sustainability.js';
import { backboneSource, type PretrainedUse } from '../backbones/index.js';

/** What to measure (JSON-serializable: a queue job carries it). */

/** Size and compute of the backbone a feature set runs, or null for signal-processing sets. */
async function backboneCost(use: PretrainedUse | undefined): Promise<BackboneCost | null> {
  if (!use) return null;
  const { info } = await backboneSource(use.name).load({ weights: use.weights });
  return { name: info.name, params: info.parameters, macsPerSecond: info.macsPerSecond ?? null };
}

export interface MeasureSettings {
  /** Target SNRs of the attacks (dB). */
  snrDb: number[];
  attacks: ('fgsm' | 'pgd')[];
  pgdSteps: number;
  /** Test utterances per fold used by the attacks and robustness sweeps (spread over speakers). */
  maxUtterancesPerFold: number;
  robustness: boolean;
  seed: number;
}

export interface MeasureOptions extends MeasureSettings {
  log: (line: string) => void;
}

/** Probe results averaged over folds (accuracy, baseline), with the test items summed. */
export type ProbeSummary = ProbeResult & { folds: number };

export interface Measurements {
  safety: AttackResult[] | { skipped: string };
  robustness: RobustnessPoint[] | null;
  privacy: { gender: ProbeSummary | { skipped: string }; speaker: ProbeSummary | { skipped: string } };
  sustainability: SustainabilityReport;
}

/** One fold's measurements (JSON-serializable: a queue worker returns them). */
export interface FoldMeasurement {
  fold: number;
  /** Attack counts over the fold's utterances (by method, then SNR), or why attacks could not run. */
  attacks: AttackResult[] | { skipped: string };
  robustness: RobustnessPoint[] | null;
  genderProbe: ProbeResult | null;
  speakerProbe: ProbeResult | null;
  /** Why the fold's embeddings could not be probed, or null. */
  privacyProblem: string | null;
  /** Measured on the first audited fold only. */
  sustainability: SustainabilityReport | null;
}

/** Every k-th item so that at most `n` remain, spread over the list (and so over speakers). */
function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  const step = xs.length / n;
  return Array.from({ length: n }, (_, i) => xs[Math.floor(i * step)]);
}

function skipped(e: unknown): { skipped: string } {
  return { skipped: e instanceof Error ? e.message : String(e) };
}

/** Averages per-fold probe results; null when no fold could be probed. */
function averageProbes(rs: ProbeResult[]): ProbeSummary | null {
  if (rs.length === 0) return null;
  return {
    accuracy: rs.reduce((a, r) => a + r.accuracy, 0) / rs.length,
    baseline: rs.reduce((a, r) => a + r.baseline, 0) / rs.length,
    n: rs.reduce((a, r) => a + r.n, 0),
    folds: rs.length,
  };
}

/** Sums attack counts of one key (method, SNR) into `into`. */
function addAttack(into: Map<string, AttackResult>, a: Omit<AttackResult, 'successRate'>): void {
  const key = `${a.method}:${a.snrDb}`;
  const prev = into.get(key);
  const attacked = (prev?.attacked ?? 0) + a.attacked;
  const flipped = (prev?.flipped ?? 0) + a.flipped;
  into.set(key, {
    method: a.method,
    snrDb: a.snrDb,
    attacked,
    flipped,
    successRate: attacked === 0 ? Number.NaN : flipped / attacked,
    maxSnrErrorDb: Math.max(prev?.maxSnrErrorDb ?? 0, a.maxSnrErrorDb),
  });
}

/**
 * Measures fold `r.fold` of the run in `runDir`: `train` are the fold's training (+dev)
 * utterances, whose embeddings train the gender probe; `sustainability` says whether this fold
 * measures the model's cost (`trainSeconds` goes into it).
 */
export async function measureFold(
  runDir: string,
  r: FoldResult,
  train: LabelledUtterance[],
  genderOf: (id: string) => string | undefined,
  o: MeasureOptions & { sustainability: boolean; trainSeconds: number | null },
): Promise<FoldMeasurement> {
  const predictor = await loadFold(runDir, r.fold);
  try {
    const load = (path: string) => loadAudio(path, { sampleRateHz: predictor.sampleRateHz }).then((a) => a.samples);
    const signals = await Promise.all(r.predictions.map((p) => load(p.path)));
    const testSpeakers = r.predictions.map((p) => p.speaker);
    // Speaker-normalized runs: each speaker is enrolled from their clean utterances, and the
    // robustness sweep keeps these clean statistics (enrollment happened before the noise).
    if (predictor.speakerNorm) await enrollAll(predictor, signals, testSpeakers);
    const subset = spread(
      r.predictions.map((p, i) => ({ samples: signals[i], label: p.truth, speaker: p.speaker })),
      o.maxUtterancesPerFold,
    );
    // Privacy, in this fold's embedding space: the gender probe learns from training speakers and is
    // tested on the fold's unseen test speakers; the speaker probe splits each test speaker's utterances.
    o.log(`fold ${r.fold}: embeddings and privacy probes`);
    const trainSignals = await Promise.all(train.map((u) => load(u.path)));
    const trainSpeakers = train.map((u) => u.speaker);
    if (predictor.speakerNorm) await enrollAll(predictor, trainSignals, trainSpeakers);
    const trainEmb = await predictor.embed(trainSignals, trainSpeakers);
    const testEmb = await predictor.embed(signals, testSpeakers);
    const testItems: EmbeddedUtterance[] = r.predictions.map((p, i) => ({
      embedding: testEmb[i],
      speaker: p.speaker,
      gender: genderOf(p.id),
    }));
    let genderProbe: ProbeResult | null = null;
    let speakerProbeResult: ProbeResult | null = null;
    let privacyProblem: string | null = null;
    try {
      genderProbe = genderProbeHeldOut(
        train.map((u, i) => ({ embedding: trainEmb[i], speaker: u.speaker, gender: u.attributes.gender })),
        testItems,
        o.seed,
      );
      speakerProbeResult = speakerProbe(testItems, o.seed);
    } catch (e) {
      privacyProblem = skipped(e).skipped;
    }
    let robustness: RobustnessPoint[] | null = null;
    if (o.robustness) {
      o.log(`fold ${r.fold}: robustness sweep on ${subset.length} utterances`);
      const subsetSpeakers = subset.map((u) => u.speaker);
      robustness = await robustnessSweep(
        async (xs) => (await predictor.predict(xs, subsetSpeakers)).map(argmax),
        subset,
        predictor.classes.length,
        predictor.sampleRateHz,
        { seed: o.seed },
      );
    }
    // Vector (functional) features have no frame rate; their models' MACs are per utterance.
    const sustainability = o.sustainability
      ? await measureSustainability(
          predictor,
          signals[0],
          testSpeakers[0],
          predictor.featureSet.frameRateHz ?? DEFAULT_FRAME_RATE_HZ,
          o.trainSeconds,
          await backboneCost(predictor.featureSet.backbone),
        )
      : null;
    let attacks: FoldMeasurement['attacks'] = [];
    if (o.attacks.length > 0) {
      try {
        const wave = predictor.waveform();
        // Speaker-normalized runs are attacked speaker by speaker, each with their clean enrollment statistics.
        const groups = predictor.speakerNorm
          ? [...new Set(subset.map((u) => u.speaker))].map((sp) => subset.filter((u) => u.speaker === sp))
          : [subset];
        const counts = new Map<string, AttackResult>();
        for (const method of o.attacks) {
          for (const snr of o.snrDb) {
            o.log(`fold ${r.fold}: ${method.toUpperCase()} at ${snr} dB on ${subset.length} utterances`);
            for (const group of groups) {
              const speaker = group[0].speaker;
              const a = attackSuccess((w) => wave.classify(w, speaker), group, method, snr, { steps: o.pgdSteps });
              addAttack(counts, { ...a, method, snrDb: snr });
            }
          }
        }
        attacks = [...counts.values()];
      } catch (e) {
        attacks = skipped(e);
      }
    }
    return { fold: r.fold, attacks, robustness, genderProbe, speakerProbe: speakerProbeResult, privacyProblem, sustainability };
  } finally {
    predictor.dispose();
  }
}

/**
 * Combines fold measurements in fold order: attack counts summed (the first fold that could not
 * attack skips safety, with its reason), robustness and probes averaged over folds, the cost of
 * the first fold that measured it.
 */
export function combineMeasurements(folds: FoldMeasurement[], o: Pick<MeasureSettings, 'robustness'>): Measurements {
  const attacks = new Map<string, AttackResult>();
  const robust = new Map<string, { p: RobustnessPoint; n: number }>();
  let safetySkipped: string | null = null;
  for (const m of folds) {
    if (safetySkipped !== null) break;
    if (!Array.isArray(m.attacks)) safetySkipped = m.attacks.skipped;
    else for (const a of m.attacks) addAttack(attacks, a);
  }
  for (const m of folds)
    for (const pt of m.robustness ?? []) {
      const key = `${pt.kind}:${pt.level}`;
      const acc = robust.get(key);
      robust.set(key, acc ? { p: { ...pt, ua: acc.p.ua + pt.ua, wa: acc.p.wa + pt.wa }, n: acc.n + 1 } : { p: pt, n: 1 });
    }
  const privacyProblem = folds.find((m) => m.privacyProblem !== null)?.privacyProblem ?? null;
  const summary = (rs: ProbeResult[]) => averageProbes(rs) ?? { skipped: privacyProblem ?? 'no fold could be probed' };
  const sustainability = folds.find((m) => m.sustainability !== null)?.sustainability;
  if (!sustainability) throw new Error('no audited fold measured the sustainability');
  return {
    safety: safetySkipped !== null ? { skipped: safetySkipped } : [...attacks.values()],
    robustness: o.robustness ? [...robust.values()].map(({ p, n }) => ({ ...p, ua: p.ua / n, wa: p.wa / n })) : null,
    privacy: {
      gender: summary(folds.flatMap((m) => (m.genderProbe ? [m.genderProbe] : []))),
      speaker: summary(folds.flatMap((m) => (m.speakerProbe ? [m.speakerProbe] : []))),
    },
    sustainability,
  };
}
