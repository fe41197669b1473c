import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeRng, packageRoot } from '../../src/core/index.js';
import { proxyAttributes, NORMAL_INTENSITY_FACTOR, parseRavdessName } from '../../src/data/index.js';
import { tensor, tidy } from '../../src/engine/index.js';
import { ccc } from '../../src/metrics/index.js';
import {
  auditDimensional,
  batchCcc,
  parseDimensionalConfig,
  predictDimensionalFiles,
  readDimensionalFoldResult,
  readDimensionalMetrics,
  readDimensionalTrust,
  regressionLoss,
  trainDimensional,
  type DimensionalConfig,
} from '../../src/dimensional/index.js';

const ROOT = packageRoot();
const RAVDESS = join(ROOT, '..', 'shared', 'data', 'ravdess-speech-16k');
const ACTORS = ['01', '02', '03', '04', '05', '06'];
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'helpers', 'cli-entry.ts'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });

test('batchCcc equals the metrics CCC per column, and the CCC loss is 1 − its mean', () => {
  const rng = makeRng(3);
  const n = 40;
  const y = Array.from({ length: n }, () => [rng.normal(), 2 + rng.normal()]);
  const p = y.map(([a, b]) => [0.5 * a + 0.3 * rng.normal(), b - 1 + rng.normal()]);
  const col = (m: number[][], j: number) => m.map((r) => r[j]);
  tidy(() => {
    const c = batchCcc(tensor(p), tensor(y)).toArray() as Float32Array;
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(c[j] - ccc(col(y, j), col(p, j))) < 1e-5, `column ${j}: ${c[j]}`);
    const loss = regressionLoss('ccc', tensor(p), tensor(y)).item();
    assert.ok(Math.abs(loss - (1 - (c[0] + c[1]) / 2)) < 1e-6);
    const mse = regressionLoss('mse', tensor(p), tensor(y)).item();
    const want = p.flat().reduce((s, v, i) => s + (v - y.flat()[i]) ** 2, 0) / (2 * n);
    assert.ok(Math.abs(mse - want) < 1e-4, `${mse} vs ${want}`);
  });
});

test('proxy attributes: the class coordinates on 1–5, pulled towards neutral at normal intensity', () => {
  const strong = proxyAttributes('angry', 'strong')!;
  assert.ok(Math.abs(strong.arousal - (3 + 2 * 0.59)) < 1e-12 && Math.abs(strong.valence - (3 - 2 * 0.51)) < 1e-12);
  const normal = proxyAttributes('angry', 'normal')!;
  assert.ok(Math.abs(normal.arousal - (3 + 2 * NORMAL_INTENSITY_FACTOR * 0.59)) < 1e-12);
  assert.deepEqual(proxyAttributes('neutral'), { arousal: 3, valence: 3, dominance: 3 });
  assert.deepEqual(proxyAttributes('ps'), proxyAttributes('surprised')); // TESS' pleasant surprise
  assert.deepEqual(proxyAttributes('Fear'), proxyAttributes('fearful'));
  assert.equal(proxyAttributes('contempt'), null);
  // The order the circumplex implies: sad is less aroused than neutral, happy more pleasant than angry.
  assert.ok(proxyAttributes('sad')!.arousal < 3 && proxyAttributes('happy')!.valence > proxyAttributes('angry')!.valence);
});

