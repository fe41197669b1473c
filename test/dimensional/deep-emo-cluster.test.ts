import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRng, packageRoot } from '../../src/core/index.js';
import { parseRavdessName, proxyAttributes } from '../../src/data/index.js';
import { manualSeed, tensor, tidy } from '../../src/engine/index.js';
import {
  DeepEmoCluster,
  attributeLevels,
  clusterEmbeddings,
  curriculumOrder,
  curriculumRanking,
  deepMi,
  loadDimensionalConfig,
  parseDimensionalConfig,
  pointwiseMiTerms,
  predictDimensionalFiles,
  readDeepMi,
  readDimensionalFoldResult,
  trainDimensional,
  uniformOverClusters,
  whitenRows,
  type DeepMiFile,
} from '../../src/dimensional/index.js';

const ROOT = packageRoot();
const RAVDESS = join(ROOT, '..', 'shared', 'data', 'ravdess-speech-16k');
const LIBRI = join(ROOT, '..', 'shared', 'data', 'librispeech-test-other-subset');
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('pointwise MI terms: ½·ln 2 per sample when X determines Y, 0 when independent', () => {
  for (const v of pointwiseMiTerms([0, 0, 1, 1], [5, 5, 7, 7])) close(v, 0.5 * Math.log(2));
  for (const v of pointwiseMiTerms([0, 0, 1, 1], [0, 1, 0, 1])) close(v, 0);
  // 3 of 4 in one cell: p = ¾, p(x) = ¾, p(y) = ¾ → ¾·ln(4/3); the lone cell: ¼·ln(4).
  const t = pointwiseMiTerms([0, 0, 0, 1], [0, 0, 0, 1]);
  close(t[0], 0.75 * Math.log(4 / 3));
  close(t[3], 0.25 * Math.log(4));
  assert.throws(() => pointwiseMiTerms([0], [0, 1]), /equal, non-empty/);
});

test('attribute levels: 6 equal bins of the 1–7 scale give the published edges 2, 3, 4, 5, 6', () => {
  assert.deepEqual(attributeLevels([1, 1.99, 2, 3.5, 5.5, 6, 7, 9, -1], [1, 7], 6), [0, 0, 1, 2, 4, 5, 5, 5, 0]);
  assert.deepEqual(attributeLevels([1, 3, 5], [1, 5], 2), [0, 1, 1]);
  assert.throws(() => attributeLevels([1], [3, 3]), /low < high/);
});

test('DeepMI mixes the cluster term and the predicted-level term with α', () => {
  const x = [0, 0, 1, 1];
  const y = [0, 0, 1, 1];
  const yp = [0, 1, 0, 1]; // predictions independent of the label: that term is 0
  for (const v of deepMi(x, y, yp, 0)) close(v, 0.5 * Math.log(2));
  for (const v of deepMi(x, y, yp, 0.5)) close(v, 0.25 * Math.log(2));
  for (const v of deepMi(x, y, yp, 1)) close(v, 0);
  assert.throws(() => deepMi(x, y, yp, 1.5), /alpha must be in \[0, 1\]/);
});

test('k-means on whitened embeddings separates two blobs, deterministically; uniform sampling balances clusters', () => {
  const rng = makeRng(4);
  // Whitening gives every direction unit variance, so the blobs' separation must be the largest structure left.
  const blob = (cx: number) => Float32Array.from({ length: 2 }, (_, j) => (j === 0 ? cx : 0) + 0.1 * rng.normal());
  const pts = [...Array.from({ length: 30 }, () => blob(-3)), ...Array.from({ length: 30 }, () => blob(3))];
  for (const r of whitenRows(pts)) close(Math.hypot(...r), 1, 1e-9);
  const a = clusterEmbeddings(pts, 2, 11);
  assert.deepEqual(clusterEmbeddings(pts, 2, 11), a);
  assert.equal(new Set(a.slice(0, 30)).size, 1);
  assert.equal(new Set(a.slice(30)).size, 1);
  assert.notEqual(a[0], a[30]);
  assert.deepEqual(clusterEmbeddings(pts.slice(0, 3), 5, 1), [0, 1, 2]); // fewer points than clusters
  // 90 members in cluster 0, 10 in cluster 1: a uniform draw of 100 takes 50 of each.
  const assignment = [...new Array(90).fill(0), ...new Array(10).fill(1)];
  const drawn = uniformOverClusters(assignment, 100, makeRng(2));
  assert.equal(drawn.length, 100);
  assert.equal(drawn.filter((i) => assignment[i] === 1).length, 50);
  assert.equal(new Set(drawn.filter((i) => assignment[i] === 0)).size, 50); // the big cluster without replacement
  assert.deepEqual(uniformOverClusters(assignment, 100, makeRng(2)), drawn);
});

