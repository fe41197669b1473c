import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePthObject, readPth, readPthObject, toStateDict } from '../../src/tensor-io/pth.js';
import { isRawTensor, type RawTensor, type StateDict } from '../../src/tensor-io/raw.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (name: string): string => join(root, 'test', 'fixtures', 'pth', name);
const aasistDir = resolve(root, '..', 'shared', 'models', 'aasist');
const noShared = existsSync(join(aasistDir, 'AASIST.pth')) ? false : '../shared not present';

const isBnStat = (k: string): boolean => /(running_mean|running_var|num_batches_tracked)$/.test(k);
function counts(sd: StateDict): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  for (const [k, t] of sd) {
    total += t.data.length;
    if (!isBnStat(k)) trainable += t.data.length;
  }
  return { total, trainable };
}
function get(sd: StateDict, key: string): RawTensor {
  const t = sd.get(key);
  assert.ok(t, `missing tensor ${key}`);
  return t;
}

// Reference numbers below were read once with /usr/bin/python3 (torch 1.13):
//   sd = torch.load(path, map_location='cpu'); sum(v.numel() for v in sd.values()); ...
//   sd[k].shape, sd[k].flatten()[:3].tolist(), sd[k].item()
describe('readPth on the AASIST checkpoints', { skip: noShared }, () => {
  test('AASIST.pth: counts, key order, shapes and values', () => {
    const sd = readPth(join(aasistDir, 'AASIST.pth'));
    assert.equal(sd.size, 229);
    assert.deepEqual(counts(sd), { total: 299_550, trainable: 297_866 });
    assert.deepEqual([...sd.keys()].slice(0, 9), [
      'pos_S',
      'master1',
      'master2',
      'first_bn.weight',
      'first_bn.bias',
      'first_bn.running_mean',
      'first_bn.running_var',
      'first_bn.num_batches_tracked',
      'encoder.0.0.conv1.weight',
    ]);
    const pos = get(sd, 'pos_S');
    assert.equal(pos.dtype, 'float32');
    assert.deepEqual(pos.shape, [1, 23, 64]);
    assert.deepEqual([...pos.data.slice(0, 3)], [-0.8833863735198975, 0.49376925826072693, 0.17249295115470886]);
    assert.equal(pos.data[pos.data.length - 1], -0.10022959113121033);
    const conv = get(sd, 'encoder.0.0.conv1.weight');
    assert.deepEqual(conv.shape, [32, 1, 2, 3]);
    assert.equal(conv.data[1 * 6 + 1 * 3 + 2], 0.16779649257659912); // w[1, 0, 1, 2]
    assert.equal(conv.data[191], -0.36961403489112854); // w[31, 0, 1, 2]
    assert.deepEqual(get(sd, 'GAT_layer_S.att_weight').shape, [64, 1]);
    const out = get(sd, 'out_layer.weight');
    assert.deepEqual(out.shape, [2, 160]);
    assert.equal(out.data[0], 0.008815627545118332);
    assert.deepEqual([...get(sd, 'out_layer.bias').data], [-0.030945222824811935, -0.03955623134970665]);
    assert.equal(get(sd, 'first_bn.running_var').data[0], 5.398794019129127e-5);
    const nbt = get(sd, 'first_bn.num_batches_tracked'); // a 0-dim LongStorage tensor
    assert.equal(nbt.dtype, 'int64');
    assert.deepEqual(nbt.shape, []);
    assert.deepEqual([...nbt.data], [106757n]);
    const int64Keys = [...sd].filter(([, t]) => t.dtype === 'int64').map(([k]) => k);
    assert.equal(int64Keys.length, 18);
    assert.ok(int64Keys.every((k) => k.endsWith('num_batches_tracked')));
  });

  test('AASIST-L.pth: counts and values', () => {
    const sd = readPth(join(aasistDir, 'AASIST-L.pth'));
    assert.equal(sd.size, 229);
    assert.deepEqual(counts(sd), { total: 86_270, trainable: 85_306 });
    const pos = get(sd, 'pos_S');
    assert.deepEqual(pos.shape, [1, 23, 24]);
    assert.deepEqual([...pos.data.slice(0, 3)], [-0.14416825771331787, -0.0025178110226988792, 0.1371392160654068]);
    assert.deepEqual([...get(sd, 'out_layer.bias').data], [-0.06886041164398193, 0.0706024095416069]);
    assert.deepEqual([...get(sd, 'first_bn.num_batches_tracked').data], [59192n]);
  });
});

