/**
 * Emotion posteriors of audio files with an exported model: decoding and resampling to the
 * model's rate (src/audio), then {@link OnnxSerModel.predictMany}. Files are read a chunk at a
 * time so a long list does not hold every decoded signal at once.
 */
import { loadAudio } from '../audio/index.js';
import type { FilePrediction } from '../train/predict.js';
import { loadOnnxModel, type OnnxModelOptions, type WindowOptions, type WindowPrediction } from './session.js';

/** Files decoded per chunk. */
const FILE_CHUNK = 64;

/** A file's prediction (as `predict --model`'s) plus its window posteriors. */
export interface OnnxFilePrediction extends FilePrediction {
  windows: WindowPrediction[];
}

export type PredictFilesOnnxOptions = OnnxModelOptions & WindowOptions;

/** Predicts every file with the model at `modelPath`; unreadable files are errors naming them. */
export async function predictFilesOnnx(modelPath: string, paths: readonly string[], o: PredictFilesOnnxOptions = {}): Promise<{ classes: string[]; predictions: OnnxFilePrediction[] }> {
  const model = await loadOnnxModel(modelPath, { intraOpThreads: o.intraOpThreads, batchSize: o.batchSize, spinWait: o.spinWait });
  try {
    const predictions: OnnxFilePrediction[] = [];
    for (let i = 0; i < paths.length; i += FILE_CHUNK) {
      const chunk = paths.slice(i, i + FILE_CHUNK);
      const signals = await Promise.all(chunk.map(async (p) => (await loadAudio(p, { sampleRateHz: model.sampleRateHz })).samples));
      const out = await model.predictMany(signals, model.sampleRateHz, { windowSeconds: o.windowSeconds, hopSeconds: o.hopSeconds }, chunk);
      out.forEach((p, j) => predictions.push({ path: chunk[j], probs: p.probs, label: p.label, windows: p.windows }));
    }
    return { classes: model.classes, predictions };
  } finally {
    await model.close();
  }
}
