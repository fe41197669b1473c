/**
 * The Node host of the engine backbones (wav2vec 2.0, HuBERT, WavLM): weights from the path a
 * user names — trustser ships none and never downloads — loaded once per process and version of
 * the files. A `.onnx` path is a backbone exported by `trustser export`, run by ONNX Runtime.
 */
import { applyTuned, filesIdentity, filesVersion, frozenOnce, loadOnce, requireWeights, withTuned } from '../checkpoint-files.js';
import { provideModel, type BackboneWeights } from '../sources.js';
import type { Backbone } from '../types.js';
import { wav2vec2Backbone } from './backbone.js';
import { checkpointFiles, loadWav2Vec2 } from './checkpoint.js';
import { WAV2VEC2_ARCHS, type Wav2Vec2Arch } from './config.js';
import type { Wav2Vec2 } from './model.js';
import { exportedGraph, isExportedGraph, openExportedGraph } from '../exported-files.js';

const WEIGHTS_HINT = 'a checkpoint file or Hugging Face folder';
const networks = new Map<string, Wav2Vec2>();
const loaded = new Map<string, Promise<Backbone>>();

function isArch(name: string): name is Wav2Vec2Arch {
  return (WAV2VEC2_ARCHS as readonly string[]).includes(name);
}

/**
 * The frozen network of backbone `arch` on the weights `o` names, loaded once per process and
 * version of the files and shared with its {@link Backbone} (the waveform attacks differentiate
 * through it; its parameters need no gradients).
 * @throws Error for an unknown backbone name, missing weights, an exported graph or a bad checkpoint.
 */
export function engineWav2Vec2(arch: string, o: BackboneWeights): Wav2Vec2 {
  const path = checkpointPath(arch, o);
  return frozenOnce(networks, `${arch}|${filesVersion(withTuned(checkpointFiles(path), o))}`, () => newWav2Vec2(arch, o));
}

/** The checkpoint path `o` names for `arch` (not an exported graph). */
function checkpointPath(arch: string, o: BackboneWeights): string {
  if (!isArch(arch)) throw new Error(`'${arch}' is not an engine backbone (known: ${WAV2VEC2_ARCHS.join(', ')})`);
  const path = requireWeights(arch, o, WEIGHTS_HINT);
  if (isExportedGraph(path))
    throw new Error(`${path}: an exported backbone runs on ONNX Runtime only; pass the checkpoint it was exported from`);
  return path;
}

/**
 * A network of its own (not shared, parameters trainable) of backbone `arch` on the weights `o`
 * names, its fine-tuned parameters (`o.tuned`) loaded over the checkpoint's: what fine-tuning trains.
 * @throws Error as {@link engineWav2Vec2}.
 */
export function newWav2Vec2(arch: string, o: BackboneWeights): Wav2Vec2 {
  const path = checkpointPath(arch, o);
  return applyTuned(loadWav2Vec2(path, arch as Wav2Vec2Arch).model, arch, o);
}

for (const arch of WAV2VEC2_ARCHS) {
  provideModel<Backbone>(arch, {
    // An exported graph records the identity of the checkpoint it came from.
    identity(o) {
      const path = requireWeights(arch, o, WEIGHTS_HINT);
      return isExportedGraph(path)
        ? exportedGraph(arch, path).meta.identity
        : `${arch}:${filesIdentity(withTuned(checkpointFiles(path), o))}`;
    },
    load(o) {
      const path = requireWeights(arch, o, WEIGHTS_HINT);
      if (isExportedGraph(path)) {
        return loadOnce(loaded, `${arch}|${filesVersion([path])}`, () => openExportedGraph(arch, path));
      }
      // An engine network is shared (engineWav2Vec2) and lives as long as the process.
      return loadOnce(loaded, `${arch}|${filesVersion(withTuned(checkpointFiles(path), o))}`, async () => ({
        ...wav2vec2Backbone(arch, engineWav2Vec2(arch, o)),
        dispose: async () => {},
      }));
    },
  });
}
