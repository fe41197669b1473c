/**
 * The SVG charts: trust-score normalization and radar geometry point by point, the heat map's
 * counts and shading, bar whiskers, line series, placeholders, and the small helpers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MACS_LOG10_BEST,
  MACS_LOG10_WORST,
  RADAR_AXES,
  type TrustReport,
  barChart,
  confusionHeatmap,
  escapeXml,
  lineChart,
  radarChart,
  radarGeometry,
  radarPoint,
  trustScores,
} from '../../src/report/index.js';
import { HEAT_STOPS, heatColor } from '../../src/report/heatmap.js';
import { formatCount, formatDuration, formatSi, formatSiUnit } from '../../src/report/format.js';
import { niceTicks } from '../../src/report/svg.js';
import { fullReport } from './fixtures.js';

const EPS = 0.011; // coordinates are rounded to 0.01 px

/** A report whose every trust score is `best` (1) or worst (0). */
function extremeReport(best: boolean): TrustReport {
  const base = fullReport();
  const gap = { value: best ? 0 : 1, low: 0, high: 1 };
  return {
    ...base,
    accuracy: { ...base.accuracy!, ua: { value: best ? 1 : 0 } },
    fairness: { gender: { ...base.fairness!.gender, statisticalParity: gap } },
    safety: { attacks: [{ method: 'fgsm', snrDb: 10, successRate: best ? 0 : 1 }] },
    privacy: { genderProbe: { accuracy: best ? 0.5 : 1, majority: 0.5 } },
    sustainability: { ...base.sustainability!, macsPerSecond: best ? 10 ** MACS_LOG10_BEST : 10 ** MACS_LOG10_WORST },
  };
}

/** The vertices of each model polygon in a radar SVG. */
function polygons(svg: string): Array<Array<[number, number]>> {
  return [...svg.matchAll(/<polygon class="radar-model"[^>]* points="([^"]+)"/g)].map((m) =>
    m[1].split(' ').map((p) => p.split(',').map(Number) as [number, number]),
  );
}

describe('trust scores', () => {
  it('an all-best report scores 1 on every axis, an all-worst one 0', () => {
    assert.deepEqual(trustScores(extremeReport(true)), { accuracy: 1, fairness: 1, safety: 1, privacy: 1, efficiency: 1 });
    assert.deepEqual(trustScores(extremeReport(false)), { accuracy: 0, fairness: 0, safety: 0, privacy: 0, efficiency: 0 });
  });
  it('normalizes as documented: 1 − worst gap, 1 − worst attack, probe relative to majority, log MACs', () => {
    const r = fullReport();
    r.fairness!.age = { ...r.fairness!.gender, statisticalParity: { value: 0.3, low: 0.2, high: 0.4 } };
    r.privacy = { genderProbe: { accuracy: 0.8, majority: 0.6 } };
    r.sustainability!.macsPerSecond = 1e8;
    const s = trustScores(r);
    assert.equal(s.accuracy, r.accuracy!.ua.value);
    assert.ok(Math.abs(s.fairness! - 0.7) < 1e-12, 'worst attribute (age, 0.3) counts');
    assert.ok(Math.abs(s.safety! - (1 - 0.93 + 0.05)) < 1e-12, 'worst attack (PGD at 10 dB) counts');
    assert.ok(Math.abs(s.privacy! - 0.5) < 1e-12, '(1 − 0.8) / (1 − 0.6)');
    assert.ok(Math.abs(s.efficiency! - 0.5) < 1e-12, '1e8 is half-way between 1e6 and 1e10 in log');
  });
  it('clamps out-of-range values and reports missing sections as null', () => {
    const r = {
      ...fullReport(),
      privacy: { genderProbe: { accuracy: 0.3, majority: 0.5 } },
      sustainability: { ...fullReport().sustainability!, macsPerSecond: 100 },
    };
    assert.equal(trustScores(r).privacy, 1, 'a probe below the majority rate is as private as it gets');
    assert.equal(trustScores(r).efficiency, 1);
    assert.deepEqual(trustScores({ model: { name: 'x' }, classes: ['a'] }), {
      accuracy: null,
      fairness: null,
      safety: null,
      privacy: null,
      efficiency: null,
    });
  });
});

