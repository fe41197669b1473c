/** Runs feature code on the TypeScript path (the browser's): the libtorch mel engine uninstalled for the call. */
import { setMelEngine } from '../../src/features/mel.js';
import { engineMel } from '../../src/features/engine-mel.js';

export function typescriptPath<T>(fn: () => T): T {
  setMelEngine(null);
  try {
    return fn();
  } finally {
    setMelEngine(engineMel);
  }
}
