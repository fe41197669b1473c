// Authorization of `trustser serve` whatever the spelling of the path: every protected route
// refuses a request without the token, however the request line writes it (percent-encoding,
// double slashes, dot segments, case, trailing dots, HTTP/1.0 absolute URIs); public routes
// (/healthz, the web app) stay open.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startServer, type RunningService } from '../../src/serve/index.js';
import { tempDir } from '../audio/helpers.js';
import { pretrainedFiles } from '../../src/backbones/index.js';
import { speechWav, spoofModel, tinyBackboneModel } from './helpers.js';

const TOKEN = 'walk-the-paths-0';

/** A raw HTTP/1.x exchange: the request line is sent exactly as given. */
async function rawRequest(
  port: number,
  method: string,
  target: string,
  o: { version?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<{ status: number; body: Buffer }> {
  const body = o.body ?? new Uint8Array(0);
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    connection: 'close',
    ...(body.length ? { 'content-type': 'audio/wav', 'content-length': String(body.length) } : {}),
    ...o.headers,
  };
  const head = `${method} ${target} HTTP/${o.version ?? '1.1'}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('end', () => {
      const all = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all.subarray(0, 32).toString('latin1'));
      if (!m)
        return reject(new Error(`no HTTP status line for ${method} ${target}: ${JSON.stringify(all.subarray(0, 80).toString('latin1'))}`));
      const split = all.indexOf('\r\n\r\n');
      resolve({ status: Number(m[1]), body: all.subarray(split + 4) });
    });
    // No half-close: the server answers `connection: close` requests and then closes the socket itself.
    sock.write(head);
    sock.write(Buffer.from(body));
  });
}

/** Spellings of `path` (e.g. /v1/model.onnx) that a lenient parser could map back onto it. */
function spellings(path: string, port: number): string[] {
  const [, first, ...rest] = path.split('/');
  const tail = rest.join('/');
  const enc = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
  const upper = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
  return [
    path,
    `/%76${first.slice(1)}/${tail}`,
    `/v%31/${tail}`,
    `/${enc(first)}/${tail}`,
    `/${upper(first)}/${enc(tail)}`,
    `/${first}%2f${tail}`,
    `/${first}%2F${tail}`,
    `//${first}/${tail}`,
    `/${first}//${tail}`,
    `/./${first}/${tail}`,
    `/${first}/./${tail}`,
    `/x/../${first}/${tail}`,
    `/%2e/${first}/${tail}`,
    `/x/%2e%2e/${first}/${tail}`,
    `/${first}/x/..%2f${tail}`,
    `/${first.toUpperCase()}/${tail}`,
    `/${first}/${tail.toUpperCase()}`,
    `/${first}/${tail}.`,
    `/${first}/${tail}/`,
    `/${first}/${tail}?x=1`,
    `/${first}/${tail}#frag`,
    `/${first}/${tail};x`,
    `/${first}/${tail}%00`,
    `/${first}\\${tail}`,
    `http://127.0.0.1:${port}${path}`,
    `http://example.com${path}`,
  ];
}

describe('trustser serve: no protected route is reachable without the token, however spelt', () => {
  let dir = '';
  let cleanup = () => {};
  let s: RunningService;
  const wav = speechWav(1);
  /** The first bytes of the model and countermeasure graphs, which must never reach an anonymous client. */
  let secrets: Buffer[] = [];
  before(async () => {
    ({ dir, cleanup } = tempDir());
    // A model whose features run the pretrained models, so their download routes exist too.
    const model = await tinyBackboneModel(dir);
    const web = join(dir, 'web');
    mkdirSync(web, { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
    const spoof = spoofModel(dir);
    const pretrained = [
      ...pretrainedFiles({ name: 'speech-embedding', weights: null }),
      ...pretrainedFiles({ name: 'silero-vad', weights: null }),
    ];
    secrets = [model, spoof, ...pretrained].map((f) => readFileSync(f).subarray(0, 256));
    s = await startServer({ modelPath: model, spoofPath: spoof, port: 0, webDir: web, threads: 1, token: TOKEN });
  });
  after(async () => {
    await s?.close();
    cleanup();
  });
  const port = () => Number(new URL(s.url).port);
  const protectedRoutes: [string, string][] = [
    ['GET', '/v1/model'],
    ['GET', '/v1/model.onnx'],
    ['GET', '/v1/model.onnx.json'],
    ['GET', '/v1/spoof.onnx'],
    ['HEAD', '/v1/model.onnx'],
    ['GET', '/v1/pretrained/speech-embedding/melspectrogram.onnx'],
    ['GET', '/v1/pretrained/speech-embedding/embedding_model.onnx'],
    ['GET', '/v1/pretrained/silero-vad/silero_vad_16k_op15.onnx'],
    ['POST', '/v1/analyze'],
  ];

  for (const [method, path] of protectedRoutes) {
    test(`${method} ${path}: 401 without the token on every spelling, for HTTP/1.1 and HTTP/1.0`, async () => {
      let reachable = 0;
      for (const version of ['1.1', '1.0']) {
        for (const target of spellings(path, port())) {
          const body = method === 'POST' ? wav : undefined;
          const anon = await rawRequest(port(), method, target, { version, body });
          const authed = await rawRequest(port(), method, target, { version, body, headers: { authorization: `Bearer ${TOKEN}` } });
          assert.ok(anon.status >= 400, `${method} ${target} HTTP/${version} answered ${anon.status} without the token`);
          if (authed.status >= 200 && authed.status < 300) {
            reachable++;
            assert.equal(
              anon.status,
              401,
              `${method} ${target} HTTP/${version} reaches ${path} with the token, so without it must be 401, got ${anon.status}`,
            );
          }
          // The public web app's fallback must never hand out a protected file's bytes.
          for (const secret of secrets)
            assert.ok(!anon.body.includes(secret), `${method} ${target} HTTP/${version} leaked a graph's bytes`);
        }
      }
      assert.ok(reachable >= 2, `the plain spelling of ${path} must be reachable with the token (reached ${reachable} times)`);
    });
  }

  test('public routes stay open: /healthz and the web app need no token', async () => {
    assert.equal((await rawRequest(port(), 'GET', '/healthz')).status, 200);
    const page = await rawRequest(port(), 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<title>app<\/title>/);
  });

  test('an unknown route is 401 without the token (nothing is public by default) and 404 with it', async () => {
    assert.equal((await rawRequest(port(), 'POST', '/v2/analyze', { body: wav })).status, 401);
    assert.equal((await rawRequest(port(), 'DELETE', '/v1/model')).status, 401);
    assert.equal((await rawRequest(port(), 'DELETE', '/v1/model', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
  });
});
