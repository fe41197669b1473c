/**
 * The `waveform` set: the signal itself as `[S, 1]` frames at `sampleRateHz` (after the `vad`
 * and `levelNorm` every set takes). What fine-tuning a backbone trains on: the backbone network
 * is then part of the model, so its input is the audio, decoded, resampled and augmented by the
 * same extraction path as every other set.
 */
import { FEATURES_VERSION, mergeOverrides, registerFeatureSet, stableStringify } from './registry.js';

/** The sample rate (Hz) of `waveform` unless set: the backbones' 16 kHz. */
const DEFAULT_WAVEFORM_RATE_HZ = 16000;

registerFeatureSet({
  name: 'waveform',
  create(overrides) {
    const o = mergeOverrides('waveform', { sampleRateHz: DEFAULT_WAVEFORM_RATE_HZ }, overrides);
    if (!Number.isSafeInteger(o.sampleRateHz) || o.sampleRateHz <= 0)
      throw new Error(`feature set 'waveform': option 'sampleRateHz' must be a positive integer (Hz), got ${o.sampleRateHz}`);
    const key = `waveform@v${FEATURES_VERSION}:${stableStringify(o)}`;
    return {
      name: 'waveform',
      kind: 'frames',
      sampleRateHz: o.sampleRateHz,
      frameRateHz: o.sampleRateHz,
      options: { ...o },
      settingsKey: () => key,
      compute: (x) => ({ data: Float32Array.from(x), channels: 1, frames: x.length, dims: 1 }),
    };
  },
});
