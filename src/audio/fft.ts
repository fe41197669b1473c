/**
 * Minimal radix-2 complex FFT and FFT-based linear convolution (used by reverberation).
 */

/** Smallest power of two ≥ n (n ≥ 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * In-place iterative radix-2 FFT of a complex signal held as separate real/imaginary arrays.
 * The length must be a power of two. `inverse` computes the unscaled inverse transform
 * (divide by the length afterwards).
 */
export function fftInPlace(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n || (n & (n - 1)) !== 0) throw new RangeError(`fftInPlace: length ${n} is not a power of two or re/im differ`);
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size *= 2) {
    const halfSize = size / 2;
    const step = (sign * 2 * Math.PI) / size;
    for (let k = 0; k < halfSize; k++) {
      // Twiddle computed directly (not by recurrence) to keep rounding error at O(ε log n).
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let i = k; i < n; i += size) {
        const j = i + halfSize;
        const tr = wr * re[j] - wi * im[j];
        const ti = wr * im[j] + wi * re[j];
        re[j] = re[i] - tr;
        im[j] = im[i] - ti;
        re[i] += tr;
        im[i] += ti;
      }
    }
  }
}

/**
 * Full linear convolution of two real signals via one FFT: length a.length + b.length − 1.
 * Both are packed into one complex transform (a as real part, b as imaginary part) and
 * separated by conjugate symmetry.
 */
export function convolve(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (a.length === 0 || b.length === 0) return new Float64Array(0);
  const outLen = a.length + b.length - 1;
  const n = nextPow2(outLen);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < a.length; i++) re[i] = a[i];
  for (let i = 0; i < b.length; i++) im[i] = b[i];
  fftInPlace(re, im);
  // With Z = FFT(a + i·b): A[k] = (Z[k] + conj Z[n−k]) / 2, B[k] = (Z[k] − conj Z[n−k]) / 2i,
  // so A[k]·B[k] = (Z[k]² − conj(Z[n−k])²) / 4i.
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const m = (n - k) & (n - 1);
    const zr = re[k];
    const zi = im[k];
    const cr = re[m];
    const ci = -im[m];
    const dr = zr * zr - zi * zi - (cr * cr - ci * ci);
    const di = 2 * zr * zi - 2 * cr * ci;
    // Divide (dr + i·di) by 4i: (di − i·dr) / 4.
    pr[k] = di / 4;
    pi[k] = -dr / 4;
  }
  fftInPlace(pr, pi, true);
  const out = new Float64Array(outLen);
  for (let i = 0; i < outLen; i++) out[i] = pr[i] / n;
  return out;
}
