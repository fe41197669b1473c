/**
 * Exporting a spoofing countermeasure: an AASIST / AASIST-L (published weights, a weights file,
 * or a `trustser spoof train` run without emotion conditioning) → `spoof.onnx` + its sidecar
 * `spoof.onnx.json`. The graph is checked against the engine's logits on probe signals before
 * anything is written; both files are written atomically and a failure leaves neither behind.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeRng } from '../../core/index.js';
import { AASIST_SAMPLE_RATE_HZ, Aasist, aasistBatch, fitAasistInput, type SpoofVad } from '../../models/index.js';
import type { SpoofCalibration } from '../../metrics/index.js';
import { loadSpoofModel, resolveSpoofWeights } from '../../spoof/index.js';
import { noGrad, tidy, toRawDict } from '../../engine/index.js';
import { readJsonFile } from '../../core/index.js';
import { packageVersion } from '../../core/index.js';
import { SIDECAR_FORMAT, SIDECAR_VERSION, WAVEFORM_INPUT_KIND } from '../sidecar.js';
import { FIT_FIRST_OR_TILE, SCORE_INDEX, SPOOF_CLASSES, WAVE_INPUT, parseSpoofSidecar, type SpoofSidecar } from '../spoof-sidecar.js';
import { OnnxSpoofSession } from '../spoof-session.js';
import { aasistVariantName, exportAasistGraph } from './aasist.js';
import { writeModelPair, type ExportedPair } from './write.js';

/** Largest |ONNX − engine| logit difference accepted on the probe signals. */
export const SPOOF_EXPORT_TOLERANCE = 1e-4;
/** Probe lengths (s): shorter than the input (tiled), and longer (cut). */
const PROBE_SECONDS = [1.3, 5.2];
const PROBE_SEED = 20240611;
/** Probe content: a gliding harmonic tone (Hz, amplitude) plus white noise (amplitude). */
const PROBE_F0_HZ = 140;
const PROBE_GLIDE = 0.5;
const PROBE_HARMONICS = 6;
const PROBE_TONE_AMPLITUDE = 0.3;
const PROBE_NOISE_AMPLITUDE = 0.03;
/** Loudness segments of a probe (s) and the lowest relative level. */
const PROBE_SEGMENT_SECONDS = 0.125;
const PROBE_MIN_LEVEL = 0.2;
/** Config file of a `trustser spoof train` run folder. */
const SPOOF_RUN_CONFIG = 'config.json';

/** What `exportSpoofModel` wrote. */
export type ExportSpoofResult = ExportedPair<SpoofSidecar>;

/**
 * Probe signals at 16 kHz (deterministic): harmonic glides whose loudness jumps every
 * {@link PROBE_SEGMENT_SECONDS}, plus noise. Changing loudness keeps the temporal graph nodes
 * distinct, so the top-k pools keep well-defined node sets (a stationary probe gives near-ties,
 * which either runtime may break either way).
 */
function probeSignals(): Float32Array[] {
  const rng = makeRng(PROBE_SEED);
  const segment = Math.round(PROBE_SEGMENT_SECONDS * AASIST_SAMPLE_RATE_HZ);
  return PROBE_SECONDS.map((sec, p) => {
    const n = Math.round(sec * AASIST_SAMPLE_RATE_HZ);
    const levels = Array.from({ length: Math.ceil(n / segment) }, () => PROBE_MIN_LEVEL + (1 - PROBE_MIN_LEVEL) * rng.next());
    const x = new Float32Array(n);
    let phase = 0;
    for (let i = 0; i < n; i++) {
      const f0 = PROBE_F0_HZ * (1 + p / 3) * (1 + (PROBE_GLIDE * i) / n);
      phase += (2 * Math.PI * f0) / AASIST_SAMPLE_RATE_HZ;
      let v = 0;
      for (let h = 1; h <= PROBE_HARMONICS; h++) v += Math.sin(h * phase) / h;
      x[i] = levels[Math.floor(i / segment)] * (PROBE_TONE_AMPLITUDE * v + PROBE_NOISE_AMPLITUDE * (2 * rng.next() - 1));
    }
    return x;
  });
}

/**
 * Exports an engine AASIST (eval mode is set) to `outPath` + `outPath.json`. `source` names where
 * the weights came from in the sidecar; `calibration` goes into it when given, and `vad` (what of
 * each clip the model hears) unless it is `none`. Errors: a graph that disagrees with the engine, or an
 * unwritable destination; none leaves a file behind.
 */
