/** Section 1: accuracy — UA, WA, macro-F1 with CIs, per-class recall and the confusion matrices. */
import { barChart } from '../bars.js';
import { formatEstimateHtml, escapeXml } from '../format.js';
import { confusionHeatmap } from '../heatmap.js';
import { type TableGroup, type TableRow, chartRow, figure, metricTable, section, stack, union } from '../layout.js';
import { notMeasuredChart } from '../svg.js';
import { CHART_WIDTH, type ReportModel, pct, pctTick } from './common.js';

/** Recall chart sizing (px): width per bar, margins, and the page-wide maximum. */
const RECALL_BAR_WIDTH = 40;
const RECALL_MARGINS = 100;
const RECALL_MAX_WIDTH = 1000;

/** Renders the accuracy section (numbered `num`). */
export function accuracySection(models: ReportModel[], num: number): string {
  const measured = models.filter((m) => m.report.accuracy);
  const classes = union(measured.map((m) => m.report.classes));
  const rows: Array<TableRow | TableGroup> = [
    {
      label: 'UA',
      sub: 'unweighted average recall',
      cells: models.map((m) => (m.report.accuracy ? formatEstimateHtml(m.report.accuracy.ua, pct) : null)),
    },
    {
      label: 'WA',
      sub: 'overall accuracy',
      cells: models.map((m) => (m.report.accuracy ? formatEstimateHtml(m.report.accuracy.wa, pct) : null)),
    },
    { label: 'Macro-F1', cells: models.map((m) => (m.report.accuracy ? formatEstimateHtml(m.report.accuracy.macroF1, pct) : null)) },
  ];
  if (classes.length) rows.push({ group: 'Recall per class' });
  for (const c of classes) {
    rows.push({
      label: c,
      cells: models.map((m) => {
        const a = m.report.accuracy;
        if (!a) return null;
        const i = m.report.classes.indexOf(c);
        return i < 0 ? '<span class="nm">class not in model</span>' : escapeXml(pct(a.perClassRecall[i]));
      }),
    });
  }
  const figures: string[] = [];
  if (measured.length === 0) {
    figures.push(figure(notMeasuredChart('Recall per class', CHART_WIDTH)), figure(notMeasuredChart('Confusion matrix', CHART_WIDTH)));
  } else {
    const recall = barChart({
      title: 'Recall per class',
      categories: classes,
      series: measured.map((m) => ({
        name: m.name,
        color: m.color,
        values: classes.map((c) => {
          const i = m.report.classes.indexOf(c);
          return i < 0 ? null : { value: m.report.accuracy!.perClassRecall[i] };
        }),
      })),
      yLabel: 'recall',
      yDomain: [0, 1],
      format: pct,
      tickFormat: pctTick,
      width: Math.max(CHART_WIDTH, Math.min(RECALL_MAX_WIDTH, RECALL_BAR_WIDTH * classes.length * measured.length + RECALL_MARGINS)),
    });
    figures.push(figure(recall, 'Diagonal of the row-normalized confusion matrix; UA is its mean.'));
    for (const m of measured) {
      const title = models.length > 1 ? `Confusion matrix — ${m.name}` : 'Confusion matrix';
      figures.push(
        figure(
          confusionHeatmap(m.report.classes, m.report.accuracy!.confusion, title),
          'Counts of test utterances; rows: true class, columns: predicted class.',
        ),
      );
    }
  }
  const lead =
    'Speaker-independent test set. UA (macro recall) is the headline metric for imbalanced emotion corpora; intervals are 95% confidence intervals where measured.';
  const table = metricTable(
    models.map((m) => m.name),
    rows,
  );
  // one model: recall chart over its table, beside the heat map; several: the wide recall
  // chart and the table first, then the heat maps two by two
  const body =
    models.length === 1
      ? chartRow([stack([figures[0], table]), ...figures.slice(1)])
      : chartRow([figures[0], table]) + chartRow(figures.slice(1));
  return section('accuracy', num, 'Accuracy', lead, body);
}
