/** Confidence intervals of a proportion k / n (attack success rates, probe accuracies). */
import { probit } from './spoofing.js';

/**
 * Wilson score interval of the proportion `successes / trials` at `level` (default 0.95):
 * unlike the normal approximation it stays inside [0, 1] and is sensible for small n and for
 * k = 0 or k = n. Trials are treated as independent (utterances of one speaker are not, so the
 * interval is a lower bound on the uncertainty).
 */
export function wilsonInterval(successes: number, trials: number, level = 0.95): { low: number; high: number } {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`wilsonInterval: trials must be a positive integer, got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials)
    throw new RangeError(`wilsonInterval: successes must be an integer in 0…${trials}, got ${successes}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`wilsonInterval: level must lie in (0, 1), got ${level}`);
  const z = probit(1 - (1 - level) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
