/**
 * A differentiable log-mel front end on the engine: waveform [N, samples] → log-mel
 * [N, frames, nMels], numerically the same as src/features' `logMelSpectrogram` (ln variant) so a
 * model trained on cached DSP features can be attacked in the waveform domain (FGSM/PGD), with
 * gradients flowing through the STFT and filterbank.
 */
import { DEFAULT_SAMPLE_RATE_HZ } from '../audio/index.js';
import {
  DEFAULT_LN_EPS,
  DEFAULT_N_MELS,
  DEFAULT_POWER,
  DEFAULT_WINDOW,
  DEFAULT_CENTER,
  DEFAULT_PAD_MODE,
  melFilterbank,
  resolveMelStftOptions,
  type MelSpectrogramOptions,
} from '../features/index.js';
import { makeWindow } from '../dsp/index.js';
import { F, keep, nn, tensor, type Tensor } from '../engine/index.js';

/** Options: those of `logMelSpectrogram` with natural-log compression (sample rate default 16 kHz). */
export type LogMelFrontendOptions = Omit<MelSpectrogramOptions, 'sampleRateHz'> & { sampleRateHz?: number; lnEps?: number };

export class LogMelFrontend extends nn.Module {
  readonly nFft: number;
  readonly hopSamples: number;
  readonly winSamples: number;
  readonly nMels: number;
  readonly sampleRateHz: number;
  private readonly window: Tensor;
  /** Filterbank [nFft/2+1, nMels]. */
  private readonly bank: Tensor;
  private readonly o: LogMelFrontendOptions;

  constructor(o: LogMelFrontendOptions = {}) {
    super();
    const s = resolveMelStftOptions(o);
    this.o = o;
    this.nFft = s.nFft;
    this.hopSamples = s.hopSamples;
    this.winSamples = s.winSamples ?? s.nFft;
    this.nMels = o.nMels ?? DEFAULT_N_MELS;
    this.sampleRateHz = o.sampleRateHz ?? DEFAULT_SAMPLE_RATE_HZ;
    // Constants, not state: kept alive but not registered as buffers (no checkpoint entries).
    this.window = keep(tensor(Float32Array.from(makeWindow(o.window ?? DEFAULT_WINDOW, this.winSamples))));
    const fb = melFilterbank({ ...o, sampleRateHz: this.sampleRateHz, nFft: this.nFft, nMels: this.nMels });
    this.bank = keep(tensor(fb, [(this.nFft / 2 + 1) | 0, this.nMels]));
  }

  /** Log-mel of a batch of waveforms [N, samples] (or one waveform [samples] → [frames, nMels]). */
  forward(wave: Tensor): Tensor {
    const spec = F.stft(wave, {
      nFft: this.nFft,
      hopSamples: this.hopSamples,
      winSamples: this.winSamples,
      window: this.window,
      center: this.o.center ?? DEFAULT_CENTER,
      padMode: this.o.padMode ?? DEFAULT_PAD_MODE,
    }); // [..., freq, frames, 2]
    let power = spec.square().sum(-1);
    if ((this.o.power ?? DEFAULT_POWER) === 1) power = power.sqrt();
    const mel = power.transpose(-2, -1).matmul(this.bank); // [..., frames, nMels]
    return mel.add(this.o.lnEps ?? DEFAULT_LN_EPS).log();
  }

  override dispose(): void {
    super.dispose();
    this.window.dispose();
    this.bank.dispose();
  }
}
