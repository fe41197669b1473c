/** Linear convolution by FFT (used by reverberation). */
import { ComplexFft } from './fft.js';

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Full linear convolution of two real signals via one complex FFT: length a.length + b.length − 1.
 * Both are packed into one transform (a as real part, b as imaginary part) and separated by
 * conjugate symmetry.
 */
export function convolve(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (a.length === 0 || b.length === 0) return new Float64Array(0);
  const outLen = a.length + b.length - 1;
  const n = nextPow2(outLen);
  const fft = new ComplexFft(n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < a.length; i++) re[i] = a[i];
  for (let i = 0; i < b.length; i++) im[i] = b[i];
  fft.forward(re, im);
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
  fft.inverse(pr, pi);
  return pr.subarray(0, outLen).slice();
}
