/**
 * Whisper's log10 mel power in plain TypeScript (no engine), for hosts that run the exported
 * encoder on ONNX Runtime (Node, the browser): the same frames as the engine's
 * `WhisperFrontend.log10MelFrames` — a periodic-Hann 400-point STFT every 160 samples, |X|²,
 * Slaney mel filters, log10(max(·, 1e-10)) — from the project's FFT (float64 inside).
 */
import { RealFft, makeWindow } from '../../dsp/index.js';
import { WHISPER_HOP_SAMPLES, WHISPER_LOG_AMIN, WHISPER_N_FFT, reflectIndex, whisperMelBank } from './windows.js';

/** log10 mel power of a signal's mel frames, for `nMels` bands. */
export class WhisperLog10Mel {
  private readonly fft = new RealFft(WHISPER_N_FFT);
  private readonly window = makeWindow('hann', WHISPER_N_FFT);
  /** [nFreqs, nMels], row-major. */
  private readonly bank: Float32Array;
  private readonly power = new Float32Array(WHISPER_N_FFT / 2 + 1);
  constructor(readonly nMels: number) {
    this.bank = whisperMelBank(nMels);
  }

  /**
   * Mel frames [first, first + count) of the whole signal `x` (reflect-padded at its ends, as the
   * centred STFT pads it) → [nMels, count], band-major (the encoder's input layout).
   */
  frames(x: Float32Array, first: number, count: number): Float32Array {
    const out = new Float32Array(this.nMels * count);
    const { fft, window, power, bank, nMels } = this;
    const half = WHISPER_N_FFT / 2;
    const nFreqs = power.length;
    for (let f = 0; f < count; f++) {
      const start = (first + f) * WHISPER_HOP_SAMPLES - half;
      for (let j = 0; j < half; j++) {
        fft.packedRe[j] = x[reflectIndex(start + 2 * j, x.length)] * window[2 * j];
        fft.packedIm[j] = x[reflectIndex(start + 2 * j + 1, x.length)] * window[2 * j + 1];
      }
      fft.powerFromPacked(power, 0, 2);
      for (let m = 0; m < nMels; m++) {
        let s = 0;
        for (let k = 0; k < nFreqs; k++) s += power[k] * bank[k * nMels + m];
        out[m * count + f] = Math.log10(Math.max(s, WHISPER_LOG_AMIN));
      }
    }
    return out;
  }
}
