/**
 * The Node host of the s3prl backbones (`apc`, `tera`): weights from the `.ckpt` (or pre-training
 * run) a user names — trustser ships none and never downloads — loaded once per process and
 * version of the file. A `.onnx` path is a backbone exported by `trustser export`, run by ONNX Runtime.
 */
import { applyTuned, filesIdentity, filesVersion, frozenOnce, loadOnce, requireWeights, withTuned } from '../checkpoint-files.js';
import { exportedGraph, isExportedGraph, openExportedGraph } from '../exported-files.js';
import { provideModel, type BackboneWeights } from '../sources.js';
import type { Backbone } from '../types.js';
import type { Apc } from './apc.js';
import { apcBackbone, teraBackbone } from './backbone.js';
import { loadApc, loadTera, s3prlCheckpointFiles } from './checkpoint.js';
import type { Tera } from './tera.js';

/** The backbone names this host provides. */
const S3PRL_BACKBONES = ['apc', 'tera'] as const;
type S3prlBackboneName = (typeof S3PRL_BACKBONES)[number];

const apcNets = new Map<string, Apc>();
const teraNets = new Map<string, Tera>();
const loaded = new Map<string, Promise<Backbone>>();

/** The weights path `o` names for backbone `name`. */
function weightsPath(name: S3prlBackboneName, o: BackboneWeights): string {
  return requireWeights(name, o, `the s3prl ${name.toUpperCase()} .ckpt file, a \`trustser pretrain\` run folder, or an exported .onnx`);
}

/** The files loading `o`'s weights of backbone `name` reads. */
function files(name: S3prlBackboneName, o: BackboneWeights): string[] {
  const path = weightsPath(name, o);
  if (isExportedGraph(path))
    throw new Error(`${path}: an exported backbone runs on ONNX Runtime only; pass the checkpoint it was exported from`);
  return s3prlCheckpointFiles(path, name);
}

/**
 * The frozen APC network on the weights `o` names, loaded once per process and version of the
 * file and shared with its {@link Backbone} (the waveform attacks differentiate through it).
 * @throws Error for missing weights or a bad checkpoint.
 */
export function engineApc(o: BackboneWeights): Apc {
  return frozenOnce(apcNets, filesVersion(withTuned(files('apc', o), o)), () => newApc(o));
}

/** The frozen TERA network on the weights `o` names (see {@link engineApc}). */
export function engineTera(o: BackboneWeights): Tera {
  return frozenOnce(teraNets, filesVersion(withTuned(files('tera', o), o)), () => newTera(o));
}

/**
 * An APC network of its own (not shared, parameters trainable) on the weights `o` names, its
 * fine-tuned parameters (`o.tuned`) loaded over the checkpoint's: what fine-tuning trains.
 */
export function newApc(o: BackboneWeights): Apc {
  return applyTuned(loadApc(files('apc', o)[0]).model, 'apc', o);
}

/** A TERA network of its own (see {@link newApc}). */
export function newTera(o: BackboneWeights): Tera {
  return applyTuned(loadTera(files('tera', o)[0]).model, 'tera', o);
}

for (const name of S3PRL_BACKBONES) {
  provideModel<Backbone>(name, {
    // An exported graph records the identity of the checkpoint it came from.
    identity(o) {
      const path = weightsPath(name, o);
      return isExportedGraph(path) ? exportedGraph(name, path).meta.identity : `${name}:${filesIdentity(withTuned(files(name, o), o))}`;
    },
    load(o) {
      const path = weightsPath(name, o);
      if (isExportedGraph(path)) return loadOnce(loaded, `${name}|${filesVersion([path])}`, () => openExportedGraph(name, path));
      // The network is shared (engineApc / engineTera) and lives as long as the process.
      return loadOnce(loaded, `${name}|${filesVersion(withTuned(files(name, o), o))}`, async () =>
        name === 'apc'
          ? { ...apcBackbone(name, engineApc(o)), dispose: async () => {} }
          : { ...teraBackbone(name, engineTera(o)), dispose: async () => {} },
      );
    },
  });
}
