/**
 * Whisper's log-mel front end on the engine, so it is fast and differentiable (the waveform
 * attacks differentiate through it): a 400-point periodic Hann STFT every 160 samples of the
 * 16 kHz waveform (centred, reflect padding), the power |X|² with the last frame dropped, Slaney
 * mel filters over 0–8 kHz, log10(max(mel, 1e-10)), floored at (max − 8) and mapped by (x + 4) / 4.
 */
import { F, keep, tensor, type Tensor } from '../../engine/index.js';
import {
  WHISPER_HOP_SAMPLES,
  WHISPER_LOG_AMIN,
  WHISPER_LOG_DYNAMIC_RANGE,
  WHISPER_LOG_OFFSET,
  WHISPER_LOG_SCALE,
  WHISPER_MIN_SAMPLES,
  WHISPER_N_FFT,
  reflectIndex,
  whisperMelBank,
} from './windows.js';

/**
 * Maps log10 mel power to Whisper's input: floored at (`max` − 8), then (x + 4) / 4.
 * @param max - the largest log10 value of the utterance (a number, or a tensor broadcasting over `log10Mel`).
 */
export function normalizeLogMel(log10Mel: Tensor, max: Tensor | number): Tensor {
  const floor = typeof max === 'number' ? max - WHISPER_LOG_DYNAMIC_RANGE : max.sub(WHISPER_LOG_DYNAMIC_RANGE);
  return log10Mel.maximum(floor).add(WHISPER_LOG_OFFSET).div(WHISPER_LOG_SCALE);
}

/** The log-mel front end for `nMels` bands (its filterbank and window live until {@link dispose}). */
export class WhisperFrontend {
  /** Mel filters, [nMels, nFft/2 + 1]. */
  private readonly bank: Tensor;
  private readonly window: Tensor;
  constructor(readonly nMels: number) {
    const nFreqs = WHISPER_N_FFT / 2 + 1;
    const bank = whisperMelBank(nMels);
    this.bank = keep(tensor(bank, [nFreqs, nMels]).transpose(0, 1).contiguous());
    this.window = keep(F.hannWindow(WHISPER_N_FFT, true));
  }

  /** log10(max(mel power, 1e-10)) of every STFT frame of x [B, S] → [B, nMels, frames]. */
  private log10Mel(x: Tensor, center: boolean): Tensor {
    const spec = F.stft(x, { nFft: WHISPER_N_FFT, hopSamples: WHISPER_HOP_SAMPLES, window: this.window, center, padMode: 'reflect' });
    const power = spec.square().sum(-1);
    return this.bank.matmul(power).clamp(WHISPER_LOG_AMIN).log10();
  }

  /**
   * Whisper's log-mel of waveforms x [B, S] (or [S]) at 16 kHz, S ≥ {@link WHISPER_MIN_SAMPLES}
   * → [B, nMels, ⌊S / 160⌋], each item floored against its own maximum. Differentiable.
   */
  logMel(x: Tensor): Tensor {
    const wave = x.ndim === 1 ? x.unsqueeze(0) : x;
    if (wave.shape[1] < WHISPER_MIN_SAMPLES)
      throw new Error(`whisper log-mel: ${wave.shape[1]} samples are too few (at least ${WHISPER_MIN_SAMPLES})`);
    const all = this.log10Mel(wave, true);
    const log = all.narrow(2, 0, all.shape[2] - 1);
    return normalizeLogMel(log, log.amax([1, 2], true));
  }

  /**
   * log10 mel power (before the floor and scaling) of mel frames [first, first + count) of the
   * whole signal `x`, computed from the samples those frames see only (with the whole signal's
   * reflect padding at its ends), so a long input can be taken piece by piece → [1, nMels, count].
   * Not differentiable (`x` is plain data).
   */
  log10MelFrames(x: Float32Array, first: number, count: number): Tensor {
    const half = WHISPER_N_FFT / 2;
    const start = first * WHISPER_HOP_SAMPLES - half;
    const seg = new Float32Array((count - 1) * WHISPER_HOP_SAMPLES + WHISPER_N_FFT);
    for (let i = 0; i < seg.length; i++) seg[i] = x[reflectIndex(start + i, x.length)];
    return this.log10Mel(tensor(seg, [1, seg.length]), false);
  }

  dispose(): void {
    this.bank.dispose();
    this.window.dispose();
  }
}
