/**
 * What every section renderer receives: the reports with their display names and series
 * colours (the same colour for a model in every chart and table of the page), and shared
 * formatters.
 */
import { formatPercent } from '../format.js';
import type { TrustReport } from '../schema.js';
import { INK, type LegendItem } from '../svg.js';

/** One model on the page. */
export interface ReportModel {
  /** Unique display name. */
  name: string;
  /** Series colour in every chart. */
  color: string;
  report: TrustReport;
}

/** Percent with one decimal (values, tooltips). */
export const pct = (x: number): string => formatPercent(x);
/** Percent without decimals (axis ticks). */
export const pctTick = (x: number): string => formatPercent(x, 0);

/** Width (px) of the standard charts, two per row. */
export const CHART_WIDTH = 460;

/**
 * The legend of a chart overlaying several models × several variants: one colour box per
 * model, one dash pattern per variant (drawn in neutral ink), then any extra entries.
 */
export function factoredLegend(
  models: ReportModel[],
  variants: Array<{ label: string; dash: string }>,
  extra: LegendItem[] = [],
): LegendItem[] {
  return [
    ...models.map((m): LegendItem => ({ label: m.name, color: m.color })),
    ...variants.map((v): LegendItem => ({ label: v.label, color: INK.text, swatch: 'line', dash: v.dash })),
    ...extra,
  ];
}
