/**
 * The trust report page: one self-contained HTML document (inline CSS and SVG, no scripts, no
 * URLs) with a summary table, the trust-profile radar and a section per trust dimension.
 * Several reports make a comparison page: the radar overlays them and every table has one
 * column per model.
 */
import { escapeXml, formatCount, formatEstimateHtml, formatFixed, formatSiUnit } from './format.js';
import { type TableGroup, type TableRow, displayNames, metricTable, section } from './layout.js';
import { RADAR_AXES, radarChart, trustScoreSources, trustScores, worstAttack, worstParityGap } from './radar.js';
import type { TrustDimension, TrustReport } from './schema.js';
import { accuracySection } from './sections/accuracy.js';
import { calibrationSection } from './sections/calibration.js';
import { type ReportModel, pct } from './sections/common.js';
import { fairnessSection } from './sections/fairness.js';
import { privacySection } from './sections/privacy.js';
import { robustnessSection } from './sections/robustness.js';
import { safetySection } from './sections/safety.js';
import { sustainabilitySection } from './sections/sustainability.js';
import { seriesColor } from './svg.js';
import { REPORT_CSS } from './style.js';

/** The trust dimensions, in page order: id, heading and renderer. */
const DIMENSIONS: ReadonlyArray<{ id: TrustDimension; title: string; render: (models: ReportModel[], num: number) => string }> = [
  { id: 'accuracy', title: 'Accuracy', render: accuracySection },
  { id: 'calibration', title: 'Calibration', render: calibrationSection },
  { id: 'fairness', title: 'Fairness', render: fairnessSection },
  { id: 'safety', title: 'Safety', render: safetySection },
  { id: 'robustness', title: 'Robustness', render: robustnessSection },
  { id: 'privacy', title: 'Privacy', render: privacySection },
  { id: 'sustainability', title: 'Sustainability', render: sustainabilitySection },
];

/** A summary cell for metadata the report does not give. */
const NOT_GIVEN = '<span class="nm">—</span>';
/** Class lists longer than this are shortened in the summary table. */
const SUMMARY_MAX_CLASSES = 10;

/** The metric definitions printed at the end of the page. */
const DEFINITIONS: ReadonlyArray<[string, string]> = [
  ['UA', 'Unweighted average recall: the mean of the per-class recalls over the classes present in the test set.'],
  ['WA', 'Weighted accuracy: the share of test utterances classified correctly.'],
  [
    'Statistical parity gap',
    'Total-variation distance ½ Σ_c |P(ŷ=c | g) − P(ŷ=c | h)| between the prediction-rate vectors of two groups, aggregated over group pairs.',
  ],
  [
    'Equal-opportunity gap',
    'Σ_{i,j} |M_g(i,j) − M_h(i,j)| / 2K between the column-normalized confusion matrices of two groups, aggregated over pairs.',
  ],
  [
    'ECE',
    'Expected calibration error: test predictions are grouped into equal-width bins of their top-class probability; ECE is the count-weighted mean over the bins of |accuracy − mean confidence|.',
  ],
  [
    'Temperature scaling',
    'Posteriors p become normalize(p^(1/T)) (softmax(z/T) for logits z), with T fitted on each fold’s dev set to minimize the negative log-likelihood; T > 1 softens over-confident posteriors. The predicted class never changes.',
  ],
  ['Demographic parity', 'Trust-SER’s two-group metric: max over classes of |P(y=ŷ=c | male) − P(y=ŷ=c | female)|.'],
  [
    'Attack success rate',
    'Share of correctly classified utterances misclassified after the attack; the perturbation is scaled to the stated signal-to-perturbation ratio.',
  ],
  [
    'Gender-probe accuracy',
    'Accuracy of a classifier trained on the model’s embeddings to predict gender, tested on speakers it has not seen.',
  ],
  ['MACs/s', 'Multiply-accumulate operations per second of input audio, counted from the model structure.'],
  ['Real-time factor', 'Processing time divided by audio duration.'],
];

