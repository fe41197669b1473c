import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noGrad, tensor, tidy } from '../../src/engine/index.js';
import { checkpointFiles, framesFor, loadWav2Vec2, relativeBuckets, type CheckpointFormat } from '../../src/backbones/index.js';
import { fixtureWaveform as waveform, maxAbsDiff, referenceLayers } from '../helpers/hidden-states.js';

const DIR = fileURLToPath(new URL('./fixtures/wavlm/', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  samples: number;
  batchLengths: number[];
  variants: Record<string, { layers: number; frames: number; dims: number; batchFrames: number; batchLengths: number[] }>;
};
/** Largest difference allowed from the PyTorch reference's hidden states (float32). */
const TOLERANCE = 1e-4;

// [variant, file, format, reference input: plain, or normalised as Hugging Face / WavLM's own code does]
const CASES: [string, string, CheckpointFormat, 'plain' | 'hf' | 'fairseq'][] = [
  ['base', 'base-hf', 'huggingface', 'plain'],
  ['base', 'base-unilm.pt', 'fairseq', 'plain'],
  ['base', 'base-torchaudio.pth', 'torchaudio', 'plain'],
  ['large', 'large-hf', 'huggingface', 'hf'],
  ['large', 'large-hf/model.safetensors', 'huggingface', 'hf'],
  ['large', 'large-unilm.pt', 'fairseq', 'fairseq'],
  ['large', 'large-torchaudio.pth', 'torchaudio', 'plain'],
];

for (const [variant, file, format, input] of CASES) {
  test(`wavlm ${variant}: ${file} loads as ${format} and every layer matches the reference within 1e-4`, () => {
    const v = MANIFEST.variants[variant];
    const { model, format: got } = loadWav2Vec2(join(DIR, file), 'wavlm');
    try {
      assert.equal(got, format);
      assert.equal(model.config.arch, 'wavlm');
      assert.equal(model.config.waveformNormEps !== null, input !== 'plain');
      assert.equal(framesFor(model.config, MANIFEST.samples), v.frames);
      const ref = referenceLayers(DIR, `${variant}-${input}-hidden.bin`, v.layers, v.frames * v.dims);
      const x = tensor(waveform(MANIFEST.samples), [1, MANIFEST.samples]);
      const out = tidy(() => noGrad(() => model.hiddenStates(x).map((h) => h.toArray() as Float32Array)));
      assert.equal(out.length, v.layers);
      out.forEach((h, l) => assert.ok(maxAbsDiff(h, ref[l]) < TOLERANCE, `layer ${l}: max |Δ| ${maxAbsDiff(h, ref[l])}`));
    } finally {
      model.dispose();
    }
  });
}

for (const variant of ['base', 'large']) {
  test(`wavlm ${variant}: a padded batch masks the padding as the reference does`, () => {
    const v = MANIFEST.variants[variant];
    const { model } = loadWav2Vec2(join(DIR, `${variant}-torchaudio.pth`), 'wavlm');
    try {
      const lengths = MANIFEST.batchLengths;
      const s = Math.max(...lengths);
      const x = new Float32Array(lengths.length * s);
      lengths.forEach((n, i) => x.set(waveform(n, 0.7 * i), i * s));
      assert.deepEqual(
        lengths.map((n) => framesFor(model.config, n)),
        v.batchLengths,
      );
      const ref = referenceLayers(DIR, `${variant}-batch-hidden.bin`, v.layers, lengths.length * v.batchFrames * v.dims);
      const out = tidy(() =>
        noGrad(() => model.hiddenStates(tensor(x, [lengths.length, s]), { samples: lengths }).map((h) => h.toArray() as Float32Array)),
      );
      // Padded frames are zeroed here; the reference leaves them as the layers make them, so compare valid frames.
      out.forEach((h, l) => {
        for (let i = 0; i < lengths.length; i++) {
          const rows = v.batchLengths[i] * v.dims;
          const at = i * v.batchFrames * v.dims;
          const d = maxAbsDiff(h.subarray(at, at + rows), ref[l].subarray(at, at + rows));
          assert.ok(d < TOLERANCE, `layer ${l}, item ${i}: max |Δ| ${d}`);
        }
      });
    } finally {
      model.dispose();
    }
  });
}

test('wavlm: relative-position buckets are exact near the diagonal, logarithmic beyond, capped, one half per direction', () => {
  const c = { numBuckets: 320, maxDistance: 800, gated: true };
  const n = 1000;
  const b = relativeBuckets(n, c);
  const at = (offset: number): number => (offset >= 0 ? b[offset] : b[-offset * n]); // row 0 for key after query; column 0 before
  assert.equal(at(0), 0);
  assert.equal(at(1), 161);
  assert.equal(at(-1), 1);
  assert.equal(at(79), 160 + 79);
  assert.equal(at(-79), 79);
  assert.equal(at(80), 160 + 80);
  assert.equal(at(799), 319);
  assert.equal(at(900), 319);
  assert.equal(at(-900), 159);
  for (let d = 1; d < n - 1; d++) assert.ok(at(d + 1) >= at(d), `monotone at ${d}`);
});

test('wavlm: the folder identity includes preprocessor_config.json; bad checkpoints fail naming the file', (t) => {
  assert.deepEqual(
    checkpointFiles(join(DIR, 'large-hf')).map((f) => f.slice(DIR.length)),
    ['large-hf/config.json', 'large-hf/preprocessor_config.json', 'large-hf/model.safetensors'],
  );
  const tmp = mkdtempSync(join(tmpdir(), 'trustser-wavlm-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const expectError = (path: string, pattern: RegExp): void =>
    assert.throws(
      () => loadWav2Vec2(path, 'wavlm'),
      (e: Error) => {
        assert.ok(e.message.startsWith(path) && pattern.test(e.message), e.message);
        return true;
      },
    );
  // A wav2vec 2.0 state dict asked to be WavLM.
  const w2v = fileURLToPath(new URL('./fixtures/wav2vec2/pre-torchaudio.pth', import.meta.url));
  expectError(w2v, /no relative position bias .* not a WavLM state dict/);
  // A config whose bucket count does not match the table.
  const hf = join(tmp, 'hf');
  cpSync(join(DIR, 'base-hf'), hf, { recursive: true });
  const config = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, num_buckets: 32 }));
  expectError(hf, /'encoder\.transformer\.layers\.0\.attention\.rel_attn_embed\.weight' is \[16, 2\] but the config needs \[32, 2\]/);
  writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, num_buckets: 7 }));
  expectError(hf, /config\.json: numBuckets must be even/);
  // A truncated WavLM checkpoint.
  const truncated = join(tmp, 'truncated.pt');
  writeFileSync(truncated, readFileSync(join(DIR, 'base-unilm.pt')).subarray(0, 9000));
  expectError(truncated, /zip|archive|storage/);
});
