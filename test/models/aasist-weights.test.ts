/**
 * AASIST against the published weights in ../shared/models/aasist: strict loading of both
 * checkpoints and logit parity with the reference PyTorch run (reference-logits.json).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, readPth, tidy } from '../../src/engine/index.js';
import { loadAudio } from '../../src/audio/index.js';
import {
  AASIST_CONFIG,
  AASIST_L_CONFIG,
  AASIST_SAMPLES,
  Aasist,
  aasistBatch,
  detectAasistVariant,
  loadAasistWeights,
} from '../../src/models/aasist/index.js';
import { ROOT } from '../audio/helpers.js';

const SHARED = join(ROOT, '..', 'shared');
const WEIGHTS_DIR = join(SHARED, 'models', 'aasist');
const AASIST_PTH = join(WEIGHTS_DIR, 'AASIST.pth');
const AASIST_L_PTH = join(WEIGHTS_DIR, 'AASIST-L.pth');
const REFERENCE = join(WEIGHTS_DIR, 'reference-logits.json');
const skip =
  existsSync(AASIST_PTH) && existsSync(AASIST_L_PTH) && existsSync(REFERENCE)
    ? false
    : `AASIST weights not found in ${WEIGHTS_DIR}; skipping (see ../shared/models/aasist/README.md)`;
/** Agreement the README promises for a faithful reimplementation. */
const LOGIT_TOLERANCE = 1e-4;

interface ReferenceCase {
  file: string;
  /** Model input length (samples). */
  samples: number;
  logits: [number, number];
}

describe('published AASIST weights', { skip }, () => {
  test('AASIST.pth and AASIST-L.pth load strictly: same tensor names and shapes as the modules', () => {
    for (const [path, config, variant] of [
      [AASIST_PTH, AASIST_CONFIG, 'AASIST'],
      [AASIST_L_PTH, AASIST_L_CONFIG, 'AASIST-L'],
    ] as const) {
      const file = readPth(path);
      const fresh = new Aasist(config);
      const loaded = loadAasistWeights(path);
      try {
        assert.deepEqual([...fresh.stateDict().keys()], [...file.keys()], 'same names in the same (PyTorch) order');
        for (const [k, t] of fresh.stateDict()) assert.deepEqual(t.shape, file.get(k)!.shape, k);
        assert.equal(detectAasistVariant(file), variant);
        assert.deepEqual(loaded.config, config);
        const pos = file.get('pos_S')!.data as Float32Array;
        assert.deepEqual(loaded.posS.toFloat32(), pos);
      } finally {
        fresh.dispose();
        loaded.dispose();
      }
    }
  });

  test('a truncated AASIST.pth gives a clear error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aasist-'));
    try {
      const cut = join(dir, 'AASIST-cut.pth');
      const bytes = readFileSync(AASIST_PTH);
      writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
      assert.throws(
        () => loadAasistWeights(cut),
        (e: Error) => e.message.startsWith(`${cut}: `),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`logits of every reference file agree with PyTorch within ${LOGIT_TOLERANCE} (one batch)`, async (t) => {
    const ref = JSON.parse(readFileSync(REFERENCE, 'utf8')) as { cases: ReferenceCase[] };
    assert.ok(ref.cases.length > 0);
    const clips = await Promise.all(ref.cases.map(async (c) => (await loadAudio(join(SHARED, c.file))).samples));
    for (const c of ref.cases) assert.equal(c.samples, AASIST_SAMPLES, `${c.file}: the reference used another input length`);
    const model = loadAasistWeights(AASIST_PTH);
    try {
      const logits = noGrad(() => tidy(() => model.forward(aasistBatch(clips)).toFloat32()));
      let maxDiff = 0;
      ref.cases.forEach((c, i) => c.logits.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[i * 2 + k])))));
      t.diagnostic(`max |Δlogit| over ${ref.cases.length} files: ${maxDiff.toExponential(2)}`);
      assert.ok(maxDiff <= LOGIT_TOLERANCE, `max |Δlogit| = ${maxDiff}`);
    } finally {
      model.dispose();
    }
  });
});
