/**
 * The trust audit of a dimensional run, on its held-out folds: CCC per attribute with a
 * speaker-cluster bootstrap interval (plus Pearson r and RMSE); fairness by gender (each group's
 * CCC and interval, the CCC gap, and the gap between the groups' mean predictions beside the gap
 * between their mean labels) and by speaker (the spread of per-speaker CCC); robustness (CCC of
 * the same test utterances under white noise and babble at an SNR sweep); safety (FGSM / PGD on
 * the waveform increasing the prediction error; success = some attribute moves by more than a share
 * of the scale), for runs with a differentiable front end. → RUN/trust-dimensional.json + trust.html.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadAudioBatch } from '../audio/index.js';
import { makeRng, readJsonWith, shuffle, writeFileAtomicSync } from '../core/index.js';
import { corruptSignal, fgsmWith, pgdWith, type CorruptionKind, type WaveformLoss } from '../audit/index.js';
import { ATTRIBUTES, PROXY_SCALE } from '../data/index.js';
import { noGrad, tensor, tidy } from '../engine/index.js';
import { bootstrapCi, ccc, meanStd, regressionMetrics } from '../metrics/index.js';
import { finishedFolds } from '../run/index.js';
import { renderDimensionalHtml } from './audit-html.js';
import { dimensionalRunConfig, readDimensionalFoldResult, type DimensionalPrediction } from './files.js';
import { loadDimensionalFold, type DimensionalFold } from './predict.js';
import { listRatedUtterances } from './utterances.js';

/** The audit's JSON file in the run folder. */
export const DIMENSIONAL_TRUST_JSON = 'trust-dimensional.json';
/** Its HTML page. */
export const DIMENSIONAL_TRUST_HTML = 'trust.html';
/** Default SNRs (dB) of the robustness sweep. */
export const DIMENSIONAL_SNR_SWEEP_DB = [20, 10];
/** Default attack SNRs (dB): Trust-SER's 45 and 35. */
export const DIMENSIONAL_ATTACK_SNR_DB = [45, 35];
/** Default share of the rating scale an attacked prediction must move by to count. */
export const DEFAULT_MOVE_FRACTION = 0.1;
/** Speakers (or groups) need this many test utterances for a CCC of their own. */
const MIN_GROUP_UTTERANCES = 5;

const Estimate = z.object({
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  unit: z.enum(['speaker', 'utterance']),
});
export type DimensionalEstimate = z.infer<typeof Estimate>;

export const DimensionalTrustSchema = z.object({
  version: z.literal(1),
  task: z.literal('dimensional'),
  run: z.string(),
  attributes: z.enum(['corpus', 'proxy']),
  targets: z.array(z.enum(ATTRIBUTES)).min(1),
  folds: z.array(z.number().int()),
  utterances: z.number().int(),
  accuracy: z.array(z.object({ target: z.enum(ATTRIBUTES), ccc: Estimate, pearson: z.number().nullable(), rmse: z.number().nullable() })),
  fairness: z.object({
    gender: z
      .object({
        groups: z.array(
          z.object({
            group: z.string(),
            n: z.number().int(),
            ccc: z.array(Estimate),
            meanPrediction: z.array(z.number()),
            meanLabel: z.array(z.number()),
          }),
        ),
        /** Per target: highest − lowest group CCC. */
        cccGap: z.array(z.number().nullable()),
        /** Per target: mean prediction of the first group − the second's, and the same for the labels. */
        meanPredictionGap: z.array(z.number()),
        meanLabelGap: z.array(z.number()),
      })
      .nullable(),
    speaker: z.object({
      speakers: z.number().int(),
      cccMin: z.array(z.number().nullable()),
      cccMax: z.array(z.number().nullable()),
      cccMean: z.array(z.number().nullable()),
      cccStd: z.array(z.number().nullable()),
    }),
  }),
  robustness: z
    .object({
      utterances: z.number().int(),
      points: z.array(
        z.object({ kind: z.enum(['clean', 'white', 'babble']), snrDb: z.number().nullable(), ccc: z.array(z.number().nullable()) }),
      ),
    })
    .nullable(),
  safety: z
    .object({
      /** A prediction "moves" when some attribute shifts by more than this share of the scale. */
      moveFraction: z.number(),
      range: z.tuple([z.number(), z.number()]),
      points: z.array(
        z.object({
          method: z.enum(['fgsm', 'pgd']),
          snrDb: z.number(),
          attacked: z.number().int(),
          moved: z.number().int(),
          successRate: z.number().nullable(),
          /** Mean |shift| of each attribute's prediction, on the corpus' scale. */
          meanShift: z.array(z.number()),
        }),
      ),
    })
    .nullable(),
  notMeasured: z.record(z.string(), z.string()),
  notes: z.array(z.string()),
});
export type DimensionalTrust = z.infer<typeof DimensionalTrustSchema>;

