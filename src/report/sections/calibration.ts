/**
 * Section 2: calibration — whether the reported probabilities can be taken at their word: the
 * expected calibration error and NLL of the test posteriors before and after temperature scaling,
 * each fold's temperature, and a reliability diagram per model.
 */
import { escapeXml, formatFixed } from '../format.js';
import { type TableRow, chartRow, figure, metricTable, section } from '../layout.js';
import { reliabilityChart } from '../reliability.js';
import type { CalibrationSection } from '../schema.js';
import { INK, notMeasuredChart } from '../svg.js';
import { CHART_WIDTH, type ReportModel, pct } from './common.js';

/** What the page says for a model whose folds were trained before calibration existed. */
const NOT_CALIBRATED_TEXT = 'not calibrated (trained before calibration existed)';
/** Digits of temperatures and NLLs. */
const TEMPERATURE_DIGITS = 2;
const NLL_DIGITS = 3;

/** Why a section has no "after" numbers: the folds' own notes, or that they predate calibration. */
function uncalibratedText(c: CalibrationSection): string {
  const notes = [...new Set(c.folds.flatMap((f) => (f.calibrated ? [] : [f.note ?? NOT_CALIBRATED_TEXT])))];
  return notes.length ? notes.join('; ') : NOT_CALIBRATED_TEXT;
}

const muted = (s: string) => `<span class="nm">${escapeXml(s)}</span>`;

/** Renders the calibration section (numbered `num`). */
export function calibrationSection(models: ReportModel[], num: number): string {
  const cal = (m: ReportModel) => m.report.calibration;
  const after = (m: ReportModel, f: (c: CalibrationSection) => string | undefined) => {
    const c = cal(m);
    return c ? (f(c) ?? muted(uncalibratedText(c))) : null;
  };
  const rows: TableRow[] = [
    {
      label: 'ECE before calibration',
      sub: 'raw test posteriors',
      cells: models.map((m) => (cal(m) ? escapeXml(pct(cal(m)!.eceBefore)) : null)),
    },
    {
      label: 'ECE after calibration',
      sub: "each fold's temperature",
      cells: models.map((m) => after(m, (c) => (c.eceAfter === undefined ? undefined : escapeXml(pct(c.eceAfter))))),
    },
    {
      label: 'NLL before calibration',
      sub: 'nats per utterance',
      cells: models.map((m) => (cal(m) ? escapeXml(formatFixed(cal(m)!.nllBefore, NLL_DIGITS)) : null)),
    },
    {
      label: 'NLL after calibration',
      cells: models.map((m) => after(m, (c) => (c.nllAfter === undefined ? undefined : escapeXml(formatFixed(c.nllAfter, NLL_DIGITS))))),
    },
    {
      label: 'Temperature per fold',
      sub: '> 1: the model was over-confident',
      cells: models.map((m) => {
        const c = cal(m);
        if (!c) return null;
        return c.folds
          .map((f) =>
            f.calibrated
              ? `<span class="nw">fold ${f.fold}: ${escapeXml(formatFixed(f.temperature, TEMPERATURE_DIGITS))}</span>`
              : `<span class="nw">fold ${f.fold}: ${muted(f.note ?? NOT_CALIBRATED_TEXT)}</span>`,
          )
          .join('<br>');
      }),
    },
    { label: 'Confidence bins', cells: models.map((m) => (cal(m) ? String(cal(m)!.bins) : null)) },
  ];
  const measured = models.filter((m) => cal(m));
  const figures =
    measured.length === 0
      ? [figure(notMeasuredChart('Reliability diagram', CHART_WIDTH))]
      : measured.map((m) => {
          const c = cal(m)!;
          const title = models.length > 1 ? `Reliability diagram — ${m.name}` : 'Reliability diagram';
          const series = [
            { name: 'before calibration', color: c.reliability.after ? INK.faint : m.color, bins: c.reliability.before },
            ...(c.reliability.after ? [{ name: 'after calibration', color: m.color, bins: c.reliability.after }] : []),
          ];
          return figure(
            reliabilityChart({ title, series, width: CHART_WIDTH }),
            'Accuracy of the test predictions in each confidence bin; bars below the diagonal are over-confident.',
          );
        });
  const lead =
    'Whether the probabilities mean what they say: in a calibrated model, of the predictions made with 80% confidence, 80% are right. ECE is the gap between confidence and accuracy, averaged over confidence bins (lower is better); temperature scaling, fitted on each fold’s dev set, shrinks it without changing any predicted class.';
  const table = metricTable(
    models.map((m) => m.name),
    rows,
  );
  return section('calibration', num, 'Calibration', lead, chartRow([...figures, table]));
}
