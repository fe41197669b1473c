/**
 * The result charts, drawn with the trust report's SVG code (src/report: bar chart, line chart,
 * radar), so the page and trust.html look alike: the utterance's class posteriors, the
 * posteriors over time (one line per class at each window's centre), and the model's trust radar.
 */
import { barChart } from '../../../src/report/pure.js';
import { formatPercent } from '../../../src/report/pure.js';
import { lineChart } from '../../../src/report/pure.js';
import { radarChart } from '../../../src/report/pure.js';
import { seriesColor } from '../../../src/report/pure.js';
import type { AnalyzeResponse, ModelInfo } from '../../../src/serve/pure.js';
import { summaryTrustScores, summaryTrustSources } from '../../../src/serve/pure.js';

/** Chart width (px; the SVG scales down on narrow screens). */
const CHART_WIDTH = 560;

/** Bars of the utterance's posteriors, one per class (in `classes` order). */
export function emotionBars(emotion: NonNullable<AnalyzeResponse['emotion']>, classes: readonly string[]): string {
  return barChart({
    title: `Emotion: ${emotion.label}`,
    categories: [...classes],
    series: [{ name: 'posterior', color: seriesColor(0), values: classes.map((c) => ({ value: emotion.probs[c] })) }],
    yLabel: 'probability',
    format: (x) => formatPercent(x),
    tickFormat: (x) => formatPercent(x, 0),
    yDomain: [0, 1],
    width: CHART_WIDTH,
  });
}

/**
 * Posteriors over time: each window at its centre (s); a single window is drawn across its
 * whole span so the chart still has an x extent.
 */
export function emotionTimeline(r: AnalyzeResponse): string {
  const classes = r.model.classes;
  const single = r.windows.length === 1;
  return lineChart({
    title: single ? 'Emotion over time (one window)' : `Emotion over time (${r.windows.length} windows of ${r.model.windowSeconds} s)`,
    xLabel: 'window centre (s)',
    yLabel: 'probability',
    series: classes.map((c, k) => ({
      name: c,
      color: seriesColor(k),
      points: single
        ? [
            [r.windows[0].startSeconds, r.windows[0].probs[c]],
            [r.windows[0].endSeconds, r.windows[0].probs[c]],
          ]
        : r.windows.map((w) => [(w.startSeconds + w.endSeconds) / 2, w.probs[c]] as [number, number]),
    })),
    format: (x) => formatPercent(x),
    tickFormat: (x) => formatPercent(x, 0),
    xFormat: (x) => x.toFixed(1),
    yDomain: [0, 1],
    width: CHART_WIDTH,
  });
}

/** The trust radar of the model's audit, or null when the model was exported without one. */
export function trustRadar(info: ModelInfo): string | null {
  if (!info.trust) return null;
  return radarChart(
    [{ name: info.model.name, scores: summaryTrustScores(info.trust), sources: summaryTrustSources(info.trust) }],
    'Trust profile (from the audit at export)',
  );
}
