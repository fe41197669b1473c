import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grad, noGrad, tensor, tidy, type Tensor } from '../../src/engine/index.js';
import { backboneSource } from '../../src/backbones/index.js';
import { fixtureWaveform, maxAbsDiff, referenceLayers } from '../helpers/hidden-states.js';
import {
  WHISPER_MIN_SAMPLES,
  WHISPER_WINDOW_MEL_FRAMES,
  WHISPER_WINDOW_SAMPLES,
  WHISPER_BACKBONE,
  WhisperFrontend,
  engineWhisper,
  loadWhisperEncoder,
  whisperBackbone,
  whisperCheckpointFiles,
  whisperEncoderFrames,
  whisperMacs,
  whisperMelFrames,
  whisperNormalizeLogMel,
  type WhisperCheckpointFormat,
  type WhisperEncoder,
  type WhisperPad,
} from '../../src/backbones/index.js';

const DIR = fileURLToPath(new URL('./fixtures/whisper/', import.meta.url));
const W2V = fileURLToPath(new URL('./fixtures/wav2vec2/', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  samples: number;
  headFrames: number;
  logMel: Record<string, { frames: number; padValue: number }>;
  variants: Record<string, { dims: { n_mels: number }; layers: number; frames: number; width: number }>;
};
/** Largest difference allowed from the PyTorch reference (float32). */
const TOLERANCE = 1e-4;
/** Largest difference between two engine paths that compute the same numbers in another order. */
const SAME_PATH_TOLERANCE = 1e-5;
const RATE = 16000;

const waveform = fixtureWaveform;

function noise(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  });
}

const reference = (file: string, layers: number, size: number): Float32Array[] => referenceLayers(DIR, file, layers, size);

/** Columns [from, from + count) of a row-major [rows, cols] matrix. */
function columns(m: Float32Array, rows: number, cols: number, from: number, count: number): Float32Array {
  const out = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++) out.set(m.subarray(r * cols + from, r * cols + from + count), r * count);
  return out;
}

const padded = (x: Float32Array, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => x[i] ?? 0);
const arrays = (hs: Tensor[]): Float32Array[] => hs.map((h) => h.contiguous().toArray() as Float32Array);

for (const nMels of Object.keys(MANIFEST.logMel).map(Number)) {
  test(`whisper log-mel (${nMels} mels): both pad modes and the piecewise path match the reference within 1e-4`, (t) => {
    const { frames, padValue } = MANIFEST.logMel[String(nMels)];
    const n = MANIFEST.samples;
    const x = waveform(n);
    assert.equal(whisperMelFrames(n), frames);
    const front = new WhisperFrontend(nMels);
    try {
      const none = tidy(() => front.logMel(tensor(x, [1, n])).toArray() as Float32Array);
      assert.equal(none.length, nMels * frames);
      const dNone = maxAbsDiff(none, reference(`logmel-${nMels}-none.bin`, 1, nMels * frames)[0]);
      assert.ok(dNone < TOLERANCE, `pad none: max |Δ| ${dNone}`);
      // The piecewise path (the backbone's): log10 mel of the frames, floored against their maximum.
      const piece = tidy(() => {
        const log = front.log10MelFrames(x, 0, frames);
        return whisperNormalizeLogMel(log, log.max().item()).toArray() as Float32Array;
      });
      assert.ok(maxAbsDiff(piece, none) < SAME_PATH_TOLERANCE);

      const full = tidy(
        () => front.logMel(tensor(padded(x, WHISPER_WINDOW_SAMPLES), [1, WHISPER_WINDOW_SAMPLES])).toArray() as Float32Array,
      );
      assert.equal(full.length, nMels * WHISPER_WINDOW_MEL_FRAMES);
      const head = MANIFEST.headFrames;
      const d30 = maxAbsDiff(
        columns(full, nMels, WHISPER_WINDOW_MEL_FRAMES, 0, head),
        reference(`logmel-${nMels}-30s-head.bin`, 1, nMels * head)[0],
      );
      assert.ok(d30 < TOLERANCE, `pad 30s: max |Δ| ${d30}`);
      const tail = columns(full, nMels, WHISPER_WINDOW_MEL_FRAMES, head, WHISPER_WINDOW_MEL_FRAMES - head);
      assert.ok(maxAbsDiff(tail, new Float32Array(tail.length).fill(padValue)) < TOLERANCE);
      t.diagnostic(`log-mel ${nMels}: max |Δ| pad none ${dNone.toExponential(2)}, pad 30s ${d30.toExponential(2)}`);
    } finally {
      front.dispose();
    }
  });
}

