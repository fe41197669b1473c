/**
 * The 65 LLD contours of `compare-ts` (order of `COMPARE_LLDS` in layout.ts), their 3-frame
 * smoothing and their deltas.
 *
 * One STFT (20 ms periodic Hamming, FFT = next power of two, 10 ms hop, centred frames,
 * zero-padded edges; the shared `spectrogram`) feeds the mel filterbank (auditory spectrum,
 * RASTA, MFCC) and the spectral LLDs. Smoothing: 3-frame moving average (egemaps-ts `sma3`);
 * voicing LLDs are smoothed within the frames where they are defined only. Deltas: the
 * regression deltas of `src/features/deltas.ts` (N = 2) on the smoothed contours, for voicing
 * LLDs computed within each run of defined frames (edge frames of a run repeated).
 */
import { makeWindow } from '../../dsp/index.js';
import { deltas } from '../deltas.js';
import { sma3 } from '../egemaps/functionals.js';
import { getMelFilterbank, type MelFilterbank } from '../mel.js';
import { spectrogram } from '../stft.js';
import { makeFeatures } from '../types.js';
import { DELTA_HALF_WIDTH, MEL_BANDS, MEL_FMAX_HZ, MEL_FMIN_HZ, SPECTRAL_WINDOW } from './constants.js';
import { framing, frameRms, frameZcr, type Framing } from './framing.js';
import { COMPARE_LLDS } from './layout.js';
import { auditoryLlds } from './lld-auditory.js';
import { SpectralAnalyzer } from './lld-spectral.js';
import { activeFrames, voicingLlds } from './lld-voicing.js';

/** Raw LLDs of one utterance (before smoothing). */
export interface RawLlds {
  framing: Framing;
  /** One contour per entry of `COMPARE_LLDS` (`NaN` = undefined in that frame). */
  contours: Float32Array[];
  /** 1 for voiced frames. */
  voiced: Uint8Array;
  /** 1 for non-silent frames. */
  active: Uint8Array;
}

/** Smoothed contours and their deltas. */
export interface Contours {
  framing: Framing;
  smoothed: Float32Array[];
  delta: Float32Array[];
  voiced: Uint8Array;
}

interface Tables {
  mel: MelFilterbank;
  spectral: SpectralAnalyzer;
  windowPower: number;
}

const tableCache = new Map<string, Tables>();

function tables(sampleRateHz: number, f: Framing): Tables {
  const key = `${sampleRateHz}/${f.nFft}/${f.shortWindowSamples}`;
  let t = tableCache.get(key);
  if (!t) {
    let windowPower = 0;
    for (const w of makeWindow(SPECTRAL_WINDOW, f.shortWindowSamples)) windowPower += w * w;
    t = {
      mel: getMelFilterbank({
        sampleRateHz,
        nFft: f.nFft,
        nMels: MEL_BANDS,
        fMinHz: MEL_FMIN_HZ,
        fMaxHz: Math.min(MEL_FMAX_HZ, sampleRateHz / 2),
        scale: 'htk',
        norm: null,
      }),
      spectral: new SpectralAnalyzer(sampleRateHz, f.nFft),
      windowPower,
    };
    tableCache.set(key, t);
  }
  return t;
}

/**
 * Computes the raw LLD contours.
 * @param x signal (full scale ±1), already validated
 * @param sampleRateHz sample rate (Hz)
 */
export function computeRawLlds(x: Float32Array, sampleRateHz: number): RawLlds {
  const f = framing(x.length, sampleRateHz);
  const tab = tables(sampleRateHz, f);
  const T = f.frameCount;
  const rms = frameRms(x, f);
  const zcr = frameZcr(x, f);
  const active = activeFrames(rms);

  const spec = spectrogram(x, {
    nFft: f.nFft,
    hopSamples: f.hopSamples,
    winSamples: f.shortWindowSamples,
    window: SPECTRAL_WINDOW,
    center: true,
    padMode: 'constant',
    power: 2,
  });
  if (spec.frames !== T) throw new Error(`compare-ts: internal framing mismatch (${spec.frames} vs ${T} frames)`);
  const scale = 1 / tab.windowPower;
  for (let i = 0; i < spec.data.length; i++) spec.data[i] *= scale;
  const aud = auditoryLlds(tab.mel.apply(spec), tab.mel);
  const spectral = tab.spectral.analyze(spec.data, T);
  const v = voicingLlds(x, sampleRateHz, T, f.hopSamples, active);

  const contours = [
    aud.loudness,
    aud.rastaLoudness,
    rms,
    zcr,
    ...aud.rastaBands,
    ...spectral,
    ...aud.mfcc,
    v.f0Hz,
    v.voicingProb,
    v.jitterLocal,
    v.jitterDdp,
    v.shimmerLocal,
    v.hnrDb,
  ];
  if (contours.length !== COMPARE_LLDS.length)
    throw new Error(`compare-ts: ${contours.length} LLD contours, expected ${COMPARE_LLDS.length}`);
  return { framing: f, contours, voiced: v.voiced, active };
}

/** Deltas of a contour within each run of finite values (`NaN` elsewhere). */
function deltasWithinRuns(c: Float32Array): Float32Array {
  const out = new Float32Array(c.length).fill(Number.NaN);
  let i = 0;
  while (i < c.length) {
    if (!Number.isFinite(c[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < c.length && Number.isFinite(c[j])) j++;
    const d = deltas({ data: c.subarray(i, j), channels: 1, frames: j - i, dims: 1 }, DELTA_HALF_WIDTH);
    out.set(d.data, i);
    i = j;
  }
  return out;
}

/** Smooths every contour and computes the deltas. */
export function smoothAndDelta(raw: RawLlds): Contours {
  const T = raw.framing.frameCount;
  const smoothed = raw.contours.map(sma3);
  const delta: Float32Array[] = new Array(smoothed.length);
  // Energy and spectral LLDs: one [T, D] matrix through the shared deltas.
  const dense = COMPARE_LLDS.flatMap((l, i) => (l.group === 'voicing' ? [] : [i]));
  const m = makeFeatures(T, dense.length);
  dense.forEach((li, d) => {
    const c = smoothed[li];
    for (let t = 0; t < T; t++) m.data[t * dense.length + d] = c[t];
  });
  const dm = deltas(m, DELTA_HALF_WIDTH);
  dense.forEach((li, d) => {
    const c = new Float32Array(T);
    for (let t = 0; t < T; t++) c[t] = dm.data[t * dense.length + d];
    delta[li] = c;
  });
  COMPARE_LLDS.forEach((l, i) => {
    if (l.group === 'voicing') delta[i] = deltasWithinRuns(smoothed[i]);
  });
  return { framing: raw.framing, smoothed, delta, voiced: raw.voiced };
}
