/**
 * The platform-independent part of src/audio: everything but the file reader (load.ts, which
 * needs node:fs). The web build resolves src/audio/index.ts to this file, so the project's
 * feature code runs unchanged in a browser.
 */
export {
  DEFAULT_SAMPLE_RATE_HZ,
  MAX_SAMPLE_RATE_HZ,
  MIN_SAMPLE_RATE_HZ,
  checkSampleRate,
  durationSeconds,
  frameCount,
  toMono,
  type Audio,
} from './buffer.js';
export { AudioError, type AudioErrorKind } from './errors.js';
export { decodeAudio } from './decode.js';
export { prepareAudio } from './prepare.js';
export {
  VAD_ABSOLUTE_FLOOR_DBFS,
  VAD_FRAME_MS,
  VAD_HANGOVER_MS,
  VAD_HOP_MS,
  VAD_THRESHOLD_DB,
  MIN_SPEECH_SECONDS,
  speechActivity,
  speechSpan,
  trimSilence,
  type SpeechActivity,
  type TrimResult,
  type TrimSilenceOptions,
} from './vad.js';
export {
  addNoise,
  applyGainDb,
  babbleNoise,
  meanPower,
  measureSnrDb,
  speedPerturb,
  whiteNoise,
} from './augment.js';
export { measureRt60, reverberate, syntheticRir, type Rt60Estimate } from './reverb.js';
export {
  RAWBOOST_DEFAULTS,
  RAWBOOST_STEPS,
  bandStopFir,
  checkRawBoostSteps,
  rawBoost,
  type RawBoostConfig,
  type RawBoostStep,
} from './rawboost.js';
export { encodeWav16 } from './encode.js';
export { ACTIVE_RANGE_DB, TARGET_ACTIVE_LEVEL_DBFS, activeLevelDbfs, normalizeActiveLevel } from './level.js';
export {
  BABBLE_TALKERS_RANGE,
  CHANNEL_SHIFTS,
  DC_OFFSET_FULL_SCALE,
  ROOM_RT60_RANGE_S,
  SILENCE_FLOOR_DBFS,
  SILENCE_PAD_RANGE_S,
  TELEPHONE_BUTTERWORTH_ORDER,
  TELEPHONE_HIGH_HZ,
  TELEPHONE_LOW_HZ,
  TELEPHONE_SAMPLE_RATE_HZ,
  addDcOffset,
  applyGainDbClipped,
  getChannelShift,
  listChannelShifts,
  mulawDecode,
  mulawEncode,
  padSilence,
  pinkNoise,
  telephoneBand,
  type ChannelShift,
  type ShiftContext,
} from './channel.js';
