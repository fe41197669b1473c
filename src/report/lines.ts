/**
 * Line charts with markers: robustness (UA vs SNR or RT60, one line per corruption kind) and
 * safety (attack success vs SNR, one line per method); several models overlay with a legend.
 */
import {
  FONT_SIZE,
  INK,
  type LegendItem,
  chartTitle,
  el,
  legend,
  linearScale,
  niceTicks,
  notMeasuredChart,
  num,
  svgRoot,
  text,
  tooltip,
} from './svg.js';

/** One line: points (x, y), sorted by x when drawn. */
export interface LineSeries {
  name: string;
  color: string;
  /** SVG dash pattern; '' or undefined = solid. */
  dash?: string;
  points: Array<[number, number]>;
}

/** A horizontal reference line (e.g. UA on clean speech). */
export interface ReferenceLine {
  y: number;
  label: string;
  color: string;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  references?: ReferenceLine[];
  /** Formats y values (and ticks unless `tickFormat` is given). */
  format: (y: number) => string;
  /** Formats y-axis ticks. */
  tickFormat?: (y: number) => string;
  /** Formats x values and ticks (default: the number). */
  xFormat?: (x: number) => string;
  /** Fixed y range; default: nice range around the data. */
  yDomain?: [number, number];
  width?: number;
  /**
   * Legend entries replacing the default one-per-line legend, e.g. colours for models and
   * dash patterns for methods when several models overlay.
   */
  legend?: LegendItem[];
}

/** Layout (px). */
const LAYOUT = { width: 520, plotHeight: 220, left: 58, right: 20, top: 44, axisRows: 40, legendGap: 6, pad: 12, inset: 12 } as const;
/** Use the data's own x values as ticks when there are at most this many. */
const MAX_DATA_TICKS = 8;
const MARKER_RADIUS = 3.5;
/** Dash pattern of the horizontal reference lines. */
export const REFERENCE_DASH = '2 3';

/** A line chart; "not measured" when no series has points. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? LAYOUT.width;
  const series = spec.series.filter((s) => s.points.length > 0);
  if (series.length === 0) return notMeasuredChart(spec.title, width);
  const xf = spec.xFormat ?? ((x: number) => String(Number(x.toPrecision(4))));
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const ysAll = [...series.flatMap((s) => s.points.map((p) => p[1])), ...(spec.references ?? []).map((r) => r.y)];
  const yNice = spec.yDomain
    ? { ticks: niceTicks(...spec.yDomain, 5).ticks, domain: spec.yDomain }
    : niceTicks(Math.min(...ysAll), Math.max(...ysAll), 5);
  const xTicks = xs.length <= MAX_DATA_TICKS ? xs : niceTicks(xs[0], xs[xs.length - 1], 6).ticks;
  const xDomain: [number, number] =
    xs.length <= MAX_DATA_TICKS
      ? [xs[0], xs[xs.length - 1]]
      : [Math.min(xs[0], xTicks[0]), Math.max(xs[xs.length - 1], xTicks[xTicks.length - 1])];
  const plotW = width - LAYOUT.left - LAYOUT.right;
  const y0 = LAYOUT.top + LAYOUT.plotHeight;
  const x = linearScale(xDomain, [LAYOUT.left + LAYOUT.inset, LAYOUT.left + plotW - LAYOUT.inset]);
  const y = linearScale(yNice.domain, [y0, LAYOUT.top]);
  let body = chartTitle(LAYOUT.pad, 22, spec.title);

  for (const t of yNice.ticks) {
    if (t < yNice.domain[0] || t > yNice.domain[1]) continue;
    body += el('line', { x1: LAYOUT.left, x2: LAYOUT.left + plotW, y1: y(t), y2: y(t), stroke: INK.grid });
    body += text(LAYOUT.left - 6, y(t) + 4, (spec.tickFormat ?? spec.format)(t), {
      'text-anchor': 'end',
      'font-size': FONT_SIZE.tick,
      fill: INK.muted,
    });
  }
  for (const t of xTicks) {
    body += el('line', { x1: x(t), x2: x(t), y1: y0, y2: y0 + 4, stroke: INK.axis });
    body += text(x(t), y0 + 16, xf(t), { 'text-anchor': 'middle', 'font-size': FONT_SIZE.tick, fill: INK.muted });
  }
  body += el('line', { x1: LAYOUT.left, x2: LAYOUT.left + plotW, y1: y0, y2: y0, stroke: INK.axis });
  body += text(LAYOUT.left + plotW / 2, y0 + 33, spec.xLabel, { 'text-anchor': 'middle', fill: INK.muted });
  const yMid = LAYOUT.top + LAYOUT.plotHeight / 2;
  body += text(LAYOUT.pad + 4, yMid, spec.yLabel, {
    'text-anchor': 'middle',
    fill: INK.muted,
    transform: `rotate(-90 ${LAYOUT.pad + 4} ${yMid})`,
    'dominant-baseline': 'hanging',
  });

  const referenceItems: LegendItem[] = [];
  for (const r of spec.references ?? []) {
    body += el(
      'line',
      {
        x1: LAYOUT.left,
        x2: LAYOUT.left + plotW,
        y1: y(r.y),
        y2: y(r.y),
        stroke: r.color,
        'stroke-width': 1.5,
        'stroke-dasharray': REFERENCE_DASH,
      },
      tooltip(`${r.label}: ${spec.format(r.y)}`),
    );
    referenceItems.push({ label: r.label, color: r.color, swatch: 'line', dash: REFERENCE_DASH });
  }
  for (const s of series) {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    body += el('polyline', {
      class: 'series',
      'data-series': s.name,
      points: pts.map(([px, py]) => `${num(x(px))},${num(y(py))}`).join(' '),
      fill: 'none',
      stroke: s.color,
      'stroke-width': 2,
      'stroke-dasharray': s.dash || undefined,
      'stroke-linejoin': 'round',
    });
    for (const [px, py] of pts) {
      body += el(
        'circle',
        { cx: x(px), cy: y(py), r: MARKER_RADIUS, fill: '#ffffff', stroke: s.color, 'stroke-width': 2 },
        tooltip(`${s.name} — ${xf(px)}: ${spec.format(py)}`),
      );
    }
  }
  const seriesItems: LegendItem[] = series.map((s) => ({ label: s.name, color: s.color, dash: s.dash, swatch: 'line' }));
  const lg = legend(spec.legend ?? [...seriesItems, ...referenceItems], LAYOUT.left, y0 + LAYOUT.axisRows + LAYOUT.legendGap, plotW);
  const height = y0 + LAYOUT.axisRows + LAYOUT.legendGap + lg.height + LAYOUT.pad;
  return svgRoot(width, height, spec.title, body + lg.svg, 'chart lines');
}