test('curriculum: DeepMI high → low (anti: the reverse), a seeded random control, and the 10 × 5-epoch pacing', () => {
  const metric: DeepMiFile = {
    targets: ['arousal', 'valence'],
    levels: 6,
    ranges: [
      [1, 5],
      [1, 5],
    ],
    alpha: [0, 0.5],
    globalMi: [0, 0],
    values: { a: [0.1, 0.1], b: [0.5, 0.3], c: [0.2, 0.0], d: [0.05, 0.01] },
  };
  const c = { order: 'deepmi' as const, metrics: '/x', levels: 10, epochsPerLevel: 5 };
  const ids = ['a', 'b', 'c', 'd'];
  assert.deepEqual(curriculumRanking(c, metric, ids, ['arousal'], 1, 'm.json'), [1, 2, 0, 3]);
  assert.deepEqual(curriculumRanking(c, metric, ids, ['arousal', 'valence'], 1, 'm.json'), [1, 0, 2, 3]);
  assert.deepEqual(curriculumRanking({ ...c, order: 'anti' }, metric, ids, ['arousal'], 1, 'm.json'), [3, 0, 2, 1]);
  const random = curriculumRanking({ ...c, order: 'random' }, null, ids, ['arousal'], 7, 'm.json');
  assert.deepEqual([...random].sort(), [0, 1, 2, 3]);
  assert.deepEqual(curriculumRanking({ ...c, order: 'random' }, null, ids, ['arousal'], 7, 'm.json'), random);
  assert.throws(
    () => curriculumRanking(c, metric, ['a', 'b', 'c', 'zz'], ['arousal'], 1, 'm.json'),
    /m\.json: no DeepMI for training utterance 'zz'/,
  );
  assert.throws(
    () => curriculumRanking(c, metric, ['a', 'b'], ['arousal'], 1, 'm.json'),
    /m\.json: DeepMI of 4 training utterances, but this fold trains on 2/,
  );
  assert.throws(
    () => curriculumRanking(c, metric, ids, ['dominance'], 1, 'm.json'),
    /m\.json: has DeepMI for arousal, valence, not for 'dominance'/,
  );
  const ranking = Array.from({ length: 100 }, (_, i) => i);
  const size = (epoch: number) => curriculumOrder(ranking, c, epoch, makeRng(epoch)).length;
  assert.deepEqual([1, 5, 6, 10, 45, 46, 70].map(size), [10, 10, 20, 20, 90, 100, 100]);
  // Level 1 holds the easiest tenth only.
  assert.ok(curriculumOrder(ranking, c, 3, makeRng(3)).every((i) => i < 10));
  assert.throws(
    () =>
      parseDimensionalConfig({
        task: 'dimensional',
        corpus: { name: 'ravdess', root: '/r' },
        protocol: { kind: 'speaker-kfold' },
        curriculum: { order: 'deepmi' },
      }),
    /curriculum\.metrics: the 'deepmi' and 'anti' orders need metrics/,
  );
  assert.throws(
    () =>
      parseDimensionalConfig({
        task: 'dimensional',
        corpus: { name: 'ravdess', root: '/r' },
        protocol: { kind: 'speaker-kfold' },
        curriculum: { order: 'random' },
        training: { epochs: 40 },
      }),
    /training\.epochs: 40 epochs end before the curriculum reaches the whole training set \(after 45\)/,
  );
});

test('DeepEmoCluster: head shapes, shared parameters without the top layer, a top-layer reset to N(0, 0.01²)', () => {
  manualSeed(3);
  const net = new DeepEmoCluster(20, 3, 7, [16, 8]);
  tidy(() => {
    const x = tensor(
      Float32Array.from({ length: 5 * 20 }, (_, i) => Math.sin(i)),
      [5, 20],
    );
    assert.deepEqual(net.forward(x).shape, [5, 3]);
    const h = net.heads(x);
    assert.deepEqual(h.clusters.shape, [5, 7]);
    assert.deepEqual(h.attributes.shape, [5, 3]);
    assert.deepEqual(net.embedding(x).shape, [5, 8]);
  });
  const top = new Set(net.topLayer.parameters());
  assert.equal(net.sharedParameters().length, net.parameters().length - 2);
  assert.ok(net.sharedParameters().every((p) => !top.has(p)));
  net.resetTopLayer();
  const w = net.topLayer.weight.toArray() as Float32Array;
  const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(sd > 0.006 && sd < 0.014, `top-layer std ${sd}`);
  assert.ok((net.topLayer.bias!.toArray() as Float32Array).every((v) => v === 0));
  assert.throws(() => new DeepEmoCluster(4, 1, 2, []), /widths must list at least one/);
  net.dispose();
});

