/**
 * The architecture of a wav2vec 2.0 / HuBERT / WavLM network, and how each checkpoint format
 * states it: a Hugging Face `config.json`, a fairseq (or WavLM's own) checkpoint's settings,
 * torchaudio's `wav2vec2_model` / `wavlm_model` arguments, or — for a bare state dict — the
 * tensor shapes.
 */

/** The family a checkpoint belongs to (all share one network body; WavLM adds a gated relative position bias). */
export type Wav2Vec2Arch = 'wav2vec2' | 'hubert' | 'wavlm';
export const WAV2VEC2_ARCHS: readonly Wav2Vec2Arch[] = ['wav2vec2', 'hubert', 'wavlm'];

/** WavLM's relative position bias: bucketed offsets (as T5), one learned bias per bucket and head. */
export interface RelativePositionConfig {
  /** Buckets over both directions (half for keys after the query). */
  numBuckets: number;
  /** Offset (frames) from which every larger offset shares the last bucket. */
  maxDistance: number;
  /** Gate the bias per frame and head from the layer's input (WavLM's `gru_rel_pos`). */
  gated: boolean;
}

/** A conv layer of the feature encoder: output channels, kernel and stride (samples / frames). */
export type ConvLayerSpec = readonly [channels: number, kernel: number, stride: number];

export interface Wav2Vec2Config {
  arch: Wav2Vec2Arch;
  /** 'group_norm': one GroupNorm after the first conv (base models); 'layer_norm': a LayerNorm after every conv (large). */
  extractorMode: 'group_norm' | 'layer_norm';
  convLayers: ConvLayerSpec[];
  convBias: boolean;
  /** Transformer width D. */
  embedDim: number;
  /** Whether the feature projection starts with a LayerNorm (HuBERT's `feat_proj_layer_norm`; always for wav2vec 2.0). */
  projectionLayerNorm: boolean;
  /** Kernel (frames) and groups of the convolutional positional embedding. */
  posConvKernel: number;
  posConvGroups: number;
  numLayers: number;
  numHeads: number;
  ffnDim: number;
  /** Pre-layer-norm transformer (large models) instead of post-layer-norm (base). */
  layerNormFirst: boolean;
  layerNormEps: number;
  /** WavLM's relative position bias, or null (wav2vec 2.0, HuBERT). */
  relativePosition: RelativePositionConfig | null;
  /**
   * Normalise each waveform to zero mean and unit variance first, with this epsilon added to
   * the variance, or null: what the checkpoint's training did (large models), so what it needs.
   */
  waveformNormEps: number | null;
}

/** Input sample rate of every wav2vec 2.0 / HuBERT model (Hz). */
export const WAV2VEC2_SAMPLE_RATE_HZ = 16000;
/** The feature encoder of the published models: 7 convs, 320-sample hop (20 ms), 400-sample receptive field. */
export const STANDARD_CONV_LAYERS: readonly ConvLayerSpec[] = [
  [512, 10, 5],
  [512, 3, 2],
  [512, 3, 2],
  [512, 3, 2],
  [512, 3, 2],
  [512, 2, 2],
  [512, 2, 2],
];
/** Names (under a layer's `attention.`) of WavLM's bias table and gate constant. */
const REL_EMBED = 'rel_attn_embed.weight';
const GATE_CONST = 'gru_rel_pos_const';
/** Attention head width of every published model (heads = D / 64). */
const STANDARD_HEAD_DIM = 64;
const DEFAULT_LAYER_NORM_EPS = 1e-5;
/** Every published WavLM model's relative-position settings (defaults for settings that leave them out). */
const WAVLM_NUM_BUCKETS = 320;
const WAVLM_MAX_DISTANCE = 800;
/** Epsilon of the waveform normalisation: Hugging Face's feature extractor, and fairseq's `F.layer_norm`. */
const HF_WAVEFORM_NORM_EPS = 1e-7;
const FAIRSEQ_WAVEFORM_NORM_EPS = 1e-5;
/** fairseq's Wav2Vec2Config defaults, for keys a checkpoint's settings leave out. */
const FAIRSEQ_DEFAULTS = {
  extractor_mode: 'default',
  conv_bias: false,
  encoder_embed_dim: 768,
  encoder_layers: 12,
  encoder_attention_heads: 12,
  encoder_ffn_embed_dim: 3072,
  layer_norm_first: false,
  conv_pos: 128,
  conv_pos_groups: 16,
};

