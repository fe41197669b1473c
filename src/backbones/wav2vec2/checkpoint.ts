/**
 * Loading wav2vec 2.0 / HuBERT / WavLM checkpoints in the formats users have — a Hugging Face
 * folder (`config.json` + `model.safetensors` or `pytorch_model.bin`, sharded or not, and
 * `preprocessor_config.json` when present), a fairseq `.pt` (weights + `cfg`/`args`; WavLM's own
 * `.pt` has the same layout with a flat `cfg`), a torchaudio state dict (`.pth`, with an optional
 * `<name>.json` of `wav2vec2_model`/`wavlm_model` arguments beside it) — into the engine network.
 * Every format's tensor names are mapped to torchaudio's wav2vec 2.0 names (WavLM's attention
 * keeps separate q/k/v projections); the weight-normed positional conv is merged into one kernel.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { readTensorFile, toStateDict, type RawTensor, type StateDict } from '../../tensor-io/index.js';
import {
  HF_CONFIG,
  asMap,
  fail,
  huggingFaceWeights,
  listed,
  loadStrict,
  readHuggingFaceTensors,
  readJsonObject,
} from '../checkpoint-files.js';
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

const HF_PREPROCESSOR = 'preprocessor_config.json';
/** Model prefixes of Hugging Face task heads (`Wav2Vec2ForCTC` keeps the body under `wav2vec2.`). */
const HF_BODY_PREFIXES = ['wav2vec2.', 'hubert.', 'wavlm.'];
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

function stripPrefix<T>(dict: ReadonlyMap<string, T>, prefixes: readonly string[]): Map<string, T> {
  for (const p of prefixes)
    if ([...dict.keys()].some((k) => k.startsWith(p))) {
      return new Map([...dict].map(([k, v]) => [k.startsWith(p) ? k.slice(p.length) : k, v]));
    }
  return new Map(dict);
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
  if (unknown.length > 0) fail(label, `not a ${what} wav2vec 2.0 / HuBERT / WavLM checkpoint: unexpected tensors ${listed(unknown)}`);
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
  [/^encoder\.layers\.(\d+)\.self_attn\.grep_linear\.(weight|bias)$/, 'encoder.transformer.layers.$1.attention.gru_rel_pos_linear.$2'],
  [/^encoder\.layers\.(\d+)\.self_attn\.grep_a$/, 'encoder.transformer.layers.$1.attention.gru_rel_pos_const'],
  [/^encoder\.layers\.(\d+)\.self_attn\.relative_attention_bias\.weight$/, 'encoder.transformer.layers.$1.attention.rel_attn_embed.weight'],
  [/^encoder\.layers\.(\d+)\.self_attn_layer_norm\.(weight|bias)$/, 'encoder.transformer.layers.$1.layer_norm.$2'],
  [/^encoder\.layers\.(\d+)\.fc1\.(weight|bias)$/, 'encoder.transformer.layers.$1.feed_forward.intermediate_dense.$2'],
  [/^encoder\.layers\.(\d+)\.fc2\.(weight|bias)$/, 'encoder.transformer.layers.$1.feed_forward.output_dense.$2'],
  [/^encoder\.layers\.(\d+)\.final_layer_norm\.(weight|bias)$/, 'encoder.transformer.layers.$1.final_layer_norm.$2'],
];

/** fairseq (and WavLM's own) names → torchaudio's (for wav2vec 2.0 and HuBERT, the mapping of torchaudio's importer). */
function fromFairseqKey(k: string): string | null | undefined {
  if (FAIRSEQ_HEADS.test(k)) return null;
  for (const [re, to] of FAIRSEQ_RULES) if (re.test(k)) return k.replace(re, to);
  return undefined;
}

function fromTorchaudioKey(k: string): string | null | undefined {
  if (TORCHAUDIO_HEADS.test(k)) return null;
  // torchaudio's WavLM wraps a torch MultiheadAttention in each layer's attention.
  const key = k.replace(/\.attention\.attention\.out_proj\./, '.attention.out_proj.');
  return key.startsWith('feature_extractor.') || key.startsWith('encoder.') ? key : undefined;
}

const IN_PROJ = /^(encoder\.transformer\.layers\.\d+\.attention)\.attention\.in_proj_(weight|bias)$/;

/** Splits torchaudio WavLM's packed q/k/v projections ([3D, …], q first) into q_proj, k_proj and v_proj. */
function splitPackedProjections(dict: StateDict, label: string): StateDict {
  const out: StateDict = new Map();
  for (const [k, v] of dict) {
    const m = IN_PROJ.exec(k);
    if (!m) {
      out.set(k, v);
      continue;
    }
    const rows = v.shape[0] / 3;
    if (v.dtype !== 'float32' || !Number.isInteger(rows))
      fail(label, `'${k}' [${v.shape.join(', ')}] is not a float32 packed q/k/v projection`);
    const size = v.data.length / 3;
    ['q', 'k', 'v'].forEach((name, i) => {
      const data = (v.data as Float32Array).slice(i * size, (i + 1) * size);
      out.set(`${m[1]}.${name}_proj.${m[2]}`, { dtype: 'float32', shape: [rows, ...v.shape.slice(1)], data } satisfies RawTensor);
    });
  }
  return out;
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
  return loadStrict(new Wav2Vec2(config), dict, label, `${config.arch} architecture`);
}

