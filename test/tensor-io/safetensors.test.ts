import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadSafetensors,
  loadSafetensorsSync,
  parseSafetensors,
  saveSafetensors,
  saveSafetensorsSync,
  serializeSafetensors,
} from '../../src/tensor-io/safetensors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/core/atomic.js';
import type { RawTensor, StateDict } from '../../src/tensor-io/raw.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'trustser-st-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let dirCounter = 0;
const freshDir = (): string => {
  const d = join(tmp, `d${dirCounter++}`);
  mkdirSync(d);
  return d;
};

function sample(): StateDict {
  return new Map<string, RawTensor>([
    ['w', { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, -2.5, 3, 0.1, 1e-30, -0]) }],
    ['d', { dtype: 'float64', shape: [3], data: new Float64Array([Math.PI, -1e300, 5e-324]) }],
    ['step', { dtype: 'int64', shape: [], data: new BigInt64Array([9007199254740993n]) }],
    ['ids', { dtype: 'int64', shape: [2, 1], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) }],
    ['n', { dtype: 'int32', shape: [1, 2], data: new Int32Array([-2147483648, 7]) }],
    ['mask', { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ['none', { dtype: 'float32', shape: [0, 5], data: new Float32Array(0) }],
    ['zero', { dtype: 'int32', shape: [], data: new Int32Array([42]) }],
    ['a.b.c', { dtype: 'float32', shape: [1], data: new Float32Array([2]) }],
  ]);
}

/** Builds a safetensors image from an arbitrary header object and data bytes. */
function image(header: unknown, data: Uint8Array = new Uint8Array(0), headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors format', () => {
  test('round trip of all dtypes, 0-dim and empty tensors, metadata', () => {
    const dict = sample();
    const meta = { format: 'pt', note: 'ünïcode ✓', empty: '' };
    const { tensors, metadata } = parseSafetensors(serializeSafetensors(dict, meta), 'rt.safetensors');
    assert.deepEqual(metadata, meta);
    assert.deepEqual([...tensors.keys()], [...dict.keys()]);
    assert.deepEqual(tensors, dict);
    for (const t of tensors.values()) assert.equal(t.data.byteOffset % t.data.BYTES_PER_ELEMENT, 0);
    assert.deepEqual(parseSafetensors(serializeSafetensors(new Map())), { tensors: new Map(), metadata: {} });
  });

  test('integer-like and __proto__ names keep their place and order', () => {
    const one = (v: number): RawTensor => ({ dtype: 'float32', shape: [1], data: new Float32Array([v]) });
    const dict: StateDict = new Map([
      ['b', one(1)],
      ['__proto__', one(2)],
      ['1', one(3)],
      ['0', one(4)],
    ]);
    const meta = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    const back = parseSafetensors(serializeSafetensors(dict, meta));
    assert.deepEqual(back.tensors, dict);
    assert.deepEqual(Object.keys(back.metadata), ['__proto__']);
    assert.equal(Object.getPrototypeOf(back.metadata), Object.prototype);
  });

  test('layout: u64 header length, padded compact JSON, contiguous data', () => {
    const bytes = serializeSafetensors(sample(), { k: 'v' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.match(text, /^\{"__metadata__":\{"k":"v"\},"w":\{"dtype":"F32","shape":\[2,3\],"data_offsets":\[0,24\]\},/);
    assert.match(text, /"step":\{"dtype":"I64","shape":\[\],"data_offsets":\[48,56\]\}/);
    assert.match(text, /"mask":\{"dtype":"BOOL","shape":\[3\],"data_offsets":\[80,83\]\}/);
    assert.match(text, /\} *$/);
    assert.ok(n - text.trimEnd().length < 8, 'at most 7 padding spaces');
    assert.equal(bytes.length, 8 + n + 24 + 24 + 8 + 16 + 8 + 3 + 0 + 4 + 4);
    assert.deepEqual([...bytes.subarray(8 + n, 8 + n + 4)], [0x00, 0x00, 0x80, 0x3f]); // 1.0f little-endian
  });

  // python-written.safetensors was laid out by scripts/fixtures/make-pth-fixtures.py exactly as
  // the reference safetensors library writes files (dtype-sorted, compact JSON, space padding).
  test('reads a file written by Python, and writes the same bytes', () => {
    const path = join(root, 'test', 'fixtures', 'pth', 'python-written.safetensors');
    const { tensors, metadata } = loadSafetensorsSync(path);
    assert.deepEqual(metadata, { format: 'pt', source: 'python' });
    assert.deepEqual([...tensors.keys()], ['ids', 'step', 'scale', 'none', 'weight', 'counts', 'mask']);
    assert.deepEqual(tensors.get('weight'), { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, -2, 0.5, 3.25, 0, -0.125]) });
    assert.deepEqual(tensors.get('step'), { dtype: 'int64', shape: [], data: new BigInt64Array([2n ** 53n + 1n]) });
    assert.deepEqual(tensors.get('ids'), { dtype: 'int64', shape: [3], data: new BigInt64Array([-1n, 0n, 7n]) });
    assert.deepEqual(tensors.get('scale'), { dtype: 'float64', shape: [1], data: new Float64Array([0.1]) });
    assert.deepEqual(tensors.get('mask'), { dtype: 'bool', shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) });
    assert.deepEqual(tensors.get('counts'), { dtype: 'int32', shape: [2], data: new Int32Array([-7, 123456]) });
    assert.deepEqual(tensors.get('none'), { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) });
    assert.deepEqual(serializeSafetensors(tensors, metadata), new Uint8Array(readFileSync(path)));
  });

  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const hasPySafetensors = spawnSync(python, ['-c', 'import safetensors.numpy'], { stdio: 'ignore' }).status === 0;
  test('a file written here is read by Python safetensors', {
    skip: hasPySafetensors ? false : 'python safetensors package not installed',
  }, async () => {
    const path = join(freshDir(), 'ts.safetensors');
    await saveSafetensors(path, sample(), { origin: 'ts' });
    const script = [
      'import json, sys',
      'from safetensors import safe_open',
      'from safetensors.numpy import load_file',
      'd = load_file(sys.argv[1])',
      'meta = safe_open(sys.argv[1], "numpy").metadata()',
      'print(json.dumps({"meta": meta, "t": {k: [str(v.dtype), list(v.shape), [str(x) for x in v.reshape(-1).tolist()]] for k, v in d.items()}}))',
    ].join('\n');
    const r = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { meta: unknown; t: Record<string, [string, number[], string[]]> };
    assert.deepEqual(out.meta, { origin: 'ts' });
    assert.deepEqual(out.t.w.slice(0, 2), ['float32', [2, 3]]);
    assert.deepEqual(out.t.step, ['int64', [], ['9007199254740993']]);
    assert.deepEqual(out.t.mask, ['bool', [3], ['True', 'False', 'True']]);
    assert.deepEqual(out.t.none.slice(0, 2), ['float32', [0, 5]]);
  });
});

