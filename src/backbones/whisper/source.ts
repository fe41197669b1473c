/**
 * The Node host of the Whisper encoder backbone (`whisper`): weights from the path a user names
 * — trustser ships none and never downloads — loaded once per process and version of the files.
 * A `.onnx` path is an encoder exported by `trustser export`, run by ONNX Runtime.
 */
import { applyTuned, filesIdentity, filesVersion, frozenOnce, loadOnce, requireWeights, withTuned } from '../checkpoint-files.js';
import { exportedGraph, isExportedGraph, openExportedGraph } from '../exported-files.js';
import { provideModel, type BackboneWeights } from '../sources.js';
import type { Backbone } from '../types.js';
import { whisperBackbone } from './backbone.js';
import { loadWhisperEncoder, whisperCheckpointFiles } from './checkpoint.js';
import type { WhisperPad } from './windows.js';
import type { WhisperEncoder } from './model.js';

/** The backbone name the host provides. */
export const WHISPER_BACKBONE = 'whisper';

/** The weights of the backbone, and optionally how inputs meet its 30 s window (default 'none'). */
export interface WhisperWeights extends BackboneWeights {
  pad?: WhisperPad;
}

const WEIGHTS_HINT = 'an openai .pt checkpoint or a Hugging Face folder';

function padOf(o: WhisperWeights): WhisperPad {
  return o.pad ?? 'none';
}

const networks = new Map<string, WhisperEncoder>();
const loaded = new Map<string, Promise<Backbone>>();

/** The files loading `o`'s weights reads (a fine-tuned network's file last). */
function files(o: BackboneWeights): string[] {
  return withTuned(whisperCheckpointFiles(requireWeights(WHISPER_BACKBONE, o, WEIGHTS_HINT)), o);
}

/**
 * The frozen encoder on the weights `o` names, loaded once per process and version of the files
 * and shared with its {@link Backbone} (the waveform attacks differentiate through it, see
 * `WhisperEncoder.waveformHiddenStates`; its parameters need no gradients).
 * @throws Error for missing weights or a bad checkpoint.
 */
export function engineWhisper(o: BackboneWeights): WhisperEncoder {
  checkpointPath(o); // an exported graph is refused before its files are listed
  return frozenOnce(networks, filesVersion(files(o)), () => newWhisper(o));
}

/** The checkpoint path `o` names (not an exported graph). */
function checkpointPath(o: BackboneWeights): string {
  const path = requireWeights(WHISPER_BACKBONE, o, WEIGHTS_HINT);
  if (isExportedGraph(path))
    throw new Error(`${path}: an exported backbone runs on ONNX Runtime only; pass the checkpoint it was exported from`);
  return path;
}

/**
 * An encoder of its own (not shared, parameters trainable) on the weights `o` names, its
 * fine-tuned parameters (`o.tuned`) loaded over the checkpoint's: what fine-tuning trains.
 * @throws Error as {@link engineWhisper}.
 */
export function newWhisper(o: BackboneWeights): WhisperEncoder {
  return applyTuned(loadWhisperEncoder(checkpointPath(o)).model, WHISPER_BACKBONE, o);
}

provideModel<Backbone>(WHISPER_BACKBONE, {
  // The pad mode changes every hidden state, so it is part of the identity when not the default.
  identity(o: WhisperWeights) {
    const path = requireWeights(WHISPER_BACKBONE, o, WEIGHTS_HINT);
    // An exported graph records the identity (pad mode included) of the checkpoint it came from.
    if (isExportedGraph(path)) return exportedGraph(WHISPER_BACKBONE, path).meta.identity;
    return `${WHISPER_BACKBONE}:${filesIdentity(files(o))}${padOf(o) === 'none' ? '' : `:pad=${padOf(o)}`}`;
  },
  load(o: WhisperWeights) {
    const path = requireWeights(WHISPER_BACKBONE, o, WEIGHTS_HINT);
    if (isExportedGraph(path)) return loadOnce(loaded, `onnx|${filesVersion([path])}`, () => openExportedGraph(WHISPER_BACKBONE, path));
    const pad = padOf(o);
    // The network is shared (engineWhisper) and lives as long as the process.
    return loadOnce(loaded, `${pad}|${filesVersion(files(o))}`, async () => ({
      ...whisperBackbone(WHISPER_BACKBONE, engineWhisper(o), { pad }),
      dispose: async () => {},
    }));
  },
});
