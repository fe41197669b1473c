/**
 * Loading wav2vec 2.0 / HuBERT checkpoints in the formats users have — a Hugging Face folder
 * (`config.json` + `model.safetensors` or `pytorch_model.bin`, sharded or not), a fairseq `.pt`
 * (weights + `cfg`/`args`), a torchaudio state dict (`.pth`, with an optional `<name>.json` of
 * `wav2vec2_model` arguments beside it) — into the engine network. Every format's tensor names
 * are mapped to torchaudio's; the weight-normed positional conv is merged into one kernel.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { readTensorFile, toStateDict, type RawTensor, type StateDict } from '../../tensor-io/index.js';
import {
  configFromFairseq,
  configFromHuggingFace,
  configFromShapes,
  configFromTorchaudio,
  type Wav2Vec2Arch,
  type Wav2Vec2Config,
} from './config.js';
import { Wav2Vec2 } from './model.js';

/** The checkpoint formats read. */
export type CheckpointFormat = 'huggingface' | 'fairseq' | 'torchaudio';

/** Problems listed in an error before "… and N more". */
const MAX_LISTED = 4;
const HF_CONFIG = 'config.json';
const HF_WEIGHTS = ['model.safetensors', 'pytorch_model.bin'];
const HF_INDEX_SUFFIX = '.index.json';
/** Model prefixes of Hugging Face task heads (`Wav2Vec2ForCTC` keeps the body under `wav2vec2.`). */
const HF_BODY_PREFIXES = ['wav2vec2.', 'hubert.'];
/** Tensors of pre-training or task heads, which a backbone does not use. */
const HF_HEADS =
  /^(masked_spec_embed|quantizer\.|project_q\.|project_hid\.|lm_head\.|classifier\.|projector\.|layer_weights|label_embeddings_concat|final_proj\.|dropout_features)/;
const FAIRSEQ_BODY_PREFIXES = ['w2v_encoder.w2v_model.', 'w2v_model.'];
const FAIRSEQ_HEADS = /^(mask_emb|quantizer\.|project_q\.|final_proj\.|label_embs_concat|proj\.|w2v_encoder\.proj\.)/;
const TORCHAUDIO_HEADS = /^(aux\.|mask_generator\.|logit_generator\.)/;

/** A loaded network and what it was read from. */
export interface LoadedWav2Vec2 {
  model: Wav2Vec2;
  format: CheckpointFormat;
  /** Every file read (config first), for the weights' identity. */
  files: string[];
}

function fail(label: string, msg: string): never {
  throw new Error(`${label}: ${msg}`);
}

