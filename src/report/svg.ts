/**
 * A small SVG toolkit for the trust report: theme constants, an element builder that escapes
 * every attribute and text node, linear scales, "nice" ticks, legends and the "not measured"
 * placeholder.
 *
 * Why our own few hundred lines instead of a charting library: the report must be one HTML
 * file that opens offline, forever, with no scripts and no fetched assets. Browser charting
 * libraries render with JavaScript at view time (so the page would need an inlined bundle of
 * hundreds of kB and would not render where scripts are disabled, e.g. mail or CI artefact
 * viewers), and the server-side ones pull in a DOM emulation. The five chart types the report
 * needs are static, known in advance and simple geometry, so emitting SVG strings directly is
 * smaller, deterministic (testable point by point) and dependency-free.
 *
 * Inline SVG inside HTML needs no `xmlns` attribute (the HTML parser puts `<svg>` in the SVG
 * namespace), so the charts contain no URL at all.
 */
import { escapeXml } from './format.js';

/** Font stack: system UI fonts first, DejaVu Sans (Debian's default) as the fallback. */
export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif';
/** Font sizes (px) inside charts. */
export const FONT_SIZE = { title: 14, label: 12, tick: 11, small: 10.5 } as const;
/** Average glyph advance as a fraction of the font size, used to estimate text widths for layout. */
const GLYPH_WIDTH_EM = 0.6;

/** Neutral colours of chart furniture. */
export const INK = {
  text: '#1f2933',
  muted: '#52606d',
  faint: '#9aa5b1',
  axis: '#7b8794',
  grid: '#e4e7eb',
  panel: '#f8fafc',
  border: '#d9e2ec',
} as const;

/**
 * Series colours: the Okabe–Ito palette (distinguishable with the common colour-vision
 * deficiencies), yellow left out because it is unreadable on white.
 */
export const SERIES_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;

/** Stroke dash patterns for distinguishing series drawn in the same colour. */
const DASH_PATTERNS = ['', '7 4', '2 3', '10 3 2 3'] as const;

/** Colour of series `i` (cycles through {@link SERIES_PALETTE}). */
export function seriesColor(i: number): string {
  return SERIES_PALETTE[i % SERIES_PALETTE.length];
}

/** Dash pattern of series `i` (cycles through {@link DASH_PATTERNS}); '' is solid. */
export function seriesDash(i: number): string {
  return DASH_PATTERNS[i % DASH_PATTERNS.length];
}

/** Attribute values; `undefined`, `null` and `false` leave the attribute out. */
export type Attrs = Record<string, string | number | undefined | null | false>;

/** Rounds coordinates to 0.01 px to keep the markup short and deterministic. */
export function num(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

function attrText(attrs: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    out += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return out;
}

/**
 * An element. `children` is trusted markup (built by these helpers); use {@link text} or
 * {@link escapeXml} for anything that comes from data.
 */
export function el(name: string, attrs: Attrs = {}, children?: string): string {
  return children === undefined ? `<${name}${attrText(attrs)}/>` : `<${name}${attrText(attrs)}>${children}</${name}>`;
}

/** A text node, escaped, with the default chart font size and colour unless overridden. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, 'font-size': FONT_SIZE.label, fill: INK.text, ...attrs }, escapeXml(content));
}

/** A `<title>` child: the browser shows it as a tooltip (full text behind a truncated label). */
export function tooltip(content: string): string {
  return el('title', {}, escapeXml(content));
}

/** Estimated rendered width of `s` in px at `fontSize`. */
export function textWidth(s: string, fontSize: number): number {
  return s.length * fontSize * GLYPH_WIDTH_EM;
}

/**
 * The outer `<svg>` of a chart: fixed pixel size with a viewBox (so it scales down on narrow
 * screens), an accessible name and the chart font.
 */
export function svgRoot(width: number, height: number, label: string, body: string, className = 'chart'): string {
  return el(
    'svg',
    {
      class: className,
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      role: 'img',
      'aria-label': label,
      'font-family': FONT_FAMILY,
    },
    tooltip(label) + body,
  );
}

/** A chart title at the top left of a chart. */
export function chartTitle(x: number, y: number, title: string): string {
  return text(x, y, title, { 'font-size': FONT_SIZE.title, 'font-weight': 600 });
}

/** A linear map from `domain` to `range`; a degenerate domain maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/**
 * About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k), and the
 * domain widened to the outer ticks.
 */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; domain: [number, number] } {
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const lo = Number((Math.floor(min / step + 1e-9) * step).toPrecision(12));
  const hi = Number((Math.ceil(max / step - 1e-9) * step).toPrecision(12));
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, domain: [lo, hi] };
}

