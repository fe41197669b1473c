/**
 * The acoustic front ends s3prl's APC and TERA checkpoints declare (./config.ts), on the engine so
 * they are fast and differentiable (the waveform attacks differentiate through the backbone):
 *
 * - Kaldi-compatible log fbank, as `torchaudio.compliance.kaldi.fbank` with snip_edges: frames of
 *   `frame_length` every `frame_shift`, each with its mean removed, pre-emphasised (the first
 *   sample against itself), windowed (symmetric Hamming / Hann, Povey, rectangular), zero-padded
 *   to a power of two; |X|² into Kaldi's triangular filters (triangles on the 1127·ln(1 + f/700)
 *   mel axis between `low_freq` and `high_freq`), ln(max(·, float32 ε)).
 * - TERA's online log-mel: the waveform scaled so its RMS is `target_level` dB, a centred STFT
 *   (reflect padding, periodic Hann window of `win_ms` centred in the 2·(n_freq − 1)-point FFT),
 *   |X|² into HTK mel filters over 0–8 kHz without normalisation, ln(mel + 1e-10).
 *
 * Then optional deltas (torchaudio's `compute_deltas`: replicate padding, Σ k·(x[t+k] − x[t−k]) /
 * (n(n+1)(2n+1)/3)), stacked [x, Δx, ΔΔx, …] along the feature axis, and optional per-utterance
 * CMVN (x − mean) / (std + 1e-10) over time with the unbiased std. The spectra of long inputs are
 * computed in blocks of {@link FRONT_END_BLOCK_FRAMES} frames so intermediate memory stays flat.
 */
import { F, cat, keep, tensor, tidy, type Tensor } from '../../engine/index.js';
import { CMVN_EPS, type FrontEndConfig } from './config.js';
// The geometry, tables and constants are the TypeScript front end's (./features.ts), so both compute the same.
import { KALDI_LOG_FLOOR, LOG_MEL_EPS, WAV_RMS_EPS, checkFrames, framesOf, frontEndTables, type Framing } from './features.js';

/** Frames whose spectra are computed in one engine call (bounds the framing memory of long inputs). */
export const FRONT_END_BLOCK_FRAMES = 4096;

/**
 * A front end: 16 kHz waveform [S] in [-1, 1] → features [T, D]. Holds its window and filterbank
 * as engine tensors (free them with {@link S3prlFrontEnd.dispose}).
 */
export class S3prlFrontEnd {
  /** Feature width D. */
  readonly dims: number;
  /** Hop between frames (samples). */
  readonly hopSamples: number;
  /** Shortest input (samples) that gives `minFrames` frames (and the 2 CMVN needs). */
  readonly minSamples: number;
  private readonly framing: Framing;
  private readonly window: Tensor;
  private readonly bank: Tensor;

  /** @param minFrames - frames the network needs at least (e.g. TERA's downsample rate). */
  constructor(
    readonly config: FrontEndConfig,
    minFrames = 1,
  ) {
    const t = frontEndTables(config, minFrames);
    this.dims = t.dims;
    this.framing = t.framing;
    this.minSamples = t.minSamples;
    this.hopSamples = t.framing.hop;
    this.window = keep(tensor(t.window, [t.window.length]));
    this.bank = keep(tensor(t.bank, [t.framing.nFft / 2 + 1, t.bins]));
  }

  /** Frames of `samples` input samples (0 when too short for one). */
  framesFor(samples: number): number {
    return framesOf(this.framing, samples);
  }