export async function exportAasist(
  model: Aasist,
  outPath: string,
  source: string,
  calibration?: SpoofCalibration,
  vad: SpoofVad = 'none',
): Promise<ExportSpoofResult> {
  model.eval();
  const exported = exportAasistGraph({ config: model.config, weights: toRawDict(model.stateDict()) });
  const name = aasistVariantName(model.config);
  const bytes = exported.graph.serialize({
    producerName: 'trustser',
    producerVersion: packageVersion(),
    docString: `${name} spoofing countermeasure from ${source}`,
    metadata: { 'trustser.sidecar': `${SIDECAR_FORMAT} v${SIDECAR_VERSION}` },
  });
  const probes = probeSignals();
  const engine = noGrad(() => tidy(() => model.forward(aasistBatch(probes, exported.samples)).toFloat32()));
  const params = model.parameters().reduce((s, p) => s + p.numel, 0);
  const draft = parseSpoofSidecar(
    {
      format: SIDECAR_FORMAT,
      version: SIDECAR_VERSION,
      trustserVersion: packageVersion(),
      createdAt: new Date().toISOString(),
      model: { name, params, config: { ...model.config }, source },
      classes: [...SPOOF_CLASSES],
      scoreIndex: SCORE_INDEX,
      sampleRateHz: AASIST_SAMPLE_RATE_HZ,
      input: {
        kind: WAVEFORM_INPUT_KIND,
        name: WAVE_INPUT,
        samples: exported.samples,
        fit: FIT_FIRST_OR_TILE,
        ...(vad === 'none' ? {} : { vad }),
      },
      outputs: exported.outputs,
      verification: { maxAbsDiff: 0, probes: probes.length },
      ...(calibration ? { calibration } : {}),
    },
    'sidecar',
  );
  const modelPath = resolve(outPath);
  const maxAbsDiff = await verify(bytes, draft, probes, engine, modelPath);
  return writeModelPair(modelPath, bytes, { ...draft, verification: { maxAbsDiff, probes: probes.length } });
}

/** Runs the probes through ONNX Runtime; returns the largest logit difference from the engine's. */
async function verify(
  bytes: Uint8Array,
  sidecar: SpoofSidecar,
  probes: Float32Array[],
  engine: Float32Array,
  label: string,
): Promise<number> {
  const session = await OnnxSpoofSession.fromBytes(bytes, sidecar, label, { batchSize: probes.length });
  try {
    // Window against window: the same fitted inputs the engine scored.
    const n = sidecar.input.samples;
    const wave = new Float32Array(probes.length * n);
    probes.forEach((p, i) => wave.set(fitAasistInput(p, n), i * n));
    const onnx = await session.logits(wave, probes.length);
    let worst = 0;
    onnx.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - engine[i]))));
    if (!(worst <= SPOOF_EXPORT_TOLERANCE)) {
      throw new Error(
        `${label}: the exported graph disagrees with the engine (max |Δlogit| = ${worst.toExponential(2)} > ${SPOOF_EXPORT_TOLERANCE}); nothing written`,
      );
    }
    return worst;
  } finally {
    await session.close();
  }
}

/** Refuses a spoof train run conditioned on emotion (its graph would need a second, emotion input). */
function refuseNonAasistRun(spec: string): void {
  // `spec` may also be a weights file or a published model's name: only a run folder has a config.
  const path = join(spec, SPOOF_RUN_CONFIG);
  if (!existsSync(path)) return;
  const cfg = readJsonFile(resolve(path), 'the spoof run config') as { conditioning?: unknown; model?: unknown };
  if (cfg.conditioning !== undefined && cfg.conditioning !== 'none') {
    throw new Error(
      `${resolve(spec)}: conditioned on emotion ('${String(cfg.conditioning)}'); export-spoof exports plain AASIST only (the graph would need the SER model's embeddings as a second input)`,
    );
  }
  if (cfg.model !== undefined && cfg.model !== 'aasist')
    throw new Error(`${resolve(spec)}: model '${String(cfg.model)}'; export-spoof exports plain AASIST only`);
}

/**
 * Exports the countermeasure named by `spec` (as `trustser spoof score --model`: `aasist`,
 * `aasist-l`, a .pth/.safetensors file, or a spoof train run folder without emotion conditioning)
 * to `outPath` + `outPath.json`, with `o.calibration` (from `spoof calibrate`) in the sidecar.
 * See {@link exportAasist} for the checks.
 */
export async function exportSpoofModel(
  spec: string,
  outPath: string,
  o: { calibration?: SpoofCalibration } = {},
): Promise<ExportSpoofResult> {
  refuseNonAasistRun(spec);
  const loaded = await loadSpoofModel(spec);
  try {
    if (!(loaded.module instanceof Aasist))
      throw new Error(
        `spoof model '${spec}': export-spoof exports plain AASIST only, this one is conditioned on emotion ('${loaded.conditioning}')`,
      );
    const source = existsSync(spec) ? resolve(spec) : `${spec.toLowerCase()} (${resolveSpoofWeights(spec)})`;
    return await exportAasist(loaded.module, outPath, source, o.calibration, loaded.vad);
  } finally {
    loaded.module.dispose();
  }
}