const CASES: [variant: string, file: string, format: WhisperCheckpointFormat][] = [
  ['a', 'a-openai.pt', 'openai'],
  ['a', 'a-hf', 'huggingface'],
  ['a', 'a-hf/pytorch_model.bin', 'huggingface'],
  ['b', 'b-openai.pt', 'openai'],
  ['b', 'b-hf', 'huggingface'],
  ['b', 'b-hf/model.safetensors', 'huggingface'],
];

function compareLayers(what: string, out: Float32Array[], ref: Float32Array[]): string {
  assert.equal(out.length, ref.length, `${what}: number of hidden states`);
  const diffs = out.map((h, l) => maxAbsDiff(h, ref[l]));
  diffs.forEach((d, l) => assert.ok(d < TOLERANCE, `${what}, layer ${l}: max |Δ| ${d}`));
  return diffs.map((d) => d.toExponential(1)).join(' ');
}

for (const [variant, file, format] of CASES) {
  test(`whisper ${variant}: ${file} loads as ${format} and every layer matches the reference within 1e-4 (pad none and 30s)`, async (t) => {
    const v = MANIFEST.variants[variant];
    const { model, format: got, files } = loadWhisperEncoder(join(DIR, file));
    assert.equal(got, format);
    assert.deepEqual(files, whisperCheckpointFiles(join(DIR, file)));
    const n = MANIFEST.samples;
    const x = waveform(n);
    const size = v.frames * v.width;
    assert.equal(whisperEncoderFrames(whisperMelFrames(n)), v.frames);
    const refNone = reference(`${variant}-none-hidden.bin`, v.layers, size);
    const ref30 = reference(`${variant}-30s-hidden.bin`, v.layers, size);
    const report: string[] = [];
    try {
      const direct = tidy(() => noGrad(() => arrays(model.hiddenStates(model.frontend.logMel(tensor(x, [1, n]))))));
      report.push(`model none [${compareLayers('model, pad none', direct, refNone)}]`);
      for (const pad of ['none', '30s'] as WhisperPad[]) {
        const ref = pad === 'none' ? refNone : ref30;
        const wave = tidy(() => noGrad(() => arrays(model.waveformHiddenStates(tensor(x, [1, n]), pad))));
        report.push(`waveform ${pad} [${compareLayers(`waveformHiddenStates, pad ${pad}`, wave, ref)}]`);
        const h = await whisperBackbone('whisper', model, { pad }).hiddenStates(x);
        assert.equal(h.frames, v.frames);
        report.push(`backbone ${pad} [${compareLayers(`backbone, pad ${pad}`, h.layers, ref)}]`);
      }
      t.diagnostic(`max |Δ| per layer: ${report.join('; ')}`);
    } finally {
      model.dispose();
    }
  });
}

/** Hidden states of mel frames [from, from + count) of `mel` [1, nMels, M] in one pass. */
function pass(model: WhisperEncoder, mel: Tensor, from: number, count: number): Float32Array[] {
  return tidy(() => noGrad(() => arrays(model.hiddenStates(mel.narrow(2, from, count)))));
}

