/** Small array helpers used across stages. */

/** Index of the largest value (the first on ties); −1 for an empty array. */
export function argmax(p: ArrayLike<number>): number {
  if (p.length === 0) return -1;
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}