type Settings = ReadonlyMap<unknown, unknown> | Readonly<Record<string, unknown>>;

function getter(s: Settings): (k: string) => unknown {
  return s instanceof Map ? (k) => s.get(k) : (k) => (s as Record<string, unknown>)[k];
}

/** Checks a config's numbers; errors name `label`. */
function validateConfig(c: Wav2Vec2Config, label: string): Wav2Vec2Config {
  const bad = (what: string): never => {
    throw new Error(`${label}: ${what}`);
  };
  const posInt = (name: string, v: number): void => {
    if (!Number.isSafeInteger(v) || v < 1) bad(`${name} must be a positive integer, got ${v}`);
  };
  if (c.convLayers.length === 0) bad('the feature encoder has no conv layers');
  c.convLayers.forEach(([ch, k, s], i) => {
    posInt(`conv layer ${i} channels`, ch);
    posInt(`conv layer ${i} kernel`, k);
    posInt(`conv layer ${i} stride`, s);
  });
  for (const [n, v] of [
    ['embedDim', c.embedDim],
    ['posConvKernel', c.posConvKernel],
    ['posConvGroups', c.posConvGroups],
    ['numLayers', c.numLayers],
    ['numHeads', c.numHeads],
    ['ffnDim', c.ffnDim],
  ] as const)
    posInt(n, v);
  if (c.embedDim % c.numHeads !== 0) bad(`the width ${c.embedDim} is not divisible by ${c.numHeads} attention heads`);
  if (c.embedDim % c.posConvGroups !== 0) bad(`the width ${c.embedDim} is not divisible by ${c.posConvGroups} positional-conv groups`);
  if (!(c.layerNormEps > 0)) bad(`layer-norm epsilon must be > 0, got ${c.layerNormEps}`);
  const rel = c.relativePosition;
  if (rel) {
    posInt('numBuckets', rel.numBuckets);
    posInt('maxDistance', rel.maxDistance);
    // Half the buckets per direction, half of those exact: the logarithmic part needs maxDistance beyond them.
    if (rel.numBuckets % 2 !== 0 || rel.numBuckets < 4) bad(`numBuckets must be even and ≥ 4, got ${rel.numBuckets}`);
    if (rel.maxDistance <= rel.numBuckets / 4)
      bad(`maxDistance ${rel.maxDistance} must exceed a quarter of numBuckets (${rel.numBuckets / 4})`);
  }
  if (c.waveformNormEps !== null && !(c.waveformNormEps > 0)) bad(`waveform-norm epsilon must be > 0, got ${c.waveformNormEps}`);
  return c;
}

