/**
 * writeTrustReport: both files written (atomically, no temporary files left), trust.json
 * reloads to the same record, the directory is created, an invalid report writes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TRUST_REPORT_VERSION, type TrustReport, loadTrustReport, renderTrustHtml, writeTrustReport } from '../../src/report/index.js';
import { fullReport } from './fixtures.js';

describe('writeTrustReport', () => {
  const root = mkdtempSync(join(tmpdir(), 'trustser-write-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes trust.json and trust.html into a (new) run directory', async () => {
    const dir = join(root, 'runs', 'a');
    const report = fullReport('written');
    const paths = await writeTrustReport(dir, report);
    assert.deepEqual(paths, { json: join(dir, 'trust.json'), html: join(dir, 'trust.html') });
    assert.deepEqual(readdirSync(dir).sort(), ['trust.html', 'trust.json'], 'no temporary files left behind');
    const loaded = loadTrustReport(dir);
    assert.deepEqual(loaded, { ...report, version: TRUST_REPORT_VERSION });
    assert.equal(readFileSync(paths.html, 'utf8'), renderTrustHtml([loaded]));
    assert.ok(readFileSync(paths.json, 'utf8').endsWith('}\n'));
  });

  it('replaces existing files', async () => {
    const dir = join(root, 'runs', 'b');
    await writeTrustReport(dir, fullReport('first'));
    await writeTrustReport(dir, fullReport('second'));
    assert.equal(loadTrustReport(dir).model.name, 'second');
    assert.match(readFileSync(join(dir, 'trust.html'), 'utf8'), /<title>Trust report: second<\/title>/);
  });

  it('refuses an invalid report, naming the field, and writes nothing', async () => {
    const dir = join(root, 'runs', 'c');
    const bad = { ...fullReport(), privacy: { genderProbe: { accuracy: 1.5, majority: 0.5 } } } as TrustReport;
    await assert.rejects(writeTrustReport(dir, bad), /trust\.json: privacy\.genderProbe\.accuracy: /);
    assert.equal(existsSync(dir), false);
  });
});
