/**
 * The trust-profile radar: five axes, each a trust score normalized to [0, 1] where 1 = best
 * (drawn at the rim) and 0 = worst (the centre), with the normalization range written on the
 * axis label. Several models overlay as translucent polygons with a legend.
 */
import { formatFixed, formatPercent, formatPowerOfTen, formatSiUnit } from './format.js';
import type { TrustReport } from './schema.js';
import { FONT_SIZE, INK, type LegendItem, NOT_MEASURED, el, legend, num, seriesColor, svgRoot, text, tooltip } from './svg.js';

/** log10 of the MACs/s that score 1 (rim) and 0 (centre): 1e6 and 1e10 multiply-accumulates per second of audio. */
export const MACS_LOG10_BEST = 6;
export const MACS_LOG10_WORST = 10;

/** The five trust scores of one model; null = not measured. */
export interface TrustScores {
  accuracy: number | null;
  fairness: number | null;
  safety: number | null;
  privacy: number | null;
  efficiency: number | null;
}

/** One radar axis: the score it shows, its name and its normalization, worst (centre) → best (rim). */
export interface RadarAxis {
  key: keyof TrustScores;
  name: string;
  range: string;
}

/** The axes, clockwise from the top. */
export const RADAR_AXES: readonly RadarAxis[] = [
  { key: 'accuracy', name: 'UA', range: '0% → 100%' },
  { key: 'fairness', name: 'Fairness gap (SP)', range: '1 → 0, worst attribute' },
  { key: 'safety', name: 'Attack success', range: '100% → 0%, worst attack' },
  { key: 'privacy', name: 'Gender-inference acc.', range: '100% → majority rate' },
  { key: 'efficiency', name: 'MACs/s', range: `log, ${formatPowerOfTen(MACS_LOG10_WORST)} → ${formatPowerOfTen(MACS_LOG10_BEST)}` },
];

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The worst (largest) statistical-parity gap over the report's protected attributes, with the attribute. */
export function worstParityGap(r: TrustReport): { attribute: string; value: number } | null {
  let worst: { attribute: string; value: number } | null = null;
  for (const [attribute, a] of Object.entries(r.fairness ?? {})) {
    if (!worst || a.statisticalParity.value > worst.value) worst = { attribute, value: a.statisticalParity.value };
  }
  return worst;
}

/** The most successful attack in the report. */
export function worstAttack(r: TrustReport): { method: string; snrDb: number; successRate: number } | null {
  const attacks = r.safety?.attacks ?? [];
  return attacks.length ? attacks.reduce((a, b) => (b.successRate > a.successRate ? b : a)) : null;
}

/**
 * Normalizes a report's measurements to trust scores in [0, 1], 1 = best:
 * - accuracy = UA;
 * - fairness = 1 − the largest statistical-parity gap over attributes;
 * - safety = 1 − the largest attack success rate over the measured attacks;
 * - privacy = (1 − gender-probe accuracy) / (1 − majority rate): 1 when the probe does no
 *   better than always guessing the majority gender, 0 when it is always right;
 * - efficiency = 1 at ≤ 1e6 MACs/s down to 0 at ≥ 1e10, linear in log10.
 */
export function trustScores(r: TrustReport): TrustScores {
  const gap = worstParityGap(r);
  const attack = worstAttack(r);
  const probe = r.privacy?.genderProbe;
  const macs = r.sustainability?.macsPerSecond;
  let efficiency: number | null = null;
  if (macs !== undefined) {
    efficiency = macs <= 0 ? 1 : clamp01(1 - (Math.log10(macs) - MACS_LOG10_BEST) / (MACS_LOG10_WORST - MACS_LOG10_BEST));
  }
  return {
    accuracy: r.accuracy ? r.accuracy.ua.value : null,
    fairness: gap ? clamp01(1 - gap.value) : null,
    safety: attack ? clamp01(1 - attack.successRate) : null,
    privacy: probe ? (probe.majority >= 1 ? 1 : clamp01((1 - probe.accuracy) / (1 - probe.majority))) : null,
    efficiency,
  };
}

/** The measured value behind each score, as short text (null = not measured). */
export function trustScoreSources(r: TrustReport): Record<keyof TrustScores, string | null> {
  const gap = worstParityGap(r);
  const attack = worstAttack(r);
  const probe = r.privacy?.genderProbe;
  return {
    accuracy: r.accuracy ? `UA ${formatPercent(r.accuracy.ua.value)}` : null,
    fairness: gap ? `SP ${formatFixed(gap.value)}, ${gap.attribute}` : null,
    safety: attack ? `${attack.method.toUpperCase()} ${attack.snrDb} dB: ${formatPercent(attack.successRate)}` : null,
    privacy: probe ? `${formatPercent(probe.accuracy)} vs majority ${formatPercent(probe.majority)}` : null,
    efficiency: r.sustainability ? formatSiUnit(r.sustainability.macsPerSecond, 'MAC/s') : null,
  };
}

/** Centre and outer radius of the radar (px, in the chart's coordinates). */
export interface RadarGeometry {
  cx: number;
  cy: number;
  radius: number;
}

/** Radar layout (px). */
const RADAR = { width: 560, radius: 150, top: 8, labelGap: 14, labelLine: 14, bottomPad: 10, rings: 4 } as const;
/** Fill opacity of a model's polygon. */
const POLYGON_FILL_OPACITY = 0.12;
const MARKER_RADIUS = 4;

/** Where the radar is drawn inside {@link radarChart}'s SVG. */
export function radarGeometry(): RadarGeometry {
  return { cx: RADAR.width / 2, cy: RADAR.top + 2 * RADAR.labelLine + RADAR.labelGap + RADAR.radius + 8, radius: RADAR.radius };
}

