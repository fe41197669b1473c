import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { F, noGrad, tensor, tidy } from '../../src/engine/index.js';
import { backboneSource } from '../../src/backbones/index.js';
import {
  APC_CHUNK_FRAMES,
  FRONT_END_BLOCK_FRAMES,
  apcBackbone,
  engineApc,
  engineTera,
  loadApc,
  loadTera,
  s3prlCheckpointFiles,
  teraBackbone,
  teraChunks,
  type Apc,
  type Tera,
} from '../../src/backbones/index.js';

const DIR = fileURLToPath(new URL('./fixtures/s3prl/', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  samples: number;
  variants: Record<
    string,
    { frames: number; featureDims: number; hiddenFrames?: number; layers: number; layerDims: number[]; chunkFrames?: number }
  >;
};
/** Largest difference allowed from the PyTorch reference (float32). */
const TOLERANCE = 1e-4;
const APC_VARIANTS = ['apc', 'apc-plain'] as const;
const TERA_VARIANTS = ['tera', 'tera-pre'] as const;

/** The fixture script's waveform (computed in float64, stored as float32). */
function waveform(n: number, phase = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.031 * i + phase) + 0.3 * Math.sin(0.17 * i * (1 + i / (4 * n))));
}

function floats(file: string): Float32Array {
  return new Float32Array(new Uint8Array(readFileSync(join(DIR, file))).buffer);
}

