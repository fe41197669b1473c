import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticCorpus } from '../../src/data/index.js';
import { evaluateOn, parseRunConfig, readRunMetrics } from '../../src/run/index.js';
import { trainRun } from '../../src/train/run.js';
import { tempDir } from '../audio/helpers.js';

/** Two synthesized corpora (different seeds: other speakers, the same four emotions) and a fast model. */
function config(dir: string, protocol: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseRunConfig({
    corpus: [
      { name: 'synthetic', id: 'syn-a', root: join(dir, 'syn-a'), options: { seed: 1, speakers: 6, perClassPerSpeaker: 4 } },
      { name: 'synthetic', id: 'syn-b', root: join(dir, 'syn-b'), options: { seed: 2, speakers: 4, perClassPerSpeaker: 4 } },
    ],
    protocol,
    features: { set: 'logmel', maxFrames: 100 },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 32 } },
    training: { epochs: 6, batchSize: 16, lr: 3e-3, threads: 1, patience: 10 },
    ...extra,
  });
}

describe('runs over several corpora', () => {
  let dir = '';
  let cleanup = () => {};
  before(() => {
    ({ dir, cleanup } = tempDir());
  });
  after(() => cleanup());

  test('cross-corpus: one fold trains on syn-a and tests on every syn-b utterance, above chance', async () => {
    const out = join(dir, 'a-to-b');
    const m = await trainRun(config(dir, { kind: 'cross-corpus', train: ['syn-a'], test: ['syn-b'], devSpeakers: 1 }), out, {
      cacheDir: join(dir, 'cache'),
      workers: 0,
    });
    assert.equal(m.folds.length, 1);
    assert.equal(m.folds[0].name, 'syn-a→syn-b');
    const r = JSON.parse(readFileSync(join(out, 'fold-0', 'result.json'), 'utf8'));
    assert.equal(r.predictions.length, 4 * 4 * 4);
    assert.ok(r.predictions.every((p: { id: string }) => p.id.startsWith('syn-b/')));
    assert.ok(m.ua.mean > 0.4, `UA ${m.ua.mean} (chance 0.25)`);
    assert.equal(m.byCorpus, undefined);
  });

  test('speaker k-fold over both corpora reports each corpus', async () => {
    const out = join(dir, 'kfold');
    const m = await trainRun(config(dir, { kind: 'speaker-kfold', folds: 2, devSpeakers: 1 }), out, {
      cacheDir: join(dir, 'cache'),
      workers: 0,
    });
    assert.deepEqual(Object.keys(m.byCorpus ?? {}), ['syn-a', 'syn-b']);
    assert.equal(m.byCorpus!['syn-a'].n + m.byCorpus!['syn-b'].n, m.pooled.n);
    assert.equal(m.pooled.n, (6 + 4) * 16);
  });

  test("'all' trains a deployable model with no test set; evaluate --on measures it on a manifest with renamed classes", async () => {
    const out = join(dir, 'all');
    const cfg = config(
      dir,
      { kind: 'all', devSpeakers: 1 },
      { corpus: [{ name: 'synthetic', id: 'syn-a', root: join(dir, 'syn-a'), options: { seed: 1, speakers: 6, perClassPerSpeaker: 4 } }] },
    );
    const m = await trainRun(cfg, out, { cacheDir: join(dir, 'cache'), workers: 0 });
    assert.equal(m.pooled.n, 0);
    assert.ok(Number.isNaN(m.ua.mean));
    assert.ok((m.folds[0].devUa ?? 0) > 0.4);
    assert.equal(readRunMetrics(out)!.pooled.n, 0);
    // A target corpus that calls 'happy' 'joy', and has a class the run does not know.
    const target = writeSyntheticCorpus(join(dir, 'target'), { seed: 3, speakers: 2, perClassPerSpeaker: 3 });
    const rows = target.map((u) => [u.path, u.labels.emotion === 'happy' ? 'joy' : u.labels.emotion, u.speaker]);
    const extra = target[0].path.replace(/\.wav$/, '-copy.wav');
    rows.push([extra, 'bored', 'x']);
    writeFileSync(extra, readFileSync(target[0].path));
    const manifest = join(dir, 'target.csv');
    writeFileSync(manifest, ['file,emotion,talker', ...rows.map((r) => r.join(','))].join('\n'));
    const e = await evaluateOn(
      out,
      { name: 'manifest', root: manifest, options: { columns: { path: 'file', label: 'emotion', speaker: 'talker' } } },
      { classMap: { joy: 'happy' } },
    );
    assert.deepEqual(e.classes, ['neutral', 'happy', 'sad', 'angry']);
    assert.equal(e.mapping.joy, 'happy');
    assert.deepEqual(e.leftOut, { bored: 1 });
    assert.equal(e.metrics.n, 24);
    assert.equal(e.chanceUa, 0.25);
    assert.ok(e.metrics.ua > 0.4, `UA ${e.metrics.ua}`);
    assert.equal(JSON.parse(readFileSync(join(out, 'evaluations', 'manifest.json'), 'utf8')).metrics.n, 24);
    const adapted = await evaluateOn(
      out,
      { name: 'manifest', root: manifest, options: { columns: { path: 'file', label: 'emotion', speaker: 'talker' } } },
      { classMap: { joy: 'happy' }, targetNorm: true },
    );
    assert.equal(adapted.normalization, 'target');
    assert.equal(adapted.metrics.n, 24);
    assert.equal(JSON.parse(readFileSync(join(out, 'evaluations', 'manifest.target-norm.json'), 'utf8')).normalization, 'target');
    await assert.rejects(
      evaluateOn(
        out,
        { name: 'manifest', root: manifest, options: { columns: { path: 'file', label: 'emotion', speaker: 'talker' } } },
        { classMap: { joy: 'glad' } },
      ),
      /the run has no class 'glad'/,
    );
  });

  test('config errors: unknown corpus ids in the protocol, a corpus both trained and tested on, duplicate ids', () => {
    assert.throws(
      () => config(dir, { kind: 'cross-corpus', train: ['syn-a'], test: ['syn-c'] }),
      /protocol\.test: 'syn-c' is not one of the run's corpora \(syn-a, syn-b\)/,
    );
    assert.throws(
      () => config(dir, { kind: 'cross-corpus', train: ['syn-a'], test: ['syn-a'] }),
      /'syn-a' is both a training and a test corpus/,
    );
    assert.throws(
      () =>
        parseRunConfig({
          corpus: [{ name: 'synthetic' }, { name: 'synthetic' }],
          protocol: { kind: 'all' },
          model: { name: 'logreg' },
          features: { set: 'egemaps-ts' },
        }),
      /corpus\.1\.id: two corpora are called 'synthetic'/,
    );
  });
});
