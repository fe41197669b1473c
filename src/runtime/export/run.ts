/**
 * `exportRun`: one trained fold of a run directory → `model.onnx` + `model.onnx.json`. The graph
 * is built from the fold's best checkpoint with the fold's normalizer folded in, its temperature
 * recorded in the sidecar (the runtime applies it to the graph's posteriors), then checked against
 * the engine on probe signals through both full pipelines (features and calibration included)
 * before anything is written; both files are written atomically and a failure leaves neither behind.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeRng } from '../../core/index.js';
import { loadTrustReport, TRUST_JSON, type TrustReport } from '../../report/index.js';
import { toRawDict } from '../../engine/index.js';
import { corpusLabel, loadFold, requireUtteranceLevelRun, runConfig, trainedFolds } from '../../run/index.js';
import { readJsonFile } from '../../core/index.js';
import { packageVersion } from '../../core/index.js';
import { OnnxSerModel } from '../session.js';
import { parseSidecar, SIDECAR_FORMAT, SIDECAR_VERSION, type Sidecar, type TrustSummary } from '../sidecar.js';
import type { FeatureNormalizer } from './common.js';
import { stageBackbone } from './backbone.js';
import { exportModelGraph } from './models.js';
import { writeModelPair, type ExportedPair } from './write.js';

/** Largest |ONNX − engine| posterior difference accepted on the probe signals. */
export const EXPORT_TOLERANCE = 1e-4;
/** Probe signal lengths (s): short, medium, and longer than the default 4 s crop. */
const PROBE_SECONDS = [1.3, 2.6, 5.2];
const PROBE_SEED = 20240607;
/** Probe content: a harmonic tone (Hz, amplitude) plus white noise (amplitude). */
const PROBE_F0_HZ = 170;
const PROBE_HARMONICS = 5;
const PROBE_TONE_AMPLITUDE = 0.3;
const PROBE_NOISE_AMPLITUDE = 0.05;

export interface ExportRunOptions {
  /** Fold to export (default: the lowest-numbered trained fold). */
  fold?: number;
  /** Multitask models: also output the speaker-attribute heads (default true). */
  heads?: boolean;
}

/** What `exportRun` wrote. */
export type ExportRunResult = ExportedPair<Sidecar>;

function probeSignals(rateHz: number): Float32Array[] {
  const rng = makeRng(PROBE_SEED);
  return PROBE_SECONDS.map((sec, p) => {
    const x = new Float32Array(Math.round(sec * rateHz));
    const f0 = PROBE_F0_HZ * (1 + p / 4);
    for (let i = 0; i < x.length; i++) {
      let v = 0;
      for (let h = 1; h <= PROBE_HARMONICS; h++) v += Math.sin((2 * Math.PI * f0 * h * i) / rateHz) / h;
      x[i] = PROBE_TONE_AMPLITUDE * v + PROBE_NOISE_AMPLITUDE * (2 * rng.next() - 1);
    }
    return x;
  });
}

/** The headline numbers of a trust report for the sidecar. */
export function trustSummary(r: TrustReport): TrustSummary {
  const fairness = Object.fromEntries(
    Object.entries(r.fairness ?? {}).map(([attr, f]) => [
      attr,
      { statisticalParity: f.statisticalParity.value, equalOpportunity: f.equalOpportunity?.value ?? null },
    ]),
  );
  return {
    ua: r.accuracy?.ua.value ?? null,
    wa: r.accuracy?.wa.value ?? null,
    fairness,
    attackSuccess: (r.safety?.attacks ?? []).map((a) => ({ method: a.method, snrDb: a.snrDb, successRate: a.successRate })),
    privacy: r.privacy ? { genderProbeAccuracy: r.privacy.genderProbe.accuracy, majority: r.privacy.genderProbe.majority } : null,
    macsPerSecond: r.sustainability?.macsPerSecond ?? null,
    params: r.sustainability?.params ?? null,
    realTimeFactor: r.sustainability?.realTimeFactor ?? null,
  };
}

/**
 * Exports fold `o.fold` of the run in `runDir` to `outPath` (+ `outPath.json`). Errors: a folder
 * that is not a run, a run without trained folds, an untrained fold, a model without exporter,
 * an invalid trust.json, or a graph that disagrees with the engine; none writes a file.
 */
