/** Section 2: fairness — UA per group with CIs, and the group-gap metrics of docs/metrics.md. */
import { barChart } from '../bars.js';
import { formatEstimateHtml, formatFixed } from '../format.js';
import { type TableGroup, type TableRow, chartRow, figure, metricTable, section, union } from '../layout.js';
import type { FairnessAttribute } from '../schema.js';
import { notMeasuredChart } from '../svg.js';
import { CHART_WIDTH, type ReportModel, pct, pctTick } from './common.js';

type GapKey = 'statisticalParity' | 'equalOpportunity' | 'demographicParity' | 'trueRatesDifference' | 'averageOdds';

/** The gap metrics, in table order, with their display names. */
const GAP_METRICS: ReadonlyArray<{ key: GapKey; label: string; sub: string }> = [
  { key: 'statisticalParity', label: 'Statistical parity gap', sub: 'distance of prediction rates' },
  { key: 'equalOpportunity', label: 'Equal-opportunity gap', sub: 'distance of per-class recall profiles' },
  { key: 'demographicParity', label: 'Demographic parity (Trust-SER)', sub: 'max over classes, two groups' },
  { key: 'trueRatesDifference', label: 'True-rates difference', sub: 'mean recall difference' },
  { key: 'averageOdds', label: 'Average odds', sub: 'distance of prediction totals' },
];

/** "max over group pairs", naming every aggregation the models used. */
function aggregationNote(attrs: FairnessAttribute[]): string {
  const kinds = union(attrs.map((a) => [a.aggregation ?? 'max']));
  return `${kinds.join(' / ')} over group pairs`;
}

/** Capitalizes the first letter of an attribute name for headings. */
function titleCase(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Renders the fairness section (numbered `num`). */
export function fairnessSection(models: ReportModel[], num: number): string {
  const attributes = union(models.map((m) => Object.keys(m.report.fairness ?? {})));
  const figures: string[] = [];
  const rows: Array<TableRow | TableGroup> = [];
  for (const attr of attributes) {
    const per = models.map((m) => m.report.fairness?.[attr]);
    const present = per.filter((a): a is FairnessAttribute => a !== undefined);
    const groups = union(present.map((a) => a.groups.map((g) => g.name)));
    const single = models.length === 1 ? per[0] : undefined;
    const chart = barChart({
      title: `UA by ${attr}`,
      categories: groups,
      categoryNotes: single ? groups.map((g) => `n = ${single.groups.find((x) => x.name === g)?.n ?? 0}`) : undefined,
      series: models.map((m, i) => ({
        name: m.name,
        color: m.color,
        values: groups.map((g) => per[i]?.groups.find((x) => x.name === g)?.ua ?? null),
      })),
      yLabel: 'UA',
      yDomain: [0, 1],
      format: pct,
      tickFormat: pctTick,
      width: CHART_WIDTH,
    });
    figures.push(figure(chart, 'Bars: UA of each group; whiskers: 95% confidence interval.'));
    rows.push({ group: titleCase(attr) });
    for (const g of groups) {
      rows.push({
        label: `UA · ${g}`,
        cells: per.map((a) => {
          const grp = a?.groups.find((x) => x.name === g);
          return grp ? `${formatEstimateHtml(grp.ua, pct)}<span class="sub">n = ${grp.n}</span>` : null;
        }),
      });
    }
    for (const metric of GAP_METRICS) {
      if (!present.some((a) => a[metric.key])) continue;
      const withMetric = present.filter((a) => a[metric.key]);
      rows.push({
        label: metric.label,
        sub: `${metric.sub}; ${aggregationNote(withMetric)}`,
        cells: per.map((a) => {
          const e = a?.[metric.key];
          return e ? formatEstimateHtml(e, (x) => formatFixed(x)) : null;
        }),
      });
    }
  }
  if (attributes.length === 0) {
    figures.push(figure(notMeasuredChart('UA by group', CHART_WIDTH)));
    rows.push({ label: 'Statistical parity gap', cells: models.map(() => null) });
  }
  const lead =
    'How evenly the model serves the values of each protected attribute. Gaps are distances in [0, 1] between groups (0 = parity; lower is better), aggregated over group pairs as defined in docs/metrics.md.';
  return section(
    'fairness',
    num,
    'Fairness',
    lead,
    chartRow([
      ...figures,
      metricTable(
        models.map((m) => m.name),
        rows,
      ),
    ]),
  );
}
