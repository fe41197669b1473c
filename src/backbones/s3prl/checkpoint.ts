/**
 * Loading s3prl upstream checkpoints (`.ckpt`: a torch pickle read without executing code) into
 * the engine networks, in s3prl v0.4's layouts:
 *
 * | network | settings | weights |
 * |---|---|---|
 * | APC | `config` (the APC upstream's), or `Upstream_Config` (s3prl's pre-training runner) | `model` |
 * | TERA | `Upstream_Config`, or `Config` when it holds `transformer` (older checkpoints) | `Transformer`, `SpecHead` (optional) |
 *
 * Other entries (`Optimizer`, `Step`, `Args`, the runner's `Config`) are ignored. `module.`
 * prefixes (DataParallel) are stripped, TF-style `gamma`/`beta` LayerNorm names are renamed as
 * s3prl does, and pre-LN alias names are folded into one module. Missing, unexpected or
 * mis-shaped tensors are listed in one error naming the file.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readTensorFile, toStateDict, type RawTensor, type StateDict } from '../../tensor-io/index.js';
import { asMap, fail, listed, loadStrict } from '../checkpoint-files.js';
import { Apc } from './apc.js';
import { apcConfig, teraConfig, type ApcLayout } from './config.js';
import { Tera } from './tera.js';
import { PRETRAINED_BACKBONE_FILE, readNativeS3prl, type S3prlKind } from './native.js';

/** Problems listed in an error before "… and N more". */
const DATA_PARALLEL_PREFIX = 'module.';

/** A loaded APC network and what it was read from. */
export interface LoadedApc {
  model: Apc;
  layout: ApcLayout;
  /** Every file read, for the weights' identity. */
  files: string[];
}

/** Where a TERA checkpoint keeps its upstream config. */
type TeraLayout = 'Upstream_Config' | 'Config';

export interface LoadedTera {
  model: Tera;
  layout: TeraLayout;
  files: string[];
}

type Kind = S3prlKind;

/** What a checkpoint's top-level entries say it is, for "not a … checkpoint" messages. */
function describe(obj: ReadonlyMap<unknown, unknown> | null): string {
  if (!obj) return 'not a dict of entries';
  if (obj.has('Transformer')) return 'an s3prl TERA / Mockingjay checkpoint';
  const model = asMap(obj.get('model'));
  if (model && (obj.has('config') || obj.has('Upstream_Config'))) return 'an s3prl APC checkpoint';
  if (model && (obj.has('cfg') || obj.has('args'))) return 'a fairseq checkpoint (e.g. wav2vec 2.0 / HuBERT)';
  const keys = [...obj.keys()].map(String);
  if (keys.some((k) => k.startsWith('encoder.transformer.') || k.startsWith('feature_extractor.')))
    return 'a wav2vec 2.0 / HuBERT state dict';
  return `a file with entries ${listed(keys.map((k) => `'${k}'`)) || 'none'}`;
}

/**
 * The file a weights path names: itself, or the {@link PRETRAINED_BACKBONE_FILE} of a
 * pre-training run folder.
 */
function checkpointPath(path: string, kind: Kind): string {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) fail(path, 'no such file');
  if (!st.isDirectory()) return path;
  const inside = join(path, PRETRAINED_BACKBONE_FILE);
  if (!existsSync(inside))
    fail(
      path,
      `is a folder without ${PRETRAINED_BACKBONE_FILE}; pass the s3prl ${kind.toUpperCase()} .ckpt file or a \`trustser pretrain\` run folder`,
    );
  return inside;
}

/** Reads the checkpoint's top-level dict, checking it is an s3prl checkpoint of `kind`. */
function readCheckpoint(file: string, kind: Kind): ReadonlyMap<unknown, unknown> {
  const t = readTensorFile(file);
  const obj = t.format === 'pth' ? asMap(t.object) : readNativeS3prl(t.tensors, t.metadata, file);
  const what = t.format === 'safetensors' && !obj ? 'a safetensors file' : describe(obj);
  const isTera = obj?.has('Transformer') === true;
  const isApc = !isTera && asMap(obj?.get('model')) !== null && (obj?.has('config') || obj?.has('Upstream_Config')) === true;
  if (!obj || (kind === 'apc' ? !isApc : !isTera)) {
    const hint = kind === 'apc' && isTera ? " (load it as 'tera')" : kind === 'tera' && isApc ? " (load it as 'apc')" : '';
    fail(file, `not an s3prl ${kind === 'apc' ? 'APC' : 'TERA'} checkpoint: it is ${what}${hint}`);
  }
  return obj;
}

function stripPrefix(dict: StateDict, prefix: string): StateDict {
  const all = [...dict.keys()];
  if (all.length === 0 || !all.every((k) => k.startsWith(prefix))) return dict;
  return new Map([...dict].map(([k, v]) => [k.slice(prefix.length), v]));
}