describe('radar geometry', () => {
  const g = radarGeometry();
  const n = RADAR_AXES.length;
  it('an all-best model draws its polygon at full radius, axis i at angle −90° + 72°·i', () => {
    const svg = radarChart([{ name: 'best', scores: trustScores(extremeReport(true)) }]);
    const [poly] = polygons(svg);
    assert.equal(poly.length, n);
    poly.forEach(([x, y], i) => {
      assert.ok(Math.abs(Math.hypot(x - g.cx, y - g.cy) - g.radius) < EPS, `vertex ${i} at radius ${Math.hypot(x - g.cx, y - g.cy)}`);
      const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
      assert.ok(
        Math.abs(x - (g.cx + g.radius * Math.cos(a))) < EPS && Math.abs(y - (g.cy + g.radius * Math.sin(a))) < EPS,
        `vertex ${i} direction`,
      );
    });
    // the first axis (UA) points straight up
    assert.ok(Math.abs(poly[0][0] - g.cx) < EPS && Math.abs(poly[0][1] - (g.cy - g.radius)) < EPS);
  });
  it('an all-worst model collapses to the centre; half scores sit at half radius', () => {
    const [worst] = polygons(radarChart([{ name: 'worst', scores: trustScores(extremeReport(false)) }]));
    for (const [x, y] of worst) assert.ok(Math.hypot(x - g.cx, y - g.cy) < EPS);
    const half = { accuracy: 0.5, fairness: 0.5, safety: 0.5, privacy: 0.5, efficiency: 0.5 };
    const [mid] = polygons(radarChart([{ name: 'half', scores: half }]));
    for (const [x, y] of mid) assert.ok(Math.abs(Math.hypot(x - g.cx, y - g.cy) - g.radius / 2) < EPS);
  });
  it('radarPoint clamps scores to [0, 1]', () => {
    assert.deepEqual(radarPoint(g, 0, n, 1.7), radarPoint(g, 0, n, 1));
    assert.deepEqual(radarPoint(g, 2, n, -3), [g.cx, g.cy]);
  });
  it('overlays several models with a legend entry each, noting unmeasured axes', () => {
    const svg = radarChart([
      { name: 'A', scores: trustScores(extremeReport(true)) },
      { name: 'B', scores: { ...trustScores(extremeReport(true)), safety: null, privacy: null } },
    ]);
    assert.equal(polygons(svg).length, 2);
    assert.match(svg, />A<\/text>/);
    assert.match(svg, />B<tspan[^>]*> \(not measured: Attack success, Gender-inference acc\.\)<\/tspan><\/text>/);
  });
  it('states every normalization range on the chart', () => {
    const svg = radarChart([{ name: 'A', scores: trustScores(fullReport()) }]);
    for (const axis of RADAR_AXES) {
      assert.ok(svg.includes(`>${escapeXml(axis.name)}</text>`), axis.name);
      assert.ok(svg.includes(`>${escapeXml(axis.range)}</text>`), axis.range);
    }
    assert.ok(svg.includes('log, 1e10 → 1e6'));
  });
});

