import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunConfig, parseRunConfig } from '../../src/run/config.js';
import { runConfig } from '../../src/run/index.js';
import { tempDir } from '../audio/helpers.js';

test('a YAML config is read with defaults filled in', () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, 'run.yaml');
    writeFileSync(
      p,
      'corpus: { name: ravdess, root: /data/ravdess }\nprotocol: { kind: speaker-kfold, folds: 6 }\nmodel: { name: cnn-lstm-att }\ntraining: { epochs: 5, mixupAlpha: 0.2 }\n',
    );
    const c = loadRunConfig(p);
    assert.equal(c.protocol.kind, 'speaker-kfold');
    assert.equal(c.training.epochs, 5);
    assert.equal(c.training.mixupAlpha, 0.2);
    assert.equal(c.training.batchSize, 32);
    assert.equal(c.features.set, 'logmel');
  } finally {
    cleanup();
  }
});

test("relative paths in a config file are resolved against the file's folder; a run folder's config against where training ran", () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'configs'));
    const p = join(dir, 'configs', 'run.yaml');
    writeFileSync(
      p,
      [
        'corpus: [{ name: ravdess, root: ../data/ravdess }, { name: tess, root: /abs/tess }]',
        'protocol: { kind: manifest, path: splits/mine.json }',
        'features: { set: egemaps-ts }',
        'model: { name: logreg, weights: ../w/init.safetensors }',
        'training: { augment: { noise: { kinds: [white, babble], babbleDir: ../noise } } }',
        '',
      ].join('\n'),
    );
    const c = loadRunConfig(p);
    assert.deepEqual(
      c.corpus.map((x) => x.root),
      [join(dir, 'data', 'ravdess'), '/abs/tess'],
    );
    assert.equal(c.protocol.kind === 'manifest' && c.protocol.path, join(dir, 'configs', 'splits', 'mine.json'));
    assert.equal(c.model.weights, join(dir, 'w', 'init.safetensors'));
    assert.equal(c.training.augment?.noise.babbleDir, join(dir, 'noise'));
    // Several babble folders: each resolved against the config file.
    writeFileSync(p, readFileSync(p, 'utf8').replace('babbleDir: ../noise', 'babbleDir: [../a, /abs/b]'));
    assert.deepEqual(loadRunConfig(p).training.augment?.noise.babbleDir, [join(dir, 'a'), '/abs/b']);
    // Flags and library callers: relative to the working directory (or the base given).
    assert.equal(parseRunConfig({ ...c, corpus: [{ name: 'ravdess', root: 'r' }] }, 'x', '/base').corpus[0].root, '/base/r');
    // A run folder written before paths were stored absolute: they meant the working directory.
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'config.json'), JSON.stringify({ ...c, corpus: { name: 'ravdess', root: 'data/ravdess' } }));
    assert.equal(runConfig(join(dir, 'run')).corpus[0].root, join(process.cwd(), 'data', 'ravdess'));
  } finally {
    cleanup();
  }
});

test('config errors name the file and the field', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: [string, string, RegExp][] = [
      ['missing-model.yaml', 'corpus: { name: x }\nprotocol: { kind: official }\n', /missing-model\.yaml: model: /],
      [
        'bad-epochs.json',
        JSON.stringify({ corpus: { name: 'x' }, protocol: { kind: 'official' }, model: { name: 'mlp' }, training: { epochs: 0 } }),
        /bad-epochs\.json: training\.epochs: /,
      ],
      ['bad-kind.yaml', 'corpus: { name: x }\nprotocol: { kind: random }\nmodel: { name: mlp }\n', /bad-kind\.yaml: protocol\.kind: /],
      ['broken.yaml', 'corpus: [unclosed\n', /broken\.yaml: not valid YAML/],
      ['broken.json', '{ "corpus": ', /broken\.json: not valid JSON/],
    ];
    for (const [name, text, pattern] of cases) {
      const p = join(dir, name);
      writeFileSync(p, text);
      assert.throws(() => loadRunConfig(p), pattern, name);
    }
    assert.throws(() => loadRunConfig(join(dir, 'absent.yaml')), /absent\.yaml: cannot read the config \(ENOENT\)/);
  } finally {
    cleanup();
  }
});

test('every shipped config in configs/ is valid, builds its feature set and model, and finds its corpus beside the project', async () => {
  const { existsSync, readdirSync } = await import('node:fs');
  const { packageRoot } = await import('../../src/core/paths.js');
  const { getFeatureSet } = await import('../../src/features/index.js');
  const { listModels } = await import('../../src/models/index.js');
  const dir = join(packageRoot(), 'configs');
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length > 0);
  const shared = existsSync(join(packageRoot(), '..', 'shared', 'data'));
  for (const f of files) {
    const c = loadRunConfig(join(dir, f));
    assert.doesNotThrow(() => getFeatureSet(c.features.set, c.features.overrides), `${f}: feature set ${c.features.set}`);
    assert.ok((listModels() as string[]).includes(c.model.name), `${f}: model ${c.model.name}`);
    // Corpus roots are relative to the config file; ../shared holds them where it is present.
    if (shared) for (const corpus of c.corpus) assert.ok(corpus.root && existsSync(corpus.root), `${f}: corpus root ${corpus.root}`);
  }
});
