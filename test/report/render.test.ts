/**
 * A real render: headless Chromium screenshots a comparison report, and the PNG (decoded here
 * with node:zlib) must show a page — many inked pixels, many distinct colours, and the first
 * model's series colour. Skipped with a message when Chromium is not installed
 * (Debian: `apt-get install --no-install-recommends chromium`; or set CHROMIUM_BIN).
 *
 * Set TRUSTSER_REPORT_SCREENSHOT=/some/file.png to keep the screenshot for a look.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderTrustHtml } from '../../src/report/index.js';
import { SERIES_PALETTE } from '../../src/report/svg.js';
import { fullReport } from './fixtures.js';
import { decodePng, pixelStats } from './png.js';

const WINDOW = { width: 1200, height: 1600 };
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const CHROMIUM_TIMEOUT_MS = 90_000;
/** At least this share of the screenshot must be neither of the two background colours. */
const MIN_INK_SHARE = 0.03;
const MIN_DISTINCT_COLOURS = 64;

/** The Chromium executable: $CHROMIUM_BIN, else the first known name on $PATH. */
function findChromium(): string | null {
  const candidates = process.env.CHROMIUM_BIN
    ? [process.env.CHROMIUM_BIN]
    : (process.env.PATH ?? '').split(delimiter).flatMap((dir) => CHROMIUM_NAMES.map((n) => join(dir, n)));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

/** The sRGB triple of a `#rrggbb` colour. */
function rgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const chromium = findChromium();

describe('headless Chromium renders the report', {
  skip: chromium ? false : 'chromium is not installed (apt-get install --no-install-recommends chromium, or set CHROMIUM_BIN)',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustser-render-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the screenshot is a real page: inked, colourful, with the model colours', () => {
    const html = join(dir, 'trust.html');
    const png = join(dir, 'trust.png');
    writeFileSync(html, renderTrustHtml([fullReport('mlp-egemaps', 0.4), fullReport('cnn-lstm-att', 0.9)]));
    const r = spawnSync(
      chromium!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--screenshot=${png}`,
        `--window-size=${WINDOW.width},${WINDOW.height}`,
        `file://${html}`,
      ],
      { timeout: CHROMIUM_TIMEOUT_MS, encoding: 'utf8' },
    );
    assert.equal(r.error, undefined, `chromium did not run: ${r.error?.message}`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(png);
    } catch {
      assert.fail(`chromium wrote no screenshot (exit ${r.status}): ${r.stderr.slice(-2000)}`);
    }
    if (process.env.TRUSTSER_REPORT_SCREENSHOT) copyFileSync(png, process.env.TRUSTSER_REPORT_SCREENSHOT);

    const image = decodePng(bytes);
    assert.equal(image.width, WINDOW.width);
    assert.equal(image.height, WINDOW.height);
    const stats = pixelStats(image);
    assert.ok(stats.nonWhite > stats.total * MIN_INK_SHARE, `only ${stats.nonWhite} non-white pixels`);

    // ink = pixels other than the two most frequent colours (page background, paper)
    const counts = new Map<number, number>();
    const px = (p: number): [number, number, number] => {
      const o = p * image.channels;
      return [image.data[o], image.data[o + 1], image.data[o + 2]];
    };
    for (let p = 0; p < stats.total; p++) {
      const [cr, cg, cb] = px(p);
      const key = (cr << 16) | (cg << 8) | cb;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const ink = stats.total - sorted[0] - (sorted[1] ?? 0);
    assert.ok(ink > stats.total * MIN_INK_SHARE, `only ${ink} of ${stats.total} pixels are ink`);
    assert.ok(stats.distinctColours >= MIN_DISTINCT_COLOURS, `only ${stats.distinctColours} distinct colours`);

    // the legend swatches of both models are painted in their exact series colours
    for (const hex of SERIES_PALETTE.slice(0, 2)) {
      const [tr, tg, tb] = rgb(hex);
      let hits = 0;
      for (let p = 0; p < stats.total; p++) {
        const [cr, cg, cb] = px(p);
        if (Math.abs(cr - tr) <= 3 && Math.abs(cg - tg) <= 3 && Math.abs(cb - tb) <= 3) hits++;
      }
      assert.ok(hits >= 50, `colour ${hex} painted on only ${hits} pixels`);
    }
  });
});
