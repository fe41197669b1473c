// The web app end to end: the page is built from web/ with Vite, served by `trustser serve` with a
// tiny exported model (its sidecar given an audit summary) and the toy countermeasure, and driven
// in Debian's Chromium: upload a clip, wait for the in-browser prediction, compare it with ONNX
// Runtime in Node on the same file, screenshot the page, then the same in server mode.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { loadAudio } from '../../src/audio/index.js';
import { OnnxSpoofSession, loadOnnxModel, readSidecar, sidecarPath } from '../../src/runtime/index.js';
import { trustSummary } from '../../src/runtime/export/run.js';
import { startServer, type RunningService } from '../../src/serve/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { tempDir } from '../audio/helpers.js';
import { fullReport } from '../report/fixtures.js';
import { decodePng, pixelStats } from '../report/png.js';
import { ravdessOrSynthetic, spoofModel, tinyBackboneModel, tinyModel, tinyEngineBackboneModel } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** A fake microphone (a beep) that needs no permission prompt, for the recording test. */
const FAKE_MIC_ARGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
/** How long the recording test records (ms). */
const RECORD_MS = 1500;
/** Browser (ONNX Runtime Web, wasm) vs Node (ONNX Runtime, native) posteriors. */
const TOLERANCE = 1e-4;
const WAIT_MS = 60_000;
/** A real page: at least this share of the screenshot is inked, in at least this many colours. */
const MIN_INKED = 0.03;
const MIN_COLOURS = 50;

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found (apt-get install --no-install-recommends chromium); skipping the web app end-to-end test`;

/** Waits until #status reaches one of `states`; returns the state and text. */
async function statusOf(page: Page, states: string[]): Promise<{ state: string; text: string }> {
  await page.waitForSelector(states.map((s) => `#status[data-state="${s}"]`).join(', '), { timeout: WAIT_MS });
  const status = page.locator('#status');
  return { state: (await status.getAttribute('data-state')) ?? '', text: (await status.textContent()) ?? '' };
}