  /**
   * Features of one waveform x [S] → [T, D] float32 (differentiable in x). Computed in float64:
   * the near-silent filters of narrow-band audio sit at the log floor, where float32 rounding of
   * the spectrum would move the features by ~1e-3.
   * @throws Error when x is shorter than one frame, or shorter than {@link S3prlFrontEnd.minSamples} with CMVN.
   */
  forward(x: Tensor): Tensor {
    const samples = x.shape[x.ndim - 1];
    const frames = this.framesFor(samples);
    if (x.ndim !== 1) throw new Error(`s3prl front end: expected a waveform [S], got [${x.shape.join(', ')}]`);
    checkFrames(this.config, samples, frames, this.minSamples);
    const s = this.config.spectrum;
    const src = tidy(() => {
      const xd = x.to('float64');
      if (s.kind === 'kaldi-fbank') return xd;
      const rms = xd.square().mean().sqrt();
      const scaled = xd.mul(
        rms
          .add(WAV_RMS_EPS)
          .reciprocal()
          .mul(10 ** (s.targetLevelDb / 20)),
      );
      const p = this.framing.pad;
      return F.pad(scaled.view([1, 1, samples]), [p, p], 'reflect').view([samples + 2 * p]);
    });
    const blocks: Tensor[] = [];
    for (let t0 = 0; t0 < frames; t0 += FRONT_END_BLOCK_FRAMES)
      blocks.push(tidy(() => this.spectrum(src, t0, Math.min(FRONT_END_BLOCK_FRAMES, frames - t0))));
    src.dispose();
    let h = blocks.length === 1 ? blocks[0] : cat(blocks, 0);
    if (blocks.length > 1) for (const b of blocks) b.dispose();
    const c = this.config;
    if (c.deltaOrder > 0) {
      const base = h;
      h = tidy(() => {
        const all = [base];
        for (let o = 0; o < c.deltaOrder; o++) all.push(deltas(all[all.length - 1], c.deltaWinLength));
        return cat(all, 1);
      });
      base.dispose();
    }
    if (c.cmvn) {
      const raw = h;
      h = tidy(() => raw.sub(raw.mean(0, true)).div(raw.std(0, true, true).add(CMVN_EPS)));
      raw.dispose();
    }
    const out = h.to('float32');
    h.dispose();
    return out;
  }

  /** Log filterbank energies of frames [t0, t0 + n) of the (padded) signal → [n, bins]. */
  private spectrum(src: Tensor, t0: number, n: number): Tensor {
    const { frame, hop, nFft } = this.framing;
    const idx = new Int32Array(n * frame);
    for (let t = 0; t < n; t++) for (let j = 0; j < frame; j++) idx[t * frame + j] = (t0 + t) * hop + j;
    let f = src.index([tensor(idx, [n, frame]).to('int64')]);
    const s = this.config.spectrum;
    if (s.kind === 'kaldi-fbank') {
      if (s.removeDcOffset) f = f.sub(f.mean(1, true));
      if (s.preemphasis !== 0) {
        const prev = cat([f.narrow(1, 0, 1), f.narrow(1, 0, frame - 1)], 1);
        f = f.sub(prev.mul(s.preemphasis));
      }
    }
    const spec = F.rfft(f.mul(this.window), nFft).square().sum(-1);
    const power = s.kind === 'kaldi-fbank' && !s.usePower ? spec.sqrt() : spec;
    const mel = power.matmul(this.bank);
    return s.kind === 'kaldi-fbank' ? mel.clamp(KALDI_LOG_FLOOR).log() : mel.add(LOG_MEL_EPS).log();
  }

  /** Frees the window and filterbank tensors. */
  dispose(): void {
    this.window.dispose();
    this.bank.dispose();
  }
}

/** Deltas of x [T, D] along time (torchaudio's `compute_deltas` with replicate padding) → [T, D]. */
function deltas(x: Tensor, winLength: number): Tensor {
  const [t, d] = x.shape;
  const n = Math.floor((winLength - 1) / 2);
  const denom = (n * (n + 1) * (2 * n + 1)) / 3;
  const padded = F.pad(x.transpose(0, 1).contiguous().view([1, d, t]), [n, n], 'replicate');
  let sum: Tensor | null = null;
  for (let k = 1; k <= n; k++) {
    const term = padded
      .narrow(2, n + k, t)
      .sub(padded.narrow(2, n - k, t))
      .mul(k);
    sum = sum ? sum.add(term) : term;
  }
  return (sum as Tensor).div(denom).view([d, t]).transpose(0, 1);
}