function summaryRows(models: ReportModel[]): Array<TableRow | TableGroup> {
  /** Measurements: missing = "not measured". */
  const cells = (f: (r: TrustReport) => string | null | undefined) => models.map((m) => f(m.report) ?? null);
  /** Metadata: missing = a dash (nothing was measured, it was just not given). */
  const meta = (f: (r: TrustReport) => string | undefined) => models.map((m) => f(m.report) ?? NOT_GIVEN);
  return [
    { label: 'Description', cells: meta((r) => (r.model.description ? escapeXml(r.model.description) : undefined)) },
    {
      label: 'Corpus',
      cells: meta((r) =>
        r.corpus
          ? escapeXml(r.corpus.name) + (r.corpus.protocol ? `<span class="sub">${escapeXml(r.corpus.protocol)}</span>` : '')
          : undefined,
      ),
    },
    {
      label: 'Test utterances',
      cells: meta((r) => (r.corpus?.testUtterances !== undefined ? formatCount(r.corpus.testUtterances) : undefined)),
    },
    {
      label: 'Classes',
      cells: cells((r) => {
        const shown = r.classes.slice(0, SUMMARY_MAX_CLASSES).join(', ') + (r.classes.length > SUMMARY_MAX_CLASSES ? ', …' : '');
        return `${r.classes.length}<span class="sub">${escapeXml(shown)}</span>`;
      }),
    },
    { label: 'Audited', cells: meta((r) => (r.createdAt ? escapeXml(r.createdAt) : undefined)) },
    { group: 'Headline numbers' },
    { label: 'UA', cells: cells((r) => (r.accuracy ? formatEstimateHtml(r.accuracy.ua, pct) : undefined)) },
    { label: 'Macro-F1', cells: cells((r) => (r.accuracy ? formatEstimateHtml(r.accuracy.macroF1, pct) : undefined)) },
    {
      label: 'Calibration error (ECE)',
      cells: cells((r) => {
        const c = r.calibration;
        if (!c) return undefined;
        return c.eceAfter === undefined
          ? `${pct(c.eceBefore)}<span class="sub">not calibrated</span>`
          : `${pct(c.eceAfter)}<span class="sub">calibrated; ${pct(c.eceBefore)} before</span>`;
      }),
    },
    {
      label: 'Largest statistical parity gap',
      cells: cells((r) => {
        const g = worstParityGap(r);
        return g ? `${formatFixed(g.value)}<span class="sub">${escapeXml(g.attribute)}</span>` : undefined;
      }),
    },
    {
      label: 'Strongest attack success',
      cells: cells((r) => {
        const a = worstAttack(r);
        return a ? `${pct(a.successRate)}<span class="sub">${a.method.toUpperCase()} at ${a.snrDb} dB</span>` : undefined;
      }),
    },
    {
      label: 'Gender-probe accuracy',
      cells: cells((r) =>
        r.privacy
          ? `${pct(r.privacy.genderProbe.accuracy)}<span class="sub">majority ${pct(r.privacy.genderProbe.majority)}</span>`
          : undefined,
      ),
    },
    {
      label: 'Compute',
      cells: cells((r) => (r.sustainability ? escapeXml(formatSiUnit(r.sustainability.macsPerSecond, 'MAC/s')) : undefined)),
    },
  ];
}