function readJson(file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(file, `cannot read JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, 'is not a JSON object');
  return v as Record<string, unknown>;
}

function stripPrefix<T>(dict: ReadonlyMap<string, T>, prefixes: readonly string[]): Map<string, T> {
  for (const p of prefixes)
    if ([...dict.keys()].some((k) => k.startsWith(p))) {
      return new Map([...dict].map(([k, v]) => [k.startsWith(p) ? k.slice(p.length) : k, v]));
    }
  return new Map(dict);
}

function list(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} … and ${items.length - MAX_LISTED} more` : shown;
}

/** Renames with `map` (null = a known head, dropped); names `map` does not know are an error. */
function rename(dict: StateDict, map: (k: string) => string | null | undefined, what: string, label: string): StateDict {
  const out: StateDict = new Map();
  const unknown: string[] = [];
  for (const [k, v] of dict) {
    const to = map(k);
    if (to === undefined) unknown.push(`'${k}'`);
    else if (to !== null) out.set(to, v);
  }
  if (unknown.length > 0) fail(label, `not a ${what} wav2vec 2.0 / HuBERT checkpoint: unexpected tensors ${list(unknown)}`);
  return out;
}

/** Hugging Face names → torchaudio's. */
function fromHuggingFaceKey(k: string): string | null | undefined {
  if (HF_HEADS.test(k)) return null;
  const key = k
    .replace('conv.parametrizations.weight.original0', 'conv.weight_g')
    .replace('conv.parametrizations.weight.original1', 'conv.weight_v');
  if (key.startsWith('feature_extractor.')) return key;
  if (key.startsWith('feature_projection.')) return `encoder.${key}`;
  if (key.startsWith('encoder.')) return `encoder.transformer.${key.slice('encoder.'.length)}`;
  return undefined;
}

const FAIRSEQ_RULES: [RegExp, string][] = [
  [/^feature_extractor\.conv_layers\.(\d+)\.0\.(weight|bias)$/, 'feature_extractor.conv_layers.$1.conv.$2'],
  [/^feature_extractor\.conv_layers\.(\d+)\.2\.(?:1\.)?(weight|bias)$/, 'feature_extractor.conv_layers.$1.layer_norm.$2'],
  [/^post_extract_proj\.(weight|bias)$/, 'encoder.feature_projection.projection.$1'],
  [/^layer_norm\.(weight|bias)$/, 'encoder.feature_projection.layer_norm.$1'],
  [/^encoder\.pos_conv\.0\.(bias|weight_g|weight_v)$/, 'encoder.transformer.pos_conv_embed.conv.$1'],
  [/^encoder\.layer_norm\.(weight|bias)$/, 'encoder.transformer.layer_norm.$1'],
  [/^encoder\.layers\.(\d+)\.self_attn\.((?:k|v|q|out)_proj\.(?:weight|bias))$/, 'encoder.transformer.layers.$1.attention.$2'],
  [/^encoder\.layers\.(\d+)\.self_attn_layer_norm\.(weight|bias)$/, 'encoder.transformer.layers.$1.layer_norm.$2'],
  [/^encoder\.layers\.(\d+)\.fc1\.(weight|bias)$/, 'encoder.transformer.layers.$1.feed_forward.intermediate_dense.$2'],
  [/^encoder\.layers\.(\d+)\.fc2\.(weight|bias)$/, 'encoder.transformer.layers.$1.feed_forward.output_dense.$2'],
  [/^encoder\.layers\.(\d+)\.final_layer_norm\.(weight|bias)$/, 'encoder.transformer.layers.$1.final_layer_norm.$2'],
];

/** fairseq names → torchaudio's (the same mapping as torchaudio's importer). */
function fromFairseqKey(k: string): string | null | undefined {
  if (FAIRSEQ_HEADS.test(k)) return null;
  for (const [re, to] of FAIRSEQ_RULES) if (re.test(k)) return k.replace(re, to);
  return undefined;
}

function fromTorchaudioKey(k: string): string | null | undefined {
  if (TORCHAUDIO_HEADS.test(k)) return null;
  return k.startsWith('feature_extractor.') || k.startsWith('encoder.') ? k : undefined;
}

/** Merges a weight-normed kernel (g [1, 1, K], v [O, I, K], norm over O and I per k) into `weight`. */
function mergeWeightNorm(dict: StateDict, prefix: string, label: string): void {
  const g = dict.get(`${prefix}.weight_g`);
  const v = dict.get(`${prefix}.weight_v`);
  if (!g && !v) return;
  if (!g || !v) fail(label, `'${prefix}' has only one of weight_g and weight_v`);
  const [o, i, k] = v.shape;
  if (v.shape.length !== 3 || g.data.length !== k || v.dtype !== 'float32' || g.dtype !== 'float32')
    fail(
      label,
      `'${prefix}.weight_g' [${g.shape.join(', ')}] and weight_v [${v.shape.join(', ')}] are not a float32 weight norm over dim 2`,
    );
  const vd = v.data as Float32Array;
  const out = new Float32Array(vd.length);
  for (let t = 0; t < k; t++) {
    let ss = 0;
    for (let j = 0; j < o * i; j++) ss += vd[j * k + t] ** 2;
    const scale = (g.data as Float32Array)[t] / Math.sqrt(ss);
    for (let j = 0; j < o * i; j++) out[j * k + t] = vd[j * k + t] * scale;
  }
  dict.delete(`${prefix}.weight_g`);
  dict.delete(`${prefix}.weight_v`);
  dict.set(`${prefix}.weight`, { dtype: 'float32', shape: [o, i, k], data: out } satisfies RawTensor);
}

const POS_CONV = 'encoder.transformer.pos_conv_embed.conv';

/** Builds the network and loads `dict` (torchaudio names) strictly; errors name `label`. */
function build(config: Wav2Vec2Config, dict: StateDict, label: string): Wav2Vec2 {
  if (dict.has(`${POS_CONV}.weight_v`) && !dict.has(`${POS_CONV}.weight_g`)) fail(label, `'${POS_CONV}.weight_g' is missing`);
  mergeWeightNorm(dict, POS_CONV, label);
  const model = new Wav2Vec2(config);
  const own = model.stateDict();
  const problems: string[] = [];
  for (const [name, t] of own) {
    const src = dict.get(name);
    if (!src) problems.push(`missing '${name}'`);
    else if (src.shape.join(',') !== t.shape.join(','))
      problems.push(`'${name}' is [${src.shape.join(', ')}] but the config needs [${t.shape.join(', ')}]`);
  }
  for (const name of dict.keys()) if (!own.has(name)) problems.push(`unexpected '${name}'`);
  if (problems.length > 0) {
    model.dispose();
    fail(label, `the tensors do not match the ${config.arch} architecture of its config: ${list(problems)}`);
  }
  model.loadStateDict(dict);
  return model;
}

function asDict(v: unknown): ReadonlyMap<unknown, unknown> | null {
  return v instanceof Map ? v : null;
}

/** The weight files of a Hugging Face folder: one file, or the shard index followed by its shards. */
function huggingFaceWeights(dir: string): string[] {
  const weights = HF_WEIGHTS.map((f) => join(dir, f));
  const single = weights.find((f) => existsSync(f));
  if (single) return [single];
  const index = weights.map((f) => f + HF_INDEX_SUFFIX).find((f) => existsSync(f));
  if (!index) fail(dir, `holds no weights (${HF_WEIGHTS.join(' or ')}, or their ${HF_INDEX_SUFFIX} for shards)`);
  const map = readJson(index).weight_map;
  if (typeof map !== 'object' || map === null) fail(index, "has no 'weight_map'");
  return [index, ...[...new Set(Object.values(map as Record<string, unknown>).map(String))].map((f) => join(dir, f))];
}

/** The `<name>.json` of `wav2vec2_model` arguments that may sit beside a torchaudio state dict. */
function torchaudioSettingsFile(file: string): string {
  return join(dirname(file), `${basename(file, extname(file))}.json`);
}

/** A Hugging Face folder, with its weights file named or found. */
function loadHuggingFaceDir(dir: string, weightsFile?: string): LoadedWav2Vec2 {
  const configFile = join(dir, HF_CONFIG);
  if (!existsSync(configFile)) fail(dir, `a Hugging Face model folder needs ${HF_CONFIG}`);
  const config = configFromHuggingFace(readJson(configFile), configFile);
  const found = weightsFile ? [weightsFile] : huggingFaceWeights(dir);
  const files = found.filter((f) => !f.endsWith(HF_INDEX_SUFFIX));
  const dict: StateDict = new Map();
  for (const f of files) for (const [k, v] of readStateDict(f)) dict.set(k, v);
  const label = files.length === 1 ? files[0] : dir;
  const mapped = rename(stripPrefix(dict, HF_BODY_PREFIXES), fromHuggingFaceKey, 'Hugging Face', label);
  return { model: build(config, mapped, label), format: 'huggingface', files: [configFile, ...found] };
}

function readStateDict(file: string): StateDict {
  const t = readTensorFile(file);
  return t.format === 'safetensors' ? t.tensors : toStateDict(t.object, file);
}

function loadFairseq(file: string, ckpt: ReadonlyMap<unknown, unknown>): LoadedWav2Vec2 {
  const cfg = asDict(ckpt.get('cfg'));
  let settings = asDict(cfg?.get('model')) ?? asDict(ckpt.get('args'));
  if (!settings) fail(file, "a fairseq checkpoint needs its 'cfg' (with 'model') or 'args' settings");
  // A fine-tuned model keeps the pre-trained network's settings under w2v_args.
  const w2v = asDict(settings.get('w2v_args'));
  settings = asDict(w2v?.get('model')) ?? w2v ?? settings;
  const config = configFromFairseq(settings, `${file} (settings)`);
  const weights = stripPrefix(toStateDict(ckpt.get('model'), file), FAIRSEQ_BODY_PREFIXES);
  return { model: build(config, rename(weights, fromFairseqKey, 'fairseq', file), file), format: 'fairseq', files: [file] };
}

function loadTorchaudio(file: string, dict: StateDict, arch: Wav2Vec2Arch): LoadedWav2Vec2 {
  const mapped = rename(stripPrefix(dict, ['wav2vec2.']), fromTorchaudioKey, 'torchaudio', file);
  const json = torchaudioSettingsFile(file);
  const config = existsSync(json) ? configFromTorchaudio(readJson(json), arch, json) : configFromShapes(mapped, arch, file);
  return { model: build(config, mapped, file), format: 'torchaudio', files: existsSync(json) ? [json, file] : [file] };
}

/**
 * The files loading `path` reads (settings first): what the weights' identity hashes, without
 * reading the tensors.
 */
export function checkpointFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) fail(path, 'no such file or folder');
  const beside = (dir: string): string[] => [join(dir, HF_CONFIG)].filter((f) => existsSync(f));
  if (!st.isDirectory()) {
    const json = torchaudioSettingsFile(path);
    return [...beside(dirname(path)), ...(existsSync(json) && json !== path ? [json] : []), path];
  }
  return [...beside(path), ...huggingFaceWeights(path)];
}

