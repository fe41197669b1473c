// `trustser spoof make-set / evaluate / score` and `trustser analyze` through the CLI.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { packageRoot } from '../../src/core/paths.js';
import { trainRun } from '../../src/train/run.js';
import { syntheticRunConfig } from '../helpers/runs.js';
import { fixture, type Fixture } from '../data/corpora/helpers.js';
import { aasistSkip } from '../helpers/aasist.js';

const root = packageRoot();
const noWeights = aasistSkip;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), ...args], { cwd: root, encoding: 'utf8' });

describe('trustser spoof', () => {
  let fx: Fixture;
  let set: string;
  before(() => {
    fx = fixture('spoof-cli');
    fx.wav('ravdess/Actor_01/03-01-05-01-01-01-01.wav'); // angry, male
    fx.wav('ravdess/Actor_02/03-01-04-01-02-01-02.wav'); // sad, female
    set = join(fx.root, 'set');
  });
  after(() => fx.cleanup());

  it('make-set writes a manifest with both classes', () => {
    const r = cli(
      'spoof',
      'make-set',
      '--out',
      set,
      '--ravdess',
      join(fx.root, 'ravdess'),
      '--no-librispeech',
      '--families',
      'espeak',
      '--voices',
      'espeak/en-us+m1:male,espeak/en-gb+f2:female',
      '--renditions',
      '2',
      '--channels',
      'telephone',
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual([summary.bonafide, summary.spoof], [2, 32]);
    assert.ok(existsSync(join(set, 'manifest.csv')));
  });

  it('evaluate joins scores to the manifest: overall and per-emotion EER', () => {
    // bona fide score 1; angry spoofs 2 (all accepted above the bona fide), other spoofs 0.
    const rows = parse(readFileSync(join(set, 'manifest.csv')), { columns: true }) as Record<string, string>[];
    const path = (r: Record<string, string>) => (r.path.startsWith('/') ? r.path : join(set, r.path));
    const score = (r: Record<string, string>) => (r.spoof === 'bonafide' ? 1 : r.label === 'angry' ? 2 : 0);
    const scores = join(fx.root, 'scores.csv');
    writeFileSync(scores, ['path,score', ...rows.map((r) => `${path(r)},${score(r)}`)].join('\n'));
    const r = cli('spoof', 'evaluate', '--scores', scores, '--manifest', set, '--json', '--det-out', join(fx.root, 'det.csv'));
    assert.equal(r.status, 0, r.stderr);
    const e = JSON.parse(r.stdout);
    // 4 of 32 spoofs (angry) outscore both bona fide: the ROC step from pMiss 0 to 1 at pFa = 1/8
    // crosses pMiss = pFa at 1/8.
    assert.equal(e.eer.eer, 0.125);
    assert.deepEqual(
      e.groups.map((g: { group: string; eer: number }) => [g.group, g.eer]),
      [
        ['angry', 1],
        ['sad', 0],
      ],
    );
    assert.equal(e.skipped.length, 6);
    assert.ok(readFileSync(join(fx.root, 'det.csv'), 'utf8').startsWith('threshold,p_miss,p_fa'));
  });

  it('evaluate refuses a scores file without a score column, writing nothing', () => {
    const bad = join(fx.root, 'bad.csv');
    writeFileSync(bad, 'path,value\nx.wav,1\n');
    const det = join(fx.root, 'det-bad.csv');
    const r = cli('spoof', 'evaluate', '--scores', bad, '--manifest', set, '--det-out', det);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.csv.*score/);
    assert.equal(existsSync(det), false);
  });

  it('score and analyze give one finite score (and an emotion) per file', { skip: noWeights }, async () => {
    const files = [join(fx.root, 'ravdess/Actor_01/03-01-05-01-01-01-01.wav'), join(set, 'spoof/espeak/en-us+m1/angry-s01-r1.wav')];
    const out = join(fx.root, 'scores-aasist.csv');
    const r = cli('spoof', 'score', ...files, '--model', 'aasist', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const rows = parse(readFileSync(out), { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((x) => x.path),
      files,
    );
    for (const x of rows) assert.ok(Number.isFinite(Number(x.score)) && Number(x.score) === Number(x.logit_bonafide));

    const run = join(fx.root, 'ser-run');
    await trainRun(syntheticRunConfig({ folds: [0], training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 } }), run, {});
    const a = cli('analyze', ...files, '--emotion-model', run, '--json');
    assert.equal(a.status, 0, a.stderr);
    const res = JSON.parse(a.stdout) as { path: string; emotion: string; spoofScore: number; verdict: string }[];
    assert.equal(res.length, 2);
    for (const [i, x] of res.entries()) {
      assert.ok(typeof x.emotion === 'string' && x.emotion.length > 0);
      assert.equal(x.spoofScore, Number(rows[i].score));
      assert.ok(['bonafide', 'spoof'].includes(x.verdict));
    }
  });

  it('score with one bad file among good ones: the rest are scored and written, the bad one is named with its reason, exit 1', {
    skip: noWeights,
  }, () => {
    const good = join(fx.root, 'ravdess/Actor_01/03-01-05-01-01-01-01.wav');
    const bad = join(fx.root, 'broken.wav');
    writeFileSync(bad, 'RIFF0000WAVEjunk');
    const out = join(fx.root, 'scores-mixed.csv');
    const r = cli('spoof', 'score', bad, good, '--model', 'aasist', '--out', out);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^trustser: 1 of 2 file\(s\) failed spoof scoring:\n {2}.*broken\.wav: /);
    const rows = parse(readFileSync(out), { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((x) => x.path),
      [good],
    );
  });

  it('score refuses an unknown model name without output', () => {
    const out = join(fx.root, 'never.csv');
    const r = cli('spoof', 'score', join(fx.root, 'ravdess'), '--model', 'no-such-model', '--out', out);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /spoof model 'no-such-model': no such file/);
    assert.equal(existsSync(out), false);
  });

  it('leave-one-family-out through the CLI: train --holdout-family, then score and evaluate --test-of the run', { skip: noWeights }, () => {
    const lofoSet = join(fx.root, 'set-lofo');
    const made = cli(
      'spoof',
      'make-set',
      '--out',
      lofoSet,
      '--ravdess',
      join(fx.root, 'ravdess'),
      '--no-librispeech',
      '--families',
      'espeak,flite-diphone',
      '--voices',
      'espeak/en-us+m1:male,espeak/en-gb+f2:female',
      '--renditions',
      '1',
      '--channel-fraction',
      '0',
    );
    assert.equal(made.status, 0, made.stderr);
    const run = join(fx.root, 'lofo-run');
    const both = cli('spoof', 'train', '--set', lofoSet, '--out', run, '--holdout-family', 'flite-diphone', '--holdout-channel', 'clean');
    assert.equal(both.status, 1);
    assert.match(both.stderr, /--holdout-family or --holdout-channel, not both/);
    const unknown = cli('spoof', 'train', '--set', lofoSet, '--out', run, '--holdout-family', 'wavenet', '--folds', '2');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no family 'wavenet' \(it has: espeak, flite-diphone\)/);
    const badBoost = cli('spoof', 'train', '--set', lofoSet, '--out', run, '--rawboost', 'lnl,echo');
    assert.equal(badBoost.status, 1);
    assert.match(badBoost.stderr, /--rawboost.*unknown 'echo' \(expected lnl, isd, ssi\)/);
    const badDev = cli('spoof', 'train', '--set', lofoSet, '--out', run, '--folds', '2', '--dev-fold', '0');
    assert.equal(badDev.status, 1);
    assert.match(badDev.stderr, /devFold 0 is the test fold/);
    assert.equal(existsSync(run), false);
    const t = cli(
      'spoof',
      'train',
      ...[
        '--set',
        lofoSet,
        '--out',
        run,
        '--holdout-family',
        'flite-diphone',
        '--folds',
        '2',
        '--epochs',
        '1',
        '--crop',
        '8000',
        '--batch-size',
        '4',
        '--rawboost',
      ],
    );
    assert.equal(t.status, 0, t.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).rawboost, ['lnl', 'isd', 'ssi']);
    assert.match(t.stdout, /held out \(leave-one-family-out, split\.json\)/);
    const scores = join(fx.root, 'lofo-scores.csv');
    const sc = cli('spoof', 'score', '--test-of', run, '--model', run, '--out', scores);
    assert.equal(sc.status, 0, sc.stderr);
    const ev = cli('spoof', 'evaluate', '--scores', scores, '--test-of', run, '--group-by', 'family', '--json');
    assert.equal(ev.status, 0, ev.stderr);
    const e = JSON.parse(ev.stdout);
    // one held-out actor's bona fide clip against every flite-diphone spoof (16 = 2 statements × 8 emotions)
    assert.deepEqual([e.trials.bonafide, e.trials.spoof, e.unscored], [1, 16, 0]);
    const neither = cli('spoof', 'score', join(fx.root, 'ravdess'), '--test-of', run);
    assert.equal(neither.status, 1);
    assert.match(neither.stderr, /give audio files or folders, or --test-of RUN/);
    const notRun = cli('spoof', 'evaluate', '--scores', scores, '--test-of', join(fx.root, 'ravdess'));
    assert.equal(notRun.status, 1);
    assert.match(notRun.stderr, /not a `spoof train` run \(no config\.json\)/);
  });
});
