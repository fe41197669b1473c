/**
 * The Node side of exported backbone graphs: which weights paths are such graphs, and reading
 * them (cached per version of the file) for the engine backbones' sources.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { filesVersion } from './checkpoint-files.js';
import { exportedBackboneMeta, openExportedBackbone, type ExportedBackboneMeta } from './exported.js';
import type { Backbone } from './types.js';

const ONNX_SUFFIX = '.onnx';
/** A staged export: the project's temporary name of a `.onnx` file (`.model.backbone.onnx.HOST.PID.RANDOM.tmp`), read while the export verifies it. */
const STAGED_ONNX = /\.onnx\.[^/]+\.tmp$/;

const graphs = new Map<string, { bytes: Uint8Array; meta: ExportedBackboneMeta }>();

/** Whether weights at `path` are a graph `trustser export` wrote (rather than a checkpoint). */
export function isExportedGraph(path: string): boolean {
  return path.endsWith(ONNX_SUFFIX) || STAGED_ONNX.test(path);
}

/**
 * The exported graph at `path`, checked to be of backbone `name`.
 * @throws Error naming the file for another backbone's graph or a file that is not one.
 */
export function exportedGraph(name: string, path: string): { bytes: Uint8Array; meta: ExportedBackboneMeta } {
  const key = filesVersion([path]);
  let e = graphs.get(key);
  if (!e) {
    if (!existsSync(path)) throw new Error(`${path}: no such file (the backbone graph \`trustser export\` writes beside the model)`);
    const bytes = new Uint8Array(readFileSync(path));
    e = { bytes, meta: exportedBackboneMeta(bytes, path) };
    graphs.set(key, e);
  }
  if (e.meta.arch !== name) throw new Error(`${path}: an exported ${e.meta.arch} backbone, not ${name}`);
  return e;
}

/** Opens the exported graph at `path` on onnxruntime-node (one intra-op thread: feature extraction runs one backbone per worker thread). */
export function openExportedGraph(name: string, path: string): Promise<Backbone> {
  const { bytes, meta } = exportedGraph(name, path);
  return openExportedBackbone(ort, bytes, meta, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
}
