/**
 * Grouped vertical bars with confidence-interval whiskers (per-group UA, probe accuracies),
 * one colour per model, optional reference marks (e.g. chance level) across each bar.
 */
import { truncate } from './format.js';
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
  svgRoot,
  text,
  textWidth,
  tooltip,
} from './svg.js';

/** One bar: a value with an optional interval and an optional reference level drawn across it. */
export interface BarValue {
  value: number;
  low?: number;
  high?: number;
  reference?: number;
}

/** One model's bars, one per category (null = not measured for that category). */
export interface BarSeries {
  name: string;
  color: string;
  values: Array<BarValue | null>;
}

export interface BarChartSpec {
  title: string;
  /** Category names along the x axis (e.g. group names). */
  categories: string[];
  /** Optional second line under each category (e.g. `n = 120`). */
  categoryNotes?: string[];
  series: BarSeries[];
  yLabel: string;
  /** Formats bar values (and y ticks unless `tickFormat` is given). */
  format: (x: number) => string;
  /** Formats y-axis ticks. */
  tickFormat?: (y: number) => string;
  /** Fixed y range; default [0, max of the data] made nice. */
  yDomain?: [number, number];
  /** Legend text of the reference marks, when any bar has one. */
  referenceLabel?: string;
  width?: number;
}

/** Layout (px). */
const LAYOUT = { width: 520, plotHeight: 210, left: 58, right: 16, top: 44, categoryRows: 34, legendGap: 8, pad: 12 } as const;
/** Fraction of a category's width filled by its bars. */
const GROUP_FILL = 0.72;
const MAX_BAR_WIDTH = 56;
/** Bars narrower than this get no value label. */
const MIN_LABELLED_BAR = 30;
const WHISKER_CAP = 8;
const CATEGORY_MAX_CHARS = 18;
const REFERENCE_DASH = '4 3';
/** Category labels too wide for their slot are rotated by this angle (degrees, counter-clockwise). */
const ROTATED_LABEL_ANGLE = 35;