/** A section's caveats and, for models that did not measure it, why; nothing when there is neither. */
function sectionNotes(models: ReportModel[], dim: TrustDimension): string {
  const prefix = (m: ReportModel) => (models.length > 1 ? `${escapeXml(m.name)}: ` : '');
  const items = models.flatMap((m) => [
    ...(m.report.notMeasured?.[dim] ? [`${prefix(m)}not measured: ${escapeXml(m.report.notMeasured[dim]!)}`] : []),
    ...(m.report.notes?.[dim] ?? []).map((n) => `${prefix(m)}${escapeXml(n)}`),
  ]);
  return items.length ? `<ul class="notes">${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '';
}

/** The page-wide warnings of the reports (e.g. accuracy at chance level), or nothing. */
function warningsBlock(models: ReportModel[]): string {
  const items = models.flatMap((m) =>
    (m.report.warnings ?? []).map((w) => `${models.length > 1 ? `${escapeXml(m.name)}: ` : ''}${escapeXml(w)}`),
  );
  return items.length ? `<ul class="warnings" role="note">${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '';
}

function radarSection(models: ReportModel[]): string {
  const radar = radarChart(models.map((m) => ({ name: m.name, scores: trustScores(m.report), sources: trustScoreSources(m.report) })));
  const rows: TableRow[] = RADAR_AXES.map((axis) => ({
    label: axis.name,
    sub: axis.range,
    cells: models.map((m) => {
      const score = trustScores(m.report)[axis.key];
      const source = trustScoreSources(m.report)[axis.key];
      return score === null ? null : `${formatFixed(score, 2)}${source ? `<span class="sub">${escapeXml(source)}</span>` : ''}`;
    }),
  }));
  const lead =
    'Five trust scores, each normalized to [0, 1] with 1 = best: the axis labels state the measured range mapped from the centre (0) to the rim (1).';
  return section(
    'profile',
    null,
    'Trust profile',
    lead,
    `<div class="radar-row"><figure>${radar}</figure>${metricTable(
      models.map((m) => m.name),
      rows,
      'Trust scores (0–1, higher is better)',
    )}</div>`,
  );
}

/**
 * Renders one self-contained HTML page for one report, or a comparison page for several.
 * @throws Error when `reports` is empty.
 */
export function renderTrustHtml(reports: TrustReport[]): string {
  if (reports.length === 0) throw new Error('renderTrustHtml: no reports to render');
  const names = displayNames(reports.map((r) => r.model.name));
  const models: ReportModel[] = reports.map((report, i) => ({ name: names[i], color: seriesColor(i), report }));
  const single = models.length === 1;
  const title = single ? `Trust report: ${names[0]}` : `Trust report: ${names.join(' vs ')}`;
  const heading = single ? escapeXml(names[0]) : `Comparison of ${models.length} models`;
  const subtitle = single
    ? [
        reports[0].model.description,
        reports[0].corpus ? `${reports[0].corpus.name}${reports[0].corpus.protocol ? `, ${reports[0].corpus.protocol}` : ''}` : undefined,
        `${reports[0].classes.length} classes`,
      ]
        .filter((s): s is string => Boolean(s))
        .map(escapeXml)
        .join(' · ')
    : names.map((n, i) => `<span class="swatch" style="background:${seriesColor(i)}"></span>${escapeXml(n)}`).join(' &nbsp; ');
  const nav = [
    ['summary', 'Summary'],
    ['profile', 'Trust profile'],
    ...DIMENSIONS.map((d) => [d.id, d.title]),
    ['definitions', 'Definitions'],
  ]
    .map(([id, t]) => `<a href="#${id}">${t}</a>`)
    .join('');
  const summary = section(
    'summary',
    null,
    'Summary',
    'The models audited and their headline numbers; every section below gives the details with confidence intervals.',
    warningsBlock(models) + metricTable(names, summaryRows(models)),
  );
  const dims = DIMENSIONS.map((d, i) => d.render(models, i + 1).replace(/<\/section>$/, `${sectionNotes(models, d.id)}</section>`)).join(
    '\n',
  );
  const defs = section(
    'definitions',
    null,
    'Definitions',
    'How the numbers above are computed (docs/metrics.md in the trustser repository gives the exact formulas).',
    `<dl class="defs">${DEFINITIONS.map(([t, d]) => `<dt>${escapeXml(t)}</dt><dd>${escapeXml(d)}</dd>`).join('')}</dl>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="trustser">
<title>${escapeXml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header><p class="kicker">Trustworthy speech emotion recognition · trust report</p><h1>${heading}</h1><p class="subtitle">${subtitle}</p><nav>${nav}</nav></header>
${summary}
${radarSection(models)}
${dims}
${defs}
<footer>Generated by trustser. Self-contained: no scripts, no external resources. Rates are shown as percentages; bracketed ranges are 95% confidence intervals.</footer>
</main>
</body>
</html>
`;
}