// Fixtures come from scripts/fixtures/make-pth-fixtures.py (torch.save with torch 1.13).
describe('readPth on generated fixtures', () => {
  test('strided views, all dtypes, 0-dim and empty tensors', () => {
    const sd = readPth(fixture('misc.pth'));
    assert.deepEqual([...sd.keys()], ['transposed', 'base', 'strided', 'permuted', 'scalar', 'longs', 'ints', 'flags', 'empty']);
    // arange(6).reshape(2,3).t(): size (3,2), stride (1,3)
    assert.deepEqual(get(sd, 'transposed'), { dtype: 'float32', shape: [3, 2], data: new Float32Array([0, 3, 1, 4, 2, 5]) });
    assert.deepEqual(get(sd, 'base'), { dtype: 'float32', shape: [10], data: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) });
    // base[2:8:2]: same storage as base, offset 2, stride 2
    assert.deepEqual(get(sd, 'strided'), { dtype: 'float32', shape: [3], data: new Float32Array([2, 4, 6]) });
    get(sd, 'base').data[2] = 100;
    assert.equal(get(sd, 'strided').data[0], 2, 'tensors must not share memory');
    // arange(24).reshape(2,3,4).permute(2,0,1): p[i][j][k] = 12j + 4k + i
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) expected.push(12 * j + 4 * k + i);
    assert.deepEqual(get(sd, 'permuted'), { dtype: 'float64', shape: [4, 2, 3], data: new Float64Array(expected) });
    assert.deepEqual(get(sd, 'scalar'), { dtype: 'float64', shape: [], data: new Float64Array([3.5]) });
    assert.deepEqual(get(sd, 'longs'), { dtype: 'int64', shape: [4], data: new BigInt64Array([2n ** 40n, -5n, 0n, 2n ** 62n]) });
    assert.deepEqual(get(sd, 'ints'), { dtype: 'int32', shape: [2, 2], data: new Int32Array([1, -2, 3, 2147483647]) });
    assert.deepEqual(get(sd, 'flags'), { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) });
    assert.deepEqual(get(sd, 'empty'), { dtype: 'float32', shape: [0, 3], data: new Float32Array(0) });
  });

  test('nested checkpoint dict is returned as an object tree', () => {
    const obj = readPthObject(fixture('checkpoint.pth'));
    assert.ok(obj instanceof Map);
    assert.deepEqual([...obj.keys()], ['model', 'epoch', 'lr', 'name', 'best', 'flags', 'dims', 'big', 'neg', 'param']);
    const model = toStateDict(obj.get('model'), 'checkpoint.pth#model'); // module state dict: BUILD(_metadata) ignored
    assert.deepEqual([...model.keys()], ['weight', 'bias']);
    assert.deepEqual(get(model, 'weight'), { dtype: 'float32', shape: [2, 3], data: new Float32Array([0.5, -1, 2, 0.25, 0, -3]) });
    assert.deepEqual([...get(model, 'bias').data], [0.125, -0.5]);
    assert.equal(obj.get('epoch'), 3);
    assert.equal(obj.get('lr'), 0.001);
    assert.equal(obj.get('name'), 'run-1');
    assert.equal(obj.get('best'), null);
    assert.deepEqual(obj.get('flags'), [true, false]);
    assert.deepEqual([...(obj.get('dims') as number[])], [2, 3]);
    assert.ok(Object.isFrozen(obj.get('dims')), 'tuples are frozen arrays');
    assert.equal(obj.get('big'), 2n ** 70n);
    assert.equal(obj.get('neg'), -7);
    const param = obj.get('param'); // nn.Parameter -> _rebuild_parameter
    assert.ok(isRawTensor(param));
    assert.deepEqual([...param.data], [1.5, -2.5]);
    assert.throws(
      () => readPth(fixture('checkpoint.pth')),
      /checkpoint\.pth: top-level dict is not a dict of tensors \(entry 'model' is a dict with 2 entries\); use readPthObject/,
    );
  });

  test('any top folder name; hand-made strided view', () => {
    const sd = readPth(fixture('strided-ok.pth'));
    assert.deepEqual(get(sd, 'x'), { dtype: 'float32', shape: [2], data: new Float32Array([2, 4]) });
    const fromBytes = parsePthObject(readFileSync(fixture('strided-ok.pth')), 'mem.pth');
    assert.ok(fromBytes instanceof Map && isRawTensor(fromBytes.get('x')));
  });
});

