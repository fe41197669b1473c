/**
 * Epoch orders and regularizers' randomness: shuffling, random oversampling of rare classes,
 * bootstrap resampling (the gender/race bias study of SER on CREMA-D), class weights, and Beta draws for mixup.
 */
import { shuffle, type Rng } from '../core/index.js';

/**
 * Indices of one training epoch over examples with `labels`:
 * 'none' = each once; 'oversample' = every class topped up (random repeats) to the largest
 * class' count; bootstrap = n draws with replacement (applied after balancing).
 */
export function epochOrder(labels: number[], rng: Rng, o: { oversample: boolean; bootstrap: boolean }): number[] {
  let idx = labels.map((_, i) => i);
  if (o.oversample) {
    const byClass = new Map<number, number[]>();
    labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
    const target = Math.max(...[...byClass.values()].map((v) => v.length));
    idx = [];
    for (const members of byClass.values()) {
      idx.push(...members);
      for (let k = members.length; k < target; k++) idx.push(members[rng.int(members.length)]);
    }
  }
  if (o.bootstrap) idx = idx.map(() => idx[rng.int(idx.length)]);
  return shuffle(idx, rng);
}

/** Loss weights ∝ 1 / class frequency, normalized to mean 1 over present classes (absent classes: 0). */
export function classWeights(labels: number[], numClasses: number): Float32Array {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) counts[l]++;
  const present = counts.filter((c) => c > 0).length;
  const raw = counts.map((c) => (c > 0 ? 1 / c : 0));
  const scale = present / raw.reduce((a, b) => a + b, 0);
  return Float32Array.from(raw, (w) => w * scale);
}

/** A Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 via the boost x·U^(1/shape)). */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * (rng.next() || Number.MIN_VALUE) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = rng.normal();
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = rng.next();
    if (Math.log(u || Number.MIN_VALUE) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) draw. */
export function beta(a: number, b: number, rng: Rng): number {
  const x = gamma(a, rng);
  return x / (x + gamma(b, rng));
}
