/**
 * Emotion posteriors of audio files with an exported model: decoding and resampling to the
 * model's rate (src/audio), the speech check, then {@link OnnxSerModel.predictMany}. Files are
 * read a chunk at a time so a long list does not hold every decoded signal at once.
 */
import { loadAudioBatch, speechActivity } from '../audio/index.js';
import { checkMinConfidence, confidentLabel } from '../metrics/index.js';
import { noSpeechPrediction, type FilePrediction } from '../run/index.js';
import { settleBatch, type FileFailure } from '../core/pure.js';
import { loadOnnxModel, type OnnxModelOptions } from './session.js';
import type { WindowOptions, WindowPrediction } from './predictor.js';

/** Files decoded per chunk. */
const FILE_CHUNK = 64;

/** A file's prediction (as `predict --model`'s) plus its window posteriors. */
export interface OnnxFilePrediction extends FilePrediction {
  windows: WindowPrediction[];
}

export type PredictFilesOnnxOptions = OnnxModelOptions &
  WindowOptions & {
    /** Top calibrated probability below which the label is `unknown` (0–1; default 0: off). */
    minConfidence?: number;
  };

/**
 * Predicts every file with the model at `modelPath`. A file that cannot be read or analyzed is
 * listed in `failed` with its reason while the others are predicted; a file without speech gets
 * the no-speech label and no windows. Probabilities are calibrated with the sidecar's temperature
 * (`calibration` says which); with `minConfidence`, a file whose top probability is below it is
 * labelled `unknown`.
 */
export async function predictFilesOnnx(
  modelPath: string,
  paths: readonly string[],
  o: PredictFilesOnnxOptions = {},
): Promise<{
  classes: string[];
  predictions: OnnxFilePrediction[];
  failed: FileFailure[];
  calibration: { temperature: number; calibrated: boolean };
}> {
  const minConfidence = checkMinConfidence(o.minConfidence ?? 0, 'minConfidence');
  const model = await loadOnnxModel(modelPath, { intraOpThreads: o.intraOpThreads, batchSize: o.batchSize, spinWait: o.spinWait });
  try {
    const predictions: OnnxFilePrediction[] = [];
    const failed: FileFailure[] = [];
    for (let i = 0; i < paths.length; i += FILE_CHUNK) {
      const loaded = await loadAudioBatch(paths.slice(i, i + FILE_CHUNK), { sampleRateHz: model.sampleRateHz });
      failed.push(...loaded.failed.map((f) => ({ path: f.path, reason: f.error.message })));
      const speech = loaded.ok.filter((f) => {
        const a = speechActivity(f.samples, model.sampleRateHz);
        if (!a.detected) predictions.push({ ...noSpeechPrediction(f.path, a.reason!), windows: [] });
        return a.detected;
      });
      const r = await settleBatch(
        speech,
        (xs) =>
          model.predictMany(
            xs.map((x) => x.samples),
            model.sampleRateHz,
            { windowSeconds: o.windowSeconds, hopSeconds: o.hopSeconds },
            xs.map((x) => x.path),
          ),
        (x) => x.path,
      );
      failed.push(...r.failed);
      for (const { item, result: p } of r.results)
        predictions.push({
          path: item.path,
          probs: p.probs,
          label: confidentLabel(model.classes, p.probs, minConfidence),
          windows: p.windows,
        });
    }
    const order = new Map(paths.map((p, i) => [p, i]));
    predictions.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
    const calibration = { temperature: model.sidecar.temperature, calibrated: model.sidecar.calibrated };
    return { classes: model.classes, predictions, failed, calibration };
  } finally {
    await model.close();
  }
}
