/** Section 5: privacy — how well attribute probes recover gender and speaker from the embeddings. */
import { barChart } from '../bars.js';
import { escapeXml } from '../format.js';
import { type TableRow, chartRow, figure, metricTable, section } from '../layout.js';
import { CHART_WIDTH, type ReportModel, pct, pctTick } from './common.js';

/** Percentage points, signed: `+11.0 pp`. */
function pp(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pp`;
}

/** Renders the privacy section (numbered `num`). */
export function privacySection(models: ReportModel[], num: number): string {
  const chart = barChart({
    title: 'Attribute inference from embeddings',
    categories: ['gender probe', 'speaker probe'],
    series: models.map((m) => {
      const p = m.report.privacy;
      return {
        name: m.name,
        color: m.color,
        values: [
          p ? { value: p.genderProbe.accuracy, reference: p.genderProbe.majority } : null,
          p?.speakerProbe ? { value: p.speakerProbe.accuracy, reference: p.speakerProbe.chance } : null,
        ],
      };
    }),
    yLabel: 'probe accuracy',
    yDomain: [0, 1],
    format: pct,
    tickFormat: pctTick,
    referenceLabel: 'majority / chance rate',
    width: CHART_WIDTH,
  });
  const cell = (f: (m: ReportModel) => number | undefined, fmt: (x: number) => string) =>
    models.map((m) => {
      if (!m.report.privacy) return null;
      const v = f(m);
      return v === undefined ? '<span class="nm">—</span>' : escapeXml(fmt(v));
    });
  const rows: TableRow[] = [
    {
      label: 'Gender probe accuracy',
      sub: 'unseen speakers; lower = more private',
      cells: cell((m) => m.report.privacy?.genderProbe.accuracy, pct),
    },
    {
      label: 'Majority-gender rate',
      sub: 'what a probe learns from nothing',
      cells: cell((m) => m.report.privacy?.genderProbe.majority, pct),
    },
    {
      label: 'Gender leakage',
      sub: 'probe accuracy − majority rate',
      cells: cell(
        (m) => (m.report.privacy ? m.report.privacy.genderProbe.accuracy - m.report.privacy.genderProbe.majority : undefined),
        pp,
      ),
    },
  ];
  if (models.some((m) => m.report.privacy?.speakerProbe)) {
    rows.push(
      { label: 'Speaker probe accuracy', cells: cell((m) => m.report.privacy?.speakerProbe?.accuracy, pct) },
      { label: 'Speaker chance rate', cells: cell((m) => m.report.privacy?.speakerProbe?.chance, pct) },
    );
  }
  const lead =
    'A probe trained on the model’s utterance embeddings tries to infer who is speaking and their gender. Accuracy near the majority/chance rate means the embeddings leak little; higher means less private.';
  return section(
    'privacy',
    num,
    'Privacy',
    lead,
    chartRow([
      figure(chart, 'Bars: probe accuracy; dashed marks: the majority-class (gender) or chance (speaker) rate.'),
      metricTable(
        models.map((m) => m.name),
        rows,
      ),
    ]),
  );
}