/**
 * Loads an s3prl APC checkpoint (`apc_360hr`, `apc_960hr`, or one s3prl's runner saved) into the
 * engine, in eval mode.
 * @throws Error naming the file: missing, unreadable or truncated files; another network's
 *   checkpoint; settings missing or unsupported (naming the key); tensors that do not match them.
 */
export function loadApc(file: string): LoadedApc {
  const path = checkpointPath(file, 'apc');
  const obj = readCheckpoint(path, 'apc');
  const layout: ApcLayout = obj.has('config') ? 'config' : 'Upstream_Config';
  const root = asMap(obj.get(layout));
  if (!root) fail(path, `'${layout}' must be a dict of settings`);
  const config = apcConfig({ map: root, path: '', label: path });
  const weights = stripPrefix(toStateDict(obj.get('model'), `${path} ('model')`), DATA_PARALLEL_PREFIX);
  const what = `APC (${config.numLayers} GRU layers of ${config.hiddenSize} over ${config.inputDim} features)`;
  return { model: loadStrict(new Apc(config), weights, path, what), layout, files: [path] };
}

/** TF-style LayerNorm names (gamma, beta) → weight, bias, as s3prl renames them on load. */
function tfNames(k: string): string {
  return k.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
}

/** Pre-LN aliases → the one name the engine module has. */
const PRE_LN_ALIASES: [RegExp, string][] = [
  [/^(encoder\.layer\.\d+)\.attention\.LayerNorm\.(weight|bias)$/, '$1.attention.output.LayerNorm.$2'],
  [/^(encoder\.layer\.\d+)\.LayerNorm\.(weight|bias)$/, '$1.output.LayerNorm.$2'],
];

function sameData(a: RawTensor, b: RawTensor): boolean {
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** A checkpoint entry's tensors under `prefix`, with s3prl's renames applied. */
function teraEntry(entry: unknown, name: string, prefix: string, label: string): StateDict {
  const dict = stripPrefix(toStateDict(entry, `${label} ('${name}')`), DATA_PARALLEL_PREFIX);
  const out: StateDict = new Map();
  const aliases: [string, string, RawTensor][] = [];
  for (const [raw, v] of dict) {
    const k = tfNames(raw);
    const rule = PRE_LN_ALIASES.find(([re]) => re.test(k));
    if (rule) aliases.push([raw, k.replace(rule[0], rule[1]), v]);
    else out.set(prefix + k, v);
  }
  for (const [raw, to, v] of aliases) {
    const have = out.get(prefix + to);
    if (!have) out.set(prefix + to, v);
    else if (!sameData(have, v)) fail(label, `'${name}.${raw}' differs from '${name}.${to}', which it aliases in s3prl's pre-LN layers`);
  }
  return out;
}

/**
 * Loads an s3prl TERA checkpoint (`tera_960hr`, `tera_logMelBase_…`, the fbank models, or one
 * s3prl's runner saved) into the engine, in eval mode, with its SpecHead when it has one.
 * @throws Error naming the file: as {@link loadApc}.
 */
export function loadTera(file: string): LoadedTera {
  const path = checkpointPath(file, 'tera');
  const obj = readCheckpoint(path, 'tera');
  const legacy = asMap(obj.get('Config'));
  const layout: TeraLayout = legacy?.has('transformer') ? 'Config' : 'Upstream_Config';
  const root = asMap(obj.get(layout));
  if (!root) fail(path, `has no TERA settings ('Upstream_Config', or 'Config' with 'transformer')`);
  const config = teraConfig({ map: root, path: '', label: path });
  const dict = teraEntry(obj.get('Transformer'), 'Transformer', 'Transformer.', path);
  const head = obj.get('SpecHead');
  const headDict = head === undefined || head === null ? new Map() : teraEntry(head, 'SpecHead', 'SpecHead.', path);
  for (const [k, v] of headDict) dict.set(k, v);
  const out = headDict.get('SpecHead.output.weight');
  const specHeadDim = headDict.size === 0 ? null : out && out.shape.length === 2 ? out.shape[0] : 0;
  if (specHeadDim === 0) fail(path, "'SpecHead' has no 2-D 'output.weight', so its output width is unknown");
  const c = config;
  const what = `TERA (${c.numLayers} ${c.preLayerNorm ? 'pre' : 'post'}-LN layers of ${c.hiddenSize} over ${c.downsampleRate} × the front end's features)`;
  return { model: loadStrict(new Tera(config, specHeadDim), dict, path, what), layout, files: [path] };
}

/**
 * The files loading `path` reads, for the weights' identity: the `.ckpt` itself (s3prl
 * checkpoints carry their settings), or a pre-training run folder's network file.
 * @throws Error when the path does not exist, or is a folder without a network file.
 */
export function s3prlCheckpointFiles(path: string, kind: Kind): string[] {
  return [checkpointPath(path, kind)];
}