test('whisper backbone: info, short inputs padded, inputs over 30 s in 30 s windows without overlap', async () => {
  const { model } = loadWhisperEncoder(join(DIR, 'a-openai.pt'));
  try {
    const c = model.config;
    const b = whisperBackbone('whisper', model);
    assert.equal(b.info.frameRateHz, 50);
    assert.equal(b.info.sampleRateHz, RATE);
    assert.equal(b.info.minSamples, WHISPER_MIN_SAMPLES);
    assert.deepEqual(b.info.layerDims, [16, 16, 16]);
    assert.equal(b.info.parameters, model.numParameters());
    assert.equal(b.info.macsPerSecond, whisperMacs(c, 10 * RATE) / 10);
    // A 30 s window costs the same whatever the audio in it; padded, a 10 s input pays for 30 s.
    const b30 = whisperBackbone('whisper', model, { pad: '30s' });
    assert.equal(b30.info.macsPerSecond, whisperMacs(c, WHISPER_WINDOW_SAMPLES) / 10);
    assert.equal((await b.hiddenStates(new Float32Array(10))).frames, 1);
    assert.equal((await b30.hiddenStates(new Float32Array(10))).frames, 1);

    // 31.5 s and a bit: one full window and one of 150 mel frames.
    const x = noise(WHISPER_WINDOW_SAMPLES + 1.5 * RATE + 77);
    const frames = whisperEncoderFrames(whisperMelFrames(x.length));
    assert.equal(frames, 1575);
    const d = c.width;
    const mel = tidy(() => model.frontend.logMel(tensor(x, [1, x.length])));
    try {
      const h = await b.hiddenStates(x);
      assert.equal(h.frames, frames);
      const first = pass(model, mel, 0, WHISPER_WINDOW_MEL_FRAMES);
      const second = pass(model, mel, WHISPER_WINDOW_MEL_FRAMES, whisperMelFrames(x.length) - WHISPER_WINDOW_MEL_FRAMES);
      for (let l = 0; l < h.layers.length; l++) {
        assert.ok(maxAbsDiff(h.layers[l].subarray(0, 1500 * d), first[l]) < SAME_PATH_TOLERANCE, `layer ${l}, first window`);
        assert.ok(maxAbsDiff(h.layers[l].subarray(1500 * d), second[l]) < SAME_PATH_TOLERANCE, `layer ${l}, second window`);
      }
      // The differentiable path cuts the same windows.
      const wave = tidy(() => noGrad(() => arrays(model.waveformHiddenStates(tensor(x, [1, x.length])))));
      wave.forEach((w, l) => assert.ok(maxAbsDiff(w, h.layers[l]) < SAME_PATH_TOLERANCE));

      // Padded: the second window is a full 30 s one too, of which the first 75 frames are kept.
      const h30 = await b30.hiddenStates(x);
      assert.equal(h30.frames, frames);
      const mel30 = tidy(() => model.frontend.logMel(tensor(padded(x, 2 * WHISPER_WINDOW_SAMPLES), [1, 2 * WHISPER_WINDOW_SAMPLES])));
      const full = pass(model, mel30, WHISPER_WINDOW_MEL_FRAMES, WHISPER_WINDOW_MEL_FRAMES);
      mel30.dispose();
      for (let l = 0; l < h30.layers.length; l++)
        assert.ok(maxAbsDiff(h30.layers[l].subarray(1500 * d), full[l].subarray(0, 75 * d)) < SAME_PATH_TOLERANCE, `pad 30s, layer ${l}`);
    } finally {
      mel.dispose();
    }
  } finally {
    model.dispose();
  }
});

test('whisper: the hidden states are differentiable with respect to the waveform', () => {
  const { model } = loadWhisperEncoder(join(DIR, 'b-hf'));
  try {
    for (const p of model.parameters()) p.requiresGrad_(false);
    const g = tidy(() => {
      const x = tensor(waveform(3200), [1, 3200]).requiresGrad_(true);
      const hs = model.waveformHiddenStates(x);
      const [dx] = grad(hs[hs.length - 1].square().sum(), x);
      return dx!.toArray() as Float32Array;
    });
    assert.equal(g.length, 3200);
    assert.ok(g.every(Number.isFinite) && g.some((v) => v !== 0));
  } finally {
    model.dispose();
  }
});

