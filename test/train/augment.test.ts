import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRunConfig } from '../../src/run/index.js';
import { trainRun } from '../../src/train/run.js';
import { augmentedCopies } from '../../src/train/augment.js';
import { tempDir, wavFromFloat } from '../audio/helpers.js';

function cacheEntries(dir: string): number {
  return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.safetensors')).length;
}

test('training augmentation: copies of every training utterance only, seeded, cached, recorded in the run', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cfg = parseRunConfig({
      corpus: { name: 'synthetic', root: join(dir, 'syn'), options: { speakers: 4, perClassPerSpeaker: 3 } },
      protocol: { kind: 'speaker-kfold', folds: 2, devSpeakers: 1 },
      features: { set: 'egemaps-ts' },
      model: { name: 'logreg' },
      training: { epochs: 5, batchSize: 16, threads: 1, augment: { copies: 2, seed: 3, noise: { prob: 1 } } },
    });
    assert.deepEqual(cfg.training.augment?.speed, { prob: 0.5, factor: [0.9, 1.1] });
    const cache = join(dir, 'cache');
    const lines: string[] = [];
    await trainRun(cfg, join(dir, 'run'), { cacheDir: cache, workers: 0, log: (l) => lines.push(l) });
    // 4 speakers × 12 utterances; every speaker trains in one of the two folds (1 test + 1 dev speaker per fold).
    const copies = lines.find((l) => l.includes('augmented copies'));
    assert.match(copies ?? '', /^\d+ augmented copies of (\d+) training utterances/);
    const [, n, m] = /^(\d+) augmented copies of (\d+)/.exec(copies!)!;
    assert.equal(Number(n), 2 * Number(m));
    const after = cacheEntries(cache);
    assert.equal(after, 48 + Number(n));
    assert.equal(JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')).training.augment.seed, 3);
    // The same seed again (another run folder) reuses every cached copy; another seed makes new ones.
    await trainRun(cfg, join(dir, 'again'), { cacheDir: cache, workers: 0 });
    assert.equal(cacheEntries(cache), after);
    const other = parseRunConfig({
      ...JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')),
      training: { ...cfg.training, augment: { ...cfg.training.augment, seed: 4 } },
    });
    await trainRun(other, join(dir, 'seed4'), { cacheDir: cache, workers: 0 });
    assert.equal(cacheEntries(cache), after + Number(n));
    assert.throws(
      () =>
        parseRunConfig({
          ...JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')),
          training: { augment: { noise: { kinds: ['babble'] } } },
        }),
      /training\.augment\.noise\.babbleDir: babble noise needs babbleDir/,
    );
  } finally {
    cleanup();
  }
});

test('SpecAugment masks the training batches of frame models (the loss changes), and is recorded in the run', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cfg = (specAugment: unknown) =>
      parseRunConfig({
        corpus: { name: 'synthetic', root: join(dir, 'syn'), options: { speakers: 4, perClassPerSpeaker: 3 } },
        protocol: { kind: 'speaker-kfold', folds: 2, devSpeakers: 1 },
        features: { set: 'logmel', maxFrames: 80 },
        model: { name: 'trust-ser-cnn', options: { hiddenSize: 16 } },
        training: { epochs: 2, batchSize: 8, threads: 1, specAugment },
        folds: [0],
      });
    const loss = (run: string) => JSON.parse(readFileSync(join(dir, run, 'log.jsonl'), 'utf8').split('\n')[0]).trainLoss as number;
    await trainRun(cfg(null), join(dir, 'plain'), { cacheDir: join(dir, 'cache'), workers: 0 });
    await trainRun(cfg({ maxTimeWidth: 30 }), join(dir, 'masked'), { cacheDir: join(dir, 'cache'), workers: 0 });
    assert.notEqual(loss('masked'), loss('plain'));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'masked', 'config.json'), 'utf8')).training.specAugment, {
      freqMasks: 2,
      maxFreqWidth: 8,
      timeMasks: 2,
      maxTimeWidth: 30,
    });
    assert.throws(() => cfg({ freqMasks: -1 }), /training\.specAugment\.freqMasks/);
  } finally {
    cleanup();
  }
});

test('babble from several folders: every folder must hold audio, the error names the empty one', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const talkers = join(dir, 'talkers');
    const empty = join(dir, 'empty');
    mkdirSync(talkers);
    mkdirSync(empty);
    writeFileSync(join(talkers, 'a.wav'), wavFromFloat(new Float32Array(1600).fill(0.1), 16000));
    const cfg = parseRunConfig({
      corpus: { name: 'synthetic', root: join(dir, 'syn') },
      protocol: { kind: 'speaker-kfold', folds: 2 },
      features: { set: 'egemaps-ts' },
      model: { name: 'logreg' },
      training: { augment: { noise: { kinds: ['babble'], babbleDir: [talkers, empty] } } },
    });
    const utt = { id: 'u', path: join(talkers, 'a.wav'), corpus: 'x', speaker: 'x:1', labels: {}, attributes: {}, label: 0 };
    await assert.rejects(
      augmentedCopies(cfg.training.augment!, [utt]),
      (e: Error) => e.message === `training.augment.noise.babbleDir: no audio files in ${empty}`,
    );
    const ok = parseRunConfig({ ...cfg, training: { augment: { noise: { kinds: ['babble'], babbleDir: [talkers, talkers] } } } });
    const copies = await augmentedCopies(ok.training.augment!, [utt]);
    assert.equal(copies.length, 2);
    assert.ok(copies.every((c) => c.augment.babble.length > 0 && c.augment.babble.every((b) => b === join(talkers, 'a.wav'))));
  } finally {
    cleanup();
  }
});
