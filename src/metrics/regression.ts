/**
 * Metrics of continuous predictions (dimensional SER: arousal, valence, dominance): the
 * concordance correlation coefficient (CCC, the field's headline), Pearson's r and RMSE.
 * Population moments throughout (1/n), as the CCC is defined in METRICS.md.
 */

/** CCC, Pearson's r and RMSE of one attribute's predictions. */
export interface RegressionMetrics {
  ccc: number;
  pearson: number;
  /** Root mean squared error, in the attribute's own units. */
  rmse: number;
  n: number;
}

interface Moments {
  mx: number;
  my: number;
  /** Population variances and covariance. */
  vx: number;
  vy: number;
  cov: number;
  n: number;
}

function moments(x: ArrayLike<number>, y: ArrayLike<number>, what: string): Moments {
  const n = x.length;
  if (n !== y.length || n === 0) throw new Error(`${what}: need two equal, non-empty series (got ${x.length} and ${y.length})`);
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let vx = 0,
    vy = 0,
    cov = 0;
  for (let i = 0; i < n; i++) {
    vx += (x[i] - mx) ** 2;
    vy += (y[i] - my) ** 2;
    cov += (x[i] - mx) * (y[i] - my);
  }
  return { mx, my, vx: vx / n, vy: vy / n, cov: cov / n, n };
}

const cccOf = (m: Moments) => (2 * m.cov) / (m.vx + m.vy + (m.mx - m.my) ** 2);
const pearsonOf = (m: Moments) => m.cov / Math.sqrt(m.vx * m.vy);

/**
 * Concordance correlation coefficient 2ρσₓσᵧ / (σₓ² + σᵧ² + (μₓ − μᵧ)²) (population moments).
 * NaN when both series are the same constant (0 / 0).
 */
export function ccc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return cccOf(moments(x, y, 'ccc'));
}

/** Pearson's correlation coefficient; NaN when either series is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearsonOf(moments(x, y, 'pearson'));
}

/** Root mean squared error between two equal-length series (their units). */
export function rmse(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const { n } = moments(x, y, 'rmse');
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - y[i]) ** 2;
  return Math.sqrt(s / n);
}

/** CCC, Pearson's r and RMSE of predictions `pred` against labels `truth`. */
export function regressionMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>): RegressionMetrics {
  const m = moments(truth, pred, 'regressionMetrics');
  return { ccc: cccOf(m), pearson: pearsonOf(m), rmse: rmse(truth, pred), n: m.n };
}
