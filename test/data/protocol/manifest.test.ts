import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadSplit, parseSplit, saveSplit, speakerKFold, type Split } from '../../../src/data/protocol/index.js';
import { fakeUtterances } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trustser-split-'));
const utts = fakeUtterances({ speakers: 6, perSpeaker: 2 });
const good = speakerKFold(utts, { folds: 3, seed: 9, devSpeakers: 1 });

/** Writes `value` as JSON to a fresh file and returns its path. */
function manifestFile(name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

/** A deep copy of the good manifest with `edit` applied. */
function edited(edit: (s: Record<string, unknown> & { folds: Array<Record<string, unknown>> }) => void): unknown {
  const s = JSON.parse(JSON.stringify(good));
  edit(s);
  return s;
}

describe('split manifests', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('save then load round-trips; the file is versioned, readable JSON', async () => {
    const p = join(dir, 'split.json');
    await saveSplit(p, good, utts);
    const text = readFileSync(p, 'utf8');
    assert.ok(
      text.startsWith('{\n  "version": 1,\n  "corpus": "fake",\n  "kind": "speaker-kfold",\n  "seed": 9,\n  "createdBy": "trustser"'),
      text.slice(0, 120),
    );
    assert.deepEqual(await loadSplit(p, utts), good);
    assert.deepEqual(await loadSplit(p), good);
  });

  test('bad files: errors name the file and the field', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      [
        'v2.json',
        edited((s) => (s.version = 2)),
        /v2\.json: field 'version': unsupported split manifest version 2 \(this trustser reads version 1\)/,
      ],
      ['nov.json', edited((s) => delete s.version), /nov\.json: field 'version': missing/],
      ['nocorpus.json', edited((s) => delete s.corpus), /nocorpus\.json: field 'corpus': missing/],
      ['notest.json', edited((s) => delete s.folds[1].test), /notest\.json: field 'folds\[1\]\.test': missing/],
      ['badid.json', edited((s) => ((s.folds[0].train as unknown[])[2] = 42)), /badid\.json: field 'folds\[0\]\.train\[2\]': /],
      ['emptytest.json', edited((s) => (s.folds[0].test = [])), /emptytest\.json: field 'folds\[0\]\.test': the test partition is empty/],
      ['kind.json', edited((s) => (s.kind = 'random')), /kind\.json: field 'kind': /],
      ['seed.json', edited((s) => (s.seed = 1.5)), /seed\.json: field 'seed': /],
      ['creator.json', edited((s) => (s.createdBy = 'someone')), /creator\.json: field 'createdBy': /],
      ['extra.json', edited((s) => (s.sede = 1)), /extra\.json: field '\(root\)': unknown field\(s\) 'sede'/],
      [
        'dupname.json',
        edited((s) => (s.folds[2].name = s.folds[0].name)),
        /dupname\.json: field 'folds\[2\]\.name': fold name 'fold-0' is also used by folds\[0\]/,
      ],
      ['nofolds.json', edited((s) => (s.folds = [])), /nofolds\.json: field 'folds': expected at least one fold/],
      [
        'holdout.json',
        edited((s) => (s.kind = 'utterance-holdout')),
        /holdout\.json: field 'speakerIndependent': an 'utterance-holdout' split/,
      ],
      ['array.json', [good], /array\.json: a split manifest must be a JSON object/],
      ['bad.json', '{"version": 1, "corpus": ', /bad\.json: not valid JSON/],
    ];
    for (const [name, value, pattern] of cases) {
      await assert.rejects(loadSplit(manifestFile(name, value)), pattern, name);
    }
    await assert.rejects(loadSplit(join(dir, 'absent.json')), /absent\.json: cannot read the split manifest \(no such file\)/);
  });

  test('a failed save writes nothing (no file, no temporary left behind) and keeps an existing file', async () => {
    const before = new Set(readdirSync(dir));
    const p = join(dir, 'never.json');
    await assert.rejects(saveSplit(p, { ...good, version: 2 } as unknown as Split), /never\.json: field 'version'/);
    await assert.rejects(saveSplit(p, { ...good, folds: [] }), /never\.json: field 'folds'/);
    await assert.rejects(saveSplit(p, good, fakeUtterances({ speakers: 2, perSpeaker: 1, corpus: 'other' })), /made for corpus 'fake'/);
    assert.equal(existsSync(p), false);
    await assert.rejects(saveSplit(join(dir, 'no', 'such', 'dir.json'), good), /ENOENT/);
    assert.deepEqual(new Set(readdirSync(dir)), before, 'no temporary files left');
    // An existing manifest survives a failed overwrite.
    const keep = join(dir, 'keep.json');
    await saveSplit(keep, good);
    const text = readFileSync(keep, 'utf8');
    await assert.rejects(saveSplit(keep, { ...good, seed: 0.5 }), /keep\.json: field 'seed'/);
    assert.equal(readFileSync(keep, 'utf8'), text);
  });

  test('parseSplit accepts optional fields and labels errors with the given name', () => {
    const s = parseSplit({ ...good, note: 'x', speakerIndependent: true }, 'cfg');
    assert.equal(s.note, 'x');
    assert.throws(() => parseSplit({ ...good, note: 3 }, 'cfg'), /^Error: cfg: field 'note': /);
  });
});