describe('the web app in Chromium', { skip }, () => {
  let dir = '';
  let cleanup = () => {};
  let modelPath = '';
  let spoofPath = '';
  let webDir = '';
  let clip = { path: '', real: false };
  let s: RunningService;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    ({ dir, cleanup } = tempDir());
    modelPath = await tinyModel(dir);
    // As if the run had been audited before export: the sidecar then carries the trust summary.
    writeFileSync(sidecarPath(modelPath), JSON.stringify({ ...readSidecar(modelPath), trust: trustSummary(fullReport('tiny', 0.6)) }));
    spoofPath = spoofModel(dir);
    clip = ravdessOrSynthetic(dir);
    webDir = join(dir, 'web');
    await build({
      configFile: join(packageRoot(), 'web', 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: webDir, emptyOutDir: true },
    });
    s = await startServer({ modelPath, spoofPath, port: 0, webDir, threads: 1 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...FAKE_MIC_ARGS] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => {
      if (!r.url().startsWith(s.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    cleanup();
  });

  test('the build bundles the ONNX Runtime wasm and imports no Node built-ins', () => {
    assert.ok(existsSync(join(webDir, 'index.html')));
    assert.ok(existsSync(join(webDir, 'ort', 'ort-wasm-simd-threaded.wasm')));
    const js = readdirSync(join(webDir, 'assets')).filter((f) => f.endsWith('.js'));
    assert.ok(js.length > 0);
    for (const f of js) {
      const code = readFileSync(join(webDir, 'assets', f), 'utf8');
      assert.doesNotMatch(code, /(?:from|import)\s*\(?\s*["'`]node:/, `${f} imports a node: module`);
    }
  });

  test('loads the model into the page and draws the trust radar', async () => {
    await page.goto(`${s.url}/`);
    const st = await statusOf(page, ['ready', 'error']);
    assert.equal(st.state, 'ready', st.text);
    assert.match(st.text, /with the spoof model/);
    assert.equal(await page.locator('#radar svg polygon.radar-model').count(), 1);
    assert.match((await page.textContent('#model-line')) ?? '', /trust-ser-cnn · neutral, happy, sad, angry/);
  });

  test('in-browser prediction of the clip equals ONNX Runtime in Node; the screenshot is a real page', async () => {
    await page.setInputFiles('#file', clip.path);
    const st = await statusOf(page, ['done', 'error']);
    assert.equal(st.state, 'done', st.text);
    const r = JSON.parse((await page.textContent('#result-json')) ?? '{}');
    const samples = (await loadAudio(clip.path)).samples;
    const model = await loadOnnxModel(modelPath, { intraOpThreads: 1 });
    const spoof = await OnnxSpoofSession.load(spoofPath, { intraOpThreads: 1 });
    try {
      const ref = await model.predict(samples, 16000, { windowSeconds: r.model.windowSeconds, hopSeconds: r.model.hopSeconds });
      assert.deepEqual(Object.keys(r.emotion.probs), model.classes);
      model.classes.forEach((c, k) =>
        assert.ok(Math.abs(r.emotion.probs[c] - ref.probs[k]) <= TOLERANCE, `${c}: browser ${r.emotion.probs[c]} vs node ${ref.probs[k]}`),
      );
      assert.equal(r.emotion.label, ref.label);
      assert.equal(r.windows.length, ref.windows.length);
      r.windows.forEach((w: { probs: Record<string, number> }, i: number) =>
        model.classes.forEach((c, k) => assert.ok(Math.abs(w.probs[c] - ref.windows[i].probs[k]) <= TOLERANCE, `window ${i} ${c}`)),
      );
      const [ref16k] = await spoof.scoreSignals([samples]);
      assert.ok(
        Math.abs(r.spoof.score - ref16k.score) <= TOLERANCE * Math.max(1, Math.abs(ref16k.score)),
        `spoof ${r.spoof.score} vs ${ref16k.score}`,
      );
      assert.equal(r.spoof.label, ref16k.logits[1] > ref16k.logits[0] ? 'bonafide' : 'spoof');
    } finally {
      await model.close();
      await spoof.close();
    }
    assert.match((await page.textContent('#details')) ?? '', /analyzed in this browser/);
    assert.equal(await page.locator('#timeline-chart svg polyline.series').count(), 4, 'one line per class over time');
    const shot = join(dir, 'web-app.png');
    writeFileSync(shot, await page.screenshot({ fullPage: true }));
    if (process.env.TRUSTSER_WEB_SCREENSHOT) writeFileSync(process.env.TRUSTSER_WEB_SCREENSHOT, readFileSync(shot));
    const px = pixelStats(decodePng(readFileSync(shot)));
    assert.ok(px.nonWhite / px.total >= MIN_INKED, `only ${((100 * px.nonWhite) / px.total).toFixed(1)}% of the page is inked`);
    assert.ok(px.distinctColours >= MIN_COLOURS, `${px.distinctColours} colours`);
  });

  test("a minimum confidence relabels the shown result 'unknown' without analyzing again; a bad value is marked with its reason", async () => {
    const shown = JSON.parse((await page.textContent('#result-json')) ?? '{}');
    await page.fill('#min-confidence', '1');
    assert.match(
      (await page.textContent('#headline')) ?? '',
      /^unknown \(most likely \w+ at [\d.]+%, below the minimum confidence 100\.0%\)/,
    );
    const relabelled = JSON.parse((await page.textContent('#result-json')) ?? '{}');
    assert.deepEqual(relabelled.emotion.probs, shown.emotion.probs, 'the probabilities stay');
    assert.equal(relabelled.emotion.label, 'unknown');
    await page.fill('#min-confidence', '1.5');
    assert.equal(await page.getAttribute('#min-confidence', 'aria-invalid'), 'true');
    assert.match((await page.textContent('#min-confidence-note')) ?? '', /expected a probability between 0 and 1, got 1\.5/);
    assert.equal((await statusOf(page, ['error'])).state, 'error');
    await page.fill('#min-confidence', '');
    assert.equal(await page.getAttribute('#min-confidence', 'aria-invalid'), null);
    assert.equal(JSON.parse((await page.textContent('#result-json')) ?? '{}').emotion.label, shown.emotion.label);
  });

  test('server mode posts the clip to /v1/analyze and shows the same prediction', async () => {
    const before = JSON.parse((await page.textContent('#result-json')) ?? '{}');
    await page.check('#server-mode');
    const posted = page.waitForRequest((q) => q.url() === `${s.url}/v1/analyze` && q.method() === 'POST');
    await page.setInputFiles('#file', clip.path);
    await posted;
    const st = await statusOf(page, ['done', 'error']);
    assert.equal(st.state, 'done', st.text);
    assert.match((await page.textContent('#details')) ?? '', /analyzed on the server/);
    const r = JSON.parse((await page.textContent('#result-json')) ?? '{}');
    for (const c of Object.keys(r.emotion.probs)) assert.ok(Math.abs(r.emotion.probs[c] - before.emotion.probs[c]) <= TOLERANCE, c);
    assert.equal(r.emotion.label, before.emotion.label);
    assert.ok(r.timingMs.total >= 0);
  });

  test('a microphone recording is encoded as a WAV at the model rate and analyzed (server mode still on)', async () => {
    await page.click('#record');
    await page.waitForSelector('#record.recording');
    await page.waitForTimeout(RECORD_MS);
    const posted = page.waitForRequest((q) => q.url() === `${s.url}/v1/analyze` && q.method() === 'POST');
    await page.click('#record');
    await posted;
    const st = await statusOf(page, ['done', 'error']);
    assert.equal(st.state, 'done', st.text);
    assert.match(st.text, /^recording\.wav: /);
    const r = JSON.parse((await page.textContent('#result-json')) ?? '{}');
    assert.deepEqual([r.audio.sampleRateHz, r.audio.channels], [16000, 1]);
    assert.ok(r.audio.durationSeconds > 0.5 && r.audio.durationSeconds < RECORD_MS / 1000 + 1.5, `${r.audio.durationSeconds} s recorded`);
    assert.ok(r.windows.length >= 1);
  });

  test('a model on the speech-embedding backbone and Silero VAD runs in the page as in Node, with model files from this server', async () => {
    const backbone = await tinyBackboneModel(dir);
    const bs = await startServer({ modelPath: backbone, port: 0, webDir, threads: 1 });
    const p = await browser.newPage();
    const fetched: string[] = [];
    p.on('request', (r) => fetched.push(r.url()));
    p.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      const info = (await (await fetch(`${bs.url}/v1/model`)).json()) as { pretrained: { name: string; files: string[] }[] };
      assert.deepEqual(
        info.pretrained.map((m) => [m.name, m.files.length]),
        [
          ['speech-embedding', 2],
          ['silero-vad', 1],
        ],
      );
      await p.goto(`${bs.url}/`);
      const ready = await statusOf(p, ['ready', 'error']);
      assert.equal(ready.state, 'ready', ready.text);
      for (const f of info.pretrained.flatMap((m) => m.files)) assert.ok(fetched.includes(`${bs.url}${f}`), `the page fetched ${f}`);
      await p.setInputFiles('#file', clip.path);
      const st = await statusOf(p, ['done', 'error']);
      assert.equal(st.state, 'done', st.text);
      const r = JSON.parse((await p.textContent('#result-json')) ?? '{}');
      const model = await loadOnnxModel(backbone, { intraOpThreads: 1 });
      try {
        const ref = await model.predict((await loadAudio(clip.path)).samples, 16000, {
          windowSeconds: r.model.windowSeconds,
          hopSeconds: r.model.hopSeconds,
        });
        model.classes.forEach((c, k) =>
          assert.ok(
            Math.abs(r.emotion.probs[c] - ref.probs[k]) <= TOLERANCE,
            `${c}: browser ${r.emotion.probs[c]} vs node ${ref.probs[k]}`,
          ),
        );
        assert.equal(r.emotion.label, ref.label);
      } finally {
        await model.close();
      }
    } finally {
      await p.close();
      await bs.close();
    }
  });

  for (const backbone of ['wavlm', 'whisper', 'apc'] as const) {
    test(`a model on an exported ${backbone} backbone runs in the page as in Node, the backbone graph served by this server`, async () => {
      const model = await tinyEngineBackboneModel(dir, backbone);
      const bs = await startServer({ modelPath: model, port: 0, webDir, threads: 1 });
      const p = await browser.newPage();
      p.on('pageerror', (e) => pageErrors.push(e.message));
      try {
        const info = (await (await fetch(`${bs.url}/v1/model`)).json()) as { pretrained: { name: string; files: string[] }[] };
        assert.deepEqual(
          info.pretrained.map((m) => [m.name, m.files]),
          [[backbone, [`/v1/pretrained/${backbone}/backbone.onnx`]]],
        );
        await p.goto(`${bs.url}/`);
        const ready = await statusOf(p, ['ready', 'error']);
        assert.equal(ready.state, 'ready', ready.text);
        await p.setInputFiles('#file', clip.path);
        const st = await statusOf(p, ['done', 'error']);
        assert.equal(st.state, 'done', st.text);
        const r = JSON.parse((await p.textContent('#result-json')) ?? '{}');
        const node = await loadOnnxModel(model, { intraOpThreads: 1 });
        try {
          const ref = await node.predict((await loadAudio(clip.path)).samples, 16000, {
            windowSeconds: r.model.windowSeconds,
            hopSeconds: r.model.hopSeconds,
          });
          node.classes.forEach((c, k) =>
            assert.ok(
              Math.abs(r.emotion.probs[c] - ref.probs[k]) <= TOLERANCE,
              `${c}: browser ${r.emotion.probs[c]} vs node ${ref.probs[k]}`,
            ),
          );
        } finally {
          await node.close();
        }
      } finally {
        await p.close();
        await bs.close();
      }
    });
  }

  test('the page fetched nothing from elsewhere and logged no errors', () => {
    assert.deepEqual(foreign, []);
    assert.deepEqual(pageErrors, []);
  });
});