test('a bad dimensional config names every wrong field, and nothing is written', () => {
  const base = { task: 'dimensional', corpus: { name: 'ravdess', root: '/nowhere' }, protocol: { kind: 'speaker-kfold', folds: 3 } };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, targets: ['arousl'] }, /cfg: targets\.0: .*arousal/],
    [{ ...base, targets: ['arousal', 'arousal'] }, /cfg: targets: lists an attribute twice/],
    [{ ...base, attributes: 'guess' }, /cfg: attributes: .*corpus.*proxy/],
    [{ ...base, range: [5, 1] }, /cfg: range: expected \[low, high\] with low < high/],
    [{ ...base, model: { name: 'alexnet' } }, /cfg: model\.name: 'alexnet' classifies spectrogram segments/],
    [{ ...base, training: { loss: 'mae' } }, /cfg: training\.loss/],
    [{ ...base, training: { epoch: 3 } }, /cfg: training\.epoch: unknown key 'epoch' \(did you mean 'epochs'\?\)/],
  ];
  for (const [value, re] of cases) assert.throws(() => parseDimensionalConfig(value, 'cfg'), re, JSON.stringify(value));
  const ok = parseDimensionalConfig(base, 'cfg');
  assert.deepEqual(ok.targets, ['arousal', 'valence', 'dominance']);
  assert.equal(ok.features.set, 'egemaps-ts');
  assert.equal(ok.model.name, 'mlp');
  // A features section without a set keeps the dimensional default, not the categorical log-mel.
  assert.equal(parseDimensionalConfig({ ...base, features: { maxFrames: 200 } }, 'cfg').features.set, 'egemaps-ts');
});

