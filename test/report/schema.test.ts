/**
 * trust.json validation: complete and minimal reports parse; every kind of error names the
 * offending field (and the file); loading reads a file or a run directory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TrustReportSchema, loadTrustReport, parseTrustReport } from '../../src/report/index.js';
import { fullReport, minimalReport } from './fixtures.js';

/** A deep copy of the full report, edited by `edit`, as untyped JSON. */
function edited(edit: (r: any) => void): unknown {
  const r = JSON.parse(JSON.stringify(fullReport()));
  edit(r);
  return r;
}

/** The error message of parsing `value`. */
function errorOf(value: unknown, label?: string): string {
  try {
    parseTrustReport(value, label);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected the report to be refused');
}

describe('parseTrustReport accepts valid reports', () => {
  it('a fully measured report round-trips unchanged', () => {
    const r = fullReport();
    assert.deepEqual(parseTrustReport(JSON.parse(JSON.stringify(r))), r);
  });
  it('a minimal report (model and classes only) is valid: every section is optional', () => {
    assert.deepEqual(parseTrustReport(minimalReport('m')), { model: { name: 'm' }, classes: ['neutral', 'happy'] });
  });
  it('accuracy estimates may omit their interval; training time may be null', () => {
    const r = parseTrustReport(
      edited((x) => {
        delete x.accuracy.ua.low;
        delete x.accuracy.ua.high;
        x.sustainability.trainSeconds = null;
      }),
    );
    assert.deepEqual(r.accuracy?.ua, { value: r.accuracy?.ua.value });
    assert.equal(r.sustainability?.trainSeconds, null);
  });
  it('unknown keys inside sections are dropped (e.g. extra fields of evaluate records)', () => {
    const r = parseTrustReport(edited((x) => (x.safety.attacks[0].maxSnrErrorDb = 0.01)));
    assert.equal('maxSnrErrorDb' in (r.safety?.attacks[0] ?? {}), false);
  });
  it('the exported schema is the one parseTrustReport uses', () => {
    assert.equal(TrustReportSchema.safeParse(fullReport()).success, true);
    assert.equal(TrustReportSchema.safeParse({}).success, false);
  });
});

describe('validation errors name the field', () => {
  const cases: Array<[string, (r: any) => void, RegExp]> = [
    ['a missing model name', (r) => delete r.model.name, /: model\.name: /],
    ['a string where a number is expected', (r) => (r.accuracy.ua.value = '0.6'), /: accuracy\.ua\.value: .*number/],
    ['a rate above 1', (r) => (r.accuracy.wa.value = 1.2), /: accuracy\.wa\.value: /],
    ['a lone interval end', (r) => delete r.accuracy.macroF1.value, /: accuracy\.macroF1\.value: /],
    ['an interval with only low', (r) => (r.accuracy.macroF1.low = 0.1), /: accuracy\.macroF1: give both low and high/],
    [
      'an interval with low > high',
      (r) => (r.accuracy.ua = { value: 0.5, low: 0.6, high: 0.4 }),
      /: accuracy\.ua: low must not exceed high/,
    ],
    ['a confusion matrix with a missing row', (r) => r.accuracy.confusion.pop(), /: accuracy\.confusion: expected 8 rows/],
    ['a confusion row with an extra column', (r) => r.accuracy.confusion[3].push(1), /: accuracy\.confusion\.3: expected 8 columns/],
    ['a negative count', (r) => (r.accuracy.confusion[0][1] = -1), /: accuracy\.confusion\.0\.1: /],
    ['per-class recalls of the wrong length', (r) => r.accuracy.perClassRecall.push(0.5), /: accuracy\.perClassRecall: expected 8 values/],
    [
      'a fairness group with half a CI',
      (r) => delete r.fairness.gender.groups[1].ua.low,
      /: fairness\.gender\.groups\.1\.ua: give both low and high, or neither/,
    ],
    [
      'a fairness attribute without statistical parity',
      (r) => delete r.fairness.gender.statisticalParity,
      /: fairness\.gender\.statisticalParity: /,
    ],
    ['a fractional group size', (r) => (r.fairness.gender.groups[0].n = 1.5), /: fairness\.gender\.groups\.0\.n: /],
    ['an unknown attack method', (r) => (r.safety.attacks[2].method = 'cw'), /: safety\.attacks\.2\.method: /],
    ['an unknown corruption kind', (r) => (r.robustness[1].kind = 'pink'), /: robustness\.1\.kind: /],
    ['a clean point with a level', (r) => (r.robustness[0].level = 10), /: robustness\.0\.level: level is null exactly for kind "clean"/],
    ['a noise point without a level', (r) => (r.robustness[1].level = null), /: robustness\.1\.level: /],
    ['a gender probe without the majority rate', (r) => delete r.privacy.genderProbe.majority, /: privacy\.genderProbe\.majority: /],
    ['a negative latency', (r) => (r.sustainability.latencyMs = -1), /: sustainability\.latencyMs: /],
    ['a misspelt section (would otherwise read as "not measured")', (r) => (r.robustnes = r.robustness), /robustnes/],
    ['an empty class list', (r) => (r.classes = []), /: classes: /],
  ];
  for (const [name, edit, pattern] of cases) {
    it(name, () => assert.match(errorOf(edited(edit), 'runs/a/trust.json'), pattern));
  }
  it('every line starts with the label, one line per issue', () => {
    const msg = errorOf(
      edited((r) => {
        r.accuracy.ua.value = 'x';
        r.privacy.genderProbe.accuracy = 2;
      }),
      'runs/b/trust.json',
    );
    const lines = msg.split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.ok(l.startsWith('runs/b/trust.json: '), l);
  });
});

describe('loadTrustReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustser-schema-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('reads trust.json from a run directory or a file path', () => {
    writeFileSync(join(dir, 'trust.json'), JSON.stringify(fullReport('from-disk')));
    assert.equal(loadTrustReport(dir).model.name, 'from-disk');
    assert.equal(loadTrustReport(join(dir, 'trust.json')).model.name, 'from-disk');
  });
  it('names the file when it is missing, not JSON, or invalid', () => {
    assert.throws(() => loadTrustReport(join(dir, 'nope.json')), /nope\.json: cannot read the trust report \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.json'), '{"model": ');
    assert.throws(() => loadTrustReport(join(dir, 'bad.json')), /bad\.json: not valid JSON/);
    writeFileSync(join(dir, 'invalid.json'), JSON.stringify({ model: { name: 'x' }, classes: ['a'], accuracy: { ua: 1 } }));
    assert.throws(() => loadTrustReport(join(dir, 'invalid.json')), /invalid\.json: accuracy\.ua: /);
  });
});