export interface DimensionalAuditOptions {
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  seed?: number;
  /** SNRs (dB) of the robustness sweep (default 20, 10); [] skips it. */
  snrDb?: number[];
  kinds?: Exclude<CorruptionKind, 'reverb'>[];
  /** Test utterances per fold re-scored under corruption and attacked (default 60). */
  maxUtterancesPerFold?: number;
  /** Attack SNRs (dB; default 45, 35 as Trust-SER); [] skips the attacks. */
  attackSnrDb?: number[];
  attacks?: ('fgsm' | 'pgd')[];
  /** Share of the rating scale a prediction must move by for an attack to count (default 0.1). */
  moveFraction?: number;
  log?: (line: string) => void;
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);
const column = (ps: readonly DimensionalPrediction[], t: number, key: 'truth' | 'pred') => ps.map((p) => p[key][t]);

/** CCC of target `t` over `ps` with a cluster (speaker) bootstrap interval; null bounds where it cannot be drawn. */
function cccEstimate(ps: readonly DimensionalPrediction[], t: number, resamples: number, seed: number): DimensionalEstimate {
  const value = ps.length >= 2 ? finite(ccc(column(ps, t, 'truth'), column(ps, t, 'pred'))) : null;
  const speakers = new Set(ps.map((p) => p.speaker)).size;
  const unit = speakers >= 2 ? 'speaker' : 'utterance';
  try {
    const ci = bootstrapCi(
      ps,
      (s) => (s.length < 2 ? undefined : (finite(ccc(column(s, t, 'truth'), column(s, t, 'pred'))) ?? undefined)),
      {
        resamples,
        seed,
        ...(unit === 'speaker' ? { clusterBy: (p: DimensionalPrediction) => p.speaker } : {}),
      },
    );
    return { value, low: ci.low, high: ci.high, unit };
  } catch {
    return { value, low: null, high: null, unit };
  }
}

