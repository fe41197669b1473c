/**
 * The settings of s3prl's APC and TERA upstreams, read from the configs their `.ckpt` files
 * carry, with validation. The layout followed is s3prl v0.4's (`s3prl/upstream/apc/expert.py` +
 * `audio.py` for APC; `s3prl/upstream/mockingjay/builder.py` + `model.py` and
 * `s3prl/upstream/baseline/extracter.py` + `preprocessor.py` for TERA, which s3prl loads with the
 * Mockingjay expert), plus the `downsample_rate` of the transformer configs of earlier releases.
 *
 * Front ends supported (what the published `apc_360hr`, `tera_960hr` and
 * `tera_logMelBase_T_F_M_AdamW_b32_200k_100hr` checkpoints and their fbank siblings declare):
 * Kaldi-compatible log fbank (APC: `data.audio`; TERA: `audio.kaldi`) and TERA's online log-mel
 * (`audio.input.feat_type: mel`), each with optional deltas and per-utterance CMVN. Any other
 * feature type, dithering, energy terms, VTLN or an unknown key is refused, naming the key.
 */

/** Input sample rate of every s3prl upstream (Hz). */
export const S3PRL_SAMPLE_RATE_HZ = 16000;

/** Kaldi's analysis windows (`torchaudio.compliance.kaldi` names). */
export type KaldiWindow = 'hamming' | 'hanning' | 'povey' | 'rectangular';
const KALDI_WINDOWS: readonly KaldiWindow[] = ['hamming', 'hanning', 'povey', 'rectangular'];

/** Kaldi-compatible log mel filterbank (`torchaudio.compliance.kaldi.fbank`, snip_edges). */
export interface KaldiFbankSpec {
  kind: 'kaldi-fbank';
  numMelBins: number;
  /** Frame length and shift (ms). */
  frameLengthMs: number;
  frameShiftMs: number;
  windowType: KaldiWindow;
  preemphasis: number;
  /** Mel filters' edges (Hz); a high edge ≤ 0 is an offset from the Nyquist frequency. */
  lowFreqHz: number;
  highFreqHz: number;
  removeDcOffset: boolean;
  /** FFT size rounded up to a power of two (else the frame length). */
  roundToPowerOfTwo: boolean;
  /** Power spectrum (else magnitude) into the filters. */
  usePower: boolean;
}

/** TERA's online log-mel: RMS-normalised waveform, centred Hann STFT, HTK mel, ln(mel + 1e-10). */
export interface LogMelSpec {
  kind: 'log-mel';
  /** Level the waveform is scaled to (dB of its RMS). */
  targetLevelDb: number;
  /** Window and hop (ms). */
  winMs: number;
  hopMs: number;
  /** One-sided STFT bins (FFT size = 2·(nFreq − 1)). */
  nFreq: number;
  nMels: number;
}

export interface FrontEndConfig {
  spectrum: KaldiFbankSpec | LogMelSpec;
  /** Orders of deltas appended along the feature axis ([x, Δx, ΔΔx, …]), and their window (frames). */
  deltaOrder: number;
  deltaWinLength: number;
  /** Per-utterance mean and variance normalisation over time. */
  cmvn: boolean;
}

/** Where a checkpoint keeps its settings and weights. */
export type ApcLayout = 'config' | 'Upstream_Config';

export interface ApcConfig {
  frontEnd: FrontEndConfig;
  /** Feature width D (the GRU input and the postnet output). */
  inputDim: number;
  hiddenSize: number;
  numLayers: number;
  /** Residual connections around every GRU layer but the first. */
  residual: boolean;
  /** Dropout on each layer's output (training only). */
  dropout: number;
  /** Frames ahead the postnet was trained to predict (`task.n_future`), when the checkpoint says. */
  nFuture: number | null;
}

export type TeraActivation = 'gelu' | 'relu' | 'swish';
const TERA_ACTIVATIONS: readonly TeraActivation[] = ['gelu', 'relu', 'swish'];

