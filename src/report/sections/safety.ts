/** Section 3: safety — adversarial attack success rate against the perturbation SNR. */
import { escapeXml } from '../format.js';
import { type TableRow, chartRow, figure, metricTable, section } from '../layout.js';
import { type LineSeries, lineChart } from '../lines.js';
import type { AttackPoint } from '../schema.js';
import { seriesColor, seriesDash } from '../svg.js';
import { CHART_WIDTH, type ReportModel, factoredLegend, pct, pctTick } from './common.js';

/** Attack methods, in display order. */
const METHODS: ReadonlyArray<AttackPoint['method']> = ['fgsm', 'pgd'];

/** Renders the safety section (numbered `num`). */
export function safetySection(models: ReportModel[], num: number): string {
  const series: LineSeries[] = [];
  models.forEach((m) => {
    const attacks = m.report.safety?.attacks ?? [];
    METHODS.forEach((method, k) => {
      const pts = attacks.filter((a) => a.method === method).map((a): [number, number] => [a.snrDb, a.successRate]);
      if (!pts.length) return;
      const single = models.length === 1;
      series.push({
        name: single ? method.toUpperCase() : `${m.name} · ${method.toUpperCase()}`,
        color: single ? seriesColor(k) : m.color,
        dash: single ? '' : seriesDash(k),
        points: pts,
      });
    });
  });
  const variants = METHODS.flatMap((method, k) =>
    models.some((m) => m.report.safety?.attacks.some((a) => a.method === method))
      ? [{ label: method.toUpperCase(), dash: seriesDash(k) }]
      : [],
  );
  const chart = lineChart({
    title: 'Attack success vs perturbation SNR',
    xLabel: 'perturbation SNR (dB) — lower = stronger attack',
    yLabel: 'attack success',
    series,
    yDomain: [0, 1],
    format: pct,
    tickFormat: pctTick,
    xFormat: (x) => `${x} dB`,
    width: CHART_WIDTH,
    legend: models.length > 1 ? factoredLegend(models, variants) : undefined,
  });
  const keys = [...new Map(models.flatMap((m) => m.report.safety?.attacks ?? []).map((a) => [`${a.method}@${a.snrDb}`, a])).values()].sort(
    (a, b) => METHODS.indexOf(a.method) - METHODS.indexOf(b.method) || b.snrDb - a.snrDb,
  );
  const rows: TableRow[] = keys.map((k) => ({
    label: `${k.method.toUpperCase()} at ${k.snrDb} dB`,
    cells: models.map((m) => {
      if (!m.report.safety) return null;
      const a = m.report.safety.attacks.find((x) => x.method === k.method && x.snrDb === k.snrDb);
      if (!a) return '<span class="nm">—</span>';
      const ci =
        a.low !== undefined && a.high !== undefined ? ` <span class="ci">[${escapeXml(pct(a.low))}–${escapeXml(pct(a.high))}]</span>` : '';
      const counts =
        a.attacked !== undefined && a.flipped !== undefined ? `<span class="sub">${a.flipped} of ${a.attacked} attacked</span>` : '';
      return `<span class="nw">${escapeXml(pct(a.successRate))}${ci}</span>${counts}`;
    }),
  }));
  if (rows.length === 0) rows.push({ label: 'Attack success rate', cells: models.map(() => null) });
  const lead =
    'Waveform adversarial attacks (FGSM, PGD) scaled to a target signal-to-perturbation ratio. Success rate = share of correctly classified test utterances that the attack misclassifies; lower is safer.';
  return section(
    'safety',
    num,
    'Safety',
    lead,
    chartRow([
      figure(chart),
      metricTable(
        models.map((m) => m.name),
        rows,
      ),
    ]),
  );
}
