/**
 * The pretrained models the served model's features run (e.g. the speech-embedding backbone),
 * fetched from the server and provided to the shared feature code, so the page computes the
 * features the model was trained on. Their identity (a hash of the bytes) is part of the
 * exported settings key: files other than the training ones are refused when the model opens.
 */
import { provideModelFromBytes } from '../../src/backbones/pure.js';
import type { ModelInfo } from '../../src/serve/pure.js';
import { bytes } from './api.js';
import { configureOrt, SESSION_OPTIONS } from './ort.js';

/** Downloads every pretrained model of `info` and provides it to the feature sets of this page. */
export async function providePretrained(info: ModelInfo): Promise<void> {
  const ort = configureOrt();
  for (const m of info.pretrained) {
    const files = await Promise.all(m.files.map((f) => bytes(f)));
    provideModelFromBytes(m.name, ort, files, { ...SESSION_OPTIONS, executionProviders: [...SESSION_OPTIONS.executionProviders] });
  }
}
