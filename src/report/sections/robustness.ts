/** Section 4: robustness — UA under additive noise (vs SNR) and reverberation (vs RT60). */
import { escapeXml } from '../format.js';
import { type TableRow, chartRow, figure, metricTable, section, stack } from '../layout.js';
import { type LineSeries, REFERENCE_DASH, type ReferenceLine, lineChart } from '../lines.js';
import type { RobustnessPoint } from '../schema.js';
import { INK, seriesColor, seriesDash } from '../svg.js';
import { CHART_WIDTH, type ReportModel, factoredLegend, pct, pctTick } from './common.js';

type Corruption = Exclude<RobustnessPoint['kind'], 'clean'>;
/** Display names of the corruptions. */
const KIND_NAMES: Record<Corruption, string> = { white: 'white noise', babble: 'babble noise', reverb: 'reverberation' };
const NOISE_KINDS: readonly Corruption[] = ['white', 'babble'];

function seriesFor(models: ReportModel[], kinds: readonly Corruption[]): LineSeries[] {
  const out: LineSeries[] = [];
  const single = models.length === 1;
  for (const m of models) {
    kinds.forEach((kind, k) => {
      const pts = (m.report.robustness ?? [])
        .filter((p) => p.kind === kind && p.level !== null)
        .map((p): [number, number] => [p.level as number, p.ua]);
      if (!pts.length) return;
      out.push({
        name: single ? KIND_NAMES[kind] : `${m.name} · ${KIND_NAMES[kind]}`,
        color: single ? seriesColor(k) : m.color,
        dash: single ? '' : seriesDash(k),
        points: pts,
      });
    });
  }
  return out;
}

function cleanLines(models: ReportModel[]): ReferenceLine[] {
  return models.flatMap((m) => {
    const clean = m.report.robustness?.find((p) => p.kind === 'clean');
    return clean
      ? [
          {
            y: clean.ua,
            label: models.length === 1 ? 'clean speech' : `${m.name} · clean`,
            color: models.length === 1 ? INK.muted : m.color,
          },
        ]
      : [];
  });
}

/** "30 dB" or "RT60 0.4 s". */
function levelText(p: RobustnessPoint): string {
  return p.kind === 'reverb' ? `RT60 ${p.level} s` : `${p.level} dB SNR`;
}

/** Renders the robustness section (numbered `num`). */
export function robustnessSection(models: ReportModel[], num: number): string {
  const refs = cleanLines(models);
  const common = { yLabel: 'UA', format: pct, tickFormat: pctTick, width: CHART_WIDTH, references: refs };
  /** Several models: colour = model, dash = corruption kind, dotted = clean speech. */
  const legendFor = (kinds: readonly Corruption[]) => {
    if (models.length === 1) return undefined;
    const present = kinds.flatMap((kind, k) =>
      models.some((m) => m.report.robustness?.some((p) => p.kind === kind)) ? [{ label: KIND_NAMES[kind], dash: seriesDash(k) }] : [],
    );
    const clean = refs.length ? [{ label: 'clean speech', color: INK.text, swatch: 'line' as const, dash: REFERENCE_DASH }] : [];
    return factoredLegend(models, present, clean);
  };
  const noise = lineChart({
    ...common,
    title: 'UA under additive noise',
    xLabel: 'SNR (dB) — lower = noisier',
    series: seriesFor(models, NOISE_KINDS),
    xFormat: (x) => `${x} dB`,
    legend: legendFor(NOISE_KINDS),
  });
  const reverb = lineChart({
    ...common,
    title: 'UA under reverberation',
    xLabel: 'RT60 (s) — higher = more reverberant',
    series: seriesFor(models, ['reverb']),
    xFormat: (x) => `${x} s`,
    legend: legendFor(['reverb']),
  });

  const order: RobustnessPoint['kind'][] = ['clean', 'white', 'babble', 'reverb'];
  const points = [...new Map(models.flatMap((m) => m.report.robustness ?? []).map((p) => [`${p.kind}@${p.level}`, p])).values()].sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      (a.kind === 'reverb' ? (a.level ?? 0) - (b.level ?? 0) : (b.level ?? 0) - (a.level ?? 0)),
  );
  const rows: TableRow[] = points.map((p) => ({
    label: p.kind === 'clean' ? 'Clean speech' : `${KIND_NAMES[p.kind]}, ${levelText(p)}`,
    cells: models.map((m) => {
      if (!m.report.robustness) return null;
      const q = m.report.robustness.find((x) => x.kind === p.kind && x.level === p.level);
      return q ? escapeXml(pct(q.ua)) : '<span class="nm">—</span>';
    }),
  }));
  if (rows.length === 0) rows.push({ label: 'UA under corruption', cells: models.map(() => null) });
  const lead =
    'UA on the test set corrupted by white noise and babble at decreasing SNR, and by synthetic reverberation at increasing RT60; the dotted line is UA on clean speech.';
  return section(
    'robustness',
    num,
    'Robustness',
    lead,
    chartRow([
      stack([figure(noise), figure(reverb)]),
      metricTable(
        models.map((m) => m.name),
        rows,
      ),
    ]),
  );
}
