/**
 * The reliability diagram of a model's test posteriors: for every equal-width confidence bin,
 * a bar of the accuracy of the predictions in it, against the diagonal (accuracy = confidence,
 * perfect calibration), before and after temperature scaling side by side. Bars below the
 * diagonal are over-confident bins, bars above it under-confident ones.
 */
import { formatPercent } from './format.js';
import type { ReliabilityBin } from './schema.js';
import { FONT_SIZE, INK, type LegendItem, chartTitle, el, legend, linearScale, notMeasuredChart, svgRoot, text, tooltip } from './svg.js';

/** One table drawn as bars: its name (legend) and colour. */
export interface ReliabilitySeries {
  name: string;
  color: string;
  bins: ReliabilityBin[];
}

export interface ReliabilityChartSpec {
  title: string;
  /** One or two tables (before, after), drawn side by side in each bin. */
  series: ReliabilitySeries[];
  width?: number;
}

/** Layout (px): the plot is square. */
const LAYOUT = { width: 460, left: 58, right: 20, top: 44, axisRows: 40, legendGap: 6, pad: 12 } as const;
/** Axis ticks (fractions). */
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
/** Dash pattern of the diagonal. */
const DIAGONAL_DASH = '5 4';
/** Gap between neighbouring bins (px). */
const BIN_GAP = 1;
/** Legend text of the diagonal. */
const DIAGONAL_LABEL = 'perfect calibration';

/** The diagram; "not measured" when no series has a non-empty bin. */
export function reliabilityChart(spec: ReliabilityChartSpec): string {
  const width = spec.width ?? LAYOUT.width;
  if (!spec.series.some((s) => s.bins.some((b) => b.count > 0))) return notMeasuredChart(spec.title, width);
  const plot = width - LAYOUT.left - LAYOUT.right;
  const y0 = LAYOUT.top + plot;
  const x = linearScale([0, 1], [LAYOUT.left, LAYOUT.left + plot]);
  const y = linearScale([0, 1], [y0, LAYOUT.top]);
  let body = chartTitle(LAYOUT.pad, 22, spec.title);
  for (const t of TICKS) {
    body += el('line', { x1: LAYOUT.left, x2: LAYOUT.left + plot, y1: y(t), y2: y(t), stroke: INK.grid });
    body += text(LAYOUT.left - 6, y(t) + 4, formatPercent(t, 0), { 'text-anchor': 'end', 'font-size': FONT_SIZE.tick, fill: INK.muted });
    body += el('line', { x1: x(t), x2: x(t), y1: y0, y2: y0 + 4, stroke: INK.axis });
    body += text(x(t), y0 + 16, formatPercent(t, 0), { 'text-anchor': 'middle', 'font-size': FONT_SIZE.tick, fill: INK.muted });
  }
  const k = spec.series.length;
  spec.series.forEach((s, j) => {
    for (const b of s.bins) {
      if (b.count === 0 || b.accuracy === null) continue;
      const w = (x(b.upper) - x(b.lower) - BIN_GAP) / k;
      const left = x(b.lower) + BIN_GAP / 2 + j * w;
      const top = y(b.accuracy);
      const what = `${s.name} — confidence ${formatPercent(b.lower, 0)}–${formatPercent(b.upper, 0)}: accuracy ${formatPercent(b.accuracy)}, mean confidence ${formatPercent(b.confidence ?? 0)}, ${b.count} prediction${b.count === 1 ? '' : 's'}`;
      body += el(
        'rect',
        { class: 'bin', x: left, y: top, width: Math.max(0, w), height: y0 - top, fill: s.color, 'fill-opacity': 0.85 },
        tooltip(what),
      );
    }
  });
  body += el('line', {
    class: 'diagonal',
    x1: x(0),
    y1: y(0),
    x2: x(1),
    y2: y(1),
    stroke: INK.text,
    'stroke-width': 1.5,
    'stroke-dasharray': DIAGONAL_DASH,
  });
  body += el('line', { x1: LAYOUT.left, x2: LAYOUT.left + plot, y1: y0, y2: y0, stroke: INK.axis });
  body += text(LAYOUT.left + plot / 2, y0 + 33, 'confidence (top-class probability)', { 'text-anchor': 'middle', fill: INK.muted });
  const yMid = LAYOUT.top + plot / 2;
  body += text(LAYOUT.pad + 4, yMid, 'accuracy', {
    'text-anchor': 'middle',
    fill: INK.muted,
    transform: `rotate(-90 ${LAYOUT.pad + 4} ${yMid})`,
    'dominant-baseline': 'hanging',
  });
  const items: LegendItem[] = [
    ...spec.series.map((s): LegendItem => ({ label: s.name, color: s.color })),
    { label: DIAGONAL_LABEL, color: INK.text, swatch: 'line', dash: DIAGONAL_DASH },
  ];
  const lg = legend(items, LAYOUT.left, y0 + LAYOUT.axisRows + LAYOUT.legendGap, plot);
  const height = y0 + LAYOUT.axisRows + LAYOUT.legendGap + lg.height + LAYOUT.pad;
  return svgRoot(width, height, spec.title, body + lg.svg, 'chart reliability');
}