export interface TeraConfig {
  frontEnd: FrontEndConfig;
  /** Consecutive frames stacked into one transformer frame. */
  downsampleRate: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  hiddenAct: TeraActivation;
  layerNormEps: number;
  /** Pre-layer-norm body (every hidden state through its own layer norm) instead of BERT's post-LN. */
  preLayerNorm: boolean;
  hiddenDropout: number;
  attentionDropout: number;
  /** Longest run of transformer frames s3prl feeds at once (0: no limit); longer inputs are chunked. */
  sequenceLength: number;
}

/** A nested settings dict as the checkpoint reader gives it (a Map), and where it sits (for errors). */
export interface Settings {
  map: ReadonlyMap<unknown, unknown>;
  /** Dotted path of this dict inside the checkpoint, e.g. 'data.audio'. */
  path: string;
  /** The file, for errors. */
  label: string;
}

function fail(s: Settings, key: string, what: string): never {
  throw new Error(`${s.label}: '${s.path ? `${s.path}.` : ''}${key}' ${what}`);
}

/** The dict under `key`, or null when absent. */
function child(s: Settings, key: string, required = false): Settings | null {
  const v = s.map.get(key);
  if (v === undefined || v === null) {
    if (required) fail(s, key, 'is missing');
    return null;
  }
  if (!(v instanceof Map)) fail(s, key, `must be a dict, got ${JSON.stringify(v)}`);
  return { map: v, path: s.path ? `${s.path}.${key}` : key, label: s.label };
}

/** A number (s3prl converts with int()/float(), so numeric strings such as '1e-12' count). */
function num(s: Settings, key: string, fallback?: number): number {
  const raw = s.map.get(key) ?? fallback;
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(s, key, `must be a number, got ${JSON.stringify(raw) ?? 'nothing'}`);
  return v;
}

function int(s: Settings, key: string, min: number, fallback?: number): number {
  const v = num(s, key, fallback);
  if (!Number.isSafeInteger(v) || v < min) fail(s, key, `must be an integer ≥ ${min}, got ${v}`);
  return v;
}

