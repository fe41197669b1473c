/**
 * Audio in, samples out: decoding (WAV, FLAC, MP3, Ogg Vorbis/Opus), resampling, silence
 * trimming, reproducible augmentations and channel shifts. This is the module's only public
 * entry point (./pure.ts is the same without the file reader and the `sox` codec round
 * trips, for browsers).
 */
export * from './pure.js';
// The Node registry: these getChannelShift/listChannelShifts (codec shifts included) take
// precedence over the platform-independent ones re-exported from pure.js above.
export {
  CHANNEL_SHIFTS_NODE,
  DEFAULT_MP3_BITRATE_KBPS,
  DEFAULT_VORBIS_QUALITY,
  MAX_CODEC_DELAY_S,
  MP3_SHIFT_BITRATE_KBPS,
  OGG_SHIFT_QUALITY,
  codecDelaySamples,
  codecRoundTrip,
  getChannelShift,
  listChannelShifts,
  type CodecOptions,
} from './codec.js';
export {
  BATCH_READ_CONCURRENCY,
  loadAudio,
  loadAudioBatch,
  type BatchProgress,
  type BatchResult,
  type LoadAudioOptions,
  type LoadedAudio,
} from './load.js';
export {
  AUDIO_EXTENSIONS,
  INPUT_COLUMNS,
  checkColumnMapping,
  listInputFiles,
  listInputs,
  scanDir,
  walkFiles,
  type InputItem,
  type ListInputsOptions,
  type WalkOptions,
} from './files.js';
export { AUGMENT_NOISE_KINDS, augmentSignal, type AugmentNoiseKind, type AugmentSpec, type Range } from './augment-chain.js';
