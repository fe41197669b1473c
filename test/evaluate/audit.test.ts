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