/**
 * Loads a wav2vec 2.0 or HuBERT checkpoint from `path` (a Hugging Face folder, or a file) into
 * the engine, in eval mode.
 * @param arch - the family of a torchaudio state dict (the other formats say it themselves).
 * @throws Error naming the file and what is wrong: unreadable or truncated files, settings that
 *   are missing or unsupported, tensors of another architecture, or tensors that do not match
 *   the settings (missing, unexpected or mis-shaped, listed).
 */
export function loadWav2Vec2(path: string, arch: Wav2Vec2Arch = 'wav2vec2'): LoadedWav2Vec2 {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) fail(path, 'no such file or folder');
  if (st.isDirectory()) return loadHuggingFaceDir(path);
  const t = readTensorFile(path);
  if (t.format === 'safetensors') {
    if (!existsSync(join(dirname(path), HF_CONFIG))) fail(path, `a safetensors checkpoint needs the model's ${HF_CONFIG} beside it`);
    return loadHuggingFaceDir(dirname(path), path);
  }
  const obj = asDict(t.object);
  if (obj && asDict(obj.get('model')) && (obj.has('cfg') || obj.has('args'))) return loadFairseq(path, obj);
  // A training checkpoint keeps the weights under 'state_dict' or 'model'.
  const inner = asDict(obj?.get('state_dict')) ?? asDict(obj?.get('model')) ?? t.object;
  const dict = stripPrefix(toStateDict(inner, path), ['module.']);
  const keys = [...dict.keys()];
  if (keys.some((k) => k.startsWith('encoder.transformer.'))) return loadTorchaudio(path, dict, arch);
  if (keys.some((k) => k.startsWith('encoder.pos_conv.')))
    fail(path, "is a fairseq state dict without its settings; pass the checkpoint fairseq saved (with 'cfg' or 'args')");
  if (existsSync(join(dirname(path), HF_CONFIG))) return loadHuggingFaceDir(dirname(path), path);
  fail(path, `not a wav2vec 2.0 / HuBERT checkpoint (tensors such as ${list(keys.slice(0, 2).map((k) => `'${k}'`)) || 'none'})`);
}
