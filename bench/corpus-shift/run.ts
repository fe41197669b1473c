/**
 * bench/corpus-shift: how far each feature group of the fused recipe moves between corpora,
 * measured against how far it moves between the speakers of one corpus. For a group of dims,
 * the *shift* of a set of utterances is the mean over dims of |mean − μ| / σ, with μ and σ the
 * statistics of the reference utterances; a classifier trained on the reference sees that
 * offset on every input of the other set. Rows: the other corpus against the training corpus
 * (RAVDESS → TESS, TESS → RAVDESS) and, for scale, each RAVDESS actor against the other 23
 * (averaged over actors). Features come from the cache the other benchmarks fill.
 * Usage: npm run bench:corpus-shift
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths.js';
import { loadCorpus, type Utterance } from '../../src/data/index.js';
import { computeFeatures, getFeatureSet } from '../../src/features/index.js';
import { machineLine, writeResultsSection } from '../results.js';

const DATA = join(packageRoot(), '..', 'shared', 'data');
const SET = 'egemaps-mel+speech-embedding-stats';
const VARIANTS = [
  { name: 'whole clip', overrides: { 'speech-embedding-stats.layers': 'all' } },
  { name: 'energy VAD', overrides: { 'speech-embedding-stats.layers': 'all', vad: 'energy' } },
] as const;
/** σ floor, so constant dims do not dominate. */
const STD_FLOOR = 1e-6;

/** Rows of a matrix of utterance vectors, `dims` wide. */
type Matrix = Float32Array[];

function stats(rows: Matrix, dims: readonly number[]): { mean: number[]; std: number[] } {
  const mean = dims.map((d) => rows.reduce((a, r) => a + r[d], 0) / rows.length);
  const std = dims.map((d, i) => Math.max(Math.sqrt(rows.reduce((a, r) => a + (r[d] - mean[i]) ** 2, 0) / rows.length), STD_FLOOR));
  return { mean, std };
}

/** Mean over `dims` of |mean(other) − μ(ref)| / σ(ref). */
function shift(ref: Matrix, other: Matrix, dims: readonly number[]): number {
  const r = stats(ref, dims);
  const o = stats(other, dims);
  return dims.reduce((a, _, i) => a + Math.abs(o.mean[i] - r.mean[i]) / r.std[i], 0) / dims.length;
}

/** Dim groups by feature name: egemaps-mel, then each backbone layer's means and stds. */
function groups(names: readonly string[]): { name: string; dims: number[] }[] {
  const out = new Map<string, number[]>();
  names.forEach((n, d) => {
    const m = /^se_l(\d+)_\d+_(mean|std)$/.exec(n);
    const g = m ? `speech-embedding layer ${m[1]} ${m[2]}` : 'egemaps-mel';
    out.set(g, [...(out.get(g) ?? []), d]);
  });
  return [...out].map(([name, dims]) => ({ name, dims }));
}

async function features(utts: Utterance[], overrides: Record<string, unknown>): Promise<Matrix> {
  const f = await computeFeatures(
    utts.map((u) => ({ id: u.id, path: u.path })),
    SET,
    overrides,
  );
  return utts.map((u) => f.get(u.id)!.data);
}

async function main(): Promise<void> {
  const roots = { ravdess: join(DATA, 'ravdess-speech-16k'), tess: join(DATA, 'tess-16k') };
  for (const r of Object.values(roots)) if (!existsSync(r)) throw new Error(`${r}: corpus not found`);
  const ravdess = (await loadCorpus('ravdess', roots.ravdess)).all;
  const tess = (await loadCorpus('tess', roots.tess)).all;
  const lines: string[] = [];
  for (const v of VARIANTS) {
    const names = getFeatureSet(SET, v.overrides).featureNames!();
    const R = await features(ravdess, v.overrides);
    const T = await features(tess, v.overrides);
    // Each actor's clips and everyone else's, split once for every group.
    const byActor = [...new Set(ravdess.map((u) => u.speaker))].map((s) => ({
      mine: R.filter((_, i) => ravdess[i].speaker === s),
      others: R.filter((_, i) => ravdess[i].speaker !== s),
    }));
    for (const g of groups(names)) {
      const speakerShift = byActor.reduce((a, p) => a + shift(p.others, p.mine, g.dims), 0) / byActor.length;
      const rt = shift(R, T, g.dims);
      const tr = shift(T, R, g.dims);
      lines.push(
        `| ${v.name} | ${g.name} | ${g.dims.length} | ${speakerShift.toFixed(2)} | **${rt.toFixed(2)}** (${(rt / speakerShift).toFixed(1)}×) | ${tr.toFixed(2)} |`,
      );
    }
  }
  const md = [
    '## Corpus shift of the fused features: RAVDESS vs TESS (`npm run bench:corpus-shift`)',
    '',
    `${machineLine()}; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores. Shift of a feature group = mean over its dims of |mean of the other utterances − μ| / σ, μ and σ from the reference utterances (every clip of both corpora, all classes). *Speaker shift*: each RAVDESS actor against the other 23, averaged over the 24 actors — the offset a speaker-independent model is trained to tolerate. A group whose corpus shift is far above its speaker shift puts every clip of the other corpus off the training distribution.`,
    '',
    '| clip | group | dims | speaker shift (RAVDESS) | RAVDESS → TESS (× speaker) | TESS → RAVDESS |',
    '|---|---|---:|---:|---:|---:|',
    ...lines,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('corpus-shift', md)}`);
}

await main();