/** Angle (radians, SVG orientation: y down) of axis `i` of `n`, clockwise from the top. */
function axisAngle(i: number, n: number): number {
  return -Math.PI / 2 + (2 * Math.PI * i) / n;
}

/** The point of `score` (clamped to [0, 1]) on axis `i` of `n`. */
export function radarPoint(g: RadarGeometry, i: number, n: number, score: number): [number, number] {
  const a = axisAngle(i, n);
  const r = g.radius * clamp01(score);
  return [g.cx + r * Math.cos(a), g.cy + r * Math.sin(a)];
}

/** One model on the radar. */
export interface RadarModel {
  name: string;
  scores: TrustScores;
  /** Per-axis tooltip text (the measured value). */
  sources?: Record<keyof TrustScores, string | null>;
}

function axisLabel(g: RadarGeometry, i: number, n: number, axis: RadarAxis): string {
  const a = axisAngle(i, n);
  const [cos, sin] = [Math.cos(a), Math.sin(a)];
  const r = g.radius + RADAR.labelGap;
  const x = g.cx + r * cos;
  let y = g.cy + r * sin;
  const anchor = cos > 0.25 ? 'start' : cos < -0.25 ? 'end' : 'middle';
  if (sin < -0.5)
    y -= RADAR.labelLine + 4; // above the top vertex: two lines end at the vertex
  else if (sin > 0.5)
    y += RADAR.labelLine - 2; // below the bottom vertices
  else y -= 2;
  return (
    text(x, y, axis.name, { 'text-anchor': anchor, 'font-weight': 600 }) +
    text(x, y + RADAR.labelLine, axis.range, { 'text-anchor': anchor, 'font-size': FONT_SIZE.small, fill: INK.muted })
  );
}

/**
 * The trust-profile radar of one or more models.
 * Missing scores are drawn at the centre with a hollow marker and listed in the legend.
 */
export function radarChart(models: RadarModel[], title = 'Trust profile'): string {
  const g = radarGeometry();
  const n = RADAR_AXES.length;
  let grid = '';
  for (let k = RADAR.rings; k >= 1; k--) {
    // outermost (filled) first so the inner rings are drawn over its fill
    const s = k / RADAR.rings;
    const pts = RADAR_AXES.map((_, i) => radarPoint(g, i, n, s).map(num).join(',')).join(' ');
    grid += el('polygon', { points: pts, fill: k === RADAR.rings ? INK.panel : 'none', stroke: INK.grid, 'stroke-width': 1 });
  }
  for (let i = 0; i < n; i++) {
    const [x, y] = radarPoint(g, i, n, 1);
    grid += el('line', { x1: g.cx, y1: g.cy, x2: x, y2: y, stroke: INK.grid, 'stroke-width': 1 });
    grid += axisLabel(g, i, n, RADAR_AXES[i]);
  }
  for (let k = 1; k <= RADAR.rings; k++) {
    const [x, y] = radarPoint(g, 0, n, k / RADAR.rings);
    grid += text(x + 4, y + 10, formatFixed(k / RADAR.rings, 2), {
      'font-size': FONT_SIZE.small,
      fill: INK.faint,
      stroke: '#ffffff',
      'stroke-width': 3,
      'paint-order': 'stroke',
    });
  }
  let shapes = '';
  const items: LegendItem[] = [];
  models.forEach((m, j) => {
    const color = seriesColor(j);
    const values = RADAR_AXES.map((a) => m.scores[a.key]);
    const pts = values.map((v, i) => radarPoint(g, i, n, v ?? 0));
    shapes += el('polygon', {
      class: 'radar-model',
      'data-model': m.name,
      points: pts.map((p) => p.map(num).join(',')).join(' '),
      fill: color,
      'fill-opacity': POLYGON_FILL_OPACITY,
      stroke: color,
      'stroke-width': 2,
      'stroke-linejoin': 'round',
    });
    values.forEach((v, i) => {
      const axis = RADAR_AXES[i];
      const detail = v === null ? NOT_MEASURED : `score ${formatFixed(v, 2)}${m.sources?.[axis.key] ? ` — ${m.sources[axis.key]}` : ''}`;
      shapes += el(
        'circle',
        { cx: pts[i][0], cy: pts[i][1], r: MARKER_RADIUS, fill: v === null ? '#ffffff' : color, stroke: color, 'stroke-width': 1.5 },
        tooltip(`${m.name} — ${axis.name}: ${detail}`),
      );
    });
    const missing = RADAR_AXES.filter((a) => m.scores[a.key] === null).map((a) => a.name);
    items.push({ label: m.name, color, note: missing.length ? `(not measured: ${missing.join(', ')})` : undefined });
  });
  if (models.every((m) => RADAR_AXES.every((a) => m.scores[a.key] === null))) {
    shapes += text(g.cx, g.cy - 12, NOT_MEASURED, {
      'text-anchor': 'middle',
      fill: INK.faint,
      'font-style': 'italic',
      'font-size': FONT_SIZE.title,
    });
  }
  const legendY = g.cy + g.radius * Math.sin(axisAngle(2, n)) + RADAR.labelGap + 2 * RADAR.labelLine + 16;
  const lg = legend(items, 20, legendY, RADAR.width - 40);
  const noteY = legendY + lg.height + 16;
  const note = text(20, noteY, 'Centre = worst (score 0), rim = best (score 1); each label gives the range mapped centre → rim.', {
    'font-size': FONT_SIZE.small,
    fill: INK.muted,
  });
  const height = noteY + RADAR.bottomPad;
  return svgRoot(RADAR.width, height, title, el('g', { class: 'radar-grid' }, grid) + shapes + lg.svg + note, 'chart radar');
}
