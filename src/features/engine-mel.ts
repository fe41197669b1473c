/**
 * The mel spectrogram on the libtorch engine (Node only): torch's STFT, the power, and the
 * filterbank as one matrix product, in one native call (F.melPower) — the operations torchaudio
 * runs, without its intermediate tensors; the TypeScript FFT is several times slower. Importing this module installs it (the Node
 * face and the extraction workers do);
 * results equal the TypeScript path's to float32 rounding (test/features/engine-mel.test.ts).
 */
import { makeWindow } from '../dsp/index.js';
import { F, keep, tensor, tidy, type Tensor } from '../engine/index.js';
import { melFilterbank, setMelEngine, type MelEngine, type MelFilterbank } from './mel.js';
import type { ResolvedStftOptions } from './stft.js';
import { fromShape } from './types.js';

/** Window and filterbank tensors of one setting. */
interface Plan {
  window: Tensor;
  /** Filterbank `[nFreqs, nMels]`. */
  bank: Tensor;
}
/** Settings kept at once per cache (a process uses a handful); the oldest is released beyond. */
const CACHE_SIZE = 16;
const plans = new Map<string, Plan>();
const dcts = new Map<string, Tensor>();

/** `cache`'s entry for `key`, made (and kept alive) on first use; the oldest entry is disposed beyond {@link CACHE_SIZE}. */
function remember<T>(cache: Map<string, T>, key: string, make: () => T, dispose: (v: T) => void): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= CACHE_SIZE) {
      const [oldKey, old] = cache.entries().next().value as [string, T];
      dispose(old);
      cache.delete(oldKey);
    }
    cache.set(key, v);
  }
  return v;
}

function planFor(s: ResolvedStftOptions, bank: MelFilterbank): Plan {
  const b = bank.options;
  const key = `${s.nFft}/${s.winSamples}/${s.window}|${b.sampleRateHz}/${b.nMels}/${b.fMinHz}/${b.fMaxHz}/${b.scale}/${b.norm}`;
  return remember(
    plans,
    key,
    () => ({
      window: keep(tensor(Float32Array.from(makeWindow(s.window, s.winSamples)))),
      bank: keep(tensor(melFilterbank(b), [bank.nFreqs, bank.nMels])),
    }),
    (p) => {
      p.window.dispose();
      p.bank.dispose();
    },
  );
}

/** The DCT matrix as a tensor `[nMels, nOut]`, kept per key. */
function dctTensor(d: { matrix: Float32Array; nOut: number; key: string }): Tensor {
  return remember(
    dcts,
    d.key,
    () => keep(tensor(d.matrix, [d.matrix.length / d.nOut, d.nOut])),
    (t) => t.dispose(),
  );
}

/** {@link MelEngine} on libtorch. */
export const engineMel: MelEngine = {
  melSpectrogram(x, s, bank, power, post = {}) {
    // torch's reflect padding needs more samples than it pads; the TypeScript path mirrors repeatedly.
    if (s.center && s.padMode === 'reflect' && x.length <= Math.floor(s.nFft / 2)) return null;
    const { window, bank: bankTensor } = planFor(s, bank);
    return tidy(() => {
      const mel = F.melPower(
        tensor(x),
        { nFft: s.nFft, hopSamples: s.hopSamples, winSamples: s.winSamples, window, center: s.center, padMode: s.padMode },
        bankTensor,
        power,
        { log: post.log, dct: post.dct ? dctTensor(post.dct) : undefined },
      ); // [T, nMels or nOut]
      return fromShape(mel.shape, mel.toFloat32());
    });
  },
};

setMelEngine(engineMel);