/** Audits the dimensional run in `runDir`; writes trust-dimensional.json and trust.html there and returns the record. */
export async function auditDimensional(runDir: string, o: DimensionalAuditOptions = {}): Promise<DimensionalTrust> {
  const dir = resolve(runDir);
  const cfg = dimensionalRunConfig(dir);
  const log = o.log ?? (() => {});
  const resamples = o.resamples ?? 1000;
  const seed = o.seed ?? 1;
  const folds = finishedFolds(dir);
  if (folds.length === 0) throw new Error(`${dir}: no finished fold (fold-K/result.json); train the run first`);
  const results = folds.map((k) => readDimensionalFoldResult(dir, k));
  const preds = results.flatMap((r) => r.predictions);
  if (preds.length < 2) throw new Error(`${dir}: the folds hold ${preds.length} test prediction(s); an audit needs a test set`);
  const targets = cfg.targets;
  const notes: string[] = [];
  if (cfg.attributes === 'proxy')
    notes.push(
      'PROXY attributes (derived from the classes, docs/dimensional.md): every number here says how well the model places a clip where its class sits, not how listeners rate it',
    );
  log(`accuracy: CCC per attribute, ${resamples} bootstrap resamples over speakers`);
  const accuracy = targets.map((target, t) => {
    const m = regressionMetrics(column(preds, t, 'truth'), column(preds, t, 'pred'));
    return { target, ccc: cccEstimate(preds, t, resamples, seed), pearson: finite(m.pearson), rmse: finite(m.rmse) };
  });

  // Gender of each test utterance, from the corpus listing the run was trained on.
  const { utterances } = await listRatedUtterances(cfg);
  const genderOf = new Map(utterances.map((u) => [u.id, u.attributes.gender]));
  const byGender = new Map<string, DimensionalPrediction[]>();
  for (const p of preds) {
    const g = genderOf.get(p.id);
    if (g) byGender.set(g, [...(byGender.get(g) ?? []), p]);
  }
  const notMeasured: Record<string, string> = {
    safety:
      'waveform attacks on a regression are not implemented for dimensional runs yet (they also need a differentiable front end, which functionals have not)',
  };
  let gender: DimensionalTrust['fairness']['gender'] = null;
  if (byGender.size >= 2) {
    const groups = [...byGender.keys()].sort().map((group) => {
      const ps = byGender.get(group)!;
      return {
        group,
        n: ps.length,
        ccc: targets.map((_, t) => cccEstimate(ps, t, resamples, seed)),
        meanPrediction: targets.map((_, t) => meanStd(column(ps, t, 'pred')).mean),
        meanLabel: targets.map((_, t) => meanStd(column(ps, t, 'truth')).mean),
      };
    });
    gender = {
      groups,
      cccGap: targets.map((_, t) => {
        const v = groups.map((g) => g.ccc[t].value).filter((x): x is number => x !== null);
        return v.length >= 2 ? Math.max(...v) - Math.min(...v) : null;
      }),
      meanPredictionGap: targets.map((_, t) => groups[0].meanPrediction[t] - groups[1].meanPrediction[t]),
      meanLabelGap: targets.map((_, t) => groups[0].meanLabel[t] - groups[1].meanLabel[t]),
    };
  } else notMeasured.fairnessGender = 'the test utterances have fewer than two genders';
  const bySpeaker = new Map<string, DimensionalPrediction[]>();
  for (const p of preds) bySpeaker.set(p.speaker, [...(bySpeaker.get(p.speaker) ?? []), p]);
  const speakerSets = [...bySpeaker.values()].filter((ps) => ps.length >= MIN_GROUP_UTTERANCES);
  const perSpeaker = targets.map((_, t) =>
    speakerSets.map((ps) => ccc(column(ps, t, 'truth'), column(ps, t, 'pred'))).filter((x) => Number.isFinite(x)),
  );
  const speaker = {
    speakers: speakerSets.length,
    cccMin: perSpeaker.map((v) => (v.length ? Math.min(...v) : null)),
    cccMax: perSpeaker.map((v) => (v.length ? Math.max(...v) : null)),
    cccMean: perSpeaker.map((v) => (v.length ? meanStd(v).mean : null)),
    cccStd: perSpeaker.map((v) => (v.length ? meanStd(v).std : null)),
  };

  const snrs = o.snrDb ?? DIMENSIONAL_SNR_SWEEP_DB;
  let robustness: DimensionalTrust['robustness'] = null;
  if (snrs.length === 0) notMeasured.robustness = 'skipped (no SNR asked for)';
  else robustness = await robustnessOf(dir, results, snrs, o.kinds ?? ['white', 'babble'], o.maxUtterancesPerFold ?? 60, seed, log);
  const attackSnrs = o.attackSnrDb ?? DIMENSIONAL_ATTACK_SNR_DB;
  let safety: DimensionalTrust['safety'] = null;
  if (attackSnrs.length === 0) notMeasured.safety = 'skipped (no attack SNR asked for)';
  else {
    const range = scaleOf(cfg, preds);
    const s = await safetyOf(
      dir,
      results,
      {
        snrs: attackSnrs,
        attacks: o.attacks ?? ['fgsm'],
        perFold: o.maxUtterancesPerFold ?? 60,
        seed,
        range,
        moveFraction: o.moveFraction ?? DEFAULT_MOVE_FRACTION,
      },
      log,
    );
    if (typeof s === 'string') notMeasured.safety = s;
    else safety = s;
  }
  const trust: DimensionalTrust = {
    version: 1,
    task: 'dimensional',
    run: dir,
    attributes: cfg.attributes,
    targets: [...targets],
    folds,
    utterances: preds.length,
    accuracy,
    fairness: { gender, speaker },
    robustness,
    safety,
    notMeasured,
    notes,
  };
  writeFileAtomicSync(join(dir, DIMENSIONAL_TRUST_JSON), JSON.stringify(trust, null, 2));
  writeFileAtomicSync(join(dir, DIMENSIONAL_TRUST_HTML), renderDimensionalHtml(trust));
  return trust;
}

/** CCC per target of a seeded subset of each fold's test utterances, clean and under each corruption. */
async function robustnessOf(
  dir: string,
  results: ReturnType<typeof readDimensionalFoldResult>[],
  snrs: number[],
  kinds: Exclude<CorruptionKind, 'reverb'>[],
  perFold: number,
  seed: number,
  log: (l: string) => void,
): Promise<NonNullable<DimensionalTrust['robustness']>> {
  const conditions: { kind: 'clean' | 'white' | 'babble'; snrDb: number | null }[] = [
    { kind: 'clean', snrDb: null },
    ...kinds.flatMap((kind) => snrs.map((snrDb) => ({ kind, snrDb }))),
  ];
  const truth: number[][] = [];
  const pred = conditions.map(() => [] as number[][]);
  for (const r of results) {
    const fold = await loadDimensionalFold(dir, r.fold);
    const chosen = shuffle([...r.predictions], makeRng(seed * 7919 + r.fold)).slice(0, perFold);
    const audio = await loadAudioBatch(
      chosen.map((p) => p.path),
      { sampleRateHz: fold.sampleRateHz },
    );
    const ok = audio.ok.map((a) => ({ samples: a.samples, truth: chosen.find((p) => p.path === a.path)!.truth }));
    log(`robustness: fold ${r.fold}, ${ok.length} utterances × ${conditions.length} conditions`);
    const all = ok.map((u) => u.samples);
    truth.push(...ok.map((u) => u.truth));
    for (const [c, cond] of conditions.entries()) {
      const signals =
        cond.kind === 'clean'
          ? all
          : ok.map((u, i) =>
              corruptSignal(u.samples, cond.kind as CorruptionKind, cond.snrDb!, all, fold.sampleRateHz, seed * 100_003 + i),
            );
      pred[c].push(...(await fold.predict(signals)));
    }
    fold.dispose();
  }
  const a = truth[0]?.length ?? 0;
  return {
    utterances: truth.length,
    points: conditions.map((cond, c) => ({
      ...cond,
      ccc: Array.from({ length: a }, (_, t) =>
        finite(
          ccc(
            truth.map((v) => v[t]),
            pred[c].map((v) => v[t]),
          ),
        ),
      ),
    })),
  };
}

