/**
 * The pretrained models trustser knows how to open from their files' bytes, the same way in
 * every host: which files each needs (in order), the identity of a set of files (SHA-256 over
 * their bytes, the order above — part of every feature cache key and exported settings key), and
 * a source built from bytes a host already holds. Node reads the files from disk
 * (src/backbones/node.ts); the web app fetches them from the service and provides them here.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { openSileroVad, SILERO_VAD } from './silero-vad.js';
import { provideModel } from './sources.js';
import { openSpeechEmbedding, SPEECH_EMBEDDING } from './speech-embedding.js';
import { EXPORTABLE_BACKBONES, exportedBackboneMeta, openExportedBackbone } from './exported.js';

/** The one file of an engine backbone exported by `trustser export`. */
const EXPORTED_BACKBONE_FILE = 'backbone.onnx';
const isExportedBackbone = (name: string): boolean => EXPORTABLE_BACKBONES.includes(name);

/** An ONNX Runtime module (onnxruntime-node or -web) as every packaged model needs it (int64 tensors included). */
export type PackagedOrt = Parameters<typeof openSileroVad>[0];

/** The files of each packaged model (and of exported engine backbones), in the order its identity hashes them. */
export const PACKAGED_MODEL_FILES: Readonly<Record<string, readonly string[]>> = {
  [SPEECH_EMBEDDING]: ['melspectrogram.onnx', 'embedding_model.onnx'],
  [SILERO_VAD]: ['silero_vad_16k_op15.onnx'],
  ...Object.fromEntries(EXPORTABLE_BACKBONES.map((a) => [a, [EXPORTED_BACKBONE_FILE]])),
};

/** A pretrained model a feature set runs, with the weights option it names (null: the packaged files). */
export interface PretrainedUse {
  name: string;
  weights: string | null;
}

/** The files model `name` needs. @throws Error for a model trustser does not know. */
export function packagedModelFiles(name: string): readonly string[] {
  const files = PACKAGED_MODEL_FILES[name];
  if (!files) throw new Error(`no pretrained model named '${name}' (known: ${Object.keys(PACKAGED_MODEL_FILES).join(', ')})`);
  return files;
}

/** The identity of a model's files: the hex SHA-256 over their bytes, in {@link PACKAGED_MODEL_FILES} order. */
export function modelIdentity(files: readonly Uint8Array[]): string {
  const h = sha256.create();
  for (const f of files) h.update(f);
  return bytesToHex(h.digest());
}

/**
 * Opens model `name` from the bytes of its files (in {@link PACKAGED_MODEL_FILES} order) on the
 * given ONNX Runtime.
 * @throws Error for an unknown model or a wrong number of files.
 */
export function openPackagedModel(
  name: string,
  ort: PackagedOrt,
  files: readonly Uint8Array[],
  sessionOptions: Record<string, unknown> = {},
) {
  const want = packagedModelFiles(name);
  if (files.length !== want.length)
    throw new Error(`model '${name}' needs ${want.length} file(s) (${want.join(', ')}), got ${files.length}`);
  if (name === SPEECH_EMBEDDING) return openSpeechEmbedding(ort, { mel: files[0], embedding: files[1] }, sessionOptions);
  if (isExportedBackbone(name)) return openExportedBackbone(ort, files[0], exportedBackboneMeta(files[0], name), sessionOptions);
  return openSileroVad(ort, files[0], sessionOptions);
}

/**
 * Provides model `name` from file bytes the host holds (whatever weights a feature set names,
 * these are used; the settings key check of an exported model then tells whether they are the
 * ones it was trained with). The model is opened once, on first use.
 */
export function provideModelFromBytes(
  name: string,
  ort: PackagedOrt,
  files: readonly Uint8Array[],
  sessionOptions: Record<string, unknown> = {},
): void {
  packagedModelFiles(name);
  // An exported backbone carries the identity of the checkpoint it was exported from; its
  // metadata is read once (decoding a large graph is not free), for the identity and the opening.
  const meta = isExportedBackbone(name) && files.length === 1 ? exportedBackboneMeta(files[0], name) : null;
  const identity = meta ? meta.identity : modelIdentity(files);
  let opened: Promise<unknown> | null = null;
  provideModel(name, {
    identity: () => identity,
    load() {
      if (!opened) {
        opened = meta ? openExportedBackbone(ort, files[0], meta, sessionOptions) : openPackagedModel(name, ort, files, sessionOptions);
        opened.catch(() => (opened = null));
      }
      return opened;
    },
  });
}
