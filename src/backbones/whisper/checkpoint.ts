/**
 * Loading a Whisper encoder from the checkpoints users have — openai's `.pt` (`dims` +
 * `model_state_dict`), a Hugging Face folder (`config.json` + `model.safetensors` or
 * `pytorch_model.bin`, sharded or not, of WhisperModel, WhisperForConditionalGeneration or
 * WhisperForAudioClassification), or one such weights file with its config.json beside it —
 * into the engine network. Every format's names are mapped to openai's; the decoder and task
 * heads are ignored.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readTensorFile, toStateDict, type StateDict } from '../../tensor-io/index.js';
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
import { OPENAI_DIMS_KEYS, configFromHuggingFace, configFromOpenaiDims, type WhisperEncoderConfig } from './config.js';
import { WhisperEncoder } from './model.js';

/** The checkpoint formats read. */
export type WhisperCheckpointFormat = 'openai' | 'huggingface';

/** A loaded encoder and what it was read from. */
export interface LoadedWhisper {
  model: WhisperEncoder;
  format: WhisperCheckpointFormat;
  /** Every file read (config first), for the weights' identity. */
  files: string[];
}

/** The positional table: loaded when the checkpoint has it, else Whisper's sinusoids. */
const POSITIONS = 'positional_embedding';
const OPENAI_ENCODER = 'encoder.';
const OPENAI_DECODER = 'decoder.';
/** Hugging Face's body prefix of WhisperForConditionalGeneration (the encoder sits at `model.encoder.`). */
const HF_MODEL_PREFIX = 'model.';
const HF_ENCODER = 'encoder.';
/** Tensors of the decoder and of task heads, which the encoder does not use. */
const HF_IGNORED = /^(decoder\.|proj_out\.|projector\.|classifier\.|layer_weights$)/;
/** Hugging Face encoder names (without `encoder.`) → openai's. */
const HF_RULES: [RegExp, string][] = [
  [/^(conv[12])\.(weight|bias)$/, '$1.$2'],
  [/^embed_positions\.weight$/, POSITIONS],
  [/^layers\.(\d+)\.self_attn\.q_proj\.(weight|bias)$/, 'blocks.$1.attn.query.$2'],
  [/^layers\.(\d+)\.self_attn\.k_proj\.(weight|bias)$/, 'blocks.$1.attn.key.$2'],
  [/^layers\.(\d+)\.self_attn\.v_proj\.(weight|bias)$/, 'blocks.$1.attn.value.$2'],
  [/^layers\.(\d+)\.self_attn\.out_proj\.(weight|bias)$/, 'blocks.$1.attn.out.$2'],
  [/^layers\.(\d+)\.self_attn_layer_norm\.(weight|bias)$/, 'blocks.$1.attn_ln.$2'],
  [/^layers\.(\d+)\.fc1\.(weight|bias)$/, 'blocks.$1.mlp.0.$2'],
  [/^layers\.(\d+)\.fc2\.(weight|bias)$/, 'blocks.$1.mlp.2.$2'],
  [/^layers\.(\d+)\.final_layer_norm\.(weight|bias)$/, 'blocks.$1.mlp_ln.$2'],
  [/^layer_norm\.(weight|bias)$/, 'ln_post.$1'],
];
function build(config: WhisperEncoderConfig, dict: StateDict, label: string): WhisperEncoder {
  const what = `Whisper encoder (${config.layers} blocks of width ${config.width}, ${config.nMels} mels, ${config.nCtx} positions)`;
  // A checkpoint without the positional table gets Whisper's sinusoids.
  return loadStrict(new WhisperEncoder(config), dict, label, what, [POSITIONS]);
}

/** Hugging Face names → openai's (null: decoder or head, dropped; undefined: not a Whisper name). */
function fromHuggingFaceKey(k: string): string | null | undefined {
  if (HF_IGNORED.test(k)) return null;
  if (!k.startsWith(HF_ENCODER)) return undefined;
  const key = k.slice(HF_ENCODER.length);
  for (const [re, to] of HF_RULES) if (re.test(key)) return key.replace(re, to);
  return undefined;
}

/** Renames a Hugging Face state dict; tensors of no Whisper model are an error. */
function fromHuggingFace(dict: StateDict, label: string): StateDict {
  const bodyPrefixed = [...dict.keys()].some((k) => k.startsWith(HF_MODEL_PREFIX + HF_ENCODER));
  const out: StateDict = new Map();
  const unknown: string[] = [];
  for (const [k, v] of dict) {
    const name = bodyPrefixed && k.startsWith(HF_MODEL_PREFIX) ? k.slice(HF_MODEL_PREFIX.length) : k;
    const to = fromHuggingFaceKey(name);
    if (to === undefined) unknown.push(`'${k}'`);
    else if (to !== null) out.set(to, v);
  }
  if (unknown.length > 0) fail(label, `not a Hugging Face Whisper checkpoint: unexpected tensors ${listed(unknown)}`);
  return out;
}

