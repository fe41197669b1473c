import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import {
  GraphBuilder,
  decodeModel,
  float,
  linear,
  lstmLayer,
  softmax,
  topkRows,
  weightSource,
  ONNX_OPSET,
} from '../../src/runtime/onnx/index.js';

const meta = { producerName: 'trustser-test', producerVersion: '0' };

test('a serialized graph decodes with its opset, symbolic dims, initializers and metadata', () => {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', 'float32', ['batch', 3]);
  const w = g.initializer('w', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  g.output(g.node('Gemm', [x, w], { transB: 1, alpha: float(0.5) }), 'y', 'float32', ['batch', 2]);
  const m = decodeModel(g.serialize({ ...meta, metadata: { note: 'hello' } }));
  const graph = m.graph as onnx.GraphProto;
  assert.equal(Number(m.opsetImport[0].version), ONNX_OPSET);
  const dims = graph.input[0].type!.tensorType!.shape!.dim!;
  assert.equal(dims[0].dimParam, 'batch');
  assert.equal(Number(dims[1].dimValue), 3);
  assert.deepEqual(Array.from(new Float32Array(Uint8Array.from(graph.initializer[0].rawData!).buffer)), [1, 2, 3, 4, 5, 6]);
  assert.equal((graph.node as onnx.NodeProto[]).find((n) => n.opType === 'Gemm')!.attribute.find((a) => a.name === 'alpha')!.f, 0.5);
  assert.deepEqual(
    m.metadataProps.map((p) => [p.key, p.value]),
    [['note', 'hello']],
  );
  assert.equal(graph.output[0].name, 'y');
});

test('builder errors name the initializer or attribute', () => {
  const g = new GraphBuilder('bad');
  assert.throws(() => g.initializer('w', new Float32Array(5), [2, 3]), /initializer 'w': 5 values do not fill shape \[2, 3\]/);
  assert.throws(() => g.node('Elu', ['x'], { alpha: 0.5 }), /attribute 'alpha': integer expected \(use float\(\) for floats\)/);
  g.input('x', 'float32', [1]);
  assert.throws(() => g.input('x', 'float32', [1]), /the name 'x' is taken/);
  assert.throws(() => new GraphBuilder('empty').serialize(meta), /no outputs declared/);
});

test('Linear + softmax runs in ONNX Runtime and equals the hand-computed posteriors', async () => {
  const W = [
    [1, -1, 0.5],
    [0, 2, -1],
  ];
  const b = [0.1, -0.2];
  const dict = new Map([
    ['fc.weight', { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.from(W.flat()) }],
    ['fc.bias', { dtype: 'float32' as const, shape: [2], data: Float32Array.from(b) }],
  ]);
  const g = new GraphBuilder('fc');
  const x = g.input('x', 'float32', ['batch', 3]);
  g.output(softmax(g, linear(g, x, weightSource(dict, 'fc'), 'fc', 2), 1), 'p', 'float32', ['batch', 2]);
  const s = await ort.InferenceSession.create(g.serialize(meta));
  const input = [
    [0.3, -1.2, 2],
    [1, 1, 1],
  ];
  const out = (await s.run({ x: new ort.Tensor('float32', Float32Array.from(input.flat()), [2, 3]) })).p.data as Float32Array;
  input.forEach((row, n) => {
    const z = W.map((wr, k) => wr.reduce((acc, wv, j) => acc + wv * row[j], b[k]));
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const p = e.map((v) => v / e.reduce((a, c) => a + c, 0));
    p.forEach((v, k) => assert.ok(Math.abs(out[n * 2 + k] - v) < 1e-6, `row ${n} class ${k}`));
  });
  await s.release();
});

test('an LSTM layer with torch gate order reproduces a hand-rolled LSTM cell (forward direction)', async () => {
  // One hidden unit, one input: torch gate rows i, f, g, o.
  const wih = [0.5, -0.3, 0.8, 0.2],
    whh = [0.1, 0.4, -0.6, 0.3],
    bih = [0.05, 0.1, -0.1, 0.2],
    bhh = [0, -0.05, 0.1, 0.05];
  const t = (data: number[], shape: number[]) => ({ dtype: 'float32' as const, shape, data: Float32Array.from(data) });
  const dict = new Map([
    ['lstm.weight_ih_l0', t(wih, [4, 1])],
    ['lstm.weight_hh_l0', t(whh, [4, 1])],
    ['lstm.bias_ih_l0', t(bih, [4])],
    ['lstm.bias_hh_l0', t(bhh, [4])],
  ]);
  const g = new GraphBuilder('lstm');
  const x = g.input('x', 'float32', ['time', 1, 1]);
  const lens = g.input('lens', 'int32', [1]);
  const { y } = lstmLayer(g, x, lens, weightSource(dict, 'lstm'), 'lstm', 0, 1, false);
  g.output(y, 'y', 'float32', ['time', 1, 1]);
  const s = await ort.InferenceSession.create(g.serialize(meta));
  const xs = [1, -0.5, 2];
  const out = (
    await s.run({
      x: new ort.Tensor('float32', Float32Array.from(xs), [3, 1, 1]),
      lens: new ort.Tensor('int32', Int32Array.from([3]), [1]),
    })
  ).y.data as Float32Array;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let h = 0,
    c = 0;
  xs.forEach((xt, step) => {
    const a = wih.map((w, k) => w * xt + whh[k] * h + bih[k] + bhh[k]);
    c = sig(a[1]) * c + sig(a[0]) * Math.tanh(a[2]);
    h = sig(a[3]) * Math.tanh(c);
    assert.ok(Math.abs(out[step] - h) < 1e-6, `step ${step}: ${out[step]} vs ${h}`);
  });
  await s.release();
});

test('topkRows keeps the k best-scored rows in descending score order (AASIST-style graph pooling)', async () => {
  const g = new GraphBuilder('topk');
  const h = g.input('h', 'float32', ['batch', 4, 2]);
  const s = g.input('s', 'float32', ['batch', 4, 1]);
  g.output(topkRows(g, h, s, 2), 'y', 'float32', ['batch', 2, 2]);
  const session = await ort.InferenceSession.create(g.serialize(meta));
  const rowsH = [
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
  ];
  const scores = [0.2, 0.9, 0.1, 0.5];
  const out = (
    await session.run({
      h: new ort.Tensor('float32', Float32Array.from(rowsH.flat()), [1, 4, 2]),
      s: new ort.Tensor('float32', Float32Array.from(scores), [1, 4, 1]),
    })
  ).y.data as Float32Array;
  // Best scores: row 1 (0.9), then row 3 (0.5).
  assert.deepEqual(Array.from(out), [3, 4, 7, 8]);
  await session.release();
});
