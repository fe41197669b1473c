/**
 * Confusion-matrix heat map: one cell per (true, predicted) pair showing the count, shaded by
 * the row-normalized share (the fraction of that true class predicted as the column class), so
 * the diagonal reads as per-class recall whatever the class sizes.
 */
import { formatCount, formatPercent, truncate } from './format.js';
import { FONT_SIZE, INK, chartTitle, el, notMeasuredChart, svgRoot, text, textWidth, tooltip } from './svg.js';

/** Cell size bounds (px) and the grid size aimed at. */
const CELL = { min: 26, max: 56, grid: 320 } as const;
/** Class labels longer than this are cut (the full name stays in the cell tooltips). */
const LABEL_MAX_CHARS = 16;
/** Column labels are rotated by this angle (degrees, counter-clockwise). */
const COLUMN_LABEL_ANGLE = 40;
/** Layout (px). */
const LAYOUT = { top: 44, axisTitle: 18, labelPad: 8, totalWidth: 40, scaleHeight: 40, pad: 12 } as const;
/** Shares above this use white cell text. */
const DARK_CELL_SHARE = 0.5;

/** Sequential blue ramp (ColorBrewer "Blues"), share 0 → 1. */
export const HEAT_STOPS: ReadonlyArray<readonly [number, string]> = [
  [0, '#f7fbff'],
  [0.25, '#c6dbef'],
  [0.5, '#6baed6'],
  [0.75, '#2171b5'],
  [1, '#08306b'],
];

function hexToRgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The ramp colour of a share in [0, 1] (linear RGB interpolation between stops). */
export function heatColor(share: number): string {
  const s = Math.min(1, Math.max(0, share));
  let i = 1;
  while (i < HEAT_STOPS.length - 1 && s > HEAT_STOPS[i][0]) i++;
  const [s0, c0] = HEAT_STOPS[i - 1];
  const [s1, c1] = HEAT_STOPS[i];
  const t = (s - s0) / (s1 - s0);
  const a = hexToRgb(c0);
  const b = hexToRgb(c1);
  return `#${a
    .map((v, k) =>
      Math.round(v + (b[k] - v) * t)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/**
 * The heat map of `confusion[true][predicted]` counts.
 * @param classes - class names, in matrix order.
 */
export function confusionHeatmap(classes: string[], confusion: number[][] | undefined, title = 'Confusion matrix'): string {
  const k = classes.length;
  if (!confusion || k === 0) return notMeasuredChart(title, 420);
  const cell = Math.max(CELL.min, Math.min(CELL.max, Math.floor(CELL.grid / k)));
  const labels = classes.map((c) => truncate(c, LABEL_MAX_CHARS));
  const labelW = Math.max(...labels.map((l) => textWidth(l, FONT_SIZE.tick)));
  const rad = (COLUMN_LABEL_ANGLE * Math.PI) / 180;
  const left = LAYOUT.pad + LAYOUT.axisTitle + labelW + LAYOUT.labelPad;
  const top = LAYOUT.top;
  const gridSize = cell * k;
  const columnLabelDepth = labelW * Math.sin(rad) + FONT_SIZE.tick;
  const bottomOfLabels = top + gridSize + LAYOUT.labelPad + columnLabelDepth;
  const width = Math.max(left + gridSize + LAYOUT.totalWidth + LAYOUT.pad, left + labelW * Math.cos(rad) + LAYOUT.pad, 360);
  const height = bottomOfLabels + LAYOUT.axisTitle + LAYOUT.scaleHeight;
  const valueFont = Math.min(FONT_SIZE.label, Math.max(9, cell * 0.3));

  let body = chartTitle(LAYOUT.pad, 22, title);
  const totals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  for (let i = 0; i < k; i++) {
    const y = top + i * cell;
    body += text(left - LAYOUT.labelPad, y + cell / 2 + 4, labels[i], { 'text-anchor': 'end', 'font-size': FONT_SIZE.tick });
    for (let j = 0; j < k; j++) {
      const x = left + j * cell;
      const count = confusion[i][j];
      const share = totals[i] > 0 ? count / totals[i] : 0;
      const tip = `true ${classes[i]} → predicted ${classes[j]}: ${formatCount(count)} (${formatPercent(share)} of the row)`;
      body += el('rect', { x, y, width: cell, height: cell, fill: heatColor(share), stroke: '#ffffff', 'stroke-width': 1 }, tooltip(tip));
      body += text(x + cell / 2, y + cell / 2 + valueFont * 0.35, formatCount(count), {
        'text-anchor': 'middle',
        'font-size': valueFont,
        fill: share > DARK_CELL_SHARE ? '#ffffff' : INK.text,
        'font-weight': i === j ? 600 : undefined,
        'pointer-events': 'none',
      });
    }
    body += text(left + gridSize + 8, y + cell / 2 + 4, formatCount(totals[i]), { 'font-size': FONT_SIZE.tick, fill: INK.muted });
  }
  body += text(left + gridSize + 8, top - 6, 'n', { 'font-size': FONT_SIZE.tick, fill: INK.muted, 'font-style': 'italic' });
  for (let j = 0; j < k; j++) {
    const x = left + j * cell + cell / 2 + 4;
    const y = top + gridSize + LAYOUT.labelPad;
    body += text(x, y, labels[j], {
      'text-anchor': 'end',
      'font-size': FONT_SIZE.tick,
      transform: `rotate(-${COLUMN_LABEL_ANGLE} ${x} ${y})`,
      'dominant-baseline': 'hanging',
    });
  }
  body += el('rect', { x: left, y: top, width: gridSize, height: gridSize, fill: 'none', stroke: INK.border });
  const trueX = LAYOUT.pad + 4;
  const trueY = top + gridSize / 2;
  body += text(trueX, trueY, 'true class', {
    'text-anchor': 'middle',
    fill: INK.muted,
    transform: `rotate(-90 ${trueX} ${trueY})`,
    'dominant-baseline': 'hanging',
  });
  body += text(left + gridSize / 2, bottomOfLabels + 12, 'predicted class', { 'text-anchor': 'middle', fill: INK.muted });
  body += shadeScale(LAYOUT.pad, bottomOfLabels + LAYOUT.axisTitle + 12);
  return svgRoot(width, height, title, body, 'chart heatmap');
}

/** The shading key: "row share 0% ▮▮▮▮▮ 100%". */
function shadeScale(x: number, y: number): string {
  const steps = 5;
  const w = 22;
  const h = 10;
  let out = text(x, y + h - 1, 'shading: share of the true class', { 'font-size': FONT_SIZE.small, fill: INK.muted });
  let cx = x + textWidth('shading: share of the true class', FONT_SIZE.small) + 10;
  out += text(cx, y + h - 1, '0%', { 'font-size': FONT_SIZE.small, fill: INK.muted });
  cx += textWidth('0%', FONT_SIZE.small) + 4;
  for (let i = 0; i < steps; i++) out += el('rect', { x: cx + i * w, y, width: w, height: h, fill: heatColor(i / (steps - 1)) });
  out += el('rect', { x: cx, y, width: steps * w, height: h, fill: 'none', stroke: INK.border });
  out += text(cx + steps * w + 4, y + h - 1, '100%', { 'font-size': FONT_SIZE.small, fill: INK.muted });
  return out;
}
