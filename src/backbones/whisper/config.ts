/**
 * The architecture of a Whisper audio encoder (tiny, base, small, medium and large share one
 * body and differ only in these numbers), and how each checkpoint format states it: the `dims`
 * of an openai `.pt` checkpoint, or a Hugging Face `config.json`.
 */

export interface WhisperEncoderConfig {
  /** Mel bands of the log-mel input (80; 128 for large-v3). */
  nMels: number;
  /** Positions of the encoder (1500 for every published model: 30 s at 50 frames/s). */
  nCtx: number;
  /** Transformer width D. */
  width: number;
  /** Attention heads (D / 64 in every published model). */
  heads: number;
  /** Residual attention blocks. */
  layers: number;
  /** Hidden width of each block's MLP (4 × D in openai's models). */
  ffnDim: number;
  layerNormEps: number;
}

/** Epsilon of every layer norm of Whisper (torch's default). */
const WHISPER_LAYER_NORM_EPS = 1e-5;
/** openai's MLP is always 4 × the width. */
const WHISPER_FFN_RATIO = 4;
/** Positions of every published Whisper encoder. */
const WHISPER_N_CTX = 1500;
/** The keys an openai checkpoint's `dims` must hold for the encoder. */
export const OPENAI_DIMS_KEYS = ['n_mels', 'n_audio_ctx', 'n_audio_state', 'n_audio_head', 'n_audio_layer'] as const;
/**
 * Hugging Face's `WhisperConfig` defaults (the tiny model's numbers): `save_pretrained` leaves
 * out keys whose value equals the default, so a config.json may lack them.
 */
const HF_DEFAULTS: Readonly<Record<string, unknown>> = {
  num_mel_bins: 80,
  max_source_positions: WHISPER_N_CTX,
  d_model: 384,
  encoder_attention_heads: 6,
  encoder_layers: 4,
  encoder_ffn_dim: 1536,
  activation_function: 'gelu',
};

type Settings = ReadonlyMap<unknown, unknown> | Readonly<Record<string, unknown>>;

function getter(s: Settings): (k: string) => unknown {
  return s instanceof Map ? (k) => s.get(k) : (k) => (s as Record<string, unknown>)[k];
}

/**
 * Checks a config's numbers (positive integers; heads dividing the width; an even width of at
 * least 4, which the sinusoidal positions need).
 * @throws Error naming `label` and the bad number.
 */
function validateWhisperConfig(c: WhisperEncoderConfig, label: string): WhisperEncoderConfig {
  const bad = (what: string): never => {
    throw new Error(`${label}: ${what}`);
  };
  for (const [n, v] of [
    ['nMels', c.nMels],
    ['nCtx', c.nCtx],
    ['width', c.width],
    ['heads', c.heads],
    ['layers', c.layers],
    ['ffnDim', c.ffnDim],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 1) bad(`${n} must be a positive integer, got ${v}`);
  if (c.width % c.heads !== 0) bad(`the width ${c.width} is not divisible by ${c.heads} attention heads`);
  if (c.width % 2 !== 0 || c.width < 4) bad(`the width must be even and at least 4 (sinusoidal positions), got ${c.width}`);
  if (!(c.layerNormEps > 0)) bad(`layer-norm epsilon must be > 0, got ${c.layerNormEps}`);
  return c;
}

function num(get: (k: string) => unknown, key: string, label: string): number {
  const v = get(key);
  if (typeof v !== 'number') throw new Error(`${label}: '${key}' must be a number, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

/** An openai checkpoint's `dims` (`ModelDimensions` as a dict; the decoder's entries are ignored). */
export function configFromOpenaiDims(dims: Settings, label: string): WhisperEncoderConfig {
  const get = getter(dims);
  const width = num(get, 'n_audio_state', label);
  return validateWhisperConfig(
    {
      nMels: num(get, 'n_mels', label),
      nCtx: num(get, 'n_audio_ctx', label),
      width,
      heads: num(get, 'n_audio_head', label),
      layers: num(get, 'n_audio_layer', label),
      ffnDim: WHISPER_FFN_RATIO * width,
      layerNormEps: WHISPER_LAYER_NORM_EPS,
    },
    label,
  );
}

/**
 * A Hugging Face `config.json` (`model_type` whisper). Keys it leaves out take
 * `WhisperConfig`'s defaults; an activation other than GELU is refused.
 */
export function configFromHuggingFace(json: Readonly<Record<string, unknown>>, label: string): WhisperEncoderConfig {
  const raw = getter(json);
  const type = raw('model_type');
  if (type !== 'whisper') throw new Error(`${label}: model_type '${String(type)}' is not a Whisper model (expected 'whisper')`);
  const get = (k: string): unknown => raw(k) ?? HF_DEFAULTS[k];
  const act = get('activation_function');
  if (act !== 'gelu') throw new Error(`${label}: activation_function '${String(act)}' is not supported (only 'gelu')`);
  return validateWhisperConfig(
    {
      nMels: num(get, 'num_mel_bins', label),
      nCtx: num(get, 'max_source_positions', label),
      width: num(get, 'd_model', label),
      heads: num(get, 'encoder_attention_heads', label),
      layers: num(get, 'encoder_layers', label),
      ffnDim: num(get, 'encoder_ffn_dim', label),
      layerNormEps: WHISPER_LAYER_NORM_EPS,
    },
    label,
  );
}
