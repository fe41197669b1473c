/** Reading the sidecar files (`model.onnx.json`) next to exported graphs; errors name the file. */
import { readJsonFile } from '../core/index.js';
import { parseSidecar, sidecarPath, type Sidecar } from './sidecar.js';
import { parseSpoofSidecar, type SpoofSidecar } from './spoof-sidecar.js';

/** Reads and validates the sidecar of `modelPath` (errors name the file). */
export function readSidecar(modelPath: string): Sidecar {
  const path = sidecarPath(modelPath);
  return parseSidecar(readJsonFile(path, "the model's sidecar", { hint: '; export writes it next to the .onnx file' }), path);
}

/** Reads and validates the spoof sidecar of `modelPath` (`<model>.json`); null when there is none. */
export function readSpoofSidecar(modelPath: string): SpoofSidecar | null {
  const path = sidecarPath(modelPath);
  const value = readJsonFile(path, "the model's sidecar", { optional: true });
  return value === undefined ? null : parseSpoofSidecar(value, path);
}