/** A grouped bar chart; "not measured" when there is nothing to draw. */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? LAYOUT.width;
  const hasData = spec.categories.length > 0 && spec.series.some((s) => s.values.some((v) => v !== null));
  if (!hasData) return notMeasuredChart(spec.title, width);
  const all = spec.series.flatMap((s) => s.values.flatMap((v) => (v ? [v.value, v.high ?? v.value, v.reference ?? 0] : [])));
  const { ticks, domain } = spec.yDomain
    ? { ticks: niceTicks(...spec.yDomain, 5).ticks, domain: spec.yDomain }
    : niceTicks(0, Math.max(...all), 5);
  const plotW = width - LAYOUT.left - LAYOUT.right;
  const y0 = LAYOUT.top + LAYOUT.plotHeight;
  const y = linearScale(domain, [y0, LAYOUT.top]);
  let body = chartTitle(LAYOUT.pad, 22, spec.title);

  for (const t of ticks) {
    if (t < domain[0] || t > domain[1]) continue;
    body += el('line', { x1: LAYOUT.left, x2: LAYOUT.left + plotW, y1: y(t), y2: y(t), stroke: INK.grid });
    body += text(LAYOUT.left - 6, y(t) + 4, (spec.tickFormat ?? spec.format)(t), {
      'text-anchor': 'end',
      'font-size': FONT_SIZE.tick,
      fill: INK.muted,
    });
  }
  const yMid = LAYOUT.top + LAYOUT.plotHeight / 2;
  body += text(LAYOUT.pad + 4, yMid, spec.yLabel, {
    'text-anchor': 'middle',
    fill: INK.muted,
    transform: `rotate(-90 ${LAYOUT.pad + 4} ${yMid})`,
    'dominant-baseline': 'hanging',
  });

  const groupW = plotW / spec.categories.length;
  const labels = spec.categories.map((c) => truncate(c, CATEGORY_MAX_CHARS));
  const labelW = Math.max(...labels.map((l) => textWidth(l, FONT_SIZE.label)));
  const rotate = labelW > groupW - 6;
  const categoryDepth = rotate ? labelW * Math.sin((ROTATED_LABEL_ANGLE * Math.PI) / 180) + 18 : LAYOUT.categoryRows;
  const barW = Math.min(MAX_BAR_WIDTH, (groupW * GROUP_FILL) / spec.series.length);
  let hasReference = false;
  spec.categories.forEach((cat, c) => {
    const cx = LAYOUT.left + c * groupW + groupW / 2;
    const gx = LAYOUT.left + c * groupW + (groupW - barW * spec.series.length) / 2;
    spec.series.forEach((s, k) => {
      const v = s.values[c];
      const x = gx + k * barW;
      const cxBar = x + barW / 2;
      if (!v) {
        body += text(cxBar, y0 - 6, 'n/m', {
          'text-anchor': 'middle',
          'font-size': FONT_SIZE.small,
          fill: INK.faint,
          'font-style': 'italic',
        });
        return;
      }
      const ci = v.low !== undefined && v.high !== undefined ? ` [${spec.format(v.low)}–${spec.format(v.high)}]` : '';
      const top = y(Math.max(domain[0], Math.min(domain[1], v.value)));
      body += el(
        'rect',
        { x: x + 1, y: top, width: barW - 2, height: Math.max(0, y0 - top), fill: s.color, 'fill-opacity': 0.85 },
        tooltip(`${s.name} — ${cat}: ${spec.format(v.value)}${ci}`),
      );
      let labelY = top;
      if (v.low !== undefined && v.high !== undefined) {
        const [lo, hi] = [y(v.low), y(v.high)];
        const cap = Math.min(WHISKER_CAP, barW - 4) / 2;
        body += el('line', { x1: cxBar, x2: cxBar, y1: lo, y2: hi, stroke: INK.text, 'stroke-width': 1.5 });
        body += el('line', { x1: cxBar - cap, x2: cxBar + cap, y1: lo, y2: lo, stroke: INK.text, 'stroke-width': 1.5 });
        body += el('line', { x1: cxBar - cap, x2: cxBar + cap, y1: hi, y2: hi, stroke: INK.text, 'stroke-width': 1.5 });
        labelY = Math.min(labelY, hi);
      }
      if (v.reference !== undefined) {
        hasReference = true;
        const ry = y(v.reference);
        body += el('line', {
          x1: x - 2,
          x2: x + barW + 2,
          y1: ry,
          y2: ry,
          stroke: INK.text,
          'stroke-width': 1.5,
          'stroke-dasharray': REFERENCE_DASH,
        });
        labelY = Math.min(labelY, ry);
      }
      if (barW >= MIN_LABELLED_BAR) {
        body += text(cxBar, labelY - 5, spec.format(v.value), { 'text-anchor': 'middle', 'font-size': FONT_SIZE.small, fill: INK.text });
      }
    });
    if (rotate) {
      body += text(cx + 4, y0 + 12, labels[c], { 'text-anchor': 'end', transform: `rotate(-${ROTATED_LABEL_ANGLE} ${cx + 4} ${y0 + 12})` });
      return;
    }
    body += text(cx, y0 + 16, labels[c], { 'text-anchor': 'middle' });
    const note = spec.categoryNotes?.[c];
    if (note) body += text(cx, y0 + 30, note, { 'text-anchor': 'middle', 'font-size': FONT_SIZE.small, fill: INK.muted });
  });
  body += el('line', { x1: LAYOUT.left, x2: LAYOUT.left + plotW, y1: y0, y2: y0, stroke: INK.axis });

  const items: LegendItem[] = spec.series.map((s) => ({ label: s.name, color: s.color }));
  if (hasReference && spec.referenceLabel)
    items.push({ label: spec.referenceLabel, color: INK.text, swatch: 'line', dash: REFERENCE_DASH });
  const showLegend = spec.series.length > 1 || items.length > 1;
  const lg = showLegend ? legend(items, LAYOUT.left, y0 + categoryDepth + LAYOUT.legendGap, plotW) : { svg: '', height: 0 };
  const height = y0 + categoryDepth + (showLegend ? LAYOUT.legendGap + lg.height : 0) + LAYOUT.pad;
  return svgRoot(width, height, spec.title, body + lg.svg, 'chart bars');
}