function num(get: (k: string) => unknown, key: string, label: string, fallback?: number): number {
  const v = get(key) ?? fallback;
  if (typeof v !== 'number') throw new Error(`${label}: '${key}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function bool(get: (k: string) => unknown, key: string, label: string, fallback?: boolean): boolean {
  const v = get(key) ?? fallback;
  if (typeof v !== 'boolean') throw new Error(`${label}: '${key}' must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function numList(get: (k: string) => unknown, key: string, label: string): number[] {
  const v = get(key);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number'))
    throw new Error(`${label}: '${key}' must be a list of numbers, got ${JSON.stringify(v)}`);
  return v as number[];
}

/**
 * A Hugging Face `config.json` (model_type wav2vec2, hubert or wavlm), with the folder's
 * `preprocessor_config.json` when there is one (its `do_normalize` says whether waveforms are
 * normalised).
 */
export function configFromHuggingFace(
  json: Readonly<Record<string, unknown>>,
  label: string,
  preprocessor: Readonly<Record<string, unknown>> | null = null,
): Wav2Vec2Config {
  const get = getter(json);
  const type = get('model_type');
  if (type !== 'wav2vec2' && type !== 'hubert' && type !== 'wavlm')
    throw new Error(
      `${label}: model_type '${String(type)}' is not a wav2vec 2.0, HuBERT or WavLM model (expected 'wav2vec2', 'hubert' or 'wavlm')`,
    );
  const act = get('hidden_act') ?? 'gelu';
  if (act !== 'gelu') throw new Error(`${label}: hidden_act '${String(act)}' is not supported (only 'gelu')`);
  const dims = numList(get, 'conv_dim', label);
  const kernels = numList(get, 'conv_kernel', label);
  const strides = numList(get, 'conv_stride', label);
  if (kernels.length !== dims.length || strides.length !== dims.length)
    throw new Error(`${label}: conv_dim, conv_kernel and conv_stride have different lengths`);
  const norm = get('feat_extract_norm') ?? 'group';
  if (norm !== 'group' && norm !== 'layer')
    throw new Error(`${label}: feat_extract_norm must be 'group' or 'layer', got '${String(norm)}'`);
  return validateConfig(
    {
      arch: type,
      extractorMode: norm === 'group' ? 'group_norm' : 'layer_norm',
      convLayers: dims.map((d, i) => [d, kernels[i], strides[i]] as const),
      convBias: bool(get, 'conv_bias', label, false),
      embedDim: num(get, 'hidden_size', label),
      projectionLayerNorm: type === 'hubert' ? bool(get, 'feat_proj_layer_norm', label, true) : true,
      posConvKernel: num(get, 'num_conv_pos_embeddings', label),
      posConvGroups: num(get, 'num_conv_pos_embedding_groups', label),
      numLayers: num(get, 'num_hidden_layers', label),
      numHeads: num(get, 'num_attention_heads', label),
      ffnDim: num(get, 'intermediate_size', label),
      layerNormFirst: bool(get, 'do_stable_layer_norm', label, false),
      layerNormEps: num(get, 'layer_norm_eps', label, DEFAULT_LAYER_NORM_EPS),
      relativePosition:
        type === 'wavlm'
          ? {
              numBuckets: num(get, 'num_buckets', label, WAVLM_NUM_BUCKETS),
              maxDistance: num(get, 'max_bucket_distance', label, WAVLM_MAX_DISTANCE),
              gated: true,
            }
          : null,
      waveformNormEps: preprocessor?.do_normalize === true ? HF_WAVEFORM_NORM_EPS : null,
    },
    label,
  );
}

/**
 * fairseq's `conv_feature_layers`, a Python list expression such as
 * `[(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512,2,2)] * 2`: terms of tuple lists, each optionally
 * repeated, joined by `+`. (Parsed here, not evaluated: only this grammar is accepted.)
 */
export function parseConvFeatureLayers(text: string, label: string): ConvLayerSpec[] {
  const out: ConvLayerSpec[] = [];
  const bad = (): never => {
    throw new Error(
      `${label}: cannot read conv_feature_layers ${JSON.stringify(text)} (expected e.g. "[(512, 10, 5)] + [(512, 3, 2)] * 4")`,
    );
  };
  for (const term of text.split('+')) {
    const m = /^\s*\[((?:\s*\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)\s*,?)+)\]\s*(?:\*\s*(\d+)\s*)?$/.exec(term);
    if (!m) return bad();
    const tuples = [...m[1].matchAll(/\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)/g)].map(
      (t) => [Number(t[1]), Number(t[2]), Number(t[3])] as const,
    );
    const times = m[2] === undefined ? 1 : Number(m[2]);
    for (let i = 0; i < times; i++) out.push(...tuples);
  }
  return out;
}

/**
 * A fairseq checkpoint's model settings (`cfg.model`, the older `args` namespace, or WavLM's
 * flat `cfg`); `normalize` is the task's (or WavLM's) waveform-normalisation flag.
 */