test('the legacy (pre-1.6) format: tensors of every dtype, a strided view of a shared storage, plain values; truncated files fail by name', () => {
  const sd = toStateDict(
    (() => {
      const o = readPthObject(fixture('legacy.pth')) as Map<string, unknown>;
      assert.deepEqual(
        o.get('meta'),
        new Map<string, unknown>([
          ['epoch', 3],
          ['name', 'x'],
        ]),
      );
      o.delete('meta');
      return o;
    })(),
    'legacy.pth',
  );
  assert.deepEqual(get(sd, 'w'), { dtype: 'float32', shape: [3], data: new Float32Array([1.5, -2, 0.25]) });
  assert.deepEqual(get(sd, 'ids'), { dtype: 'int64', shape: [2], data: new BigInt64Array([3n, -4n]) });
  assert.deepEqual(get(sd, 'half'), { dtype: 'float32', shape: [2], data: new Float32Array([0.5, 65504]) });
  assert.deepEqual(get(sd, 'base'), { dtype: 'float32', shape: [2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) });
  assert.deepEqual(get(sd, 'col'), { dtype: 'float32', shape: [2], data: new Float32Array([1, 4]) });
  const dir = mkdtempSync(join(tmpdir(), 'trustser-legacy-'));
  try {
    const bytes = readFileSync(fixture('legacy.pth'));
    const cut = join(dir, 'cut.pth');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    assert.throws(
      () => readPthObject(cut),
      /cut\.pth: storage '\d+' (holds \d+ bytes, but \d+ \w+ elements need \d+|is missing \(the file is truncated\))/,
    );
    writeFileSync(cut, bytes.subarray(0, 300));
    assert.throws(() => readPthObject(cut), /cut\.pth: (truncated pickle|storage)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('objects of unknown classes beside the weights are inert markers: the weights load, nothing runs', () => {
  const obj = readPthObject(fixture('opaque.pth')) as Map<string, unknown>;
  const model = toStateDict(obj.get('model'), 'opaque.pth');
  assert.deepEqual(get(model, 'w'), { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) });
  assert.equal(obj.get('epoch'), 7);
  // The scheduler, the numpy scalar and the Counter are kept only as markers, their contents dropped.
  for (const k of ['scheduler', 'best_loss', 'counts']) {
    const v = obj.get(k);
    assert.ok(typeof v === 'object' && v !== null && !(v instanceof Map) && !Array.isArray(v) && !isRawTensor(v), k);
  }
  // As a state dict the markers are refused by name.
  assert.throws(() => readPth(fixture('opaque.pth')), /opaque\.pth: top-level dict is not a dict of tensors/);
});

describe('readPth rejects bad and malicious inputs with the file name', () => {
  const cases: [string, RegExp][] = [
    ['evil-global.pth', /evil-global\.pth: unsupported pickle global 'os system' \(only state dicts of tensors are read\)/],
    ['bad-opcode.pth', /bad-opcode\.pth: unsupported pickle opcode 0x6c 'l' \(LIST\) at offset 5/],
    ['oversize-view.pth', /oversize-view\.pth: storage '0' has 4 elements, too few for a tensor of size \[3\] stride \[2\] at offset 0/],
    ['missing-storage.pth', /missing-storage\.pth: storage '0' \(misc\/data\/0\) is missing from the archive/],
    ['short-storage.pth', /short-storage\.pth: storage '0' holds 3 bytes, but 6 float32 elements need 24/],
    // A file that is an object of a class outside the allow-list (never instantiated).
    ['opaque-top.pth', /opaque-top\.pth: unsupported pickle global '__main__ TrainingScheduler' \(only state dicts of tensors are read\)/],
  ];
  for (const [name, pattern] of cases) {
    test(name, () => {
      assert.throws(() => readPth(fixture(name)), pattern);
      assert.throws(() => readPthObject(fixture(name)), pattern);
    });
  }

  test('truncated zip, non-zip file, missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustser-pth-'));
    try {
      const misc = readFileSync(fixture('misc.pth'));
      writeFileSync(join(dir, 'half.pth'), misc.subarray(0, misc.length >> 1));
      writeFileSync(join(dir, 'cut.pth'), misc.subarray(0, misc.length - 10));
      writeFileSync(join(dir, 'notes.pth'), 'this is not a checkpoint\n');
      writeFileSync(join(dir, 'empty.pth'), '');
      for (const name of ['half.pth', 'cut.pth', 'notes.pth', 'empty.pth']) {
        const re = new RegExp(`${name.replace('.', '\\.')}: not a readable zip archive, so not a PyTorch checkpoint`);
        assert.throws(() => readPth(join(dir, name)), re);
      }
      assert.throws(() => readPth(join(dir, 'does-not-exist.pth')), /does-not-exist\.pth: cannot read file \(ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a zip without data.pkl', () => {
    // An empty zip: just the end-of-central-directory record.
    const eocd = new Uint8Array(22);
    eocd.set([0x50, 0x4b, 0x05, 0x06]);
    assert.throws(
      () => parsePthObject(eocd, 'nothing.pth'),
      /nothing\.pth: expected exactly one '<folder>\/data\.pkl' in the archive, found 0/,
    );
  });
});