describe('safetensors rejects bad files with the file name', () => {
  const f32x2 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /short\.st: file is too short for a safetensors header \(5 bytes\)/],
    [
      'header length too big',
      (() => {
        const b = image({ a: f32x2 }, new Uint8Array(8));
        new DataView(b.buffer).setBigUint64(0, 2n ** 40n, true);
        return b;
      })(),
      /big\.st: header length 1099511627776 exceeds the file size/,
    ],
    ['bad JSON', image(null, new Uint8Array(0), '{"a": {"dtype": "F32",'), /json\.st: header is not valid UTF-8 JSON/],
    ['JSON array', image([1, 2]), /array\.st: header is not a JSON object/],
    [
      'bad dtype',
      image({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /dtype\.st: tensor 'a': unknown or unsupported dtype "F8_E4M3"/,
    ],
    ['bad shape', image({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /shape\.st: tensor 'a': invalid shape \[-1\]/],
    [
      'overlapping offsets',
      image({ a: f32x2, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)),
      /overlap\.st: tensor 'b': data_offsets \[4, 12\] overlap the previous tensor/,
    ],
    [
      'offsets out of range',
      image({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)),
      /range\.st: tensor 'a': data_offsets \[0, 16\] extend past the 8-byte data buffer \(truncated data\)/,
    ],
    [
      'offsets not shape x itemsize',
      image({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /size\.st: tensor 'a': data_offsets \[0, 8\] hold 8 bytes, but F32 \[3\] needs 12/,
    ],
    [
      'reversed offsets',
      image({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, new Uint8Array(8)),
      /rev\.st: tensor 'a': data_offsets \[8, 0\] end before they begin/,
    ],
    [
      'gap',
      image({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      /gap\.st: tensor 'a': gap in the data buffer before offset 4/,
    ],
    ['trailing bytes', image({ a: f32x2 }, new Uint8Array(10)), /trail\.st: data buffer has 2 trailing bytes/],
    ['bad metadata', image({ __metadata__: { n: 1 } }), /meta\.st: __metadata__ value for 'n' is not a string/],
    [
      'bad bool',
      image({ a: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, new Uint8Array([1, 2])),
      /bool\.st: tensor 'a': BOOL data holds a byte other than 0 or 1/,
    ],
    [
      'truncated data',
      serializeSafetensors(sample()).subarray(0, -2),
      /trunc\.st: tensor 'a\.b\.c': data_offsets \[\d+, \d+\] extend past/,
    ],
  ];
  const labels = [
    'short',
    'big',
    'json',
    'array',
    'dtype',
    'shape',
    'overlap',
    'range',
    'size',
    'rev',
    'gap',
    'trail',
    'meta',
    'bool',
    'trunc',
  ];
  cases.forEach(([name, bytes, pattern], i) => {
    test(name, () => assert.throws(() => parseSafetensors(bytes, `${labels[i]}.st`), pattern));
  });

  test('loading a truncated or missing file names its path', async () => {
    const dir = freshDir();
    const full = serializeSafetensors(sample());
    writeFileSync(join(dir, 'cut.safetensors'), full.subarray(0, 40));
    await assert.rejects(
      loadSafetensors(join(dir, 'cut.safetensors')),
      /cut\.safetensors: header length \d+ exceeds the file size \(40 bytes\)/,
    );
    await assert.rejects(loadSafetensors(join(dir, 'nope.safetensors')), /nope\.safetensors: cannot read file \(ENOENT/);
    assert.throws(() => loadSafetensorsSync(join(dir, 'nope.safetensors')), /nope\.safetensors: cannot read file/);
  });

  test('serializing inconsistent tensors throws', () => {
    const bad = (t: unknown): StateDict => new Map([['x', t as never]]);
    assert.throws(
      () => serializeSafetensors(bad({ dtype: 'float32', shape: [3], data: new Float32Array(2) })),
      /tensor 'x': data has 2 values, shape \[3\] needs 3/,
    );
    assert.throws(
      () => serializeSafetensors(bad({ dtype: 'int64', shape: [1], data: new Float64Array(1) })),
      /tensor 'x': data is not the typed array for dtype int64/,
    );
    assert.throws(
      () => serializeSafetensors(bad({ dtype: 'float16', shape: [1], data: new Float32Array(1) })),
      /unsupported dtype 'float16'/,
    );
    assert.throws(() => serializeSafetensors(new Map([['__metadata__', sample().get('w')!]])), /reserved/);
    assert.throws(() => serializeSafetensors(new Map(), { n: 1 as unknown as string }), /metadata 'n' must be a string/);
  });
});

describe('atomic saving', () => {
  test('save then load; overwrite replaces; no temp files remain', async () => {
    const dir = freshDir();
    const path = join(dir, 'model.safetensors');
    await saveSafetensors(path, sample(), { v: '1' });
    assert.deepEqual(await loadSafetensors(path), { tensors: sample(), metadata: { v: '1' } });
    saveSafetensorsSync(path, new Map([['only', sample().get('zero')!]]));
    assert.deepEqual([...(await loadSafetensors(path)).tensors.keys()], ['only']);
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  });

  test('missing directory: rejects, creates nothing', async () => {
    const dir = freshDir();
    const path = join(dir, 'missing', 'model.safetensors');
    await assert.rejects(saveSafetensors(path, sample()), /ENOENT/);
    assert.throws(() => saveSafetensorsSync(path, sample()), /ENOENT/);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('failing rename (target is a directory) removes the temp file', async () => {
    const dir = freshDir();
    const target = join(dir, 'taken');
    mkdirSync(target);
    await assert.rejects(saveSafetensors(target, sample()), /EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    assert.throws(() => writeFileAtomicSync(target, 'text'), /EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    await assert.rejects(writeFileAtomic(target, new Uint8Array(3)), /EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    assert.deepEqual(readdirSync(dir), ['taken']);
    assert.deepEqual(readdirSync(target), []);
  });

  test('invalid input fails before anything is written; existing file kept', async () => {
    const dir = freshDir();
    const path = join(dir, 'keep.safetensors');
    writeFileSync(path, 'old');
    const bad: StateDict = new Map([['x', { dtype: 'float32', shape: [4], data: new Float32Array(1) }]]);
    await assert.rejects(saveSafetensors(path, bad), /tensor 'x'/);
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['keep.safetensors']);
  });

  test('writeFileAtomic writes strings and bytes', async () => {
    const dir = freshDir();
    await writeFileAtomic(join(dir, 'a.txt'), 'héllo');
    writeFileAtomicSync(join(dir, 'b.bin'), new Uint8Array([1, 2, 3]));
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'héllo');
    assert.deepEqual([...readFileSync(join(dir, 'b.bin'))], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'b.bin']);
  });
});
