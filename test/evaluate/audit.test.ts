import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditRun } from '../../src/evaluate/audit.js';
import { loadTrustReport, type TrustReport } from '../../src/report/index.js';
import { syntheticRunConfig } from '../helpers/runs.js';
import { trainRun } from '../../src/train/run.js';
import { main } from '../../src/cli/index.js';
import { tempDir } from '../audio/helpers.js';

describe('trustser audit', () => {
  let dir = '';
  let cleanup = () => {};
  let run = '';
  let report: TrustReport;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    run = join(dir, 'run');
    const cfg = syntheticRunConfig({ training: { epochs: 6, batchSize: 16, lr: 3e-3, threads: 1 } });
    process.env.TRUSTSER_CACHE = join(dir, 'cache');
    await trainRun(cfg, run, { workers: 0 });
    report = await auditRun(run, { snrDb: [40, 20], pgdSteps: 2, maxUtterancesPerFold: 8, resamples: 50, robustness: true });
  });
  after(() => {
    delete process.env.TRUSTSER_CACHE;
    cleanup();
  });

  test('trust.json holds every dimension and reloads through the schema', () => {
    const loaded = loadTrustReport(run);
    assert.deepEqual(loaded.classes, ['neutral', 'happy', 'sad', 'angry']);
    assert.equal(loaded.corpus!.testUtterances, 96);
    const ua = loaded.accuracy!.ua;
    assert.ok(ua.low! <= ua.value && ua.value <= ua.high!);
    assert.deepEqual(loaded.fairness!.gender.groups.map((g) => g.name).sort(), ['female', 'male']);
    assert.ok(loaded.fairness!.gender.demographicParity !== undefined, 'two groups: Trust-SER demographic parity');
    assert.ok(loaded.fairness!.speaker.groups.length === 6);
    assert.deepEqual(loaded.safety!.attacks.map((a) => `${a.method}@${a.snrDb}`).sort(), ['fgsm@20', 'fgsm@40', 'pgd@20', 'pgd@40']);
    for (const a of loaded.safety!.attacks) assert.ok(a.successRate >= 0 && a.successRate <= 1);
    assert.deepEqual([...new Set(loaded.robustness!.map((p) => p.kind))].sort(), ['babble', 'clean', 'reverb', 'white']);
    assert.ok(loaded.privacy!.genderProbe.majority >= 0.5);
    assert.ok(loaded.sustainability!.params > 0 && loaded.sustainability!.macsPerSecond > 0);
    assert.equal(report.model.name, 'trust-ser-cnn');
  });

  test('trust.html is self-contained and shows the numbers', () => {
    const html = readFileSync(join(run, 'trust.html'), 'utf8');
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(html, /<svg/);
    assert.ok(html.includes('trust-ser-cnn'));
  });

  test('report overlays several audited runs on one page', async () => {
    const out = join(dir, 'compare.html');
    const code = await main(['node', 'trustser', 'report', run, run, '--out', out]);
    assert.equal(code, 0);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.includes('trust-ser-cnn (2)'), 'duplicate names are told apart');
  });

  test('auditing a run without finished folds fails clearly and writes nothing', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'config.json'), readFileSync(join(run, 'config.json')));
    await assert.rejects(auditRun(empty), /no finished fold to audit/);
    assert.equal(existsSync(join(empty, 'trust.json')), false);
    await assert.rejects(auditRun(join(dir, 'nope')), /not a trustser run directory/);
  });
});

describe('trustser audit of a speaker-normalized run', () => {
  let dir = '';
  let cleanup = () => {};
  before(() => {
    ({ dir, cleanup } = tempDir());
    process.env.TRUSTSER_CACHE = join(dir, 'cache');
  });
  after(() => {
    delete process.env.TRUSTSER_CACHE;
    cleanup();
  });

  test('enrolls the speakers and measures every axis, attacks included', async () => {
    const run = join(dir, 'run');
    const cfg = syntheticRunConfig({ folds: [0], features: { set: 'logmel', maxFrames: 100, speakerNorm: true }, training: { epochs: 4, batchSize: 16, lr: 3e-3, threads: 1 } });
    await trainRun(cfg, run, { workers: 0 });
    const r = await auditRun(run, { snrDb: [30], attacks: ['fgsm'], maxUtterancesPerFold: 8, resamples: 20, robustness: true });
    const m = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { ua: { mean: number } };
    assert.ok(Math.abs(r.accuracy!.ua.value - m.ua.mean) < 1e-9, 'accuracy comes from the run’s own test predictions');
    // The report keeps an attack only when some utterance was correctly classified and attacked.
    assert.equal(r.safety!.attacks.length, 1, JSON.stringify(r.safety));
    assert.ok(r.safety!.attacks[0].successRate >= 0 && r.safety!.attacks[0].successRate <= 1);
    const clean = r.robustness!.find((p) => p.kind === 'clean')!;
    assert.ok(clean.ua > 0.25, `clean UA on the enrolled subset: ${clean.ua}`);
    assert.ok(r.privacy!.genderProbe.accuracy >= 0 && r.sustainability!.latencyMs > 0);
  });
});