/** One legend entry: a swatch (filled square, or a line with optional dash and marker) and a label. */
export interface LegendItem {
  label: string;
  color: string;
  dash?: string;
  /** `line` draws a line swatch (line charts), `box` a filled square (bars, radar). */
  swatch?: 'line' | 'box';
  /** Greyed, italic note after the label (e.g. "not measured: safety"). */
  note?: string;
}

/** Legend row geometry (px). */
const LEGEND = { rowHeight: 18, swatch: 14, lineSwatch: 22, gap: 6, itemGap: 18 } as const;

/**
 * Legend items laid out left to right, wrapping at `maxWidth`.
 * @returns the markup and the height it takes.
 */
export function legend(items: LegendItem[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  let cx = x;
  let cy = y;
  let out = '';
  for (const item of items) {
    const swatchW = item.swatch === 'line' ? LEGEND.lineSwatch : LEGEND.swatch;
    const labelW = textWidth(item.label, FONT_SIZE.label) + (item.note ? textWidth(` ${item.note}`, FONT_SIZE.small) : 0);
    const w = swatchW + LEGEND.gap + labelW;
    if (cx > x && cx + w > x + maxWidth) {
      cx = x;
      cy += LEGEND.rowHeight;
    }
    const mid = cy + LEGEND.rowHeight / 2;
    out +=
      item.swatch === 'line'
        ? el('line', {
            x1: cx,
            y1: mid,
            x2: cx + swatchW,
            y2: mid,
            stroke: item.color,
            'stroke-width': 2.5,
            'stroke-dasharray': item.dash || undefined,
          })
        : el('rect', {
            x: cx,
            y: mid - LEGEND.swatch / 2,
            width: LEGEND.swatch,
            height: LEGEND.swatch,
            rx: 2,
            fill: item.color,
            'fill-opacity': 0.85,
          });
    const label =
      escapeXml(item.label) +
      (item.note ? el('tspan', { fill: INK.faint, 'font-style': 'italic', 'font-size': FONT_SIZE.small }, ` ${escapeXml(item.note)}`) : '');
    out += el('text', { x: cx + swatchW + LEGEND.gap, y: mid + 4, 'font-size': FONT_SIZE.label, fill: INK.text }, label);
    cx += w + LEGEND.itemGap;
  }
  return { svg: el('g', { class: 'legend' }, out), height: items.length ? cy - y + LEGEND.rowHeight : 0 };
}

/** The text every chart and table shows for a dimension that was not measured. */
export const NOT_MEASURED = 'not measured';

/** Height (px) of a "not measured" placeholder chart. */
const PLACEHOLDER_HEIGHT = 120;

/** A placeholder chart: the title and "not measured" in a dashed panel. */
export function notMeasuredChart(title: string, width: number, height = PLACEHOLDER_HEIGHT): string {
  const body =
    chartTitle(12, 22, title) +
    el('rect', {
      x: 12,
      y: 34,
      width: width - 24,
      height: height - 46,
      rx: 6,
      fill: INK.panel,
      stroke: INK.border,
      'stroke-dasharray': '5 4',
    }) +
    text(width / 2, 34 + (height - 46) / 2 + 5, NOT_MEASURED, {
      'text-anchor': 'middle',
      fill: INK.faint,
      'font-style': 'italic',
      'font-size': FONT_SIZE.title,
    });
  return svgRoot(width, height, `${title}: ${NOT_MEASURED}`, body, 'chart not-measured');
}