export async function exportRun(runDir: string, outPath: string, o: ExportRunOptions = {}): Promise<ExportRunResult> {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new Error(`${dir}: no such run directory`);
  const cfg = runConfig(dir);
  requireUtteranceLevelRun(dir, 'ONNX export');
  const folds = trainedFolds(dir);
  if (folds.length === 0) throw new Error(`${dir}: no trained fold (fold-K/best.safetensors and model.json); train the run first`);
  const fold = o.fold ?? folds[0];
  if (!folds.includes(fold)) throw new Error(`${dir}: fold ${fold} is not trained (trained: ${folds.join(', ')})`);
  const foldDir = join(dir, `fold-${fold}`);
  const normalizer = readJsonFile(join(foldDir, 'norm.json'), "the fold's feature normalizer") as FeatureNormalizer;
  const trustPath = join(dir, TRUST_JSON);
  const trust = existsSync(trustPath) ? trustSummary(loadTrustReport(trustPath)) : null;
  const result = (readJsonFile(join(foldDir, 'result.json'), "the fold's result", { optional: true }) ?? {}) as { name?: string };

  const fp = await loadFold(dir, fold);
  try {
    const desc = fp.model.describe();
    const set = fp.featureSet;
    const hop = cfg.features.segmentHopFrames ?? cfg.features.segmentFrames;
    const exported = exportModelGraph(
      { name: desc.name, config: desc.config, weights: toRawDict(fp.model.stateDict()) },
      { normalizer, segmentHop: hop, heads: o.heads },
    );
    const bytes = exported.graph.serialize({
      producerName: 'trustser',
      producerVersion: packageVersion(),
      docString: `${desc.name} from ${dir} fold ${fold}`,
      metadata: { 'trustser.sidecar': `${SIDECAR_FORMAT} v${SIDECAR_VERSION}` },
    });
    const probes = probeSignals(set.sampleRateHz);
    // A run on an engine backbone ships the backbone as a graph of its own beside the model.
    const backbone = set.backbone && set.kind === 'layers' ? stageBackbone(set.backbone, resolve(outPath), dir) : null;
    try {
      const draft = parseSidecar(
        {
          format: SIDECAR_FORMAT,
          version: SIDECAR_VERSION,
          trustserVersion: packageVersion(),
          createdAt: new Date().toISOString(),
          model: { name: desc.name, params: desc.params, config: desc.config },
          fold,
          foldName: result.name ?? null,
          classes: fp.classes,
          corpus: corpusLabel(cfg),
          labelMap: cfg.corpus.every((c) => c.labelMap === undefined) ? null : cfg.corpus.map((c) => c.labelMap ?? 'default').join('+'),
          sampleRateHz: set.sampleRateHz,
          features: {
            set: cfg.features.set,
            overrides: cfg.features.overrides,
            settingsKey: set.settingsKey(),
            maxFrames: cfg.features.maxFrames,
            segmentFrames: cfg.features.segmentFrames,
            segmentHopFrames: hop,
            ...(backbone ? { backboneFile: backbone.tempPath } : {}),
          },
          input: { ...exported.layout, normalization: 'in-graph' },
          outputs: exported.outputs,
          trust,
          temperature: fp.temperature,
          calibrated: fp.calibration.calibrated,
          verification: { maxAbsDiff: 0, probes: probes.length },
        },
        'sidecar',
      );
      const maxAbsDiff = await verify(bytes, draft, probes, await fp.predict(probes), resolve(outPath));
      const features = backbone ? { ...draft.features, backboneFile: backbone.file } : draft.features;
      const sidecar: Sidecar = { ...draft, features, verification: { maxAbsDiff, probes: probes.length } };
      const committed = backbone?.commit();
      try {
        return writeModelPair(resolve(outPath), bytes, sidecar);
      } catch (e) {
        if (committed) rmSync(committed, { force: true });
        throw e;
      }
    } catch (e) {
      backbone?.discard();
      throw e;
    }
  } finally {
    fp.dispose();
  }
}

/** Runs the probes through ONNX Runtime and returns the largest difference from the engine's (both calibrated) posteriors. */
async function verify(bytes: Uint8Array, sidecar: Sidecar, probes: Float32Array[], engine: number[][], label: string): Promise<number> {
  const m = await OnnxSerModel.fromBytes(bytes, sidecar, label);
  try {
    const onnx = await m.predictMany(probes, sidecar.sampleRateHz);
    let worst = 0;
    onnx.forEach((p, u) => p.probs.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - engine[u][k])))));
    if (!(worst <= EXPORT_TOLERANCE))
      throw new Error(
        `${label}: the exported graph disagrees with the engine (max |Δp| = ${worst.toExponential(2)} > ${EXPORT_TOLERANCE}); nothing written`,
      );
    return worst;
  } finally {
    await m.close();
  }
}