/** The reference's layers: consecutive [frames, dims[l]] blocks of one file. */
function layersOf(file: string, frames: number, dims: number[]): Float32Array[] {
  const all = floats(file);
  assert.equal(all.length, frames * dims.reduce((a, b) => a + b, 0), file);
  const starts = dims.map((_, l) => frames * dims.slice(0, l).reduce((a, b) => a + b, 0));
  return dims.map((d, l) => all.subarray(starts[l], starts[l] + frames * d));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function assertClose(got: Float32Array[], want: Float32Array[], what: string): void {
  assert.equal(got.length, want.length, `${what}: layer count`);
  got.forEach((h, l) => {
    const d = maxAbsDiff(h, want[l]);
    assert.ok(d < TOLERANCE, `${what} layer ${l}: max |Δ| ${d}`);
  });
}

const wave = waveform(MANIFEST.samples);
const run = (f: () => Float32Array[]): Float32Array[] => noGrad(() => tidy(f));

for (const name of APC_VARIANTS) {
  test(`s3prl ${name}: front end, every hidden state and the postnet match the PyTorch reference within 1e-4`, () => {
    const v = MANIFEST.variants[name];
    const { model, layout } = loadApc(join(DIR, `${name}.ckpt`));
    try {
      assert.equal(layout, name === 'apc' ? 'config' : 'Upstream_Config');
      assert.equal(model.frontEnd.framesFor(MANIFEST.samples), v.frames);
      const [feats] = run(() => [model.frontEnd.forward(tensor(wave, [wave.length])).toArray() as Float32Array]);
      assertClose([feats], [floats(`${name}-features.bin`)], `${name} features`);
      const hs = run(() => model.hiddenStates(tensor(wave, [1, wave.length])).map((h) => h.toArray() as Float32Array));
      assertClose(hs, layersOf(`${name}-hidden.bin`, v.frames, v.layerDims), name);
      if (name === 'apc') {
        const [pred] = run(() => {
          const h = model.hiddenStates(tensor(wave, [wave.length]));
          return [model.predict(h[h.length - 1]).toArray() as Float32Array];
        });
        assertClose([pred], [floats('apc-predicted.bin')], 'apc postnet');
        assert.equal(model.config.nFuture, 5);
      }
    } finally {
      model.dispose();
    }
  });
}

for (const name of TERA_VARIANTS) {
  test(`s3prl ${name}: front end, every hidden state and the SpecHead match the PyTorch reference within 1e-4`, () => {
    const v = MANIFEST.variants[name];
    const { model, layout } = loadTera(join(DIR, `${name}.ckpt`));
    try {
      assert.equal(layout, name === 'tera' ? 'Upstream_Config' : 'Config');
      assert.equal(model.frontEnd.framesFor(MANIFEST.samples), v.frames);
      const [feats] = run(() => [model.frontEnd.forward(tensor(wave, [wave.length])).toArray() as Float32Array]);
      assertClose([feats], [floats(`${name}-features.bin`)], `${name} features`);
      const hs = run(() => model.hiddenStates(tensor(wave, [1, wave.length])).map((h) => h.toArray() as Float32Array));
      assertClose(hs, layersOf(`${name}-hidden.bin`, v.hiddenFrames as number, v.layerDims), name);
      if (name === 'tera') {
        const [pred] = run(() => {
          const h = model.hiddenStates(tensor(wave, [wave.length]));
          return [model.predict(h[h.length - 1]).toArray() as Float32Array];
        });
        assertClose([pred], [floats('tera-spechead.bin')], 'tera SpecHead');
      }
    } finally {
      model.dispose();
    }
  });
}

test('s3prl backbones: info, short inputs padded, chunked passes equal the reference', async () => {
  const apc = apcBackbone('apc', loadApc(join(DIR, 'apc.ckpt')).model, { chunkFrames: 7 });
  const tera = teraBackbone('tera', loadTera(join(DIR, 'tera.ckpt')).model, { maxFrames: MANIFEST.variants.tera.chunkFrames });
  try {
    assert.deepEqual(
      { rate: apc.info.frameRateHz, dims: apc.info.layerDims, min: apc.info.minSamples },
      { rate: 100, dims: [80, 16, 16, 16], min: 560 }, // 25 ms + one 10 ms hop: CMVN needs two frames
    );
    // The GRUs (3 gates: weights over input + hidden, two biases), not the postnet.
    assert.equal(apc.info.parameters, 3 * 16 * (80 + 16) + 6 * 16 + 2 * (3 * 16 * (16 + 16) + 6 * 16));
    assert.deepEqual(
      { rate: tera.info.frameRateHz, dims: tera.info.layerDims, min: tera.info.minSamples },
      { rate: 100, dims: [32, 32, 32], min: 201 },
    );
    assert.ok((apc.info.macsPerSecond ?? 0) > 0 && (tera.info.macsPerSecond ?? 0) > 0);
    // APC in chunks of 7 frames carrying the GRU state = one pass.
    const v = MANIFEST.variants.apc;
    assertClose((await apc.hiddenStates(wave)).layers, layersOf('apc-hidden.bin', v.frames, v.layerDims), 'apc chunked');
    // TERA cut as s3prl cuts at sequence_length (41 frames at 16: 14 + 14 + 13).
    assert.deepEqual(teraChunks(41, 16), [
      [0, 14],
      [14, 14],
      [28, 13],
    ]);
    const t = MANIFEST.variants.tera;
    assertClose(
      (await tera.hiddenStates(wave)).layers,
      layersOf('tera-chunked-hidden.bin', t.hiddenFrames as number, t.layerDims),
      'tera chunked',
    );
    const short = await apc.hiddenStates(new Float32Array(100).fill(0.1));
    assert.equal(short.frames, 2);
    assert.ok(short.layers.every((l) => l.every(Number.isFinite)));
    const shortTera = await tera.hiddenStates(new Float32Array(50).fill(0.1));
    assert.equal(shortTera.frames, 2);
  } finally {
    await apc.dispose();
    await tera.dispose();
  }
});

test('s3prl backbones: long inputs (front-end blocks, default chunks) equal one pass / s3prl chunks', async () => {
  const { model: apcNet } = loadApc(join(DIR, 'apc-plain.ckpt'));
  const { model: teraNet } = loadTera(join(DIR, 'tera.ckpt'));
  const apc = apcBackbone('apc', apcNet);
  const tera = teraBackbone('tera', teraNet);
  try {
    // Longer than one front-end block and one GRU chunk.
    const long = waveform((FRONT_END_BLOCK_FRAMES + APC_CHUNK_FRAMES / 2) * 160, 0.3);
    const got = await apc.hiddenStates(long);
    assert.equal(got.frames, apcNet.frontEnd.framesFor(long.length));
    const whole = run(() => apcNet.hiddenStates(tensor(long, [long.length])).map((h) => h.toArray() as Float32Array));
    assertClose(got.layers, whole, 'apc long');
    // TERA: 20 s cut at the checkpoint's sequence_length (1500) into 2 chunks of 1000 frames.
    const t20 = waveform(20 * 16000, 0.5);
    const out = await tera.hiddenStates(t20);
    const frames = teraNet.frontEnd.framesFor(t20.length);
    assert.equal(out.frames, frames);
    const chunks = teraChunks(frames, 1500);
    assert.equal(chunks.length, 2);
    const [start, n] = chunks[1];
    const second = run(() => {
      const x = teraNet.features(tensor(t20, [t20.length]));
      return teraNet.forwardFrames(x.narrow(1, start, n)).map((h) => h.toArray() as Float32Array);
    });
    assertClose(
      out.layers.map((l) => l.subarray(start * 32)),
      second,
      'tera second chunk',
    );
  } finally {
    await apc.dispose();
    await tera.dispose();
  }
});

test('s3prl networks are trainable (heads included) and differentiable in the waveform', () => {
  const { model: apc } = loadApc(join(DIR, 'apc.ckpt'));
  const { model: tera } = loadTera(join(DIR, 'tera.ckpt'));
  const check = (net: Apc | Tera, loss: (w: ReturnType<typeof tensor>) => ReturnType<typeof tensor>): void => {
    net.train();
    const w = tensor(wave, [wave.length]).requiresGrad_(true);
    tidy(() => loss(w).backward());
    for (const [name, p] of net.namedParameters()) assert.ok(p.requiresGrad && p.grad !== null, `${name} has no gradient`);
    const g = w.grad?.toArray() as Float32Array;
    assert.ok(g.some((x) => x !== 0) && g.every(Number.isFinite), 'no gradient reaches the waveform');
  };
  try {
    assert.ok(apc.namedParameters().some(([n]) => n.startsWith('postnet.')));
    check(apc, (w) => {
      const h = apc.hiddenStates(w);
      const pred = apc.predict(h[h.length - 1]);
      return F.l1Loss(pred.narrow(1, 0, 30), h[0].narrow(1, 5, 30));
    });
    assert.ok(tera.namedParameters().some(([n]) => n.startsWith('SpecHead.')));
    check(tera, (w) => {
      const h = tera.hiddenStates(w);
      return F.l1Loss(tera.predict(h[h.length - 1]), tera.features(w));
    });
  } finally {
    apc.dispose();
    tera.dispose();
  }
});

test('s3prl source: apc and tera are provided, hashed by file, shared and frozen', async () => {
  const file = join(DIR, 'apc.ckpt');
  const id = backboneSource('apc').identity({ weights: file });
  assert.match(id, /^apc:[0-9a-f]{64}$/);
  assert.deepEqual(s3prlCheckpointFiles(file, 'apc'), [file]);
  const b = await backboneSource('apc').load({ weights: file });
  assert.equal(b.info.name, 'apc');
  const net = engineApc({ weights: file });
  assert.equal(engineApc({ weights: file }), net);
  assert.ok(net.parameters().every((p) => !p.requiresGrad));
  const tera = await backboneSource('tera').load({ weights: join(DIR, 'tera-pre.ckpt') });
  assert.equal(tera.info.frameRateHz, 50); // downsample rate 2
  assert.ok(
    engineTera({ weights: join(DIR, 'tera-pre.ckpt') })
      .parameters()
      .every((p) => !p.requiresGrad),
  );
  assert.throws(() => backboneSource('tera').identity({ weights: null }), /backbone 'tera' needs its weights/);
});

test('s3prl: bad checkpoints fail with one message naming the file and the problem', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const tmp = mkdtempSync(join(tmpdir(), 'trustser-s3prl-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const expectError = (load: (p: string) => unknown, path: string, pattern: RegExp): void =>
    assert.throws(
      () => load(path),
      (e: Error) => {
        assert.ok(e.message.startsWith(`${path}: `) && pattern.test(e.message) && !e.message.includes('\n'), e.message);
        return true;
      },
    );
  // The wrong network, or not s3prl at all.
  expectError(loadTera, join(DIR, 'apc.ckpt'), /not an s3prl TERA checkpoint: it is an s3prl APC checkpoint \(load it as 'apc'\)/);
  expectError(
    loadApc,
    join(DIR, 'tera.ckpt'),
    /not an s3prl APC checkpoint: it is an s3prl TERA \/ Mockingjay checkpoint \(load it as 'tera'\)/,
  );
  const w2v = fileURLToPath(new URL('./fixtures/wav2vec2/post-fairseq.pt', import.meta.url));
  expectError(loadApc, w2v, /not an s3prl APC checkpoint: it is a fairseq checkpoint/);
  expectError(loadTera, w2v, /not an s3prl TERA checkpoint: it is a fairseq checkpoint/);
  const ta = fileURLToPath(new URL('./fixtures/wav2vec2/pre-torchaudio.pth', import.meta.url));
  expectError(loadApc, ta, /not an s3prl APC checkpoint: it is a wav2vec 2\.0 \/ HuBERT state dict/);
  // A truncated file.
  const truncated = join(tmp, 'truncated.ckpt');
  writeFileSync(truncated, readFileSync(join(DIR, 'tera.ckpt')).subarray(0, 30000));
  expectError(loadTera, truncated, /zip|archive|storage/);
  // Settings that do not match the tensors, or are not supported.
  expectError(
    loadApc,
    join(DIR, 'apc-plain-3layers.ckpt'),
    /do not match the APC \(3 GRU layers of 12 over 40 features\).*missing 'rnn_layers\.2\.weight_ih_l0'/,
  );
  expectError(loadApc, join(DIR, 'apc-plain-mfcc.ckpt'), /'data\.audio\.feat_type' 'mfcc' is not supported/);
  expectError(loadTera, join(DIR, 'tera-linear.ckpt'), /'audio\.input\.feat_type' 'linear' is not supported/);
  // A missing file.
  expectError(loadApc, join(tmp, 'missing.ckpt'), /no such file/);
  expectError(loadTera, join(tmp, 'missing.ckpt'), /no such file/);
});
