/**
 * The DeepMI curriculum metric (Lin, Sridhar & Busso, IEEE/ACM TASLP 2024): how much a training
 * utterance's (acoustic cluster, emotion level) pair says about the label, as that pair's term of
 * the mutual information between the DeepEmoCluster cluster X and the label level Y,
 *   mᵢ = p(xᵢ, yᵢ) · ln( p(xᵢ, yᵢ) / (p(xᵢ) p(yᵢ)) ),
 * mixed, with weight α, with the same term for the model's own predicted level Y′ against Y
 * (the published setting: α = 0.5 for valence, 0 for arousal and dominance). A high value marks
 * an easy sample: the curriculum feeds those first.
 */

/** Levels the attribute scale is cut into (the published 6 levels of the 1–7 MSP-Podcast scale). */
export const DEFAULT_LEVELS = 6;

/**
 * The level (0 … levels − 1) of each value: `levels` equal-width bins over `range` [low, high],
 * values outside clamped to the first / last (on MSP-Podcast's 1–7 with 6 levels: edges 2, 3, 4, 5, 6).
 */
export function attributeLevels(values: readonly number[], range: readonly [number, number], levels = DEFAULT_LEVELS): number[] {
  const [lo, hi] = range;
  if (!(hi > lo)) throw new Error(`attributeLevels: range [${lo}, ${hi}] must have low < high`);
  const width = (hi - lo) / levels;
  return values.map((v) => Math.min(levels - 1, Math.max(0, Math.floor((v - lo) / width))));
}

/** Per-sample terms p(a, b) · ln(p(a, b) / (p(a) p(b))) of the mutual information of two discrete series. */
export function pointwiseMiTerms(a: readonly number[], b: readonly number[]): number[] {
  const n = a.length;
  if (n === 0 || b.length !== n) throw new Error(`pointwiseMiTerms: need two equal, non-empty series (got ${a.length} and ${b.length})`);
  const joint = new Map<string, number>();
  const pa = new Map<number, number>();
  const pb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    joint.set(key, (joint.get(key) ?? 0) + 1 / n);
    pa.set(a[i], (pa.get(a[i]) ?? 0) + 1 / n);
    pb.set(b[i], (pb.get(b[i]) ?? 0) + 1 / n);
  }
  return a.map((x, i) => {
    const p = joint.get(`${x},${b[i]}`)!;
    return p * Math.log(p / (pa.get(x)! * pb.get(b[i])!));
  });
}

/**
 * DeepMI of every sample: (1 − α) · term(cluster, level) + α · term(predicted level, level).
 * @param clusters the DeepEmoCluster cluster of each sample
 * @param levels its label level; @param predictedLevels the level of the model's prediction
 */
export function deepMi(
  clusters: readonly number[],
  levels: readonly number[],
  predictedLevels: readonly number[],
  alpha: number,
): number[] {
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`deepMi: alpha must be in [0, 1], got ${alpha}`);
  const xy = pointwiseMiTerms(clusters, levels);
  const py = pointwiseMiTerms(predictedLevels, levels);
  return xy.map((v, i) => (1 - alpha) * v + alpha * py[i]);
}
