/**
 * Exporting the backbone of a backbone run: the engine network (wav2vec 2.0 / HuBERT / WavLM,
 * Whisper's encoder, APC or TERA)
 * as its own ONNX graph beside the model (`<model>.backbone.onnx`), whose metadata records the
 * architecture and the identity of the checkpoint — the runtime's feature set then runs it on
 * ONNX Runtime (Node or browser) with the settings key of the checkpoint it replaces.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  EXPORTABLE_BACKBONES,
  EXPORTED_BACKBONE_KEY,
  WAV2VEC2_ARCHS,
  backboneSource,
  engineApc,
  engineTera,
  engineWav2Vec2,
  engineWhisper,
  type ExportedBackboneMeta,
  teraMaxFrames,
  type PretrainedUse,
  type Wav2Vec2Arch,
  type WhisperWeights,
} from '../../backbones/index.js';
import { packageVersion, tempPathFor } from '../../core/index.js';
import { toRawDict } from '../../engine/index.js';
import type { GraphBuilder } from '../onnx/index.js';
import { exportWav2Vec2Graph } from './wav2vec2.js';
import { exportWhisperGraph } from './whisper.js';
import { exportApcGraph, exportTeraGraph } from './s3prl.js';

const BACKBONE_SUFFIX = '.backbone.onnx';
const MODEL_SUFFIX = '.onnx';

/** An exported backbone graph written under a temporary name until the export is verified. */
export interface StagedBackbone {
  /** Where it is now (absolute), for the verification. */
  tempPath: string;
  /** Its final name, relative to the model's folder (the sidecar's `features.backboneFile`). */
  file: string;
  /** Moves it to its final name beside the model (atomically: one rename); returns that path. */
  commit(): string;
  /** Removes it, if still staged (a failed export). */
  discard(): void;
}

/** The backbone file of model `modelPath`: `model.onnx` → `model.backbone.onnx`. */
export function backbonePath(modelPath: string): string {
  const stem = modelPath.endsWith(MODEL_SUFFIX) ? modelPath.slice(0, -MODEL_SUFFIX.length) : modelPath;
  return stem + BACKBONE_SUFFIX;
}

function isWav2Vec2(name: string): name is Wav2Vec2Arch {
  return (WAV2VEC2_ARCHS as readonly string[]).includes(name);
}

/** The graph of backbone `use` (an exportable one) and what it records about itself. */
function backboneGraph(use: PretrainedUse): { graph: GraphBuilder; meta: ExportedBackboneMeta } {
  const identity = backboneSource(use.name).identity(use);
  if (isWav2Vec2(use.name)) {
    const net = engineWav2Vec2(use.name, use);
    const graph = exportWav2Vec2Graph(net.config, toRawDict(net.stateDict()), use.name);
    return { graph, meta: { arch: use.name, config: net.config, identity, parameters: net.numParameters() } };
  }
  if (use.name === 'apc') {
    const net = engineApc(use);
    const graph = exportApcGraph(net.config, toRawDict(net.stateDict()), use.name);
    return { graph, meta: { arch: 'apc', config: net.config, identity, parameters: net.encoderParameters() } };
  }
  if (use.name === 'tera') {
    const net = engineTera(use);
    const graph = exportTeraGraph(net.config, net.inputDim, toRawDict(net.stateDict()), teraMaxFrames('tera', net.config), use.name);
    return { graph, meta: { arch: 'tera', config: net.config, identity, parameters: net.encoderParameters() } };
  }
  const net = engineWhisper(use);
  const pad = (use as WhisperWeights).pad ?? 'none';
  const graph = exportWhisperGraph(net.config, toRawDict(net.stateDict()), use.name);
  return { graph, meta: { arch: 'whisper', config: net.config, pad, identity, parameters: net.numParameters() } };
}

/**
 * Builds the graph of backbone `use` and writes it next to `modelPath` under a temporary name.
 * @throws Error naming `label` for a backbone that is not an engine backbone.
 */
export function stageBackbone(use: PretrainedUse, modelPath: string, label: string): StagedBackbone {
  if (!EXPORTABLE_BACKBONES.includes(use.name))
    throw new Error(`${label}: backbone '${use.name}' has no ONNX exporter (exportable backbones: ${EXPORTABLE_BACKBONES.join(', ')})`);
  const { graph, meta } = backboneGraph(use);
  const bytes = graph.serialize({
    producerName: 'trustser',
    producerVersion: packageVersion(),
    docString: `${use.name} backbone exported from ${use.weights}`,
    metadata: { [EXPORTED_BACKBONE_KEY]: JSON.stringify(meta) },
  });
  const final = backbonePath(modelPath);
  // The project's temporary name (removed as stale if the process dies), renamed once verified.
  const tempPath = tempPathFor(final);
  mkdirSync(dirname(final), { recursive: true });
  writeFileSync(tempPath, bytes, { flag: 'wx' });
  return {
    tempPath,
    file: basename(final),
    commit() {
      renameSync(tempPath, final);
      return final;
    },
    discard() {
      rmSync(tempPath, { force: true });
    },
  };
}
