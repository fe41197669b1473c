/** The self-contained HTML page of a dimensional audit: accuracy, fairness and robustness tables and charts. */
import { barChart, escapeXml, lineChart, seriesColor } from '../report/index.js';
import type { DimensionalEstimate, DimensionalTrust } from './audit.js';

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));
const est = (e: DimensionalEstimate) => `${f3(e.value)}${e.low === null ? '' : ` [${f3(e.low)}, ${f3(e.high)}]`}`;

const CSS = `body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}.note{background:#fff6d6;padding:.5em .8em;border-left:4px solid #e0a800}
.nm{color:#777}figure{display:inline-block;margin:.5em}`;

/** The page of one dimensional audit (no external resources). */
export function renderDimensionalHtml(t: DimensionalTrust): string {
  const row = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const head = (cells: string[]) => `<tr>${cells.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr>`;
  const parts: string[] = [
    `<h1>Dimensional trust report</h1><p>${escapeXml(t.run)} — ${t.utterances} test utterances over folds ${t.folds.join(', ')}; targets ${t.targets.join(', ')}.</p>`,
    ...t.notes.map((n) => `<p class="note">${escapeXml(n)}</p>`),
    '<h2>Accuracy</h2><p>CCC with a 95% bootstrap interval over speakers; Pearson r and RMSE of the pooled test predictions.</p>',
    `<table>${head(['attribute', 'CCC [95% CI]', 'r', 'RMSE'])}${t.accuracy.map((a) => row([a.target, est(a.ccc), f3(a.pearson), f3(a.rmse)])).join('')}</table>`,
    '<h2>Fairness</h2>',
  ];
  const g = t.fairness.gender;
  if (g) {
    parts.push(
      `<table>${head(['attribute', ...g.groups.map((x) => `CCC ${x.group} (n ${x.n})`), 'CCC gap', `mean prediction ${g.groups[0].group} − ${g.groups[1].group}`, 'same for the labels'])}${t.targets
        .map((a, i) => row([a, ...g.groups.map((x) => est(x.ccc[i])), f3(g.cccGap[i]), f3(g.meanPredictionGap[i]), f3(g.meanLabelGap[i])]))
        .join('')}</table>`,
      `<figure>${barChart({
        title: 'CCC by gender',
        categories: [...t.targets],
        series: g.groups.map((x, i) => ({
          name: x.group,
          color: seriesColor(i),
          values: x.ccc.map((e) => (e.value === null ? null : { value: e.value, low: e.low ?? undefined, high: e.high ?? undefined })),
        })),
        yLabel: 'CCC',
        format: (x) => x.toFixed(2),
        yDomain: [Math.min(0, ...g.groups.flatMap((x) => x.ccc.map((e) => e.low ?? 0))), 1],
      })}</figure>`,
    );
  } else parts.push(`<p class="nm">By gender: not measured (${escapeXml(t.notMeasured.fairnessGender ?? '')}).</p>`);
  const s = t.fairness.speaker;
  parts.push(
    `<p>Per-speaker CCC over ${s.speakers} test speakers (each with ≥ 5 utterances):</p><table>${head(['attribute', 'min', 'mean', 'std', 'max'])}${t.targets
      .map((a, i) => row([a, f3(s.cccMin[i]), f3(s.cccMean[i]), f3(s.cccStd[i]), f3(s.cccMax[i])]))
      .join('')}</table>`,
    '<h2>Robustness</h2>',
  );
  const r = t.robustness;
  if (r) {
    const noisy = r.points.filter((p) => p.kind !== 'clean');
    const clean = r.points.find((p) => p.kind === 'clean');
    parts.push(
      `<p>CCC of ${r.utterances} test utterances, clean and under noise (same utterances in every condition).</p>`,
      `<table>${head(['condition', ...t.targets])}${r.points.map((p) => row([p.kind === 'clean' ? 'clean' : `${p.kind} ${p.snrDb} dB`, ...p.ccc.map(f3)])).join('')}</table>`,
      ...t.targets.map(
        (a, i) =>
          `<figure>${lineChart({
            title: `CCC ${a} under noise`,
            xLabel: 'SNR (dB)',
            yLabel: 'CCC',
            series: [...new Set(noisy.map((p) => p.kind))].map((kind, j) => ({
              name: kind,
              color: seriesColor(j),
              points: noisy.filter((p) => p.kind === kind && p.ccc[i] !== null).map((p) => [p.snrDb!, p.ccc[i]!] as [number, number]),
            })),
            references: clean?.ccc[i] == null ? [] : [{ y: clean.ccc[i]!, label: 'clean', color: '#555' }],
            format: (x) => x.toFixed(2),
          })}</figure>`,
      ),
    );
  } else parts.push(`<p class="nm">Not measured (${escapeXml(t.notMeasured.robustness ?? '')}).</p>`);
  parts.push('<h2>Safety</h2>');
  const sf = t.safety;
  if (sf)
    parts.push(
      `<p>Waveform attacks that increase the prediction error; an attack succeeds when some attribute's prediction moves by more than ${(100 * sf.moveFraction).toFixed(0)}% of the scale [${sf.range.join(', ')}].</p>`,
      `<table>${head(['attack', 'SNR dB', 'attacked', 'moved', 'success', ...t.targets.map((a) => `mean |shift| ${a}`)])}${sf.points
        .map((p) =>
          row([
            p.method,
            String(p.snrDb),
            String(p.attacked),
            String(p.moved),
            p.successRate === null ? '—' : `${(100 * p.successRate).toFixed(1)} %`,
            ...p.meanShift.map(f3),
          ]),
        )
        .join('')}</table>`,
    );
  else parts.push(`<p class="nm">Not measured: ${escapeXml(t.notMeasured.safety ?? '')}.</p>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dimensional trust report</title><style>${CSS}</style></head><body>${parts.join('\n')}</body></html>\n`;
}
