/**
 * Seedable pseudo-random numbers for reproducible augmentation.
 *
 * The generator is xoshiro128** (Blackman & Vigna): 128 bits of state, period 2^128 − 1,
 * seeded by running splitmix32 over the 32-bit seed so that nearby seeds give unrelated
 * streams. All arithmetic is 32-bit integer (`Math.imul`, `>>> 0`), so the same seed yields
 * the same sequence on every JavaScript engine.
 */

/** A deterministic random source. */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (unbiased, by rejection). */
  int(n: number): number;
  /** Standard normal deviate (mean 0, variance 1) by the Box–Muller transform. */
  normal(): number;
}

/** 2^-32: maps a uint32 to [0, 1). */
const UINT32_TO_UNIT = 1 / 4294967296;
/** splitmix32 increment (the 32-bit golden-ratio constant). */
const GOLDEN_GAMMA_32 = 0x9e3779b9;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a generator from an integer seed. Equal seeds give equal sequences; the seed is
 * reduced to 32 bits (`seed >>> 0` after truncation towards zero).
 *
 * @param seed - any finite number; its integer part modulo 2^32 is used.
 */
export function makeRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`makeRng: seed must be finite, got ${seed}`);
  let sm = Math.trunc(seed) >>> 0;
  const splitmix = (): number => {
    sm = (sm + GOLDEN_GAMMA_32) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  };
  const next = (): number => nextUint32() * UINT32_TO_UNIT;

  let spare = 0;
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // u1 in (0, 1] so that log(u1) is finite.
    const u1 = 1 - next();
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    spare = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  };

  const int = (n: number): number => {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    // Reject the top partial block of the uint32 range to avoid modulo bias.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = nextUint32();
      if (u < limit) return u % n;
    }
  };

  return { next, nextUint32, int, normal };
}

/** A uniform draw in [lo, hi) from `rng`. */
export function drawUniform(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return lo + (hi - lo) * rng.next();
}

/** Fisher–Yates shuffle of `items` in place, driven by `rng`; returns `items`. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
