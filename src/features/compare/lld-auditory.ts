/**
 * Auditory spectrum, its RASTA-filtered version and MFCC 1–14 of `compare-ts`, all from the
 * same 26-band mel power spectrum (HTK mel scale, triangles 20–8000 Hz clipped to Nyquist,
 * applied to the periodograms of the short window, shared `MelFilterbank`).
 *
 * With E_b[t] the power of band b (centre f_b):
 * - auditory spectrum A_b = (max(E_b, floor)·Q(f_b))^0.33 with the equal-loudness curve
 *   Q(f) = (ω² + 56.8·10⁶)·ω⁴ / ((ω² + 6.3·10⁶)²·(ω² + 0.38·10⁹)), ω = 2πf (Hermansky 1990)
 *   and the cube-root intensity-to-loudness law; loudness = Σ_b A_b (its L1 norm);
 * - RASTA: each band's power contour is band-pass filtered along time before the same
 *   weighting and compression: u[t] = 0.1·(2E[t+2] + E[t+1] − E[t−1] − 2E[t−2]) (edge frames
 *   repeated), y[t] = u[t] + 0.94·y[t−1] (Hermansky & Morgan 1994); negative outputs are raised
 *   to the floor by the max(·, floor) above. Its L1 norm is the RASTA loudness;
 * - MFCC k = orthonormal DCT-II of ln(E_b) (shared `mfccFromMel`), liftered by
 *   1 + (22/2)·sin(πk/22), k = 1 … 14.
 */
import { hzToMel, melToHz } from '../../dsp/index.js';
import type { MelFilterbank } from '../mel.js';
import { mfccFromMel } from '../mfcc.js';
import type { Features } from '../types.js';
import {
  AUDITORY_COMPRESSION,
  AUDITORY_POWER_FLOOR,
  MEL_BANDS,
  MFCC_FIRST,
  MFCC_LAST,
  MFCC_LIFTER,
  MFCC_POWER_SCALE,
  RASTA_FIR,
  RASTA_POLE,
} from './constants.js';

/** Auditory contours of one utterance. */
export interface AuditoryLlds {
  /** Σ_b A_b per frame. */
  loudness: Float32Array;
  /** Σ_b of the RASTA-filtered auditory spectrum per frame. */
  rastaLoudness: Float32Array;
  /** RASTA-filtered auditory spectrum, one contour per band (band 0 lowest). */
  rastaBands: Float32Array[];
  /** MFCC {@link MFCC_FIRST} … {@link MFCC_LAST}, one contour each. */
  mfcc: Float32Array[];
}

/**
 * Equal-loudness weight Q(f) of the PLP front end (Hermansky 1990), dimensionless
 * (→ 1 at high frequencies).
 * @param hz frequency (Hz)
 */
function equalLoudness(hz: number): number {
  const w2 = (2 * Math.PI * hz) ** 2;
  return ((w2 + 56.8e6) * w2 * w2) / ((w2 + 6.3e6) ** 2 * (w2 + 0.38e9));
}

/** Equal-loudness weight of each band's centre frequency. */
function bandWeights(bank: MelFilterbank): Float64Array {
  const { fMinHz, fMaxHz, scale } = bank.options;
  const lo = hzToMel(fMinHz, scale);
  const hi = hzToMel(fMaxHz, scale);
  const out = new Float64Array(bank.nMels);
  for (let b = 0; b < bank.nMels; b++) out[b] = equalLoudness(melToHz(lo + ((hi - lo) * (b + 1)) / (bank.nMels + 1), scale));
  return out;
}

/**
 * RASTA band-pass along time of one band's power contour (see the module notes).
 * @param e band power per frame
 * @param out receives the filtered contour (same length)
 */
function rastaFilter(e: ArrayLike<number>, out: Float64Array): void {
  const n = e.length;
  const at = (i: number) => e[i < 0 ? 0 : i >= n ? n - 1 : i];
  let y = 0;
  for (let t = 0; t < n; t++) {
    let u = 0;
    for (let j = 0; j < RASTA_FIR.length; j++) u += RASTA_FIR[j] * at(t + 2 - j);
    y = u + RASTA_POLE * y;
    out[t] = y;
  }
}

/**
 * Computes the auditory LLDs from a mel power spectrogram.
 * @param mel `[T, MEL_BANDS]` band powers (periodogram scale)
 * @param bank the filterbank that produced `mel` (for the band centre frequencies)
 */
export function auditoryLlds(mel: Features, bank: MelFilterbank): AuditoryLlds {
  const T = mel.frames;
  const B = mel.dims;
  if (B !== MEL_BANDS) throw new Error(`compare-ts: expected ${MEL_BANDS} mel bands, got ${B}`);
  const q = bandWeights(bank);
  const loudness = new Float32Array(T);
  const rastaLoudness = new Float32Array(T);
  const rastaBands = Array.from({ length: B }, () => new Float32Array(T));
  const band = new Float64Array(T);
  const filtered = new Float64Array(T);
  const data = mel.data;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const e = data[t * B + b];
      band[t] = e;
      loudness[t] += (Math.max(e, AUDITORY_POWER_FLOOR) * q[b]) ** AUDITORY_COMPRESSION;
    }
    rastaFilter(band, filtered);
    const r = rastaBands[b];
    for (let t = 0; t < T; t++) {
      const a = (Math.max(filtered[t], AUDITORY_POWER_FLOOR) * q[b]) ** AUDITORY_COMPRESSION;
      r[t] = a;
      rastaLoudness[t] += a;
    }
  }
  // MFCCs: the mel powers at 16-bit scale (see MFCC_POWER_SCALE), then the shared cepstrum.
  const scaled: Features = { ...mel, data: new Float32Array(data.length) };
  for (let i = 0; i < data.length; i++) scaled.data[i] = data[i] * MFCC_POWER_SCALE;
  const cep = mfccFromMel(scaled, { nMfcc: MFCC_LAST + 1, logMels: true, dctNorm: 'ortho', lifter: MFCC_LIFTER });
  const mfcc: Float32Array[] = [];
  for (let k = MFCC_FIRST; k <= MFCC_LAST; k++) {
    const c = new Float32Array(T);
    for (let t = 0; t < T; t++) c[t] = cep.data[t * cep.dims + k];
    mfcc.push(c);
  }
  return { loudness, rastaLoudness, rastaBands, mfcc };
}