/** The `<name>.json` of `wav2vec2_model` arguments that may sit beside a torchaudio state dict. */
function torchaudioSettingsFile(file: string): string {
  return join(dirname(file), `${basename(file, extname(file))}.json`);
}

/** A Hugging Face folder, with its weights file named or found. */
function loadHuggingFaceDir(dir: string, weightsFile?: string): LoadedWav2Vec2 {
  const configFile = join(dir, HF_CONFIG);
  if (!existsSync(configFile)) fail(dir, `a Hugging Face model folder needs ${HF_CONFIG}`);
  const preprocessorFile = join(dir, HF_PREPROCESSOR);
  const preprocessor = existsSync(preprocessorFile) ? readJsonObject(preprocessorFile) : null;
  const config = configFromHuggingFace(readJsonObject(configFile), configFile, preprocessor);
  const found = weightsFile ? [weightsFile] : huggingFaceWeights(dir);
  const { dict, label } = readHuggingFaceTensors(dir, found);
  const mapped = rename(stripPrefix(dict, HF_BODY_PREFIXES), fromHuggingFaceKey, 'Hugging Face', label);
  const settings = preprocessor ? [configFile, preprocessorFile] : [configFile];
  return { model: build(config, mapped, label), format: 'huggingface', files: [...settings, ...found] };
}

function loadFairseq(file: string, ckpt: ReadonlyMap<unknown, unknown>): LoadedWav2Vec2 {
  const cfg = asMap(ckpt.get('cfg'));
  const args = asMap(ckpt.get('args'));
  // WavLM's own checkpoints keep the model's settings flat in 'cfg'.
  const flat = cfg?.has('encoder_layers') ? cfg : null;
  let settings = asMap(cfg?.get('model')) ?? flat ?? args;
  if (!settings) fail(file, "a fairseq checkpoint needs its 'cfg' (with 'model') or 'args' settings");
  // A fine-tuned model keeps the pre-trained network's settings (and task) under w2v_args.
  const w2v = asMap(settings.get('w2v_args'));
  const task = asMap(w2v?.get('task')) ?? asMap(cfg?.get('task'));
  settings = asMap(w2v?.get('model')) ?? w2v ?? settings;
  // Whether training normalised waveforms: the task's flag (an argparse namespace keeps it beside the model's).
  const normalize = [task, settings, flat, args].some((d) => d?.get('normalize') === true);
  const config = configFromFairseq(settings, `${file} (settings)`, normalize);
  const weights = stripPrefix(toStateDict(ckpt.get('model'), file), FAIRSEQ_BODY_PREFIXES);
  return { model: build(config, rename(weights, fromFairseqKey, 'fairseq', file), file), format: 'fairseq', files: [file] };
}

function loadTorchaudio(file: string, dict: StateDict, arch: Wav2Vec2Arch): LoadedWav2Vec2 {
  const mapped = splitPackedProjections(rename(stripPrefix(dict, ['wav2vec2.']), fromTorchaudioKey, 'torchaudio', file), file);
  const json = torchaudioSettingsFile(file);
  const config = existsSync(json) ? configFromTorchaudio(readJsonObject(json), arch, json) : configFromShapes(mapped, arch, file);
  return { model: build(config, mapped, file), format: 'torchaudio', files: existsSync(json) ? [json, file] : [file] };
}

/**
 * The files loading `path` reads (settings first): what the weights' identity hashes, without
 * reading the tensors.
 */
export function checkpointFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) fail(path, 'no such file or folder');
  const beside = (dir: string): string[] => [join(dir, HF_CONFIG), join(dir, HF_PREPROCESSOR)].filter((f) => existsSync(f));
  if (!st.isDirectory()) {
    const json = torchaudioSettingsFile(path);
    return [...beside(dirname(path)), ...(existsSync(json) && json !== path ? [json] : []), path];
  }
  return [...beside(path), ...huggingFaceWeights(path)];
}

/**
 * Loads a wav2vec 2.0, HuBERT or WavLM checkpoint from `path` (a Hugging Face folder, or a file) into
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
  const obj = asMap(t.object);
  if (obj && asMap(obj.get('model')) && (obj.has('cfg') || obj.has('args'))) return loadFairseq(path, obj);
  // A training checkpoint keeps the weights under 'state_dict' or 'model'.
  const inner = asMap(obj?.get('state_dict')) ?? asMap(obj?.get('model')) ?? t.object;
  const dict = stripPrefix(toStateDict(inner, path), ['module.']);
  const keys = [...dict.keys()];
  if (keys.some((k) => k.startsWith('encoder.transformer.'))) return loadTorchaudio(path, dict, arch);
  if (keys.some((k) => k.startsWith('encoder.pos_conv.')))
    fail(path, "is a fairseq state dict without its settings; pass the checkpoint fairseq saved (with 'cfg' or 'args')");
  if (existsSync(join(dirname(path), HF_CONFIG))) return loadHuggingFaceDir(dirname(path), path);
  fail(path, `not a wav2vec 2.0 / HuBERT / WavLM checkpoint (tensors such as ${listed(keys.slice(0, 2).map((k) => `'${k}'`)) || 'none'})`);
}