export function configFromFairseq(settings: Settings, label: string, normalize: boolean): Wav2Vec2Config {
  const raw = getter(settings);
  const get = (k: string): unknown => raw(k) ?? FAIRSEQ_DEFAULTS[k as keyof typeof FAIRSEQ_DEFAULTS];
  const name = String(raw('_name') ?? raw('arch') ?? 'wav2vec2');
  const act = raw('activation_fn') ?? 'gelu';
  if (act !== 'gelu') throw new Error(`${label}: activation_fn '${String(act)}' is not supported (only 'gelu')`);
  const mode = get('extractor_mode');
  if (mode !== 'default' && mode !== 'layer_norm')
    throw new Error(`${label}: extractor_mode must be 'default' or 'layer_norm', got '${String(mode)}'`);
  const layers = raw('conv_feature_layers');
  const wavlm = raw('relative_position_embedding') === true;
  return validateConfig(
    {
      arch: wavlm ? 'wavlm' : name.startsWith('hubert') ? 'hubert' : 'wav2vec2',
      extractorMode: mode === 'default' ? 'group_norm' : 'layer_norm',
      convLayers: typeof layers === 'string' ? parseConvFeatureLayers(layers, label) : STANDARD_CONV_LAYERS.slice(),
      convBias: bool(get, 'conv_bias', label),
      embedDim: num(get, 'encoder_embed_dim', label),
      projectionLayerNorm: true,
      posConvKernel: num(get, 'conv_pos', label),
      posConvGroups: num(get, 'conv_pos_groups', label),
      numLayers: num(get, 'encoder_layers', label),
      numHeads: num(get, 'encoder_attention_heads', label),
      ffnDim: num(get, 'encoder_ffn_embed_dim', label),
      layerNormFirst: bool(get, 'layer_norm_first', label),
      layerNormEps: DEFAULT_LAYER_NORM_EPS,
      relativePosition: wavlm
        ? {
            numBuckets: num(get, 'num_buckets', label, WAVLM_NUM_BUCKETS),
            maxDistance: num(get, 'max_distance', label, WAVLM_MAX_DISTANCE),
            // WavLM's own settings class defaults it to off; every published model turns it on.
            gated: bool(get, 'gru_rel_pos', label, false),
          }
        : null,
      waveformNormEps: normalize ? FAIRSEQ_WAVEFORM_NORM_EPS : null,
    },
    label,
  );
}

/**
 * torchaudio's `wav2vec2_model(...)` or `wavlm_model(...)` keyword arguments, as JSON (extra keys
 * such as dropouts are ignored; `encoder_num_buckets` marks WavLM). torchaudio normalises
 * waveforms outside the model, so these settings never do.
 */
export function configFromTorchaudio(json: Readonly<Record<string, unknown>>, arch: Wav2Vec2Arch, label: string): Wav2Vec2Config {
  const get = getter(json);
  const wavlm = arch === 'wavlm' || get('encoder_num_buckets') !== undefined;
  const layers = get('extractor_conv_layer_config');
  const ok = Array.isArray(layers) && layers.every((l) => Array.isArray(l) && l.length === 3 && l.every((x) => typeof x === 'number'));
  if (!ok) throw new Error(`${label}: 'extractor_conv_layer_config' must be a list of [channels, kernel, stride]`);
  const mode = get('extractor_mode');
  if (mode !== 'group_norm' && mode !== 'layer_norm')
    throw new Error(`${label}: 'extractor_mode' must be 'group_norm' or 'layer_norm', got ${JSON.stringify(mode)}`);
  return validateConfig(
    {
      arch: wavlm ? 'wavlm' : arch,
      extractorMode: mode,
      convLayers: (layers as number[][]).map((l) => [l[0], l[1], l[2]] as const),
      convBias: bool(get, 'extractor_conv_bias', label),
      embedDim: num(get, 'encoder_embed_dim', label),
      projectionLayerNorm: true,
      posConvKernel: num(get, 'encoder_pos_conv_kernel', label),
      posConvGroups: num(get, 'encoder_pos_conv_groups', label),
      numLayers: num(get, 'encoder_num_layers', label),
      numHeads: num(get, 'encoder_num_heads', label),
      ffnDim: num(get, 'encoder_ff_interm_features', label),
      layerNormFirst: bool(get, 'encoder_layer_norm_first', label),
      layerNormEps: DEFAULT_LAYER_NORM_EPS,
      relativePosition: wavlm
        ? {
            numBuckets: num(get, 'encoder_num_buckets', label, WAVLM_NUM_BUCKETS),
            maxDistance: num(get, 'encoder_max_distance', label, WAVLM_MAX_DISTANCE),
            gated: true,
          }
        : null,
      waveformNormEps: null,
    },
    label,
  );
}

