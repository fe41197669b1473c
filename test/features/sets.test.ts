import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  getFeatureSet,
  listFeatureSets,
  logmeldeltaspec,
  logmelspec,
  lognrevspec,
  logspec,
  preEmphasize,
  registerFeatureSet,
  deltas,
  toChannelDimTime,
  type Features,
} from '../../src/features/index.js';

const SR = 16000;

/** 1 s of a harmonic "vowel" with vibrato plus a little deterministic noise. */
function voice(n = SR): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const f0 = 150 + 10 * Math.sin((2 * Math.PI * 5 * i) / SR);
    phase += (2 * Math.PI * f0) / SR;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = 0.2 * v + 0.002 * (s / 4294967296 - 0.5);
  }
  return x;
}

function channel(m: Features, c: number): Float32Array {
  const size = m.frames * m.dims;
  return m.data.subarray(c * size, (c + 1) * size);
}

function range(a: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

const x = voice();
const T = 1 + SR / 160; // centred STFT, hop 160

test('logspec: [1, T, 200] dB re max in [−80, 0]; channels: 3 replicates it', () => {
  const one = logspec(x);
  assert.deepEqual([one.channels, one.frames, one.dims], [1, T, 200]);
  const [lo, hi] = range(one.data);
  assert.ok(Math.abs(hi) < 1e-4 && lo >= -80 - 1e-4, `range ${lo} … ${hi}`);
  const three = logspec(x, { channels: 3 });
  assert.deepEqual([three.channels, three.frames, three.dims], [3, T, 200]);
  for (let c = 0; c < 3; c++) assert.deepEqual(channel(three, c), one.data);
});

test('logmelspec: [1, T, 128]; logmeldeltaspec: [3, T, 128] = log-mel, Δ, ΔΔ', () => {
  const m = logmelspec(x);
  assert.deepEqual([m.channels, m.frames, m.dims], [1, T, 128]);
  const [lo, hi] = range(m.data);
  assert.ok(Math.abs(hi) < 1e-4 && lo >= -80 - 1e-4);
  const d = logmeldeltaspec(x);
  assert.deepEqual([d.channels, d.frames, d.dims], [3, T, 128]);
  assert.deepEqual(channel(d, 0), m.data);
  const base: Features = { data: m.data, channels: 1, frames: T, dims: 128 };
  const d1 = deltas(base, 2);
  assert.deepEqual(channel(d, 1), d1.data);
  assert.deepEqual(channel(d, 2), deltas(d1, 2).data);
});

test('lognrevspec: [3, T, 200], reproducible, noisy and reverberant channels differ from the clean one', () => {
  const a = lognrevspec(x);
  assert.deepEqual([a.channels, a.frames, a.dims], [3, T, 200]);
  assert.deepEqual(a.data, lognrevspec(x).data, 'same input and seed give the same output');
  assert.deepEqual(channel(a, 0), logspec(x).data);
  const diff = (c: number) => {
    let s = 0;
    const ref = channel(a, 0);
    const ch = channel(a, c);
    for (let i = 0; i < ref.length; i++) s += Math.abs(ch[i] - ref[i]);
    return s / ref.length;
  };
  assert.ok(diff(1) > 0.5, `noise channel mean |Δ| ${diff(1)} dB`);
  assert.ok(diff(2) > 0.5, `reverb channel mean |Δ| ${diff(2)} dB`);
  assert.notDeepEqual(lognrevspec(x, { seed: 7 }).data, a.data);
  // More noise → larger deviation of the noisy channel.
  const loud = lognrevspec(x, { noiseSnrDb: 0 });
  let dLoud = 0;
  let dQuiet = 0;
  const clean = channel(a, 0);
  for (let i = 0; i < clean.length; i++) {
    dLoud += Math.abs(channel(loud, 1)[i] - clean[i]);
    dQuiet += Math.abs(channel(a, 1)[i] - clean[i]);
  }
  assert.ok(dLoud > dQuiet);
  // A silent signal has no SNR: it still works, the noise channel being the clean one.
  const silent = lognrevspec(new Float32Array(4000));
  assert.deepEqual(channel(silent, 1), channel(silent, 0));
});

test('pre-emphasis and the recipe (C, F, T) transpose', () => {
  assert.deepEqual(Array.from(preEmphasize(Float32Array.from([1, 2, 4]), 0.5)), [1, 1.5, 3]);
  const m: Features = { channels: 2, frames: 2, dims: 3, data: Float32Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]) };
  assert.deepEqual(Array.from(toChannelDimTime(m)), [0, 3, 1, 4, 2, 5, 10, 13, 11, 14, 12, 15]);
});

test('bad set inputs give clear errors', () => {
  assert.throws(() => logspec(new Float32Array(0)), /logspec: signal is empty/);
  const nan = Float32Array.from(x);
  nan[5] = Number.NaN;
  assert.throws(() => lognrevspec(nan), /sample 5 is not finite/);
  assert.throws(() => logspec(x, { nFreqBins: 402 }), /nFreqBins must be an integer in \[1, 401\]/);
  assert.throws(() => logspec(x, { channels: 2 as never }), /channels must be 1 or 3/);
  assert.throws(() => logmelspec(x, { fMaxHz: 9000 }), /Nyquist/);
  assert.throws(() => logspec(x, { nFft: 512, nFreqBins: 200, winSamples: 640 }), /winSamples \(640\) must not exceed nFft \(512\)/);
  assert.throws(() => logspec(x, { hopSamples: 0 }), /hopSamples must be a positive integer/);
});