test('whisper: bad checkpoints fail with one message naming the file and the problem', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'trustser-whisper-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  /** Loading `path` fails with one line that starts with the file at fault (`named`) and matches `pattern`. */
  const expectError = (path: string, pattern: RegExp, named = path): void =>
    assert.throws(
      () => loadWhisperEncoder(path),
      (e: Error) => {
        assert.ok(e.message.startsWith(named) && pattern.test(e.message) && !e.message.includes('\n'), e.message);
        return true;
      },
    );

  // Other architectures: wav2vec 2.0 checkpoints in three formats.
  expectError(join(W2V, 'post-torchaudio.pth'), /not a Whisper checkpoint/);
  expectError(join(W2V, 'post-fairseq.pt'), /not a Whisper checkpoint/);
  expectError(join(W2V, 'post-hf'), /model_type 'wav2vec2' is not a Whisper model/);
  // A truncated file.
  const truncated = join(tmp, 'truncated.pt');
  writeFileSync(truncated, readFileSync(join(DIR, 'a-openai.pt')).subarray(0, 20000));
  expectError(truncated, /zip|archive|storage/);
  // Settings that do not match the tensors.
  const hf = join(tmp, 'hf');
  cpSync(join(DIR, 'a-hf'), hf, { recursive: true });
  const config = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8')) as Record<string, unknown>;
  const withConfig = (changes: Record<string, unknown>): void =>
    writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, ...changes }));
  const weights = join(hf, 'pytorch_model.bin');
  withConfig({ encoder_layers: 3 });
  expectError(weights, /do not match .*missing 'blocks\.2\./);
  withConfig({ d_model: 24, encoder_ffn_dim: 96 });
  expectError(weights, /'conv1\.weight' is \[16, 80, 3\] but the config needs \[24, 80, 3\]/);
  withConfig({ max_source_positions: 1000 });
  expectError(weights, /'positional_embedding' is \[1500, 16\] but the config needs \[1000, 16\]/);
  withConfig({ encoder_ffn_dim: 32 });
  expectError(weights, /'blocks\.0\.mlp\.0\.weight' is \[64, 16\] but the config needs \[32, 16\]/);
  withConfig({ encoder_attention_heads: 3 });
  expectError(weights, /width 16 is not divisible by 3 attention heads/, join(hf, 'config.json'));
  withConfig({ activation_function: 'relu' });
  expectError(weights, /activation_function 'relu' is not supported/, join(hf, 'config.json'));
  withConfig({ model_type: 'bert' });
  expectError(hf, /model_type 'bert' is not a Whisper model/);
  // A folder without weights, a safetensors file without its config, float16 weights that are
  // read (widened) but miss tensors, a missing file.
  rmSync(weights);
  withConfig({});
  expectError(hf, /holds no weights/);
  const lone = join(tmp, 'lone.safetensors');
  writeFileSync(lone, readFileSync(join(DIR, 'b-hf', 'model.safetensors')));
  expectError(lone, /needs the model's config\.json beside it/);
  const half = join(hf, 'model.safetensors');
  const header = Buffer.from(
    JSON.stringify({ 'model.encoder.conv1.bias': { dtype: 'F16', shape: [16], data_offsets: [0, 32] } }).padEnd(80),
  );
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(half, Buffer.concat([size, header, Buffer.alloc(32)]));
  expectError(half, /missing 'blocks\.0\./);
  expectError(join(tmp, 'missing.pt'), /no such file/);
});

test('whisper source: identity hashes the files (and names a non-default pad), one shared frozen network', async () => {
  const source = backboneSource(WHISPER_BACKBONE);
  const weights = join(DIR, 'a-hf');
  const id = source.identity({ weights });
  assert.match(id, /^whisper:[0-9a-f]{64}$/);
  assert.equal(source.identity({ weights: join(weights, 'pytorch_model.bin') }), id);
  assert.notEqual(source.identity({ weights: join(DIR, 'b-hf') }), id);
  assert.equal(source.identity({ weights, pad: '30s' } as { weights: string }), `${id}:pad=30s`);
  assert.throws(() => source.identity({ weights: null }), /backbone 'whisper' needs its weights/);
  const net = engineWhisper({ weights });
  assert.equal(engineWhisper({ weights }), net);
  assert.ok(net.parameters().every((p) => !p.requiresGrad));
  const b = await source.load({ weights });
  assert.equal(b.info.name, WHISPER_BACKBONE);
  assert.equal((await b.hiddenStates(waveform(MANIFEST.samples))).frames, MANIFEST.variants.a.frames);
  await b.dispose(); // the shared network stays
  assert.equal(engineWhisper({ weights }).numParameters(), net.numParameters());
});