/**
 * The architecture read off a state dict in trustser's (torchaudio's) key names, for bare
 * checkpoints that carry no settings. What shapes cannot tell is taken from the published
 * models: strides of the standard encoder (only when the kernels are the standard ones),
 * 64-wide attention heads (WavLM's bias table gives its head count), WavLM's maximum distance of
 * 800 frames, a pre-layer-norm transformer exactly when the feature encoder uses layer norm
 * (true of every published wav2vec 2.0, HuBERT and WavLM model), and no waveform normalisation.
 */
export function configFromShapes(
  shapes: ReadonlyMap<string, { shape: readonly number[] }>,
  arch: Wav2Vec2Arch,
  label: string,
): Wav2Vec2Config {
  const shape = (k: string): readonly number[] => {
    const s = shapes.get(k)?.shape;
    if (!s) throw new Error(`${label}: missing tensor '${k}', so this is not a wav2vec 2.0 / HuBERT state dict`);
    return s;
  };
  const kernels: [number, number][] = [];
  while (shapes.has(`feature_extractor.conv_layers.${kernels.length}.conv.weight`)) {
    const s = shape(`feature_extractor.conv_layers.${kernels.length}.conv.weight`);
    kernels.push([s[0], s[2]]);
  }
  const standard = STANDARD_CONV_LAYERS.length === kernels.length && STANDARD_CONV_LAYERS.every((l, i) => l[1] === kernels[i]?.[1]);
  if (!standard)
    throw new Error(
      `${label}: the feature encoder's kernels [${kernels.map((k) => k[1]).join(', ')}] are not the standard ones, so its strides are unknown; put the architecture in a config.json beside the file (torchaudio's wav2vec2_model arguments)`,
    );
  const layerNorm = shapes.has('feature_extractor.conv_layers.1.layer_norm.weight');
  const embedDim = shape('encoder.feature_projection.projection.weight')[0];
  const pos = shape('encoder.transformer.pos_conv_embed.conv.weight_v');
  let numLayers = 0;
  while (shapes.has(`encoder.transformer.layers.${numLayers}.attention.q_proj.weight`)) numLayers++;
  const relEmbed = shapes.get(`encoder.transformer.layers.0.attention.${REL_EMBED}`)?.shape;
  if (arch === 'wavlm' && !relEmbed)
    throw new Error(`${label}: no relative position bias ('${REL_EMBED}' of layer 0), so this is not a WavLM state dict`);
  return validateConfig(
    {
      arch: relEmbed ? 'wavlm' : arch,
      extractorMode: layerNorm ? 'layer_norm' : 'group_norm',
      convLayers: kernels.map(([ch], i) => [ch, STANDARD_CONV_LAYERS[i][1], STANDARD_CONV_LAYERS[i][2]] as const),
      convBias: shapes.has('feature_extractor.conv_layers.0.conv.bias'),
      embedDim,
      projectionLayerNorm: shapes.has('encoder.feature_projection.layer_norm.weight'),
      posConvKernel: pos[2],
      posConvGroups: embedDim / pos[1],
      numLayers,
      // WavLM's bias table has one column per head; otherwise the published 64-wide heads.
      numHeads: relEmbed ? relEmbed[1] : embedDim / STANDARD_HEAD_DIM,
      ffnDim: shape('encoder.transformer.layers.0.feed_forward.intermediate_dense.weight')[0],
      layerNormFirst: layerNorm,
      layerNormEps: DEFAULT_LAYER_NORM_EPS,
      relativePosition: relEmbed
        ? {
            numBuckets: relEmbed[0],
            maxDistance: WAVLM_MAX_DISTANCE,
            gated: shapes.has(`encoder.transformer.layers.0.attention.${GATE_CONST}`),
          }
        : null,
      waveformNormEps: null,
    },
    label,
  );
}