describe('confusion heat map', () => {
  const classes = ['neutral', 'happy', 'sad'];
  const confusion = [
    [10, 0, 0],
    [2, 6, 2],
    [0, 5, 5],
  ];
  const svg = confusionHeatmap(classes, confusion);
  it('prints every count and every class label', () => {
    for (const row of confusion) for (const c of row) assert.ok(svg.includes(`>${c}</text>`));
    for (const c of classes) assert.ok((svg.match(new RegExp(`>${c}</text>`, 'g')) ?? []).length >= 2, `${c} labels a row and a column`);
  });
  it('shades by the row-normalized share', () => {
    const fills = [...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="(#[0-9a-f]{6})" stroke="#ffffff"/g)].map(
      (m) => m[1],
    );
    assert.equal(fills.length, 9);
    assert.equal(fills[0], HEAT_STOPS[HEAT_STOPS.length - 1][1], 'a full row share is the darkest colour');
    assert.equal(fills[1], HEAT_STOPS[0][1], 'zero is the lightest');
    assert.equal(fills[7], heatColor(0.5), '5 of 10');
    assert.equal(fills[7], fills[8]);
  });
  it('is a placeholder without a matrix', () => {
    assert.match(confusionHeatmap(classes, undefined), /not measured/);
  });
  it('heatColor interpolates between the stops and clamps', () => {
    assert.equal(heatColor(-1), HEAT_STOPS[0][1]);
    assert.equal(heatColor(2), HEAT_STOPS[HEAT_STOPS.length - 1][1]);
    assert.equal(heatColor(0.25), HEAT_STOPS[1][1]);
  });
});

describe('bars and lines', () => {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  it('bars draw CI whiskers (stem and two caps) and reference marks', () => {
    const svg = barChart({
      title: 'UA by gender',
      categories: ['female', 'male'],
      series: [
        {
          name: 'm',
          color: '#0072B2',
          values: [
            { value: 0.6, low: 0.5, high: 0.7 },
            { value: 0.5, reference: 0.4 },
          ],
        },
      ],
      yLabel: 'UA',
      yDomain: [0, 1],
      format: pct,
      referenceLabel: 'chance',
    });
    assert.equal((svg.match(/<line [^>]*stroke="#1f2933" stroke-width="1.5"\/>/g) ?? []).length, 3, 'whisker: stem + 2 caps');
    assert.equal((svg.match(/stroke-dasharray="4 3"/g) ?? []).length, 2, 'reference mark + its legend swatch');
    assert.match(svg, /<title>m — female: 60% \[50%–70%\]<\/title>/);
  });
  it('lines draw one polyline per series, sorted by x', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'a',
          color: '#000000',
          points: [
            [20, 0.5],
            [0, 0.1],
            [10, 0.3],
          ],
        },
        { name: 'b', color: '#D55E00', dash: '7 4', points: [[0, 0.2]] },
      ],
      format: pct,
    });
    const lines = [...svg.matchAll(/<polyline class="series" data-series="([^"]+)" points="([^"]+)"/g)];
    assert.deepEqual(
      lines.map((m) => m[1]),
      ['a', 'b'],
    );
    const xs = lines[0][2].split(' ').map((p) => Number(p.split(',')[0]));
    assert.deepEqual(
      [...xs].sort((p, q) => p - q),
      xs,
    );
  });
  it('empty charts are "not measured" placeholders', () => {
    assert.match(barChart({ title: 'b', categories: [], series: [], yLabel: '', format: pct }), /class="chart not-measured"/);
    assert.match(
      lineChart({ title: 'l', xLabel: '', yLabel: '', series: [{ name: 's', color: '#000', points: [] }], format: pct }),
      /class="chart not-measured"/,
    );
  });
});

describe('helpers', () => {
  it('escapeXml escapes markup characters and drops XML-invalid controls', () => {
    assert.equal(escapeXml(`<b>&"x'\u0001`), '&lt;b&gt;&amp;&quot;x&#39;');
  });
  it('niceTicks gives round steps covering the range', () => {
    assert.deepEqual(niceTicks(0.313, 0.602), { ticks: [0.3, 0.4, 0.5, 0.6, 0.7], domain: [0.3, 0.7] });
    assert.deepEqual(niceTicks(0, 1).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('number formats', () => {
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatSi(2.5e7), '25 M');
    assert.equal(formatSi(4.56e9), '4.56 G');
    assert.equal(formatSiUnit(2.5e7, 'MAC/s'), '25 MMAC/s');
    assert.equal(formatSiUnit(500, 'MAC/s'), '500 MAC/s');
    assert.equal(formatDuration(42.12), '42.1 s');
    assert.equal(formatDuration(3 * 3600 + 4 * 60 + 5), '3 h 4 min');
  });
});
