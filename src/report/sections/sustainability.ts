/** Section 6: sustainability — model size, compute, latency, memory and training time. */
import { escapeXml, formatCount, formatDuration, formatSi, formatSiUnit } from '../format.js';
import { type TableRow, metricTable, section } from '../layout.js';
import type { SustainabilitySection } from '../schema.js';
import type { ReportModel } from './common.js';

type Row = { label: string; sub?: string; value: (s: SustainabilitySection) => string | null };

/** The table rows and how each value is shown. */
const ROWS: readonly Row[] = [
  { label: 'Parameters', value: (s) => `${formatCount(s.params)} <span class="ci">(${escapeXml(formatSi(s.params))})</span>` },
  {
    label: 'Backbone',
    sub: 'frozen, counted in the rows above',
    value: (s) =>
      s.backbone
        ? escapeXml(
            `${s.backbone.name}: ${formatSi(s.backbone.params)} parameters, ${s.backbone.macsPerSecond === null ? 'MACs not counted' : formatSiUnit(s.backbone.macsPerSecond, 'MAC/s')}`,
          )
        : '<span class="nm">none</span>',
  },
  {
    label: 'MACs per second of audio',
    sub: 'multiply-accumulates, counted',
    value: (s) => escapeXml(formatSiUnit(s.macsPerSecond, 'MAC/s')),
  },
  { label: 'Inference latency', sub: 'median, one utterance, features included', value: (s) => escapeXml(`${s.latencyMs.toFixed(2)} ms`) },
  {
    label: 'Real-time factor',
    sub: 'latency ÷ audio duration; < 1 is faster than real time',
    value: (s) => escapeXml(s.realTimeFactor.toPrecision(3)),
  },
  { label: 'Peak memory', sub: 'resident, during the audit', value: (s) => escapeXml(`${s.peakMemoryMb.toFixed(0)} MB`) },
  {
    label: 'Training time',
    sub: 'wall clock, whole run',
    value: (s) => (s.trainSeconds == null ? '<span class="nm">not recorded</span>' : escapeXml(formatDuration(s.trainSeconds))),
  },
];

/** Renders the sustainability section (numbered `num`). */
export function sustainabilitySection(models: ReportModel[], num: number): string {
  const rows: TableRow[] = ROWS.map((r) => ({
    label: r.label,
    sub: r.sub,
    cells: models.map((m) => (m.report.sustainability ? r.value(m.report.sustainability) : null)),
  }));
  const lead =
    'The cost of running and training the model: fewer parameters, MACs and milliseconds mean less energy per prediction and deployability on small devices.';
  return section(
    'sustainability',
    num,
    'Sustainability',
    lead,
    metricTable(
      models.map((m) => m.name),
      rows,
    ),
  );
}
