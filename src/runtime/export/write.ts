/** Writing an exported model: the graph and its sidecar, both or neither. */
import { mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomicSync } from '../../core/index.js';
import { sidecarPath } from '../sidecar.js';

/** What an export wrote. */
export interface ExportedPair<S> {
  modelPath: string;
  sidecarPath: string;
  sidecar: S;
  bytes: number;
}

/**
 * Writes the model, then its sidecar (`<model>.json`), each atomically; removes the model again
 * when the sidecar cannot be written, so a failed export leaves no file behind.
 */
export function writeModelPair<S>(modelPath: string, bytes: Uint8Array, sidecar: S): ExportedPair<S> {
  const side = sidecarPath(modelPath);
  mkdirSync(dirname(modelPath), { recursive: true });
  writeFileAtomicSync(modelPath, bytes);
  try {
    writeFileAtomicSync(side, `${JSON.stringify(sidecar, null, 2)}\n`);
  } catch (e) {
    unlinkSync(modelPath);
    throw new Error(`${side}: cannot write the sidecar (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing written`, {
      cause: e,
    });
  }
  return { modelPath, sidecarPath: side, sidecar, bytes: bytes.length };
}
