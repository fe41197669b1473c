/**
 * Safety: adversarial attacks on the waveform (docs/metrics.md, "Safety"), through the differentiable
 * log-mel front end, the run's normalization and the model. The perturbation is scaled per
 * utterance so that 10·log10(Σx² / Σδ²) equals the target SNR exactly.
 *  - FGSM (Goodfellow et al. 2015): δ = ε · sign(∇ₓ L).
 *  - PGD (Madry et al. 2018), ℓ2 ball of the target SNR: k signed-gradient steps, each followed by
 *    projection onto the ball; the final δ is scaled onto the sphere so its SNR is the target.
 * Attack success rate = fraction of utterances classified correctly before the attack that are
 * misclassified after it (higher = less safe).
 */
import { F, grad, noGrad, tensor, tidy, type Tensor } from '../engine/index.js';
import type { WaveformClassifier } from '../run/index.js';

/** Squared norm of δ allowed at `snrDb` for a signal of energy Σx² (linear units). */
export function perturbationEnergy(signalEnergy: number, snrDb: number): number {
  return signalEnergy / 10 ** (snrDb / 10);
}

/** The SNR (dB) of a perturbation δ relative to the clean signal x: 10·log10(Σx² / Σδ²). */
export function measuredSnrDb(x: Float32Array, delta: Float32Array): number {
  let sx = 0,
    sd = 0;
  for (let i = 0; i < x.length; i++) {
    sx += x[i] * x[i];
    sd += delta[i] * delta[i];
  }
  return 10 * Math.log10(sx / sd);
}

/** A scalar loss of one waveform [1, samples] that an attack increases. */
export type WaveformLoss = (wave: Tensor) => Tensor;

/** The classifier's cross-entropy against `label`: the loss the classification attacks increase. */
const crossEntropyOf =
  (classify: WaveformClassifier, label: number): WaveformLoss =>
  (wave) =>
    F.crossEntropy(classify(wave), tensor(BigInt64Array.of(BigInt(label)), [1]));

function lossGrad(lossOf: WaveformLoss, wave: Tensor): Tensor {
  const x = wave.detach().requiresGrad_();
  const [g] = grad(lossOf(x), x);
  if (g === null) throw new Error('attack: the model output does not depend on the waveform');
  return g;
}

function energy(t: Tensor): number {
  return t.square().sum().item();
}

/**
 * FGSM perturbation δ [samples] for one utterance at `snrDb`: ε·sign(∇ₓ CE), ε chosen so that
 * Σδ² = Σx² / 10^(snr/10).
 */
export function fgsm(classify: WaveformClassifier, x: Float32Array, label: number, snrDb: number): Float32Array {
  return fgsmWith(crossEntropyOf(classify, label), x, snrDb);
}

/** FGSM on any differentiable loss of the waveform (e.g. a regression's error): δ = ε·sign(∇ₓ L) at `snrDb`. */
export function fgsmWith(lossOf: WaveformLoss, x: Float32Array, snrDb: number): Float32Array {
  return tidy(() => {
    const wave = tensor(x, [1, x.length]);
    const s = lossGrad(lossOf, wave).sign();
    const nonzero = energy(s);
    if (nonzero === 0) return new Float32Array(x.length);
    const eps = Math.sqrt(perturbationEnergy(energy(wave), snrDb) / nonzero);
    return s.mul(eps).reshape([-1]).toArray() as Float32Array;
  });
}

/** PGD options: number of steps and the step size as a fraction of the ball radius. */
export interface PgdOptions {
  steps?: number;
  /** Each step moves δ by stepFraction · radius (ℓ2). Default 2.5 / steps (Madry et al.'s rule). */
  stepFraction?: number;
}

/** ℓ2 PGD perturbation δ [samples] at `snrDb` (on the SNR sphere at the end). */
export function pgd(classify: WaveformClassifier, x: Float32Array, label: number, snrDb: number, o: PgdOptions = {}): Float32Array {
  return pgdWith(crossEntropyOf(classify, label), x, snrDb, o);
}

/** ℓ2 PGD on any differentiable loss of the waveform, at `snrDb` (on the SNR sphere at the end). */
export function pgdWith(lossOf: WaveformLoss, x: Float32Array, snrDb: number, o: PgdOptions = {}): Float32Array {
  const steps = o.steps ?? 10;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`pgd: steps must be a positive integer, got ${steps}`);
  const frac = o.stepFraction ?? 2.5 / steps;
  return tidy(() => {
    const wave = tensor(x, [1, x.length]);
    const radius = Math.sqrt(perturbationEnergy(energy(wave), snrDb));
    let delta = tensor(new Float32Array(x.length), [1, x.length]);
    for (let k = 0; k < steps; k++) {
      delta = tidy(() => {
        const s = lossGrad(lossOf, wave.add(delta)).sign();
        const n = Math.sqrt(energy(s));
        const next = n === 0 ? delta.clone() : delta.add(s.mul((frac * radius) / n));
        const norm = Math.sqrt(energy(next));
        return norm > radius ? next.mul(radius / norm) : next;
      });
    }
    const norm = Math.sqrt(energy(delta));
    if (norm === 0) return new Float32Array(x.length);
    return delta
      .mul(radius / norm)
      .reshape([-1])
      .toArray() as Float32Array;
  });
}

/** Predicted class of one waveform. */
export function predictWave(classify: WaveformClassifier, x: Float32Array): number {
  return noGrad(() =>
    tidy(() =>
      classify(tensor(x, [1, x.length]))
        .argmax(1)
        .item(),
    ),
  );
}

export interface AttackResult {
  method: 'fgsm' | 'pgd';
  snrDb: number;
  /** Utterances correctly classified before the attack. */
  attacked: number;
  /** Of those, how many were misclassified after it. */
  flipped: number;
  successRate: number;
  /** Largest |measured − target| SNR over the attacked utterances (dB). */
  maxSnrErrorDb: number;
}

/** Runs one attack at one SNR over utterances; returns the success rate. */
export function attackSuccess(
  classify: WaveformClassifier,
  utts: { samples: Float32Array; label: number }[],
  method: 'fgsm' | 'pgd',
  snrDb: number,
  o: PgdOptions = {},
): AttackResult {
  let attacked = 0,
    flipped = 0,
    maxErr = 0;
  for (const u of utts) {
    if (predictWave(classify, u.samples) !== u.label) continue;
    attacked++;
    const delta = method === 'fgsm' ? fgsm(classify, u.samples, u.label, snrDb) : pgd(classify, u.samples, u.label, snrDb, o);
    maxErr = Math.max(maxErr, Math.abs(measuredSnrDb(u.samples, delta) - snrDb));
    const adv = u.samples.map((v, i) => v + delta[i]);
    if (predictWave(classify, adv) !== u.label) flipped++;
  }
  return { method, snrDb, attacked, flipped, successRate: attacked === 0 ? NaN : flipped / attacked, maxSnrErrorDb: maxErr };
}
