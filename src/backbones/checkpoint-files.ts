/**
 * What the engine backbones' checkpoint loaders and Node hosts share: one-line errors naming the
 * file, a Hugging Face folder's weight files, the strict load of mapped tensors into a network,
 * and the weights' version (paths, sizes, modification times) and identity (SHA-256 of the files).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { nn } from '../engine/index.js';
import { readTensorFile, toStateDict, type StateDict } from '../tensor-io/index.js';
import type { BackboneWeights } from './sources.js';

/** Problems listed in an error before "… and N more". */
const MAX_LISTED = 4;
/** A Hugging Face model folder's settings and weight files (one file, or an index of shards). */
export const HF_CONFIG = 'config.json';
const HF_WEIGHTS = ['model.safetensors', 'pytorch_model.bin'];
const HF_INDEX_SUFFIX = '.index.json';

/** Throws `${label}: ${msg}`. */
export function fail(label: string, msg: string): never {
  throw new Error(`${label}: ${msg}`);
}

/** The first items, then "… and N more". */
export function listed(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} … and ${items.length - MAX_LISTED} more` : shown;
}

/** A JSON object from `file`; errors name the file. */
export function readJsonObject(file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(file, `cannot read JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, 'is not a JSON object');
  return v as Record<string, unknown>;
}

/** A pickled dict as a Map, or null. */
export function asMap(v: unknown): ReadonlyMap<unknown, unknown> | null {
  return v instanceof Map ? v : null;
}

/** The tensors of a safetensors file or of a pickled state dict. */
function readStateDict(file: string): StateDict {
  const t = readTensorFile(file);
  return t.format === 'safetensors' ? t.tensors : toStateDict(t.object, file);
}

/** The weight files of a Hugging Face folder: one file, or the shard index followed by its shards. */
export function huggingFaceWeights(dir: string): string[] {
  const weights = HF_WEIGHTS.map((f) => join(dir, f));
  const single = weights.find((f) => existsSync(f));
  if (single) return [single];
  const index = weights.map((f) => f + HF_INDEX_SUFFIX).find((f) => existsSync(f));
  if (!index) fail(dir, `holds no weights (${HF_WEIGHTS.join(' or ')}, or their ${HF_INDEX_SUFFIX} for shards)`);
  const map = readJsonObject(index).weight_map;
  if (typeof map !== 'object' || map === null) fail(index, "has no 'weight_map'");
  return [index, ...[...new Set(Object.values(map as Record<string, unknown>).map(String))].map((f) => join(dir, f))];
}

/** The tensors of a Hugging Face folder's weight files (shards merged), and the label errors use. */
export function readHuggingFaceTensors(dir: string, found: readonly string[]): { dict: StateDict; label: string } {
  const files = found.filter((f) => !f.endsWith(HF_INDEX_SUFFIX));
  const dict: StateDict = new Map();
  for (const f of files) for (const [k, v] of readStateDict(f)) dict.set(k, v);
  return { dict, label: files.length === 1 ? files[0] : dir };
}

/**
 * Loads `dict` (the network's own names) into `model` strictly: every tensor present with the
 * shape the settings give, none left over; otherwise disposes the model and throws one error
 * naming `label` and listing the problems. `optional` names tensors a checkpoint may leave out
 * (the model keeps its own values).
 */
export function loadStrict<M extends nn.Module>(
  model: M,
  dict: StateDict,
  label: string,
  what: string,
  optional: readonly string[] = [],
): M {
  const own = model.stateDict();
  const problems: string[] = [];
  for (const [name, t] of own) {
    const src = dict.get(name);
    if (!src) {
      if (!optional.includes(name)) problems.push(`missing '${name}'`);
    } else if (src.shape.join(',') !== t.shape.join(','))
      problems.push(`'${name}' is [${src.shape.join(', ')}] but the config needs [${t.shape.join(', ')}]`);
    else if (src.dtype !== 'float32' && src.dtype !== 'float64') problems.push(`'${name}' is ${src.dtype}, not floating point`);
  }
  for (const name of dict.keys()) if (!own.has(name)) problems.push(`unexpected '${name}'`);
  if (problems.length > 0) {
    model.dispose();
    fail(label, `the tensors do not match the ${what} of its config: ${listed(problems)}`);
  }
  model.loadStateDict(dict, optional.length === 0);
  return model;
}

/** Metadata key of a fine-tuned backbone file; its value is the backbone's name. */
export const TUNED_BACKBONE_KEY = 'trustser.tuned-backbone';

/** The resolved path of `o`'s fine-tuned network file, or null when it names none. */
function tunedPath(o: BackboneWeights): string | null {
  return typeof o.tuned === 'string' ? resolve(o.tuned) : null;
}

/** `files` plus `o`'s fine-tuned network file, if any: what a backbone's identity and version cover. */
export function withTuned(files: readonly string[], o: BackboneWeights): string[] {
  const t = tunedPath(o);
  return t === null ? [...files] : [...files, t];
}

/**
 * `net` with the fine-tuned parameters `o.tuned` names loaded over the checkpoint's (strictly:
 * the same tensors, names and shapes), or `net` itself when `o` names none.
 * @throws Error naming the tuned file when it is missing, not a tuned `name` backbone, or does not fit `net`.
 */
export function applyTuned<M extends nn.Module>(net: M, name: string, o: BackboneWeights): M {
  const path = tunedPath(o);
  if (path === null) return net;
  if (!existsSync(path)) {
    net.dispose();
    fail(path, "no such file (a run fold's fine-tuned backbone)");
  }
  const t = readTensorFile(path);
  if (t.format !== 'safetensors' || t.metadata[TUNED_BACKBONE_KEY] !== name) {
    net.dispose();
    fail(path, `is not a fine-tuned '${name}' backbone written by trustser`);
  }
  return loadStrict(net, t.tensors, path, `'${name}' network`);
}

/** The files' paths, sizes and modification times: files replaced on disk are read again. */
export function filesVersion(files: readonly string[]): string {
  return files
    .map((f) => {
      const st = statSync(f, { throwIfNoEntry: false });
      return `${f}:${st?.size ?? -1}:${st?.mtimeMs ?? -1}`;
    })
    .join('|');
}

/**
 * The resolved weights path of backbone `name`.
 * @param what - what to pass, for the error when none is given (e.g. "a checkpoint file or Hugging Face folder").
 */
export function requireWeights(name: string, o: BackboneWeights, what: string): string {
  if (o.weights === null)
    throw new Error(
      `backbone '${name}' needs its weights: pass ${what} (--weights PATH, or features.overrides.weights); trustser never downloads any`,
    );
  return resolve(o.weights);
}

const identities = new Map<string, string>();

/** SHA-256 (hex) of the files, hashed file by file (one large checkpoint in memory at a time), cached per version. */
export function filesIdentity(files: readonly string[]): string {
  const version = filesVersion(files);
  let id = identities.get(version);
  if (!id) {
    const h = createHash('sha256');
    for (const f of files) h.update(readFileSync(f));
    id = h.digest('hex');
    identities.set(version, id);
  }
  return id;
}

/** `load()`'s network, made once per `key` (a version of its files), its parameters frozen. */
export function frozenOnce<M extends nn.Module>(cache: Map<string, M>, key: string, load: () => M): M {
  let net = cache.get(key);
  if (!net) {
    net = load();
    for (const p of net.parameters()) p.requiresGrad_(false);
    cache.set(key, net);
  }
  return net;
}

/** The cached promise of `key`, made by `load()` on first use and forgotten if it fails. */
export function loadOnce<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
