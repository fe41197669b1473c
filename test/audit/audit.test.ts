import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditRun } from '../../src/audit/audit.js';
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

  test('every interval holds its own point; attacks carry counts and Wilson intervals; caveats reach the page', () => {
    const r = loadTrustReport(run);
    const check = (what: string, e: { value: number; low?: number; high?: number }) =>
      assert.ok(e.low === undefined || (e.low <= e.value && e.value <= e.high!), `${what}: ${JSON.stringify(e)}`);
    for (const k of ['ua', 'wa', 'macroF1'] as const) check(k, r.accuracy![k]);
    assert.equal(r.accuracy!.chance, 0.25);
    for (const [attr, f] of Object.entries(r.fairness!)) {
      for (const g of f.groups) check(`${attr}/${g.name}`, g.ua);
      for (const k of ['statisticalParity', 'equalOpportunity', 'trueRatesDifference', 'averageOdds', 'demographicParity'] as const)
        if (f[k]) check(`${attr}/${k}`, f[k]!);
    }
    // Each speaker is its own group: its UA interval resamples utterances (a speaker resample would give zero width).
    for (const g of r.fairness!.speaker.groups) assert.equal(g.ua.unit, 'utterance', g.name);
    assert.ok(
      r.fairness!.speaker.groups.some((g) => g.ua.high! > g.ua.low!),
      'utterance resampling gives the speakers real intervals',
    );
    for (const a of r.safety!.attacks) {
      assert.ok(a.attacked! > 0 && a.flipped! <= a.attacked!, JSON.stringify(a));
      assert.equal(a.successRate, a.flipped! / a.attacked!);
      check(`${a.method}@${a.snrDb}`, { value: a.successRate, low: a.low, high: a.high });
    }
    assert.ok(r.notes!.fairness!.some((n) => /by speaker: every group is one speaker/.test(n)));
    assert.ok(r.notes!.safety!.some((n) => /Wilson/.test(n)));
    const html = readFileSync(join(run, 'trust.html'), 'utf8');
    assert.ok(html.includes('by speaker: every group is one speaker'), 'fairness caveat on the page');
    assert.ok(html.includes(' attacked</span>'), 'attack counts on the page');
  });

  test('what was not measured says why; a model at chance level is flagged on the page', async () => {
    const guesser = join(dir, 'guesser');
    cpSync(run, guesser, { recursive: true });
    for (const k of [0, 1, 2]) {
      const path = join(guesser, `fold-${k}`, 'result.json');
      const res = JSON.parse(readFileSync(path, 'utf8')) as { predictions: { pred: number }[] };
      for (const p of res.predictions) p.pred = 0; // always the first class: UA = 1/4
      writeFileSync(path, JSON.stringify(res));
    }
    const r = await auditRun(guesser, { attacks: [], robustness: false, resamples: 50 });
    assert.equal(r.notMeasured!.robustness, 'skipped (--no-robustness)');
    assert.equal(r.notMeasured!.safety, 'no attack was requested (--attacks)');
    assert.equal(r.safety, undefined);
    assert.ok(
      r.warnings!.some((w) => /not distinguishable from chance \(25\.0% for 4 classes\)/.test(w)),
      JSON.stringify(r.warnings),
    );
    const html = readFileSync(join(guesser, 'trust.html'), 'utf8');
    assert.match(html, /<ul class="warnings" role="note"><li>UA 25\.0% is not distinguishable from chance/);
    assert.ok(html.includes('not measured: skipped (--no-robustness)'));
    assert.ok(html.includes('not measured: no attack was requested (--attacks)'));
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
    const cfg = syntheticRunConfig({
      folds: [0],
      features: { set: 'logmel', maxFrames: 100, speakerNorm: true },
      training: { epochs: 4, batchSize: 16, lr: 3e-3, threads: 1 },
    });
    await trainRun(cfg, run, { workers: 0 });
    const r = await auditRun(run, { snrDb: [30], attacks: ['fgsm'], maxUtterancesPerFold: 8, resamples: 20, robustness: true });
    const m = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { ua: { mean: number } };
    assert.ok(
      Math.abs((r.accuracy!.ua.plugIn ?? r.accuracy!.ua.value) - m.ua.mean) < 1e-9,
      'accuracy comes from the run’s own test predictions',
    );
    // The report keeps an attack only when some utterance was correctly classified and attacked.
    assert.equal(r.safety!.attacks.length, 1, JSON.stringify(r.safety));
    assert.ok(r.safety!.attacks[0].successRate >= 0 && r.safety!.attacks[0].successRate <= 1);
    const clean = r.robustness!.find((p) => p.kind === 'clean')!;
    assert.ok(clean.ua > 0.25, `clean UA on the enrolled subset: ${clean.ua}`);
    assert.ok(r.privacy!.genderProbe.accuracy >= 0 && r.sustainability!.latencyMs > 0);
  });
});
