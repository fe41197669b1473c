/**
 * Audio in, samples out: decoding (WAV, FLAC, MP3, Ogg Vorbis/Opus), resampling, silence
 * trimming and reproducible augmentations. This is the module's only public entry point
 * (./pure.ts is the same without the file reader, for browsers).
 */
export * from './pure.js';
export {
  BATCH_READ_CONCURRENCY,
  loadAudio,
  loadAudioBatch,
  type BatchProgress,
  type BatchResult,
  type LoadAudioOptions,
  type LoadedAudio,
} from './load.js';
export { AUDIO_EXTENSIONS, listInputs, scanDir, type InputItem } from './files.js';
