import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFeatures } from '../../src/features/extract/index.js';
import { getFeatureSet } from '../../src/features/index.js';
import { loadAudio } from '../../src/audio/index.js';
import { parseSafetensors } from '../../src/tensor-io/safetensors.js';
import { packageRoot } from '../../src/core/paths.js';
import { tempDir, tone, wavFromFloat } from '../audio/helpers.js';

const RATE = 16000;

describe('features extract', () => {
  let dir = '';
  let cleanup = () => {};
  let audioDir = '';
  before(() => {
    ({ dir, cleanup } = tempDir());
    audioDir = join(dir, 'audio');
    mkdirSync(join(audioDir, 'sub'), { recursive: true });
    // Five tones of different pitch and length; one in a sub-folder; one at 8 kHz (resampled on load).
    for (let i = 0; i < 4; i++)
      writeFileSync(join(audioDir, `t${i}.wav`), wavFromFloat(tone(200 + 100 * i, RATE, RATE * (0.3 + 0.1 * i), 0.5), RATE));
    writeFileSync(join(audioDir, 'sub', 'low-rate.wav'), wavFromFloat(tone(440, 8000, 4000, 0.5), 8000));
  });
  after(() => cleanup());

  const read = (p: string) => parseSafetensors(readFileSync(p), p);

  test('every file gets the same features as a direct computation, on workers and in-process', async () => {
    const outW = join(dir, 'w.safetensors');
    const outI = join(dir, 'i.safetensors');
    const sW = await extractFeatures({ set: 'logmel', input: audioDir, out: outW, workers: 2, cacheDir: null, progress: false });
    const _sI = await extractFeatures({ set: 'logmel', input: audioDir, out: outI, workers: 0, cacheDir: null, progress: false });
    assert.equal(sW.files, 5);
    assert.equal(sW.extracted, 5);
    assert.deepEqual(sW.failed, []);
    const w = read(outW),
      i = read(outI);
    assert.deepEqual([...w.tensors.keys()], ['sub/low-rate.wav', 't0.wav', 't1.wav', 't2.wav', 't3.wav']);
    assert.equal(w.metadata.set, 'logmel');
    const set = getFeatureSet('logmel');
    for (const [id, t] of w.tensors) {
      assert.deepEqual(t.data, i.tensors.get(id)!.data, id);
      const direct = await set.compute((await loadAudio(join(audioDir, id))).samples);
      assert.equal(direct.channels, 1);
      assert.deepEqual(t.shape, [direct.frames, direct.dims]);
      assert.deepEqual(t.data, direct.data, id);
    }
  });

  test('a second run is served from the cache, and a corrupt cache entry is recomputed', async () => {
    const cacheDir = join(dir, 'cache');
    const out = join(dir, 'c.safetensors');
    const first = await extractFeatures({ set: 'mfcc', input: audioDir, out, workers: 0, cacheDir, progress: false });
    assert.equal(first.fromCache, 0);
    const reference = readFileSync(out);
    const second = await extractFeatures({ set: 'mfcc', input: audioDir, out, workers: 0, cacheDir, progress: false });
    assert.equal(second.fromCache, 5);
    assert.deepEqual(readFileSync(out), reference);
    // Damage one entry: it is treated as a miss.
    const shard = readdirSync(cacheDir)[0];
    const entry = join(cacheDir, shard, readdirSync(join(cacheDir, shard))[0]);
    writeFileSync(entry, 'garbage');
    const third = await extractFeatures({ set: 'mfcc', input: audioDir, out, workers: 0, cacheDir, progress: false });
    assert.equal(third.fromCache, 4);
    assert.deepEqual(readFileSync(out), reference);
    // Other settings never hit these entries.
    const other = await extractFeatures({
      set: 'mfcc',
      input: audioDir,
      out,
      workers: 0,
      cacheDir,
      progress: false,
      overrides: { nMfcc: 13 },
    });
    assert.equal(other.fromCache, 0);
  });

  test('bad files are reported and skipped, never silently', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    writeFileSync(join(mixed, 'good.wav'), wavFromFloat(tone(300, RATE, RATE / 2, 0.5), RATE));
    writeFileSync(join(mixed, 'empty.wav'), '');
    writeFileSync(join(mixed, 'text.flac'), 'not audio at all');
    const s = await extractFeatures({
      set: 'logmel',
      input: mixed,
      out: join(dir, 'm.safetensors'),
      workers: 0,
      cacheDir: null,
      progress: false,
    });
    assert.equal(s.extracted, 1);
    assert.deepEqual(s.failed.map((f) => f.path.split('/').pop()).sort(), ['empty.wav', 'text.flac']);
    for (const f of s.failed) assert.ok(f.reason.includes(f.path), f.reason);
    const meta = read(join(dir, 'm.safetensors')).metadata;
    assert.equal(JSON.parse(meta.failed).length, 2);
  });

  test('a CSV manifest with relative paths and ids is accepted', async () => {
    const manifest = join(dir, 'list.csv');
    writeFileSync(manifest, 'id,path,label\nfirst,audio/t0.wav,happy\nsecond,audio/sub/low-rate.wav,sad\n');
    const out = join(dir, 'manifest.safetensors');
    await extractFeatures({ set: 'logmel', input: manifest, out, workers: 0, cacheDir: null, progress: false });
    assert.deepEqual([...read(out).tensors.keys()], ['first', 'second']);
  });

  describe('bad inputs give one clear error and leave no output', () => {
    const cases: [string, () => Record<string, unknown>, RegExp][] = [
      ['missing input', () => ({ input: join(dir, 'nope') }), /nope: no such file or directory/],
      [
        'empty folder',
        () => {
          mkdirSync(join(dir, 'empty'), { recursive: true });
          return { input: join(dir, 'empty') };
        },
        /no audio files found/,
      ],
      [
        'manifest without a path column',
        () => {
          writeFileSync(join(dir, 'bad.csv'), 'file,label\na.wav,x\n');
          return { input: join(dir, 'bad.csv') };
        },
        /bad\.csv: the manifest has no 'path' column/,
      ],
      ['unknown feature set', () => ({ set: 'nope' }), /nope/],
      ['unknown output extension', () => ({ out: join(dir, 'out.bin') }), /out\.bin: unknown output format/],
      ['CSV of frame-level features', () => ({ out: join(dir, 'frames.csv') }), /one feature vector per file/],
      [
        'only broken files',
        () => {
          mkdirSync(join(dir, 'broken'), { recursive: true });
          writeFileSync(join(dir, 'broken', 'x.wav'), 'RIFF');
          return { input: join(dir, 'broken') };
        },
        /no file could be processed/,
      ],
    ];
    for (const [name, make, pattern] of cases) {
      test(name, async () => {
        const o = {
          set: 'logmel',
          input: audioDir,
          out: join(dir, `bad-${name.replace(/\W/g, '')}.safetensors`),
          workers: 0,
          cacheDir: null,
          progress: false,
          ...make(),
        } as Parameters<typeof extractFeatures>[0];
        await assert.rejects(extractFeatures(o), pattern);
        assert.equal(existsSync(o.out), false);
        assert.deepEqual(
          readdirSync(dir).filter((f) => f.endsWith('.tmp')),
          [],
        );
      });
    }
  });

  test('killed mid-run: no partial output, and the rerun resumes from the cache', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    for (let i = 0; i < 40; i++)
      writeFileSync(join(many, `f${String(i).padStart(2, '0')}.wav`), wavFromFloat(tone(150 + 7 * i, RATE, RATE * 2, 0.4), RATE));
    const cacheDir = join(dir, 'kill-cache');
    const out = join(dir, 'killed.safetensors');
    const root = packageRoot();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'test', 'helpers', 'cli-entry.ts'),
        'features',
        'extract',
        '--set',
        'lognrevspec',
        '--in',
        many,
        '--out',
        out,
        '--cache',
        cacheDir,
        '--workers',
        '1',
      ],
      { cwd: root, stdio: 'ignore' },
    );
    const cached = () =>
      existsSync(cacheDir) ? readdirSync(cacheDir, { recursive: true }).filter((f) => String(f).endsWith('.safetensors')).length : 0;
    const exited = new Promise((r) => child.on('exit', r));
    const deadline = Date.now() + 60_000;
    while (cached() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await exited;
    const done = cached();
    assert.ok(done >= 3 && done < 40, `cached before the kill: ${done}`);
    assert.equal(existsSync(out), false, 'no output from a killed run');
    // Writes the kill interrupted (a dead process's temp files) in the cache and beside the output.
    const deadPid = 2 ** 22 + 3;
    mkdirSync(join(cacheDir, 'ab'), { recursive: true });
    writeFileSync(join(cacheDir, 'ab', `.abcd.safetensors.${deadPid}.0123456789ab.tmp`), 'partial');
    writeFileSync(join(dir, `.killed.safetensors.${deadPid}.0123456789ab.tmp`), 'partial');
    const s = await extractFeatures({ set: 'lognrevspec', input: many, out, workers: 0, cacheDir, progress: false });
    assert.ok(s.fromCache >= done, `resumed ${s.fromCache} of ${done}`);
    assert.equal(s.fromCache + s.extracted, 40);
    const temps = [...readdirSync(cacheDir, { recursive: true }), ...readdirSync(dir)].map(String).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(temps, [], 'no temporary file is left');
  });
});
