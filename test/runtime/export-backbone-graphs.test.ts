import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  EXPORTED_BACKBONE_KEY,
  apcBackbone,
  exportedBackboneMeta,
  loadApc,
  loadTera,
  teraBackbone,
  teraMaxFrames,
  loadWav2Vec2,
  loadWhisperEncoder,
  openExportedBackbone,
  wav2vec2Backbone,
  whisperBackbone,
  type Backbone,
  type ExportedBackboneMeta,
  type WhisperPad,
} from '../../src/backbones/index.js';
import { toRawDict } from '../../src/engine/index.js';
import { makeRng } from '../../src/core/index.js';
import { GraphBuilder, exportApcGraph, exportTeraGraph, exportWav2Vec2Graph, exportWhisperGraph } from '../../src/runtime/index.js';
import { fixtureWaveform, maxAbsDiff } from '../helpers/hidden-states.js';

const FIXTURES = fileURLToPath(new URL('../backbones/fixtures/', import.meta.url));
/**
 * Largest |ONNX − engine| hidden-state difference accepted, relative to the layer's largest
 * magnitude when that exceeds 1: Whisper's log-mel comes from two FFTs (the engine's float32 one,
 * the project's float64 one), which agree to ~1e-6 above the log floor, and a random network's
 * first layer multiplies that by its magnitude (≈ 13 here).
 */
const TOLERANCE = 1e-4;

function serialize(g: GraphBuilder, meta: ExportedBackboneMeta): Uint8Array {
  return g.serialize({
    producerName: 'test',
    producerVersion: '0',
    docString: '',
    metadata: { [EXPORTED_BACKBONE_KEY]: JSON.stringify(meta) },
  });
}

/**
 * The fixture waveform with noise 60 dB below it, as real audio has: on the pure chirp alone the
 * s3prl fbank's high filters sit at Kaldi's log floor, where float64 FFT rounding (the engine's
 * and the project's FFT differ by ~1e-15) is amplified by CMVN and deltas to ~2e-4.
 */
function noisyWaveform(n: number, phase: number): Float32Array {
  const rng = makeRng(n);
  return fixtureWaveform(n, phase).map((v) => v + 1e-3 * rng.normal());
}

/** The engine backbone and its exported graph on ONNX Runtime agree at 0.05 s (padded), 0.7 s and 26 s (two chunks), or at `seconds`. */
async function compare(
  engine: Backbone,
  bytes: Uint8Array,
  meta: ExportedBackboneMeta,
  seconds = [0.05, 0.7, 26],
  wave: (n: number, phase: number) => Float32Array = fixtureWaveform,
): Promise<void> {
  assert.deepEqual(exportedBackboneMeta(bytes, 'graph'), meta);
  const onnx = await openExportedBackbone(ort, bytes, meta);
  try {
    assert.deepEqual(onnx.info, engine.info);
    for (const s of seconds) {
      const x = wave(Math.round(s * 16000), s);
      const [a, b] = [await engine.hiddenStates(x), await onnx.hiddenStates(x)];
      assert.equal(b.frames, a.frames);
      a.layers.forEach((h, l) => {
        const d = maxAbsDiff(h, b.layers[l]);
        const scale = Math.max(
          1,
          h.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
        );
        assert.ok(d < TOLERANCE * scale, `${s} s, layer ${l}: max |Δ| ${d} (largest |h| ${scale})`);
      });
    }
  } finally {
    await onnx.dispose();
    await engine.dispose();
  }
}

