/**
 * The clustering stage of DeepEmoCluster, as DeepCluster does it: embeddings PCA-whitened
 * (eigen-decomposition of their covariance, ml-matrix), each row L2-normalised, k-means
 * (ml-kmeans, k-means++ seeded), and a sampler that draws training examples uniformly over the
 * non-empty clusters so that a large cluster cannot dominate the pseudo-label classification.
 */
import { kmeans } from 'ml-kmeans';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { shuffle, type Rng } from '../core/index.js';

/** Lloyd iterations of each clustering (DeepCluster's faiss setting). */
const KMEANS_ITERATIONS = 20;
/** Added to each eigenvalue before whitening, so near-null directions are not blown up. */
const WHITEN_EPS = 1e-5;

/** Rows of `x` ([N][D]) PCA-whitened and L2-normalised. */
export function whitenRows(x: readonly Float32Array[]): number[][] {
  const n = x.length;
  const d = x[0].length;
  const mean = new Float64Array(d);
  for (const r of x) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  const centred = new Matrix(x.map((r) => Array.from(r, (v, j) => v - mean[j])));
  const cov = centred
    .transpose()
    .mmul(centred)
    .div(Math.max(1, n - 1));
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const scale = evd.realEigenvalues.map((l) => 1 / Math.sqrt(Math.max(l, 0) + WHITEN_EPS));
  const projected = centred.mmul(evd.eigenvectorMatrix).mulRowVector(scale);
  return projected.to2DArray().map((r) => {
    const norm = Math.hypot(...r) || 1;
    return r.map((v) => v / norm);
  });
}

/**
 * Cluster index of every row of `embeddings` ([N][D]) among `k` clusters (fewer rows than `k`:
 * one cluster per row), deterministic under `seed`.
 */
export function clusterEmbeddings(embeddings: readonly Float32Array[], k: number, seed: number): number[] {
  if (embeddings.length <= k) return embeddings.map((_, i) => i);
  const r = kmeans(whitenRows(embeddings), k, { seed, initialization: 'kmeans++', maxIterations: KMEANS_ITERATIONS });
  return r.clusters;
}

/**
 * `n` example indices drawn uniformly over the non-empty clusters of `assignment` (each cluster
 * contributes ⌈n / clusters⌉ members, with replacement when it has fewer), shuffled, cut to `n`.
 */
export function uniformOverClusters(assignment: readonly number[], n: number, rng: Rng): number[] {
  const members = new Map<number, number[]>();
  assignment.forEach((c, i) => members.set(c, [...(members.get(c) ?? []), i]));
  const per = Math.ceil(n / members.size);
  const out: number[] = [];
  for (const c of [...members.keys()].sort((a, b) => a - b)) {
    const m = members.get(c)!;
    if (m.length > per) out.push(...shuffle([...m], rng).slice(0, per));
    else for (let i = 0; i < per; i++) out.push(m[rng.int(m.length)]);
  }
  return shuffle(out, rng).slice(0, n);
}
