import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAudio } from '../../src/audio/index.js';
import { predictFilesOnnx, readSidecar } from '../../src/runtime/index.js';
import { DEFAULT_HOP_SECONDS, DEFAULT_WINDOW_SECONDS, startServer, type RunningService } from '../../src/serve/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { makeWav, tempDir } from '../audio/helpers.js';
import { getJson, postFile, postRaw, ravdessOrSynthetic, speechLike, spoofModel, tinyModel, toyLogits } from './helpers.js';

/** Server and runtime run the same graph on the same features: only float noise may differ. */
const SAME = 1e-6;
/** The toy countermeasure in ORT (float32) vs its float64 formula. */
const SPOOF_TOL = 1e-4;

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

let dir = '';
let cleanup = () => {};
let modelPath = '';
before(async () => {
  ({ dir, cleanup } = tempDir());
  modelPath = await tinyModel(dir);
});
after(() => cleanup());

describe('trustser serve: analysis, model info and input errors', () => {
  let clip = { path: '', real: false };
  let s: RunningService;
  before(async () => {
    clip = ravdessOrSynthetic(dir);
    s = await startServer({ modelPath, spoofPath: spoofModel(dir), port: 0, webDir: null, threads: 1 });
  });
  after(async () => {
    await s?.close();
  });

  test('GET /healthz answers without auth and reports the model and the idle gate', async () => {
    const r = await getJson(`${s.url}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'ok');
    assert.equal(r.json.model, 'trust-ser-cnn');
    assert.equal(r.json.spoof, true);
    assert.equal(r.json.active, 0);
    assert.equal(r.json.queued, 0);
  });

  test('GET /v1/model summarizes the sidecar; the graph files download unchanged', async () => {
    const sc = readSidecar(modelPath);
    const r = await getJson(`${s.url}/v1/model`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.classes, sc.classes);
    assert.equal(r.json.model.name, sc.model.name);
    assert.equal(r.json.model.params, sc.model.params);
    assert.equal(r.json.sampleRateHz, 16000);
    assert.deepEqual(r.json.features, { set: 'logmel', inputKind: 'frames' });
    assert.equal(r.json.trust, null, 'the run was not audited');
    assert.deepEqual(r.json.verification, sc.verification);
    assert.deepEqual(r.json.windowing, { windowSeconds: DEFAULT_WINDOW_SECONDS, hopSeconds: DEFAULT_HOP_SECONDS });
    assert.deepEqual(
      r.json.spoof,
      { name: null, samples: 64600, sampleRateHz: 16000, vad: 'none', calibration: null },
      'the toy graph has no sidecar',
    );
    assert.deepEqual(r.json.pretrained, [], 'log-mel features run no pretrained model');
    assert.deepEqual((await getJson(`${s.url}${r.json.files.sidecar}`)).json, sc);
    const onnx = new Uint8Array(await (await fetch(`${s.url}${r.json.files.model}`)).arrayBuffer());
    assert.deepEqual(onnx, new Uint8Array(readFileSync(modelPath)));
    const spoof = await fetch(`${s.url}${r.json.files.spoof}`);
    assert.equal(spoof.status, 200);
    assert.deepEqual(new Uint8Array(await spoof.arrayBuffer()), new Uint8Array(readFileSync(join(dir, 'spoof.onnx'))));
  });

  test("POST /v1/analyze (raw WAV body): the runtime's windowed prediction of the file, and the spoof score", async () => {
    const bytes = readFileSync(clip.path);
    const r = await postRaw(`${s.url}/v1/analyze`, bytes, 'audio/wav');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const ref = (
      await predictFilesOnnx(modelPath, [clip.path], {
        windowSeconds: DEFAULT_WINDOW_SECONDS,
        hopSeconds: DEFAULT_HOP_SECONDS,
        intraOpThreads: 1,
      })
    ).predictions[0];
    const classes = Object.keys(r.json.emotion.probs);
    assert.deepEqual(classes, readSidecar(modelPath).classes);
    classes.forEach((c, k) =>
      assert.ok(close(r.json.emotion.probs[c], ref.probs[k], SAME), `${c}: ${r.json.emotion.probs[c]} vs ${ref.probs[k]}`),
    );
    assert.equal(r.json.emotion.label, ref.label);
    assert.equal(r.json.windows.length, ref.windows.length);
    assert.ok(ref.windows.length >= 2, 'a clip longer than one window is analyzed in several');
    r.json.windows.forEach((w: any, i: number) => {
      assert.equal(w.startSeconds, ref.windows[i].startSeconds);
      assert.equal(w.endSeconds, ref.windows[i].endSeconds);
      classes.forEach((c, k) => assert.ok(close(w.probs[c], ref.windows[i].probs[k], SAME)));
    });
    const samples = (await loadAudio(clip.path)).samples;
    const [spoof, bonafide] = toyLogits(samples);
    assert.ok(close(r.json.spoof.logits.spoof, spoof, SPOOF_TOL), `spoof logit ${r.json.spoof.logits.spoof} vs ${spoof}`);
    assert.ok(close(r.json.spoof.score, bonafide, SPOOF_TOL), `score ${r.json.spoof.score} vs ${bonafide}`);
    assert.equal(r.json.spoof.label, bonafide > spoof ? 'bonafide' : 'spoof');
    // What was scored: the whole clip (one window of 4.04 s for this 3.3 s clip), uncalibrated.
    assert.deepEqual(
      [r.json.spoof.windows, r.json.spoof.scoredSeconds, r.json.spoof.pSpoof, r.json.spoof.threshold],
      [1, samples.length / 16000, null, null],
    );
    assert.ok(close(r.json.audio.durationSeconds, samples.length / 16000, 1e-9));
    assert.deepEqual([r.json.audio.sampleRateHz, r.json.audio.channels], [16000, 1]);
    for (const k of ['decode', 'emotion', 'spoof', 'total']) assert.ok(r.json.timingMs[k] >= 0, k);
  });

  test('multipart upload: the same analysis; a 48 kHz stereo file is mixed and resampled as loadAudio does', async () => {
    const bytes = new Uint8Array(readFileSync(clip.path));
    const raw = await postRaw(`${s.url}/v1/analyze`, bytes, 'application/octet-stream');
    const multi = await postFile(`${s.url}/v1/analyze`, bytes, 'clip.wav');
    assert.equal(multi.status, 200, JSON.stringify(multi.json));
    assert.deepEqual(multi.json.emotion, raw.json.emotion);
    assert.deepEqual(multi.json.spoof, raw.json.spoof);

    const left = speechLike(2.2, 48000, 5);
    const right = speechLike(2.2, 48000, 9).map((v) => -0.5 * v);
    const wav48 = makeWav({ format: 'float32', sampleRateHz: 48000, channels: [Array.from(left), Array.from(right)] });
    const path = join(dir, 'stereo-48k.wav');
    writeFileSync(path, wav48);
    const r = await postFile(`${s.url}/v1/analyze`, wav48, 'stereo-48k.wav');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual([r.json.audio.sampleRateHz, r.json.audio.channels], [48000, 2]);
    const ref = (await predictFilesOnnx(modelPath, [path], { windowSeconds: DEFAULT_WINDOW_SECONDS, hopSeconds: DEFAULT_HOP_SECONDS }))
      .predictions[0];
    Object.values(r.json.emotion.probs as Record<string, number>).forEach((p, k) => assert.ok(close(p, ref.probs[k], SAME)));
    assert.equal(r.json.windows.length, 1, 'shorter than one window: one window');
    const [, bonafide] = toyLogits((await loadAudio(path)).samples);
    assert.ok(close(r.json.spoof.score, bonafide, SPOOF_TOL));
  });

  test('undecodable audio is a 400 naming the upload; unknown formats a 415; no state is left behind', async () => {
    const good = new Uint8Array(readFileSync(clip.path));
    const truncated = good.slice(0, 1000); // the header promises far more samples
    const raw = await postRaw(`${s.url}/v1/analyze`, truncated, 'audio/wav');
    assert.equal(raw.status, 400);
    assert.equal(raw.json.error.code, 'undecodable_audio');
    assert.match(raw.json.error.message, /^upload: 'data' chunk declares \d+ bytes but only \d+ are present \(file truncated\)$/);
    const named = await postFile(`${s.url}/v1/analyze`, truncated, 'broken.wav');
    assert.equal(named.status, 400);
    assert.match(named.json.error.message, /^broken\.wav: .*\(file truncated\)$/);
    const empty = await postRaw(`${s.url}/v1/analyze`, new Uint8Array(0), 'audio/wav');
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.message, 'upload: file is empty (0 bytes)');
    const garbage = await postRaw(`${s.url}/v1/analyze`, 'this is not audio at all', 'audio/mpeg');
    assert.equal(garbage.status, 415);
    assert.equal(garbage.json.error.code, 'unsupported_audio');
    assert.match(garbage.json.error.message, /^upload: unrecognised audio container/);
    assert.equal((await getJson(`${s.url}/healthz`)).json.active, 0);
  });

  test("?minConfidence labels a clip below it 'unknown' with the same probabilities; a bad value is a 400 before analysis", async () => {
    const bytes = readFileSync(clip.path);
    const plain = await postRaw(`${s.url}/v1/analyze`, bytes, 'audio/wav');
    assert.equal(plain.json.minConfidence, 0, 'the server has no threshold');
    const sure = await postRaw(`${s.url}/v1/analyze?minConfidence=1`, bytes, 'audio/wav');
    assert.equal(sure.status, 200, JSON.stringify(sure.json));
    assert.deepEqual(sure.json.emotion.probs, plain.json.emotion.probs);
    assert.equal(sure.json.emotion.label, 'unknown');
    assert.ok(sure.json.windows.every((w: { label: string }) => w.label === 'unknown'));
    assert.equal(sure.json.minConfidence, 1);
    const info = (await getJson(`${s.url}/v1/model`)).json;
    assert.deepEqual(info.calibration, { temperature: readSidecar(modelPath).temperature, calibrated: true });
    for (const q of ['minConfidence=2', 'minConfidence=abc', 'minConfidence=', 'minConfidence=0.1&minConfidence=0.2']) {
      const r = await postRaw(`${s.url}/v1/analyze?${q}`, bytes, 'audio/wav');
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, 'bad_min_confidence', q);
      assert.match(r.json.error.message, /^minConfidence: /, q);
    }
  });

  test("a server threshold is every request's floor: a request may raise it, not lower it", async () => {
    const strict = await startServer({ modelPath, port: 0, webDir: null, threads: 1, minConfidence: 0.99 });
    try {
      const bytes = readFileSync(clip.path);
      const r = await postRaw(`${strict.url}/v1/analyze`, bytes, 'audio/wav');
      assert.equal(r.json.minConfidence, 0.99);
      assert.equal(r.json.emotion.label, 'unknown');
      assert.equal((await getJson(`${strict.url}/v1/model`)).json.minConfidence, 0.99);
      const lower = await postRaw(`${strict.url}/v1/analyze?minConfidence=0.5`, bytes, 'audio/wav');
      assert.equal(lower.status, 400);
      assert.match(lower.json.error.message, /below this server's threshold 0\.99/);
    } finally {
      await strict.close();
    }
  });

  test('requests without audio get a clear 4xx JSON error', async () => {
    const text = await postRaw(`${s.url}/v1/analyze`, 'hello', 'text/plain');
    assert.equal(text.status, 415);
    assert.equal(text.json.error.code, 'unsupported_media_type');
    assert.match(text.json.error.message, /text\/plain.*audio\/\*/);
    const json = await postRaw(`${s.url}/v1/analyze`, '{"audio": 1}', 'application/json');
    assert.equal(json.status, 415);
    const none = await fetch(`${s.url}/v1/analyze`, { method: 'POST' });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'no_audio');
    const form = new FormData();
    form.append('note', 'no file here');
    const noFile = await fetch(`${s.url}/v1/analyze`, { method: 'POST', body: form });
    assert.equal(noFile.status, 400);
    assert.match(((await noFile.json()) as { error: { message: string } }).error.message, /no file part/);
    // A multipart body cut off inside its file part (found by test/serve/fuzz.test.ts; it was a 500).
    const cut = Buffer.from('--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF....WAVE');
    const truncated = await postRaw(`${s.url}/v1/analyze`, cut, 'multipart/form-data; boundary=b0undary');
    assert.equal(truncated.status, 400);
    assert.equal(truncated.json.error.code, 'bad_multipart');
    assert.match(truncated.json.error.message, /the multipart body is malformed \(.+\)/);
    const missing = await getJson(`${s.url}/v1/nothing`);
    assert.equal(missing.status, 404);
    assert.match(missing.json.error.message, /no route GET \/v1\/nothing/);
    const page = await getJson(`${s.url}/`);
    assert.equal(page.status, 404);
    assert.match(page.json.error.message, /web app is not built/);
  });
});

describe('the serve command', () => {
  const root = packageRoot();

  /** Runs `trustser serve ARGS` from the sources; resolves with its exit code and output. */
  function serve(args: string[], env: Record<string, string> = {}, onListen?: (url: string, stop: () => void) => Promise<void>) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), 'serve', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    let listened: Promise<void> = Promise.resolve();
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m && onListen) {
        const cb = onListen;
        onListen = undefined;
        listened = cb(m[1], () => child.kill('SIGTERM'));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => void listened.then(() => resolve({ code, stdout, stderr }), reject));
    });
  }

  test('listens on a free port with the token from $TRUSTSER_TOKEN and stops cleanly on SIGTERM', async () => {
    let checked = false;
    const r = await serve(
      ['--model', modelPath, '--port', '0', '--web', join(dir, 'no-web')],
      { TRUSTSER_TOKEN: 'env-token' },
      async (url, stop) => {
        try {
          assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
          assert.equal((await getJson(`${url}/healthz`)).status, 200);
          assert.equal((await getJson(`${url}/v1/model`)).status, 401);
          assert.equal((await getJson(`${url}/v1/model`, { authorization: 'Bearer env-token' })).status, 200);
          checked = true;
        } finally {
          stop();
        }
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(checked);
    assert.match(r.stdout, /trust-ser-cnn \(4 classes\) listening on .* \(bearer token required\)/);
  });

  test('a bad flag fails with its reason and a non-zero exit, before loading anything', async () => {
    const r = await serve(['--model', modelPath, '--port', 'abc']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "trustser: option '--port <n>' argument 'abc' is invalid. expected an integer ≥ 0 and ≤ 65535\n(add --help for usage)\n",
    );
    assert.equal(r.stdout, '');
  });

  test('a missing model, or a spoof graph off the contract, is one clear error', async () => {
    await assert.rejects(startServer({ modelPath: join(dir, 'missing.onnx'), port: 0 }), /missing\.onnx: no such model file$/);
    await assert.rejects(startServer({ modelPath, spoofPath: join(dir, 'nope.onnx'), port: 0 }), /nope\.onnx: no such spoof model file$/);
    // A run folder instead of its exported file says what to pass.
    await assert.rejects(startServer({ modelPath: dir, port: 0 }), /: is a folder; pass the \.onnx file that trustser export wrote$/);
    await assert.rejects(
      startServer({ modelPath, spoofPath: dir, port: 0 }),
      /: is a folder; pass the \.onnx file that trustser export-spoof wrote$/,
    );
    await assert.rejects(
      startServer({ modelPath, spoofPath: modelPath, port: 0 }),
      /model\.onnx\.json: input\.kind: 'frames' is an emotion model's input; a spoofing countermeasure takes 'waveform'$/,
    );
    const plain = join(dir, 'plain.onnx'); // the emotion graph without its sidecar
    writeFileSync(plain, readFileSync(modelPath));
    await assert.rejects(
      startServer({ modelPath, spoofPath: plain, port: 0 }),
      /plain\.onnx: not a spoof model: the graph needs input 'wave' and output 'logits', it has inputs \[features, lengths\], outputs \[probs, embedding\]$/,
    );
  });
});