function bool(s: Settings, key: string, fallback?: boolean): boolean {
  const v = s.map.get(key) ?? fallback;
  if (typeof v !== 'boolean') fail(s, key, `must be true or false, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function str(s: Settings, key: string, fallback?: string): string {
  const v = s.map.get(key) ?? fallback;
  if (typeof v !== 'string') fail(s, key, `must be a string, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function probability(s: Settings, key: string, fallback: number): number {
  const v = num(s, key, fallback);
  if (!(v >= 0 && v < 1)) fail(s, key, `must be in [0, 1), got ${v}`);
  return v;
}

/** Refuses keys outside `known`. */
function onlyKeys(s: Settings, known: readonly string[]): void {
  for (const k of s.map.keys())
    if (typeof k !== 'string' || !known.includes(k)) fail(s, String(k), `is not a setting trustser supports (known: ${known.join(', ')})`);
}

/** Settings that must keep one value (the only one the front end implements). */
function fixed(s: Settings, key: string, want: number | boolean): void {
  const v = typeof want === 'boolean' ? bool(s, key, want) : num(s, key, want);
  if (v !== want) fail(s, key, `must be ${want} (the only value supported), got ${v}`);
}

/** CMVN's epsilon (added to the standard deviation), the only one supported. */
export const CMVN_EPS = 1e-10;

/** torchaudio's ComputeDeltas window (frames). */
const DEFAULT_DELTA_WIN = 5;
const MIN_DELTA_WIN = 3;
/** s3prl's Delta module: two orders unless the config says otherwise. */
const DEFAULT_KALDI_DELTA_ORDER = 2;
/** The online preprocessor's defaults (`OnlinePreprocessor.__init__`). */
const LOG_MEL_DEFAULTS = { winMs: 25, hopMs: 10, nFreq: 201, nMels: 40 } as const;

/** Kaldi fbank keyword arguments that only matter for energy, Blackman or VTLN terms not in use. */
const KALDI_IGNORED = ['energy_floor', 'raw_energy', 'htk_compat', 'blackman_coeff', 'vtln_low', 'vtln_high', 'channel'];
const KALDI_FIXED: [string, number | boolean][] = [
  ['dither', 0],
  ['use_energy', false],
  ['use_log_fbank', true],
  ['snip_edges', true],
  ['subtract_mean', false],
  ['vtln_warp', 1],
  ['min_duration', 0],
];
const KALDI_SETTINGS = [
  'num_mel_bins',
  'frame_length',
  'frame_shift',
  'window_type',
  'preemphasis_coefficient',
  'low_freq',
  'high_freq',
  'remove_dc_offset',
  'round_to_power_of_two',
  'use_power',
  ...KALDI_FIXED.map(([k]) => k),
  ...KALDI_IGNORED,
];
/** torchaudio's Kaldi defaults. */
const KALDI_DEFAULTS = {
  frameLengthMs: 25,
  frameShiftMs: 10,
  preemphasis: 0.97,
  lowFreqHz: 20,
  highFreqHz: 0,
  windowType: 'povey',
  numMelBins: 23,
} as const;
const SECONDS_PER_MS = 0.001;
const MS_PER_S = 1000;
const MIN_MEL_BINS = 4;

/**
 * Kaldi fbank keyword arguments (`s`); `numMelBins` and `window` when the caller fixes them
 * (APC passes num_mel_bins = feat_dim and window_type = 'hamming' itself).
 */
function kaldiSpec(s: Settings, extra: readonly string[], numMelBins?: number, window?: KaldiWindow): KaldiFbankSpec {
  onlyKeys(s, [...KALDI_SETTINGS.filter((k) => !(window && k === 'window_type') && !(numMelBins && k === 'num_mel_bins')), ...extra]);
  for (const [k, v] of KALDI_FIXED) fixed(s, k, v);
  const windowType = window ?? str(s, 'window_type', KALDI_DEFAULTS.windowType);
  if (!(KALDI_WINDOWS as readonly string[]).includes(windowType))
    fail(s, 'window_type', `'${windowType}' is not supported (known: ${KALDI_WINDOWS.join(', ')})`);
  const spec: KaldiFbankSpec = {
    kind: 'kaldi-fbank',
    numMelBins: numMelBins ?? int(s, 'num_mel_bins', MIN_MEL_BINS, KALDI_DEFAULTS.numMelBins),
    frameLengthMs: num(s, 'frame_length', KALDI_DEFAULTS.frameLengthMs),
    frameShiftMs: num(s, 'frame_shift', KALDI_DEFAULTS.frameShiftMs),
    windowType: windowType as KaldiWindow,
    preemphasis: num(s, 'preemphasis_coefficient', KALDI_DEFAULTS.preemphasis),
    lowFreqHz: num(s, 'low_freq', KALDI_DEFAULTS.lowFreqHz),
    highFreqHz: num(s, 'high_freq', KALDI_DEFAULTS.highFreqHz),
    removeDcOffset: bool(s, 'remove_dc_offset', true),
    roundToPowerOfTwo: bool(s, 'round_to_power_of_two', true),
    usePower: bool(s, 'use_power', true),
  };
  const nyquist = S3PRL_SAMPLE_RATE_HZ / 2;
  const high = spec.highFreqHz <= 0 ? spec.highFreqHz + nyquist : spec.highFreqHz;
  if (!(spec.lowFreqHz >= 0 && spec.lowFreqHz < high && high <= nyquist))
    fail(s, 'low_freq', `and high_freq must satisfy 0 ≤ low < high ≤ ${nyquist} Hz, got ${spec.lowFreqHz} and ${spec.highFreqHz}`);
  if (!(spec.preemphasis >= 0 && spec.preemphasis <= 1)) fail(s, 'preemphasis_coefficient', `must be in [0, 1], got ${spec.preemphasis}`);
  const { frame, hop } = kaldiFrameSamples(spec);
  if (frame < 2) fail(s, 'frame_length', `gives a window of ${frame} samples (at least 2 needed)`);
  if (!(hop > 0)) fail(s, 'frame_shift', 'must give a shift of at least 1 sample');
  if (!spec.roundToPowerOfTwo && frame % 2 !== 0)
    fail(s, 'round_to_power_of_two', 'is false but the window is not an even number of samples');
  return spec;
}

/** APC's `data.audio`: fbank only (Hamming window, CMVN unless `cmvn: false`). */
function apcFrontEnd(audio: Settings): { frontEnd: FrontEndConfig; inputDim: number } {
  const type = str(audio, 'feat_type');
  if (type !== 'fbank') fail(audio, 'feat_type', `'${type}' is not supported (s3prl's APC front end is 'fbank')`);
  const dim = int(audio, 'feat_dim', MIN_MEL_BINS);
  const spectrum = kaldiSpec(audio, ['feat_type', 'feat_dim', 'decode_wav', 'cmvn'], dim, 'hamming');
  return { frontEnd: { spectrum, deltaOrder: 0, deltaWinLength: DEFAULT_DELTA_WIN, cmvn: bool(audio, 'cmvn', true) }, inputDim: dim };
}

/** TERA's `audio`: `kaldi` (+ `delta`, `cmvn`) or the online preprocessor's `input` view. */
function teraFrontEnd(audio: Settings): FrontEndConfig {
  const kaldi = child(audio, 'kaldi');
  if (kaldi) {
    onlyKeys(audio, ['kaldi', 'delta', 'cmvn']);
    onlyKeys(kaldi, ['feat_type', 'fbank']);
    const type = str(kaldi, 'feat_type', 'fbank');
    if (type !== 'fbank') fail(kaldi, 'feat_type', `'${type}' is not supported (only 'fbank')`);
    const spectrum = kaldiSpec(child(kaldi, 'fbank', true) as Settings, []);
    const delta = child(audio, 'delta') ?? { map: new Map(), path: `${audio.path}.delta`, label: audio.label };
    onlyKeys(delta, ['order', 'win_length', 'mode']);
    if (str(delta, 'mode', 'replicate') !== 'replicate') fail(delta, 'mode', "must be 'replicate' (the only padding supported)");
    const cmvn = child(audio, 'cmvn', true) as Settings;
    onlyKeys(cmvn, ['use_cmvn', 'eps']);
    fixed(cmvn, 'eps', CMVN_EPS);
    return {
      spectrum,
      deltaOrder: int(delta, 'order', 0, DEFAULT_KALDI_DELTA_ORDER),
      deltaWinLength: int(delta, 'win_length', MIN_DELTA_WIN, DEFAULT_DELTA_WIN),
      cmvn: bool(cmvn, 'use_cmvn'),
    };
  }
  onlyKeys(audio, ['target_level', 'win_ms', 'hop_ms', 'n_freq', 'n_mels', 'n_mfcc', 'sample_rate', 'eps', 'input', 'target']);
  fixed(audio, 'sample_rate', S3PRL_SAMPLE_RATE_HZ);
  fixed(audio, 'eps', CMVN_EPS);
  const input = child(audio, 'input', true) as Settings;
  onlyKeys(input, ['feat_type', 'channel', 'log', 'delta', 'cmvn']);
  const type = str(input, 'feat_type');
  if (type !== 'mel') fail(input, 'feat_type', `'${type}' is not supported (only 'mel', the log-mel of the published TERA models)`);
  fixed(input, 'log', true);
  const spectrum: LogMelSpec = {
    kind: 'log-mel',
    targetLevelDb: num(audio, 'target_level'),
    winMs: num(audio, 'win_ms', LOG_MEL_DEFAULTS.winMs),
    hopMs: num(audio, 'hop_ms', LOG_MEL_DEFAULTS.hopMs),
    nFreq: int(audio, 'n_freq', 2, LOG_MEL_DEFAULTS.nFreq),
    nMels: int(audio, 'n_mels', 1, LOG_MEL_DEFAULTS.nMels),
  };
  const { win, hop, nFft } = logMelFrameSamples(spectrum);
  if (!(win >= 1 && win <= nFft)) fail(audio, 'win_ms', `gives a window of ${win} samples, which must be in [1, ${nFft}] (2·(n_freq − 1))`);
  if (!(hop >= 1)) fail(audio, 'hop_ms', 'must give a hop of at least 1 sample');
  return { spectrum, deltaOrder: int(input, 'delta', 0, 0), deltaWinLength: DEFAULT_DELTA_WIN, cmvn: bool(input, 'cmvn', false) };
}

/** Kaldi's frame length and shift (samples): int(16000 · ms · 0.001), truncated as torchaudio does. */
export function kaldiFrameSamples(s: KaldiFbankSpec): { frame: number; hop: number } {
  return {
    frame: Math.trunc(S3PRL_SAMPLE_RATE_HZ * s.frameLengthMs * SECONDS_PER_MS),
    hop: Math.trunc(S3PRL_SAMPLE_RATE_HZ * s.frameShiftMs * SECONDS_PER_MS),
  };
}

/** The online log-mel's window and hop (samples, rounded as s3prl does) and FFT size 2·(n_freq − 1). */
export function logMelFrameSamples(s: LogMelSpec): { win: number; hop: number; nFft: number } {
  return {
    win: Math.round((s.winMs * S3PRL_SAMPLE_RATE_HZ) / MS_PER_S),
    hop: Math.round((s.hopMs * S3PRL_SAMPLE_RATE_HZ) / MS_PER_S),
    nFft: 2 * (s.nFreq - 1),
  };
}

/** Feature width of a front end: bins × (deltas + 1). */
export function frontEndDims(f: FrontEndConfig): number {
  const bins = f.spectrum.kind === 'kaldi-fbank' ? f.spectrum.numMelBins : f.spectrum.nMels;
  return bins * (f.deltaOrder + 1);
}

/** APC's settings (`config` or `Upstream_Config`: `model.paras`, `data.audio`, `task`). */
export function apcConfig(root: Settings): ApcConfig {
  const paras = child(child(root, 'model', true) as Settings, 'paras', true) as Settings;
  onlyKeys(paras, ['num_layers', 'hidden_size', 'dropout', 'residual', 'vq']);
  if (paras.map.get('vq') !== undefined && paras.map.get('vq') !== null)
    fail(paras, 'vq', 'is set: VQ-APC (vector-quantised layers) is not supported, only plain APC');
  const audio = child(child(root, 'data', true) as Settings, 'audio', true) as Settings;
  const { frontEnd, inputDim } = apcFrontEnd(audio);
  const task = child(root, 'task');
  return {
    frontEnd,
    inputDim,
    hiddenSize: int(paras, 'hidden_size', 1),
    numLayers: int(paras, 'num_layers', 1),
    residual: bool(paras, 'residual'),
    dropout: probability(paras, 'dropout', 0),
    nFuture: task && task.map.get('n_future') !== undefined ? int(task, 'n_future', 1) : null,
  };
}

/** TERA's upstream config (`transformer`, `task`, `audio`). */
export function teraConfig(root: Settings): TeraConfig {
  const t = child(root, 'transformer', true) as Settings;
  const audio = child(root, 'audio');
  if (!audio) fail(root, 'audio', 'is missing: the checkpoint was trained on pre-extracted features, so its front end is unknown');
  const act = str(t, 'hidden_act');
  if (!(TERA_ACTIVATIONS as readonly string[]).includes(act))
    fail(t, 'hidden_act', `'${act}' is not supported (known: ${TERA_ACTIVATIONS.join(', ')})`);
  if (bool(t, 'share_layer', false)) fail(t, 'share_layer', 'is true: weight-shared layers are not supported');
  const task = child(root, 'task');
  const c: TeraConfig = {
    frontEnd: teraFrontEnd(audio),
    downsampleRate: int(t, 'downsample_rate', 1, 1),
    hiddenSize: int(t, 'hidden_size', 1),
    numLayers: int(t, 'num_hidden_layers', 1),
    numHeads: int(t, 'num_attention_heads', 1),
    intermediateSize: int(t, 'intermediate_size', 1),
    hiddenAct: act as TeraActivation,
    layerNormEps: num(t, 'layer_norm_eps'),
    preLayerNorm: bool(t, 'pre_layer_norm', false),
    hiddenDropout: probability(t, 'hidden_dropout_prob', 0),
    attentionDropout: probability(t, 'attention_probs_dropout_prob', 0),
    sequenceLength: task ? int(task, 'sequence_length', 0, 0) : 0,
  };
  if (c.hiddenSize % c.numHeads !== 0) fail(t, 'num_attention_heads', `(${c.numHeads}) must divide hidden_size (${c.hiddenSize})`);
  if (!(c.layerNormEps > 0)) fail(t, 'layer_norm_eps', `must be > 0, got ${c.layerNormEps}`);
  return c;
}
