/**
 * Backbones exported to ONNX by `trustser export` (of a backbone run) and run by ONNX Runtime —
 * `onnxruntime-node` or `onnxruntime-web`, so the same code serves Node and the browser. A
 * graph's metadata carries the architecture (and options) and the identity of the checkpoint it
 * was exported from, so feature settings keyed on that checkpoint still match.
 */
import { onnxMetadata } from './onnx-info.js';
import type { Backbone, OrtLike } from './types.js';
import { WAV2VEC2_ARCHS, type Wav2Vec2Arch, type Wav2Vec2Config } from './wav2vec2/config.js';
import { openExportedWav2Vec2 } from './wav2vec2/onnx.js';
import type { WhisperEncoderConfig } from './whisper/config.js';
import { openExportedWhisper } from './whisper/onnx.js';
import type { WhisperPad } from './whisper/windows.js';
import type { ApcConfig, TeraConfig } from './s3prl/config.js';
import { openExportedApc, openExportedTera } from './s3prl/onnx.js';

/** Metadata key of an exported backbone graph. */
export const EXPORTED_BACKBONE_KEY = 'trustser.backbone';
/** Output of every exported backbone graph: hidden states [L + 1, 1, frames, D]. */
export const EXPORTED_BACKBONE_OUTPUT = 'hidden_states';
/** The backbones `trustser export` can write as graphs. */
export const EXPORTABLE_BACKBONES: readonly string[] = [...WAV2VEC2_ARCHS, 'whisper', 'apc', 'tera'];

interface MetaBase {
  /** Identity of the checkpoint it was exported from (the engine source's identity). */
  identity: string;
  parameters: number;
}

/** What an exported backbone graph records about itself. */
export type ExportedBackboneMeta =
  | (MetaBase & { arch: Wav2Vec2Arch; config: Wav2Vec2Config })
  | (MetaBase & { arch: 'whisper'; config: WhisperEncoderConfig; pad: WhisperPad })
  | (MetaBase & { arch: 'apc'; config: ApcConfig })
  | (MetaBase & { arch: 'tera'; config: TeraConfig });

/**
 * The metadata of an exported backbone graph.
 * @throws Error naming `label` when the bytes are not one (another ONNX model, or not ONNX).
 */
export function exportedBackboneMeta(bytes: Uint8Array, label: string): ExportedBackboneMeta {
  const raw = onnxMetadata(bytes, label)[EXPORTED_BACKBONE_KEY];
  if (raw === undefined) throw new Error(`${label}: not a backbone graph exported by trustser (no '${EXPORTED_BACKBONE_KEY}' metadata)`);
  let meta: ExportedBackboneMeta;
  try {
    meta = JSON.parse(raw) as ExportedBackboneMeta;
  } catch (e) {
    throw new Error(`${label}: unreadable '${EXPORTED_BACKBONE_KEY}' metadata (${(e as Error).message})`);
  }
  if (!EXPORTABLE_BACKBONES.includes(meta.arch) || typeof meta.identity !== 'string' || typeof meta.config !== 'object')
    throw new Error(`${label}: '${EXPORTED_BACKBONE_KEY}' metadata does not describe a ${EXPORTABLE_BACKBONES.join('/')} backbone`);
  return meta;
}

/**
 * Opens an exported backbone graph on an ONNX Runtime module.
 * @param sessionOptions - passed to the session (e.g. `{ intraOpNumThreads: 1 }`).
 */
export function openExportedBackbone(
  ort: OrtLike,
  bytes: Uint8Array,
  meta: ExportedBackboneMeta,
  sessionOptions: Record<string, unknown> = {},
): Promise<Backbone> {
  switch (meta.arch) {
    case 'whisper':
      return openExportedWhisper(ort, bytes, meta.config, meta.parameters, meta.pad, sessionOptions);
    case 'apc':
      return openExportedApc(ort, bytes, meta.config, meta.parameters, sessionOptions);
    case 'tera':
      return openExportedTera(ort, bytes, meta.config, meta.parameters, sessionOptions);
    default:
      return openExportedWav2Vec2(ort, bytes, meta.arch, meta.config, meta.parameters, sessionOptions);
  }
}
