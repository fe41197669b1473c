/**
 * trustser's own file for an APC or TERA network it trained (`trustser pretrain`): one
 * safetensors file whose tensors carry s3prl's entry and module names (`model.…` for APC,
 * `Transformer.…` / `SpecHead.…` for TERA) and whose metadata holds the s3prl upstream config
 * as JSON — so it loads through the same settings validation and strict key check as an s3prl
 * `.ckpt`, and a pre-training run folder (holding {@link PRETRAINED_BACKBONE_FILE}) can be
 * passed as the weights. Also: a freshly initialised network of given settings.
 */
import { noGrad, saveSafetensors, toRaw } from '../../engine/index.js';
import type { StateDict } from '../../tensor-io/index.js';
import { fail } from '../checkpoint-files.js';
import { Apc } from './apc.js';
import { apcConfig, frontEndDims, teraConfig } from './config.js';
import { Tera } from './tera.js';

/** Metadata key holding `{ kind, settings }` (JSON). */
export const S3PRL_SETTINGS_KEY = 'trustser.s3prl';
/** The network file of a pre-training run folder. */
export const PRETRAINED_BACKBONE_FILE = 'backbone.safetensors';
/** Entry name of APC weights in an s3prl checkpoint. */
const APC_ENTRY = 'model';
/** s3prl's `initializer_range` default: TERA's Linear weights start from N(0, 0.02²). */
export const TERA_INIT_STD = 0.02;

export type S3prlKind = 'apc' | 'tera';

/** A JSON settings tree, as an s3prl upstream config holds it. */
export type JsonSettings = { [k: string]: string | number | boolean | null | JsonSettings };

/** The nested Maps the checkpoint reader hands to the settings parsers. */
function toMaps(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return new Map(Object.entries(v).map(([k, x]) => [k, toMaps(x)]));
}

/**
 * A new network of `kind` with s3prl upstream `settings`, initialised as s3prl does before
 * pre-training (APC: PyTorch's defaults; TERA: Linear weights N(0, 0.02²) and zero biases,
 * LayerNorms 1 and 0), with a head (postnet / SpecHead) that predicts the front end's frames.
 * @throws Error naming `label` and the setting at fault.
 */
export function newS3prlNetwork(kind: S3prlKind, settings: JsonSettings, label: string): Apc | Tera {
  const root = { map: toMaps(settings) as Map<unknown, unknown>, path: '', label };
  if (kind === 'apc') return new Apc(apcConfig(root));
  const config = teraConfig(root);
  // The SpecHead reconstructs the transformer's input: front-end frames stacked by the downsample rate.
  const model = new Tera(config, frontEndDims(config.frontEnd) * config.downsampleRate);
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      if (name.endsWith('.bias')) p.zero_();
      else if (p.ndim === 2) p.normal_(0, TERA_INIT_STD);
    }
  });
  return model;
}

/** Writes `model` and its `settings` to `path` (atomically) in the format {@link readNativeS3prl} reads. */
export async function saveS3prlBackbone(path: string, kind: S3prlKind, settings: JsonSettings, model: Apc | Tera): Promise<void> {
  const dict: StateDict = new Map();
  const prefix = kind === 'apc' ? `${APC_ENTRY}.` : '';
  for (const [k, t] of model.stateDict()) dict.set(prefix + k, toRaw(t));
  await saveSafetensors(path, dict, { [S3PRL_SETTINGS_KEY]: JSON.stringify({ kind, settings }) });
}

/**
 * The checkpoint dict of a file {@link saveS3prlBackbone} wrote, laid out as an s3prl `.ckpt`
 * (`Upstream_Config` + `model`, or + `Transformer` / `SpecHead`); null for any other
 * safetensors file.
 */
export function readNativeS3prl(tensors: StateDict, metadata: Record<string, string>, path: string): Map<unknown, unknown> | null {
  const raw = metadata[S3PRL_SETTINGS_KEY];
  if (raw === undefined) return null;
  let meta: { kind?: unknown; settings?: unknown };
  try {
    meta = JSON.parse(raw) as typeof meta;
  } catch {
    fail(path, `its '${S3PRL_SETTINGS_KEY}' metadata is not JSON`);
  }
  if (meta.kind !== 'apc' && meta.kind !== 'tera') fail(path, `its '${S3PRL_SETTINGS_KEY}' metadata names no network ('apc' or 'tera')`);
  const obj = new Map<unknown, unknown>([['Upstream_Config', toMaps(meta.settings)]]);
  const entries = meta.kind === 'apc' ? [APC_ENTRY] : ['Transformer', 'SpecHead'];
  for (const e of entries) {
    const part = new Map([...tensors].filter(([k]) => k.startsWith(`${e}.`)).map(([k, v]) => [k.slice(e.length + 1), v]));
    if (part.size > 0 || e !== 'SpecHead') obj.set(e, part);
  }
  const foreign = [...tensors.keys()].filter((k) => !entries.some((e) => k.startsWith(`${e}.`)));
  if (foreign.length > 0) fail(path, `holds tensors outside ${entries.join(' / ')}: ${foreign.slice(0, 3).join(', ')}`);
  return obj;
}