// Every body the exporter writes: post-/pre-LN, group-/layer-norm encoders, even/odd positional
// kernels, WavLM's relative bias (16 and 320 buckets), waveform normalisation.
for (const c of ['wav2vec2/post-hf', 'wav2vec2/pre-hf', 'wavlm/base-hf', 'wavlm/large-hf']) {
  test(`exported backbone ${c}: ONNX Runtime gives the engine's hidden states within 1e-4, short and chunked inputs`, async () => {
    const { model } = loadWav2Vec2(join(FIXTURES, c));
    const meta: ExportedBackboneMeta = {
      arch: model.config.arch,
      config: model.config,
      identity: 'test',
      parameters: model.numParameters(),
    };
    const bytes = serialize(exportWav2Vec2Graph(model.config, toRawDict(model.stateDict()), c), meta);
    await compare(wav2vec2Backbone(model.config.arch, model), bytes, meta);
  });
}

// 80 and 128 mels, both pad modes; 0.05 s, 3 s and 31 s (two 30 s windows).
for (const [c, pad] of [
  ['whisper/a-openai.pt', 'none'],
  ['whisper/b-hf', '30s'],
] as [string, WhisperPad][]) {
  test(`exported Whisper encoder ${c} (pad ${pad}): the TypeScript log-mel and the graph give the engine's hidden states within 1e-4`, async () => {
    const { model } = loadWhisperEncoder(join(FIXTURES, c));
    const meta: ExportedBackboneMeta = { arch: 'whisper', config: model.config, pad, identity: 'test', parameters: model.numParameters() };
    const bytes = serialize(exportWhisperGraph(model.config, toRawDict(model.stateDict()), c), meta);
    await compare(whisperBackbone('whisper', model, { pad }), bytes, meta, [0.05, 3, 31]);
  });
}

// APC with and without residuals / CMVN, in GRU chunks with the state carried (26 s = 2600 frames);
// TERA post-LN on log-mel (chunked at its sequence_length) and pre-LN on fbank + deltas, stacked by 2.
for (const c of ['apc', 'apc-plain']) {
  test(`exported APC ${c}: the TypeScript front end and the graph give the engine's hidden states within 1e-4`, async () => {
    const { model } = loadApc(join(FIXTURES, 's3prl', `${c}.ckpt`));
    const meta: ExportedBackboneMeta = { arch: 'apc', config: model.config, identity: 'test', parameters: model.encoderParameters() };
    const bytes = serialize(exportApcGraph(model.config, toRawDict(model.stateDict()), c), meta);
    await compare(apcBackbone('apc', model), bytes, meta, undefined, noisyWaveform);
  });
}
for (const c of ['tera', 'tera-pre']) {
  test(`exported TERA ${c}: the TypeScript front end and the graph give the engine's hidden states within 1e-4, chunk by chunk`, async () => {
    const { model } = loadTera(join(FIXTURES, 's3prl', `${c}.ckpt`));
    const meta: ExportedBackboneMeta = { arch: 'tera', config: model.config, identity: 'test', parameters: model.encoderParameters() };
    const graph = exportTeraGraph(model.config, model.inputDim, toRawDict(model.stateDict()), teraMaxFrames(c, model.config), c);
    await compare(teraBackbone('tera', model), serialize(graph, meta), meta, [0.05, 0.7, 3], noisyWaveform);
  });
}

test('exported backbone: a graph without trustser backbone metadata, or not ONNX, is refused naming the file', () => {
  const config = loadWav2Vec2(join(FIXTURES, 'wav2vec2/post-hf')).model.config;
  assert.throws(
    () => exportWav2Vec2Graph(config, new Map(), 'empty'),
    /empty: the state dict has no 'feature_extractor\.conv_layers\.0\.conv\.weight'/,
  );
  const g = new GraphBuilder('plain');
  g.output(g.node('Identity', [g.input('x', 'float32', [1])]), 'y', 'float32', [1]);
  const plain = g.serialize({ producerName: 't', producerVersion: '0', docString: '', metadata: {} });
  assert.throws(() => exportedBackboneMeta(plain, 'plain.onnx'), /^Error: plain\.onnx: not a backbone graph exported by trustser/);
  assert.throws(() => exportedBackboneMeta(new Uint8Array([1, 2, 3, 4]), 'junk.onnx'), /^Error: junk\.onnx: not an ONNX model/);
});