/** A Hugging Face folder, with its weights file named or found. */
function loadHuggingFaceDir(dir: string, weightsFile?: string): LoadedWhisper {
  const configFile = join(dir, HF_CONFIG);
  if (!existsSync(configFile)) fail(dir, `a Hugging Face model folder needs ${HF_CONFIG}`);
  const config = configFromHuggingFace(readJsonObject(configFile), configFile);
  const found = weightsFile ? [weightsFile] : huggingFaceWeights(dir);
  const { dict, label } = readHuggingFaceTensors(dir, found);
  return { model: build(config, fromHuggingFace(dict, label), label), format: 'huggingface', files: [configFile, ...found] };
}

/** openai's checkpoint: `dims` and `model_state_dict` (encoder.* kept, decoder.* ignored). */
function loadOpenai(file: string, ckpt: ReadonlyMap<unknown, unknown>): LoadedWhisper {
  const dims = asMap(ckpt.get('dims'));
  if (!dims) fail(file, "an openai Whisper checkpoint needs its 'dims' dict");
  const config = configFromOpenaiDims(dims, `${file} (dims)`);
  if (!asMap(ckpt.get('model_state_dict'))) fail(file, "an openai Whisper checkpoint needs its 'model_state_dict'");
  const dict: StateDict = new Map();
  const unknown: string[] = [];
  for (const [k, v] of toStateDict(ckpt.get('model_state_dict'), file)) {
    if (k.startsWith(OPENAI_ENCODER)) dict.set(k.slice(OPENAI_ENCODER.length), v);
    else if (!k.startsWith(OPENAI_DECODER)) unknown.push(`'${k}'`);
  }
  if (unknown.length > 0) fail(file, `not an openai Whisper checkpoint: unexpected tensors ${listed(unknown)}`);
  return { model: build(config, dict, file), format: 'openai', files: [file] };
}

/**
 * The files loading `path` reads (config first): what the weights' identity hashes, without
 * reading the tensors. A file's config.json beside it is counted whenever it exists.
 * @throws Error naming `path` when it does not exist, or a folder holds no weights.
 */
export function whisperCheckpointFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) fail(path, 'no such file or folder');
  const beside = (dir: string): string[] => [join(dir, HF_CONFIG)].filter((f) => existsSync(f));
  return st.isDirectory() ? [...beside(path), ...huggingFaceWeights(path)] : [...beside(dirname(path)), path];
}

/**
 * Loads a Whisper encoder from `path` — an openai `.pt`, a Hugging Face folder, or a Hugging
 * Face weights file with its config.json beside it — into the engine, in eval mode. The
 * positional table is the checkpoint's when it has one (Whisper's sinusoids otherwise).
 * @throws Error naming the file and what is wrong: unreadable or truncated files,
 *   settings that are missing or unsupported, another architecture's checkpoint, or tensors
 *   that do not match the settings (missing, unexpected or mis-shaped, listed).
 */
export function loadWhisperEncoder(path: string): LoadedWhisper {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) fail(path, 'no such file or folder');
  if (st.isDirectory()) return loadHuggingFaceDir(path);
  const t = readTensorFile(path);
  const hasConfig = existsSync(join(dirname(path), HF_CONFIG));
  if (t.format === 'safetensors') {
    if (!hasConfig) fail(path, `a safetensors checkpoint needs the model's ${HF_CONFIG} beside it`);
    return loadHuggingFaceDir(dirname(path), path);
  }
  const obj = asMap(t.object);
  if (obj?.has('model_state_dict') || obj?.has('dims')) return loadOpenai(path, obj);
  if (hasConfig) return loadHuggingFaceDir(dirname(path), path);
  const keys = obj ? [...obj.keys()].map(String) : [];
  if (keys.some((k) => k.startsWith('encoder.conv1.') || k.startsWith('encoder.blocks.')))
    fail(
      path,
      `is a Whisper state dict without its settings; pass the checkpoint openai saved (with 'dims': ${OPENAI_DIMS_KEYS.join(', ')})`,
    );
  fail(
    path,
    `not a Whisper checkpoint (an openai .pt holds 'dims' and 'model_state_dict'; this one has ${listed(keys.slice(0, 3).map((k) => `'${k}'`)) || 'no entries'})`,
  );
}