describe('DeepEmoCluster and the DeepMI curriculum on a RAVDESS slice', { concurrency: false }, () => {
  let dir = '';
  let manifest = '';
  const skip = existsSync(RAVDESS) && existsSync(LIBRI) ? false : `${RAVDESS} or ${LIBRI} not found: these tests need the shared corpora`;
  const base = (over: Record<string, unknown>) =>
    parseDimensionalConfig({
      task: 'dimensional',
      corpus: { name: 'manifest', root: manifest },
      attributes: 'proxy',
      protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1, seed: 1 },
      training: { epochs: 4, batchSize: 16, lr: 1e-3, clipFeatures: 3, seed: 3, threads: 1 },
      ...over,
    });
  before(() => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'trustser-dec-'));
    const files = ['01', '02', '03', '04', '05', '06'].flatMap((a) =>
      readdirSync(join(RAVDESS, `Actor_${a}`))
        .filter((f) => /^03-01-\d\d-\d\d-01-01-\d\d\.wav$/.test(f))
        .map((f) => join(RAVDESS, `Actor_${a}`, f)),
    );
    const rows = files.map((p) => {
      const n = parseRavdessName(p);
      assert.ok(proxyAttributes(n.emotion, n.intensity));
      return [p, n.emotion, `ravdess:${n.actor}`, n.intensity].join(',');
    });
    manifest = join(dir, 'slice.csv');
    writeFileSync(manifest, ['path,label,speaker,intensity', ...rows].join('\n'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  test('a DeepEmoCluster run writes every training utterance’s DeepMI; a curriculum trains from it; another split is refused', {
    skip,
  }, async () => {
    const o = { cacheDir: join(dir, 'cache'), workers: 0 };
    const decDir = join(dir, 'dec');
    const cluster = { k: 6, widths: [64, 32], unlabelled: [LIBRI] };
    const training = { epochs: 8, batchSize: 16, lr: 1e-3, clipFeatures: 3, seed: 3, threads: 1 };
    const m = await trainDimensional(base({ method: 'deep-emo-cluster', cluster, training }), decDir, o);
    assert.equal(m.folds.length, 3);
    assert.ok(m.ccc.arousal!.mean > 0.2, `arousal CCC ${m.ccc.arousal!.mean}`);
    for (const k of [0, 1, 2]) {
      const d = readDeepMi(decDir, k);
      const train = readDimensionalFoldResult(decDir, k);
      assert.equal(Object.keys(d.values).length, 90 - train.predictions.length - 15); // 90 clips − test − 1 dev actor
      assert.deepEqual(d.alpha, [0, 0.5, 0]);
      assert.ok(Object.values(d.values).every((v) => v.length === 3 && v.every(Number.isFinite)));
      assert.ok(new Set(Object.values(d.values).map((v) => v[0])).size > 1, 'DeepMI differs between utterances');
    }
    const p = await predictDimensionalFiles(decDir, [join(RAVDESS, 'Actor_01', '03-01-05-02-01-01-01.wav')]);
    assert.equal(p.predictions[0].values.length, 3);
    assert.ok(p.predictions[0].values.every((v) => Number.isFinite(v)));

    const curriculum = { order: 'deepmi', metrics: decDir, levels: 2, epochsPerLevel: 2 };
    const cur = await trainDimensional(base({ model: { name: 'mlp', options: { hiddenDims: [32] } }, curriculum }), join(dir, 'cur'), o);
    assert.ok(Number.isFinite(cur.ccc.arousal!.mean));
    const other = base({
      protocol: { kind: 'speaker-kfold', folds: 2, devSpeakers: 1, seed: 9 },
      curriculum: { ...curriculum, metrics: decDir },
    });
    await assert.rejects(
      trainDimensional(other, join(dir, 'other'), o),
      /fold-0\/deepmi\.json: DeepMI of \d+ training utterances, but this fold trains on \d+/,
    );
    assert.ok(!existsSync(join(dir, 'other', 'fold-0', 'result.json')));
  });
});

test('the shipped dimensional configs are valid and find their corpora and unlabelled pools beside the project', () => {
  const dir = join(ROOT, 'configs', 'dimensional');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.equal(files.length, 3);
  const shared = existsSync(join(ROOT, '..', 'shared', 'data'));
  for (const f of files) {
    const c = loadDimensionalConfig(join(dir, f));
    assert.equal(c.attributes, 'proxy', f);
    if (!shared) continue;
    for (const corpus of c.corpus) assert.ok(corpus.root && existsSync(corpus.root), `${f}: ${corpus.root}`);
    for (const u of c.cluster.unlabelled) assert.ok(existsSync(u), `${f}: ${u}`);
  }
});
