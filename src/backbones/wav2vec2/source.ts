/**
 * The Node host of the engine backbones (wav2vec 2.0, HuBERT): weights from the path a user
 * names — trustser ships none and never downloads — loaded once per process and version of
 * the files.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { provideModel, type BackboneWeights } from '../sources.js';
import type { Backbone } from '../types.js';
import { wav2vec2Backbone } from './backbone.js';
import { checkpointFiles, loadWav2Vec2 } from './checkpoint.js';
import { WAV2VEC2_ARCHS, type Wav2Vec2Arch } from './config.js';
import type { Wav2Vec2 } from './model.js';

/** The files' paths, sizes and modification times: files replaced on disk are read again. */
function versionOf(files: readonly string[]): string {
  return files
    .map((f) => {
      const st = statSync(f, { throwIfNoEntry: false });
      return `${f}:${st?.size ?? -1}:${st?.mtimeMs ?? -1}`;
    })
    .join('|');
}

function weightsPath(arch: Wav2Vec2Arch, o: BackboneWeights): string {
  if (o.weights === null)
    throw new Error(
      `backbone '${arch}' needs its weights: pass a checkpoint file or Hugging Face folder (--weights PATH, or features.overrides.weights); trustser never downloads any`,
    );
  return resolve(o.weights);
}

const identities = new Map<string, string>();
const networks = new Map<string, Wav2Vec2>();
const loaded = new Map<string, Promise<Backbone>>();

function identity(arch: Wav2Vec2Arch, o: BackboneWeights): string {
  const files = checkpointFiles(weightsPath(arch, o));
  const version = versionOf(files);
  let id = identities.get(version);
  if (!id) {
    // Hashed file by file, so only one large checkpoint is in memory at a time.
    const h = createHash('sha256');
    for (const f of files) h.update(readFileSync(f));
    id = h.digest('hex');
    identities.set(version, id);
  }
  return id;
}

function isArch(name: string): name is Wav2Vec2Arch {
  return (WAV2VEC2_ARCHS as readonly string[]).includes(name);
}

/**
 * The frozen network of backbone `arch` on the weights `o` names, loaded once per process and
 * version of the files and shared with its {@link Backbone} (the waveform attacks differentiate
 * through it; its parameters need no gradients).
 * @throws Error for an unknown backbone name, missing weights or a bad checkpoint.
 */
export function engineWav2Vec2(arch: string, o: BackboneWeights): Wav2Vec2 {
  if (!isArch(arch)) throw new Error(`'${arch}' is not an engine backbone (known: ${WAV2VEC2_ARCHS.join(', ')})`);
  const path = weightsPath(arch, o);
  const key = `${arch}|${versionOf(checkpointFiles(path))}`;
  let net = networks.get(key);
  if (!net) {
    net = loadWav2Vec2(path, arch).model;
    for (const p of net.parameters()) p.requiresGrad_(false);
    networks.set(key, net);
  }
  return net;
}

for (const arch of WAV2VEC2_ARCHS) {
  provideModel<Backbone>(arch, {
    identity: (o) => `${arch}:${identity(arch, o)}`,
    load(o) {
      const key = `${arch}|${versionOf(checkpointFiles(weightsPath(arch, o)))}`;
      let b = loaded.get(key);
      if (!b) {
        // The network is shared (engineWav2Vec2) and lives as long as the process.
        b = Promise.resolve().then(() => ({ ...wav2vec2Backbone(arch, engineWav2Vec2(arch, o)), dispose: async () => {} }));
        loaded.set(key, b);
        b.catch(() => loaded.delete(key));
      }
      return b;
    },
  });
}
