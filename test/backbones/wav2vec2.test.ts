import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noGrad, tensor, tidy } from '../../src/engine/index.js';
import { framesFor, loadWav2Vec2, type CheckpointFormat } from '../../src/backbones/index.js';
import { fixtureWaveform as waveform, maxAbsDiff, referenceLayers } from '../helpers/hidden-states.js';

const DIR = fileURLToPath(new URL('./fixtures/wav2vec2/', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  samples: number;
  batchLengths: number[];
  variants: Record<string, { layers: number; frames: number; dims: number; batchFrames: number; batchLengths: number[]; keys: string[] }>;
};
/** Largest difference allowed from torchaudio's hidden states (float32). */
const TOLERANCE = 1e-4;

const CASES: [variant: string, file: string, format: CheckpointFormat][] = [
  ['post', 'post-torchaudio.pth', 'torchaudio'],
  ['post', 'post-hf', 'huggingface'],
  ['post', 'post-hf/pytorch_model.bin', 'huggingface'],
  ['post', 'post-fairseq.pt', 'fairseq'],
  ['pre', 'pre-torchaudio.pth', 'torchaudio'],
  ['pre', 'pre-hf', 'huggingface'],
  ['pre', 'pre-hf/model.safetensors', 'huggingface'],
  ['pre', 'pre-fairseq.pt', 'fairseq'],
];

for (const [variant, file, format] of CASES) {
  test(`wav2vec2 ${variant}: ${file} loads as ${format} and every layer matches torchaudio within 1e-4`, () => {
    const v = MANIFEST.variants[variant];
    const { model, format: got } = loadWav2Vec2(join(DIR, file), variant === 'pre' ? 'hubert' : 'wav2vec2');
    try {
      assert.equal(got, format);
      assert.equal(framesFor(model.config, MANIFEST.samples), v.frames);
      const ref = referenceLayers(DIR, `${variant}-hidden.bin`, v.layers, v.frames * v.dims);
      const out = tidy(() =>
        noGrad(() => model.hiddenStates(tensor(waveform(MANIFEST.samples), [1, MANIFEST.samples])).map((h) => h.toArray() as Float32Array)),
      );
      assert.equal(out.length, v.layers);
      out.forEach((h, l) => assert.ok(maxAbsDiff(h, ref[l]) < TOLERANCE, `layer ${l}: max |Δ| ${maxAbsDiff(h, ref[l])}`));
    } finally {
      model.dispose();
    }
  });
}

for (const variant of ['post', 'pre']) {
  test(`wav2vec2 ${variant}: a padded batch masks the padding as torchaudio does`, () => {
    const v = MANIFEST.variants[variant];
    const { model } = loadWav2Vec2(join(DIR, `${variant}-torchaudio.pth`));
    try {
      const lengths = MANIFEST.batchLengths;
      const s = Math.max(...lengths);
      const x = new Float32Array(lengths.length * s);
      lengths.forEach((n, i) => x.set(waveform(n, 0.7 * i), i * s));
      const frames = lengths.map((n) => framesFor(model.config, n));
      assert.deepEqual(frames, v.batchLengths);
      const ref = referenceLayers(DIR, `${variant}-batch-hidden.bin`, v.layers, lengths.length * v.batchFrames * v.dims);
      const out = tidy(() =>
        noGrad(() => model.hiddenStates(tensor(x, [lengths.length, s]), { samples: lengths }).map((h) => h.toArray() as Float32Array)),
      );
      out.forEach((h, l) => assert.ok(maxAbsDiff(h, ref[l]) < TOLERANCE, `layer ${l}: max |Δ| ${maxAbsDiff(h, ref[l])}`));
    } finally {
      model.dispose();
    }
  });
}

test('wav2vec2: bad checkpoints fail with one message naming the file and the problem', async (t) => {
  const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const tmp = mkdtempSync(join(tmpdir(), 'trustser-w2v-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const expectError = (path: string, pattern: RegExp): void =>
    assert.throws(
      () => loadWav2Vec2(path),
      (e: Error) => {
        assert.ok(e.message.startsWith(path) && pattern.test(e.message), e.message);
        return true;
      },
    );

  // Another architecture's state dict.
  const other = fileURLToPath(new URL('../fixtures/pth/checkpoint.pth', import.meta.url));
  expectError(other, /not a wav2vec 2\.0 \/ HuBERT \/ WavLM checkpoint/);
  // A truncated file.
  const truncated = join(tmp, 'truncated.pth');
  writeFileSync(truncated, readFileSync(join(DIR, 'post-torchaudio.pth')).subarray(0, 20000));
  expectError(truncated, /zip|archive|storage/);
  // A config that does not match the tensors: one layer more than the weights hold.
  const hf = join(tmp, 'hf');
  cpSync(join(DIR, 'post-hf'), hf, { recursive: true });
  const config = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3 }));
  expectError(join(hf, 'pytorch_model.bin'), /do not match .*missing 'encoder\.transformer\.layers\.2\./);
  writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, hidden_size: 24 }));
  expectError(
    join(hf, 'pytorch_model.bin'),
    /'encoder\.feature_projection\.projection\.weight' is \[16, 8\] but the config needs \[24, 8\]/,
  );
  writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, model_type: 'bert' }));
  expectError(hf, /model_type 'bert' is not a wav2vec 2\.0, HuBERT or WavLM model/);
  // A folder without weights.
  rmSync(join(hf, 'pytorch_model.bin'));
  writeFileSync(join(hf, 'config.json'), JSON.stringify(config));
  expectError(hf, /holds no weights/);
  expectError(join(tmp, 'missing.pt'), /no such file/);
});