/** Reads a run's trust-dimensional.json (validated). */
export function readDimensionalTrust(runDir: string): DimensionalTrust {
  return readJsonWith(join(resolve(runDir), DIMENSIONAL_TRUST_JSON), DimensionalTrustSchema, "the dimensional run's audit", {
    hint: '; run trustser audit RUN first',
  });
}

/** The rating scale attacks are measured against: the configured range, the proxy scale, or the test labels' span. */
function scaleOf(cfg: ReturnType<typeof dimensionalRunConfig>, preds: readonly DimensionalPrediction[]): [number, number] {
  if (cfg.range) return cfg.range;
  if (cfg.attributes === 'proxy') return [PROXY_SCALE.min, PROXY_SCALE.max];
  const v = preds.flatMap((p) => p.truth);
  return [Math.min(...v), Math.max(...v)];
}

/**
 * FGSM / PGD on the waveform that increase the squared error of the z-normalized outputs against
 * the labels; an attack succeeds when some attribute's prediction moves by more than
 * `moveFraction` of the scale. Returns why not when the run has no differentiable front end.
 */
async function safetyOf(
  dir: string,
  results: ReturnType<typeof readDimensionalFoldResult>[],
  o: { snrs: number[]; attacks: ('fgsm' | 'pgd')[]; perFold: number; seed: number; range: [number, number]; moveFraction: number },
  log: (l: string) => void,
): Promise<NonNullable<DimensionalTrust['safety']> | string> {
  const threshold = o.moveFraction * (o.range[1] - o.range[0]);
  const tally = o.attacks.flatMap((method) => o.snrs.map((snrDb) => ({ method, snrDb, attacked: 0, moved: 0, shift: [] as number[][] })));
  for (const r of results) {
    const fold = await loadDimensionalFold(dir, r.fold);
    let chain: ReturnType<DimensionalFold['waveform']>;
    try {
      chain = fold.waveform();
    } catch (e) {
      fold.dispose();
      return `waveform attacks need a differentiable front end: ${(e as Error).message}`;
    }
    const { mean, std } = fold.targetNorm;
    const chosen = shuffle([...r.predictions], makeRng(o.seed * 7919 + r.fold + 1)).slice(0, o.perFold);
    const audio = await loadAudioBatch(
      chosen.map((p) => p.path),
      { sampleRateHz: fold.sampleRateHz },
    );
    log(`safety: fold ${r.fold}, ${audio.ok.length} utterances × ${tally.length} attacks`);
    const out = (x: Float32Array) =>
      noGrad(() =>
        tidy(() => Array.from(chain.forward(tensor(x, [1, x.length])).toArray() as Float32Array, (z, t) => z * std[t] + mean[t])),
      );
    for (const a of audio.ok) {
      const truth = chosen.find((p) => p.path === a.path)!.truth;
      const truthZ = tensor(
        Float32Array.from(truth, (v, t) => (v - mean[t]) / std[t]),
        [1, truth.length],
      );
      const lossOf: WaveformLoss = (wave) => chain.forward(wave).sub(truthZ).square().sum();
      const clean = out(a.samples);
      for (const t of tally) {
        const delta = t.method === 'fgsm' ? fgsmWith(lossOf, a.samples, t.snrDb) : pgdWith(lossOf, a.samples, t.snrDb);
        const adv = out(a.samples.map((v, i) => v + delta[i]));
        const shift = adv.map((v, i) => Math.abs(v - clean[i]));
        t.attacked++;
        if (shift.some((d) => d > threshold)) t.moved++;
        t.shift.push(shift);
      }
      truthZ.dispose();
    }
    chain.dispose();
    fold.dispose();
  }
  return {
    moveFraction: o.moveFraction,
    range: o.range,
    points: tally.map((t) => ({
      method: t.method,
      snrDb: t.snrDb,
      attacked: t.attacked,
      moved: t.moved,
      successRate: t.attacked === 0 ? null : t.moved / t.attacked,
      meanShift: (t.shift[0] ?? []).map((_, j) => meanStd(t.shift.map((s) => s[j])).mean),
    })),
  };
}