test('registry lists every built-in set', () => {
  const names = listFeatureSets();
  for (const n of ['logmel', 'mfcc', 'mfcc-delta', 'logspec', 'logmelspec', 'logmeldeltaspec', 'lognrevspec'])
    assert.ok(names.includes(n), n);
});

test('registry sets compute the documented shapes', async () => {
  const shapes: Record<string, number[]> = {
    logmel: [T, 64],
    mfcc: [T, 40],
    'mfcc-delta': [T, 120],
    logspec: [1, T, 200],
    logmelspec: [1, T, 128],
    logmeldeltaspec: [3, T, 128],
    lognrevspec: [3, T, 200],
  };
  for (const [name, shape] of Object.entries(shapes)) {
    const set = getFeatureSet(name);
    assert.equal(set.name, name);
    assert.equal(set.sampleRateHz, SR);
    const out = await set.compute(x);
    const got = shape.length === 3 ? [out.channels, out.frames, out.dims] : [out.frames, out.dims];
    if (shape.length === 2) assert.equal(out.channels, 1, name);
    assert.deepEqual(got, shape, name);
  }
  const big = await getFeatureSet('logmel', { nMels: 80, log: 'db', dbRef: 'max', topDb: 80 }).compute(x);
  assert.equal(big.dims, 80);
  // nFft without winSamples: the window is nFft long (torch's rule), as in melSpectrogram().
  assert.match(getFeatureSet('mfcc', { nFft: 256 }).settingsKey(), /"winSamples":256/);
});

test('settingsKey is stable, and changes with every override', () => {
  const a = getFeatureSet('mfcc').settingsKey();
  assert.equal(getFeatureSet('mfcc').settingsKey(), a);
  assert.equal(getFeatureSet('mfcc', { nMfcc: 40 }).settingsKey(), a, 'an override equal to the default is the same setting');
  assert.notEqual(getFeatureSet('mfcc', { nMfcc: 13 }).settingsKey(), a);
  assert.notEqual(getFeatureSet('mfcc', { lifter: 22 }).settingsKey(), a);
  assert.notEqual(getFeatureSet('logmel').settingsKey(), getFeatureSet('logmel', { lnEps: 1e-5 }).settingsKey());
  assert.match(a, /^mfcc@v\d+:\{/);
  // Sample-rate-dependent defaults follow the rate: 8 kHz spec sets use 320/80-sample windows.
  const k8 = getFeatureSet('logspec', { sampleRateHz: 8000 }).settingsKey();
  assert.match(k8, /"winSamples":320/);
  assert.match(k8, /"hopSamples":80/);
  assert.match(getFeatureSet('logmel', { sampleRateHz: 8000 }).settingsKey(), /"fMaxHz":4000/);
});

test('registry errors: unknown set, unknown or mistyped override, invalid value', () => {
  assert.throws(() => getFeatureSet('mfccc'), /unknown feature set 'mfccc' \(did you mean 'mfcc'\? known: .*logmel.*mfcc.*\)/);
  assert.throws(() => getFeatureSet('mfcc', { nMfccs: 13 }), /unknown option 'nMfccs' \(accepted: .*nMfcc/);
  assert.throws(() => getFeatureSet('logmel', { nMels: '64' }), /option 'nMels' has the wrong type/);
  assert.throws(() => getFeatureSet('logmel', { fMaxHz: 9000 }), /Nyquist/);
  assert.throws(() => getFeatureSet('mfcc', { nMfcc: 100 }), /nMfcc must be an integer in \[1, nMels = 64\]/);
  assert.throws(() => getFeatureSet('logmel', { hopSamples: 0 }), /hopSamples must be a positive integer/);
  assert.throws(() => getFeatureSet('mfcc-delta', { deltaN: 0 }), /N must be a positive integer/);
  assert.throws(() => getFeatureSet('logspec', { nFreqBins: 1000 }), /nFreqBins/);
});

test('registerFeatureSet: custom sets and factories, duplicates rejected', async () => {
  const name = `test-energy-${process.pid}`;
  registerFeatureSet({
    name,
    sampleRateHz: SR,
    frameRateHz: null,
    kind: 'vector',
    options: {},
    settingsKey: () => `${name}:v1`,
    compute: (s: Float32Array) => ({ data: Float32Array.of(s.reduce((a, v) => a + v * v, 0)), channels: 1, frames: 1, dims: 1 }),
  });
  assert.ok(listFeatureSets().includes(name));
  assert.equal((await getFeatureSet(name).compute(Float32Array.of(1, 2))).data[0], 5);
  assert.throws(() => getFeatureSet(name, { gain: 2 }), /takes no overrides/);
  assert.throws(
    () =>
      registerFeatureSet({
        name,
        sampleRateHz: SR,
        frameRateHz: null,
        kind: 'vector',
        options: {},
        settingsKey: () => '',
        compute: () => ({ data: new Float32Array(0), channels: 1, frames: 0, dims: 0 }),
      }),
    /already registered/,
  );
  assert.throws(() => registerFeatureSet({ name: 'logmel', create: () => getFeatureSet('mfcc') }), /already registered/);
  const fname = `${name}-factory`;
  registerFeatureSet({
    name: fname,
    create: (o) => ({
      name: fname,
      sampleRateHz: SR,
      frameRateHz: null,
      kind: 'vector',
      options: o ?? {},
      settingsKey: () => JSON.stringify(o ?? {}),
      compute: () => ({ data: new Float32Array(0), channels: 1, frames: 0, dims: 0 }),
    }),
  });
  assert.equal(getFeatureSet(fname, { a: 1 }).settingsKey(), '{"a":1}');
});
