import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSidecar, sidecarPath } from '../../src/runtime/index.js';
import { startServer, type RunningService, type ServeOptions } from '../../src/serve/index.js';
import { tempDir, wavFromFloat } from '../audio/helpers.js';
import { getJson, postFile, postRaw, speechWav, tinyModel, until } from './helpers.js';

describe('trustser serve: auth, size, duration, concurrency and time limits', () => {
  let dir = '';
  let cleanup = () => {};
  let modelPath = '';
  const servers: RunningService[] = [];
  const serve = async (o: Partial<ServeOptions>) => {
    const s = await startServer({ modelPath, port: 0, webDir: null, threads: 1, ...o });
    servers.push(s);
    return s;
  };
  /**
   * A clip whose analysis takes a while and yields often: 60 s cut into 0.25 s windows every
   * 0.05 s (≈ 1200 windows, computed and run in ≈ 10 chunks).
   */
  const slow = { windowSeconds: 0.25, hopSeconds: 0.05 };
  let longWav: Uint8Array = new Uint8Array(0);
  before(async () => {
    ({ dir, cleanup } = tempDir());
    modelPath = await tinyModel(dir);
    longWav = speechWav(60);
  });
  after(async () => {
    for (const s of servers) await s.close();
    cleanup();
  });

  test('bearer token: /v1/* needs it (401 otherwise), /healthz and the web app do not', async () => {
    const web = join(dir, 'web');
    mkdirSync(web, { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
    const s = await serve({ token: 's3cret-token', webDir: web });
    assert.equal((await getJson(`${s.url}/healthz`)).status, 200);
    const page = await fetch(`${s.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>app<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
    const none = await getJson(`${s.url}/v1/model`);
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'unauthorized');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const wrong = await getJson(`${s.url}/v1/model`, { authorization: 'Bearer s3cret-tokeN' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.json.error.message, /not valid/);
    assert.equal((await getJson(`${s.url}/v1/model.onnx.json`)).status, 401, 'the graph files are guarded too');
    const denied = await postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav');
    assert.equal(denied.status, 401);
    const ok = await getJson(`${s.url}/v1/model`, { authorization: 'Bearer s3cret-token' });
    assert.equal(ok.status, 200);
    const analyzed = await postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav', { authorization: 'Bearer s3cret-token' });
    assert.equal(analyzed.status, 200);
    assert.ok(analyzed.json.emotion.label);
  });

  test('a body over --max-body-mb is a 413 (raw and multipart)', async () => {
    const s = await serve({ maxBodyMb: 0.05 }); // 52,428 bytes ≈ 1.6 s of 16-bit 16 kHz audio
    const small = await postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav');
    assert.equal(small.status, 200);
    const big = speechWav(2);
    const raw = await postRaw(`${s.url}/v1/analyze`, big, 'audio/wav');
    assert.equal(raw.status, 413);
    assert.equal(raw.json.error.code, 'body_too_large');
    assert.match(raw.json.error.message, /larger than 0\.05 MiB \(52428 bytes, --max-body-mb\)/);
    const multi = await postFile(`${s.url}/v1/analyze`, big, 'big.wav');
    assert.equal(multi.status, 413);
    assert.equal(multi.json.error.code, 'body_too_large');
  });

  test('audio longer than --max-seconds is refused with a 413 naming both durations', async () => {
    const s = await serve({ maxSeconds: 2 });
    assert.equal((await postRaw(`${s.url}/v1/analyze`, speechWav(1.9), 'audio/wav')).status, 200);
    const r = await postFile(`${s.url}/v1/analyze`, speechWav(3), 'long.wav');
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'audio_too_long');
    assert.equal(r.json.error.message, 'long.wav: 3.00 s of audio; this server analyzes at most 2 s (--max-seconds)');
  });

  test("audio too short for the model's minimum frames is a 422 with the runtime's reason", async () => {
    // The same graph with a sidecar demanding 50 frames (0.5 s at a 10 ms hop), as pooling models do.
    const strict = join(dir, 'strict.onnx');
    copyFileSync(modelPath, strict);
    const sc = readSidecar(modelPath);
    writeFileSync(sidecarPath(strict), JSON.stringify({ ...sc, input: { ...sc.input, minFrames: 50 } }));
    const s = await serve({ modelPath: strict });
    const short = await postFile(`${s.url}/v1/analyze`, speechWav(0.2), 'short.wav');
    assert.equal(short.status, 422);
    assert.equal(short.json.error.code, 'audio_too_short');
    // 0.2 s = 3200 samples → 1 + 3200 / 160 = 21 centred frames.
    assert.equal(short.json.error.message, 'short.wav [0.00 s]: 21 feature frames, the model needs ≥ 50; the audio is too short');
    assert.equal((await postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav')).status, 200);
  });

  test('silence, near-silence and a 10 ms clip get a "no speech" result, not an emotion (nor a 500)', async () => {
    const s = await serve({});
    const cases: [string, Uint8Array, RegExp][] = [
      ['silence.wav', wavFromFloat(new Float32Array(2 * 16000), 16000), /digital silence/],
      [
        'hum.wav',
        wavFromFloat(
          Float32Array.from({ length: 16000 }, (_, i) => 2e-5 * Math.sin(i / 3)),
          16000,
        ),
        /below the -70 dBFS floor/,
      ],
      ['click.wav', speechWav(0.01), /too short to hold speech \(10 ms/],
    ];
    for (const [name, wav, reason] of cases) {
      const r = await postFile(`${s.url}/v1/analyze`, wav, name);
      assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.emotion, null, name);
      assert.deepEqual(r.json.windows, [], name);
      assert.equal(r.json.speech.detected, false, name);
      assert.match(r.json.speech.reason, reason, name);
    }
    const speech = await postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav');
    assert.equal(speech.json.speech.detected, true);
    assert.ok(speech.json.emotion.label);
  });

  test('the timeout holds even when one step of the analysis is long: 504 well before the analysis could end', async (t) => {
    // One 60 s window: a single feature computation of the whole clip, which the event loop could not interrupt.
    const oneWindow = { windowSeconds: 60, hopSeconds: 60 };
    const full = await serve({ concurrency: 1, ...oneWindow });
    const t0 = Date.now();
    assert.equal((await postRaw(`${full.url}/v1/analyze`, longWav, 'audio/wav')).status, 200);
    const fullMs = Date.now() - t0;
    const s = await serve({ concurrency: 1, timeoutMs: Math.max(50, Math.round(fullMs / 10)), ...oneWindow });
    const t1 = Date.now();
    const r = await postRaw(`${s.url}/v1/analyze`, longWav, 'audio/wav');
    const answeredMs = Date.now() - t1;
    assert.equal(r.status, 504);
    assert.ok(answeredMs < fullMs / 2, `504 after ${answeredMs} ms; the whole analysis takes ${fullMs} ms`);
    t.diagnostic(`504 after ${answeredMs} ms; the whole analysis takes ${fullMs} ms`);
  });

  test('concurrency: one runs, one waits, the next is refused with 429 and Retry-After; both accepted ones finish', async () => {
    const s = await serve({ concurrency: 1, queue: 1, ...slow });
    const health = async () => (await getJson(`${s.url}/healthz`)).json as { active: number; queued: number };
    const first = postRaw(`${s.url}/v1/analyze`, longWav, 'audio/wav');
    await until(async () => (await health()).active === 1, 'the first analysis to start');
    const second = postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav');
    await until(async () => (await health()).queued === 1, 'the second request to queue');
    const third = await postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav');
    assert.equal(third.status, 429);
    assert.equal(third.json.error.code, 'busy');
    assert.match(third.json.error.message, /1 analyses running, 1 waiting/);
    assert.equal(third.headers.get('retry-after'), '1');
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.ok(a.json.windows.length > 1000, `${a.json.windows.length} windows`);
    assert.equal(b.json.windows.length, 16, '1 s in 0.25 s windows every 0.05 s');
    const after = await health();
    assert.deepEqual([after.active, after.queued], [0, 0]);
    assert.equal((await postRaw(`${s.url}/v1/analyze`, speechWav(1), 'audio/wav')).status, 200, 'free again');
  });

  test('an analysis over --timeout-ms answers 504 on time and stops, freeing its worker', async () => {
    const s = await serve({ timeoutMs: 150, concurrency: 1, queue: 0, ...slow });
    const t0 = Date.now();
    const r = await postRaw(`${s.url}/v1/analyze`, longWav, 'audio/wav');
    assert.equal(r.status, 504);
    assert.equal(r.json.error.code, 'timeout');
    assert.equal(r.json.error.message, 'the analysis did not finish within 150 ms (--timeout-ms)');
    await until(async () => (await getJson(`${s.url}/healthz`)).json.active === 0, 'the stopped analysis to free its slot');
    const stopped = Date.now() - t0;
    const full = await serve({ concurrency: 1, ...slow });
    const t1 = Date.now();
    assert.equal((await postRaw(`${full.url}/v1/analyze`, longWav, 'audio/wav')).status, 200);
    assert.ok(stopped < Date.now() - t1, `stopped after ${stopped} ms, a full analysis takes ${Date.now() - t1} ms`);
    // The stopped worker's replacement loads the model first, which may take longer than the 150 ms budget on a busy machine.
    await until(
      async () => (await postRaw(`${s.url}/v1/analyze`, speechWav(0.5), 'audio/wav')).status === 200,
      'a short clip to pass on the restarted worker',
    );
  });
});