describe('dimensional runs on a RAVDESS slice (6 actors, 90 clips)', { concurrency: false }, () => {
  let dir = '';
  let manifest = '';
  let files: string[] = [];
  const skip = existsSync(RAVDESS) ? false : `${RAVDESS} not found: these tests need the shared RAVDESS copy`;
  const cfgOf = (over: Record<string, unknown> = {}): DimensionalConfig =>
    parseDimensionalConfig({
      task: 'dimensional',
      corpus: { name: 'manifest', root: manifest },
      protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1, seed: 1 },
      training: { epochs: 12, batchSize: 16, lr: 3e-3, patience: 12, seed: 2, threads: 1 },
      ...over,
    });

  before(() => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'trustser-dim-'));
    // Statement 1, repetition 1 of every emotion and intensity: 15 clips per actor.
    files = ACTORS.flatMap((a) =>
      readdirSync(join(RAVDESS, `Actor_${a}`))
        .filter((f) => /^03-01-\d\d-\d\d-01-01-\d\d\.wav$/.test(f))
        .map((f) => join(RAVDESS, `Actor_${a}`, f)),
    );
    const rows = files.map((p) => {
      const n = parseRavdessName(p);
      const a = proxyAttributes(n.emotion, n.intensity)!;
      return [p, n.emotion, `ravdess:${n.actor}`, Number(n.actor) % 2 ? 'male' : 'female', a.arousal, a.valence, a.dominance].join(',');
    });
    manifest = join(dir, 'slice.csv');
    writeFileSync(manifest, ['path,label,speaker,gender,arousal,valence,dominance', ...rows].join('\n'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  test('trains 3 folds, learns arousal, resumes a finished run without retraining, predicts files', { skip }, async () => {
    const out = join(dir, 'run');
    const logs: string[] = [];
    const m = await trainDimensional(cfgOf(), out, { cacheDir: join(dir, 'cache'), workers: 0, log: (l) => logs.push(l) });
    assert.equal(files.length, 90);
    assert.deepEqual(m.targets, ['arousal', 'valence', 'dominance']);
    assert.equal(m.folds.length, 3);
    assert.equal(m.attributes, 'corpus');
    // Arousal is what acoustic functionals carry best; a regressor that learned nothing is near 0.
    assert.ok(m.ccc.arousal!.mean > 0.3, `arousal CCC ${m.ccc.arousal!.mean}`);
    for (const t of m.targets) assert.ok(Number.isFinite(m.pooled[t]!.ccc) && m.pooled[t]!.rmse > 0);
    const r0 = readDimensionalFoldResult(out, 0);
    assert.equal(
      r0.predictions.length + readDimensionalFoldResult(out, 1).predictions.length + readDimensionalFoldResult(out, 2).predictions.length,
      90,
    );
    assert.ok(r0.bestEpoch >= 1 && r0.history.length >= r0.bestEpoch);
    for (const k of [0, 1, 2]) assert.ok(existsSync(join(out, `fold-${k}`, 'targets.json')));
    assert.ok(readdirSync(out, { recursive: true }).every((f) => !String(f).includes('.tmp')));
    // Re-running the same config reads the folds back.
    const before = statSync(join(out, 'fold-0', 'result.json')).mtimeMs;
    const again = await trainDimensional(cfgOf(), out, { cacheDir: join(dir, 'cache'), workers: 0 });
    assert.equal(statSync(join(out, 'fold-0', 'result.json')).mtimeMs, before);
    assert.deepEqual(again.ccc, m.ccc);
    assert.deepEqual(readDimensionalMetrics(out).ccc, m.ccc);
    // Prediction on the corpus scale: an angry (strong) clip is rated more aroused than a sad one... on average over the folds.
    const angry = files.filter((f) => parseRavdessName(f).emotion === 'angry' && parseRavdessName(f).intensity === 'strong');
    const sad = files.filter((f) => parseRavdessName(f).emotion === 'sad');
    const p = await predictDimensionalFiles(out, [...angry, ...sad]);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const arousal = (list: string[]) => mean(p.predictions.filter((q) => list.includes(q.path)).map((q) => q.values[0]));
    assert.ok(arousal(angry) > arousal(sad) + 0.3, `angry ${arousal(angry)} vs sad ${arousal(sad)}`);
    assert.deepEqual(p.failed, []);
    // The audit: CCC with speaker-bootstrap intervals, gender groups, a noise sweep on the same utterances.
    const t = await auditDimensional(out, { resamples: 100, maxUtterancesPerFold: 10, snrDb: [10] });
    assert.deepEqual(readDimensionalTrust(out), t);
    assert.ok(Math.abs(t.accuracy[0].ccc.value! - m.pooled.arousal!.ccc) < 1e-9);
    assert.equal(t.accuracy[0].ccc.unit, 'speaker');
    assert.ok(t.accuracy[0].ccc.low! <= t.accuracy[0].ccc.value! && t.accuracy[0].ccc.value! <= t.accuracy[0].ccc.high!);
    assert.deepEqual(
      t.fairness.gender!.groups.map((g) => [g.group, g.n]),
      [
        ['female', 45],
        ['male', 45],
      ],
    );
    assert.equal(t.fairness.gender!.meanLabelGap.length, 3);
    assert.equal(t.fairness.speaker.speakers, 6);
    assert.deepEqual(
      t.robustness!.points.map((p) => `${p.kind}:${p.snrDb}`),
      ['clean:null', 'white:10', 'babble:10'],
    );
    assert.equal(t.robustness!.utterances, 30);
    assert.ok(Number.isFinite(t.robustness!.points[0].ccc[0]!));
    assert.match(readFileSync(join(out, 'trust.html'), 'utf8'), /Dimensional trust report[\s\S]*CCC by gender[\s\S]*Robustness/);
    assert.equal(t.safety, null);
    assert.match(t.notMeasured.safety, /waveform attacks need a differentiable front end/);
    // Another config into the same folder is refused.
    await assert.rejects(trainDimensional(cfgOf({ targets: ['arousal'] }), out, { workers: 0 }), /holds a different configuration/);
  });

  test('a log-mel frame model is attacked through the waveform: FGSM moves its predictions', { skip }, async () => {
    const out = join(dir, 'logmel');
    const cfg = cfgOf({
      targets: ['arousal'],
      attributes: 'proxy',
      folds: [0],
      features: { set: 'logmel', maxFrames: 300 },
      model: { name: 'cnn-lstm', options: {} },
      training: { epochs: 2, batchSize: 16, lr: 1e-3, seed: 1, threads: 1 },
    });
    await trainDimensional(cfg, out, { cacheDir: join(dir, 'cache'), workers: 0 });
    const t = await auditDimensional(out, { resamples: 50, snrDb: [], attackSnrDb: [10, 45], maxUtterancesPerFold: 4 });
    assert.equal(t.notMeasured.robustness, 'skipped (no SNR asked for)');
    assert.ok(t.safety, JSON.stringify(t.notMeasured));
    assert.deepEqual(t.safety.range, [1, 5]);
    const [loud, quiet] = t.safety.points;
    assert.equal(loud.attacked, 4);
    // A perturbation at 10 dB SNR shifts the predictions far more than one at 45 dB.
    assert.ok(loud.meanShift[0] > quiet.meanShift[0], `${loud.meanShift[0]} vs ${quiet.meanShift[0]}`);
    assert.ok(loud.successRate! >= quiet.successRate!);
  });

  test('a fold interrupted mid-epoch resumes to the same result as an uninterrupted run', { skip }, async () => {
    const cfg = cfgOf({
      targets: ['arousal'],
      attributes: 'proxy',
      folds: [0],
      training: { epochs: 4, batchSize: 16, seed: 5, threads: 1 },
    });
    const o = { cacheDir: join(dir, 'cache'), workers: 0 };
    await trainDimensional(cfg, join(dir, 'whole'), o);
    let seen = 0;
    await assert.rejects(
      trainDimensional(cfg, join(dir, 'killed'), {
        ...o,
        onProgress: (_, p) => {
          if (p.epoch === 3 && ++seen === 2) throw new Error('stop here');
        },
      }),
      /stop here/,
    );
    assert.ok(!existsSync(join(dir, 'killed', 'fold-0', 'result.json')));
    await trainDimensional(cfg, join(dir, 'killed'), o);
    const a = readDimensionalFoldResult(join(dir, 'whole'), 0);
    const b = readDimensionalFoldResult(join(dir, 'killed'), 0);
    assert.deepEqual(
      b.predictions.map((q) => q.pred),
      a.predictions.map((q) => q.pred),
    );
    assert.deepEqual(
      b.history.map((h) => h.trainLoss),
      a.history.map((h) => h.trainLoss),
    );
  });

  test('missing or out-of-range ratings stop the run before anything is written', { skip }, async () => {
    const lines = readFileSync(manifest, 'utf8').split('\n');
    const holey = join(dir, 'holey.csv');
    writeFileSync(holey, [lines[0], lines[1].replace(/,[\d.]+,([\d.]+),([\d.]+)$/, ',,$1,$2'), ...lines.slice(2)].join('\n'));
    const out = join(dir, 'never');
    await assert.rejects(
      trainDimensional(cfgOf({ corpus: { name: 'manifest', root: holey } }), out, { workers: 0 }),
      (e: Error) => e.message.includes(files[0]) && /no 'arousal' rating/.test(e.message),
    );
    await assert.rejects(trainDimensional(cfgOf({ range: [1, 4] }), out, { workers: 0 }), /arousal 4\.18 is outside range \[1, 4\]/);
    // A corpus without ratings asked for them, and an unlabelled pool without audio.
    const tree = join(dir, 'ravdess-tree');
    mkdirSync(join(tree, 'Actor_01'), { recursive: true });
    copyFileSync(files[0], join(tree, 'Actor_01', basename(files[0])));
    await assert.rejects(
      trainDimensional(cfgOf({ corpus: { name: 'ravdess', root: tree } }), out, { workers: 0 }),
      /ravdess-tree: no utterance of the 'ravdess' corpus has arousal, valence, dominance ratings; attributes: proxy/,
    );
    const empty = join(dir, 'no-audio');
    mkdirSync(empty);
    await assert.rejects(
      trainDimensional(cfgOf({ method: 'deep-emo-cluster', cluster: { unlabelled: [empty] } }), out, { workers: 0 }),
      /no-audio/,
    );
    assert.ok(!existsSync(out));
  });

  test('the CLI trains with --task dimensional, evaluates and predicts; misplaced flags are refused', { skip }, () => {
    const out = join(dir, 'cli-run');
    const train = cli([
      'train',
      '--task',
      'dimensional',
      '--attributes',
      'proxy',
      '--targets',
      'arousal,valence',
      '--corpus',
      'manifest',
      '--data',
      manifest,
      '--folds',
      '3',
      '--epochs',
      '3',
      '--workers',
      '0',
      '--cache',
      join(dir, 'cache'),
      '--out',
      out,
      '--json',
    ]);
    assert.equal(train.status, 0, train.stderr);
    const m = JSON.parse(train.stdout);
    assert.deepEqual(m.targets, ['arousal', 'valence']);
    assert.equal(m.attributes, 'proxy');
    const ev = cli(['evaluate', out]);
    assert.equal(ev.status, 0, ev.stderr);
    assert.match(ev.stdout, /PROXY attributes/);
    assert.match(ev.stdout, /CCC arousal\s+CCC valence/);
    const on = cli(['evaluate', out, '--on', manifest, '--attributes', 'corpus', '--json']);
    assert.equal(on.status, 0, on.stderr);
    const cross = JSON.parse(on.stdout);
    assert.equal(cross.n, 90);
    assert.equal(cross.attributes, 'corpus');
    assert.deepEqual(Object.keys(cross.metrics), ['arousal', 'valence']);
    assert.ok(Number.isFinite(cross.metrics.arousal.ccc));
    assert.ok(existsSync(join(out, 'evaluations', 'manifest.json')));
    const pr = cli(['predict', '--model', out, '--format', 'csv', files[0], files[1]]);
    assert.equal(pr.status, 0, pr.stderr);
    const rows = pr.stdout.trim().split('\n');
    assert.equal(rows[0], 'path,arousal,valence');
    assert.equal(rows.length, 3);
    assert.ok(
      rows.slice(1).every((r) =>
        r
          .split(',')
          .slice(1)
          .every((v) => Number.isFinite(Number(v))),
      ),
    );
    const exported = cli(['export', out, '--out', join(dir, 'x.onnx')]);
    assert.notEqual(exported.status, 0);
    assert.match(exported.stderr, /a dimensional run .* takes categorical runs/);
    const audit = cli(['audit', out, '--resamples', '50', '--max-utterances', '4', '--no-robustness']);
    assert.equal(audit.status, 0, audit.stderr);
    assert.match(audit.stdout, /arousal\s+CCC -?\d\.\d{3} \[/);
    assert.match(audit.stdout, /safety: not measured/);
    assert.ok(existsSync(join(out, 'trust-dimensional.json')) && existsSync(join(out, 'trust.html')));
    for (const [args, re] of [
      [
        ['train', '--targets', 'arousal', '--corpus', 'manifest', '--data', manifest, '--out', join(dir, 'x')],
        /--targets: applies to dimensional runs only/,
      ],
      [
        ['train', '--task', 'regression', '--corpus', 'manifest', '--data', manifest, '--out', join(dir, 'x')],
        /--task: expected categorical or dimensional/,
      ],
      [['train', '--task', 'dimensional', '--corpus', 'synthetic', '--out', join(dir, 'x')], /synthetic corpus has no attribute ratings/],
      [
        ['train', '--task', 'dimensional', '--loss', 'l1', '--corpus', 'manifest', '--data', manifest, '--out', join(dir, 'x')],
        /training\.loss/,
      ],
      [['predict', '--model', out, '--min-confidence', '0.5', files[0]], /--min-confidence: does not apply to a dimensional run/],
      [['evaluate', out, '--on', manifest, '--map', 'a=b'], /--map: does not apply to a dimensional run/],
      [['report', out, '--out', join(dir, 'x.html')], /a dimensional run; its audit page is .*trust\.html/],
    ] as [string[], RegExp][]) {
      const r = cli(args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, re, args.join(' '));
    }
    assert.ok(!existsSync(join(dir, 'x')));
  });
});
