/**
 * The HTML page: formatted numbers with their CIs, escaping of every name that comes from a
 * report, "not measured" for missing sections, comparison pages with a column per model, and
 * no remote reference of any kind (the page must open offline).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOT_MEASURED, type TrustReport, renderTrustHtml } from '../../src/report/index.js';
import { fullReport, minimalReport } from './fixtures.js';

/** The markup of one section (from its opening tag to the next section). */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  assert.ok(start >= 0, `section ${id} is missing`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

/** Number of model columns in the first table of a section. */
function modelColumns(sectionHtml: string): number {
  const head = sectionHtml.slice(sectionHtml.indexOf('<thead>'), sectionHtml.indexOf('</thead>'));
  return (head.match(/<th><span class="swatch"/g) ?? []).length;
}

const DIMENSIONS = ['accuracy', 'fairness', 'safety', 'robustness', 'privacy', 'sustainability'];

describe('renderTrustHtml: one model', () => {
  const report = fullReport('mlp-egemaps', 0.5);
  const html = renderTrustHtml([report]);
  const a = report.accuracy!;

  it('is one complete HTML document with a title, summary, radar and every dimension', () => {
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /<title>Trust report: mlp-egemaps<\/title>/);
    assert.match(html, /<\/html>\n$/);
    for (const id of ['summary', 'profile', ...DIMENSIONS, 'definitions']) sectionOf(html, id);
    assert.equal((html.match(/class="radar-model"/g) ?? []).length, 1);
  });

  it('shows accuracy numbers as percentages with their confidence intervals', () => {
    const acc = sectionOf(html, 'accuracy');
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    assert.ok(acc.includes(`${pct(a.ua.value)} <span class="ci">[${pct(a.ua.low!)}–${pct(a.ua.high!)}]</span>`), 'UA with CI');
    assert.ok(acc.includes(pct(a.wa.value)) && acc.includes(pct(a.macroF1.value)));
    for (const r of a.perClassRecall) assert.ok(acc.includes(`<td>${pct(r)}</td>`), `recall ${pct(r)}`);
    // the heat map prints every count of the confusion matrix
    for (const row of a.confusion) for (const c of row) assert.ok(acc.includes(`>${c}</text>`), `count ${c}`);
  });

  it('shows fairness gaps with three decimals and group sizes, safety and robustness rates, privacy and cost', () => {
    const fair = sectionOf(html, 'fairness');
    assert.ok(fair.includes('0.093 <span class="ci">[0.040–0.150]</span>'), 'EO gap with CI');
    assert.ok(fair.includes('n = 180'));
    const safety = sectionOf(html, 'safety');
    assert.ok(safety.includes('<th scope="row">PGD at 10 dB</th><td><span class="nw">88.0%</span></td>'));
    const robust = sectionOf(html, 'robustness');
    assert.ok(robust.includes('reverberation, RT60 0.8 s'));
    const privacy = sectionOf(html, 'privacy');
    assert.ok(privacy.includes('<td>76.0%</td>') && privacy.includes('+26.0 pp'));
    const sus = sectionOf(html, 'sustainability');
    assert.ok(sus.includes('623,456'), 'parameter count with grouping');
    assert.ok(sus.includes('150 MMAC/s') && sus.includes('3.42 ms') && sus.includes('12 min 34 s'));
  });

  it('says which normalization each radar axis uses', () => {
    const radar = sectionOf(html, 'profile');
    for (const label of ['0% → 100%', '1 → 0, worst attribute', '100% → 0%, worst attack', '100% → majority rate', 'log, 1e10 → 1e6']) {
      assert.ok(radar.includes(label), label);
    }
  });
});

describe('renderTrustHtml escapes every name', () => {
  const evilClass = '<b>&"x';
  const evilModel = '<script>alert("m")</script>';
  const report: TrustReport = {
    ...fullReport(),
    model: { name: evilModel, description: "it's <i>fine</i>" },
    corpus: { name: 'C&D <corpus>', protocol: '"quoted"' },
    classes: [evilClass, 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', '</svg><img src=x>'],
    fairness: {
      '<attr>': { ...fullReport().fairness!.gender, groups: [{ name: '<g onload=1>', n: 3, ua: { value: 0.5, low: 0.4, high: 0.6 } }] },
    },
  };
  const html = renderTrustHtml([report]);

  it('no injected markup survives', () => {
    for (const raw of [evilClass, '<b>', evilModel, '<script', '<i>fine', '<corpus>', '<img', '</svg><img', '<attr>', '<g onload']) {
      assert.ok(!html.includes(raw), `raw ${raw} leaked into the page`);
    }
  });
  it('the names appear escaped, in tables and inside the SVG charts', () => {
    assert.ok(html.includes('&lt;b&gt;&amp;&quot;x'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('it&#39;s &lt;i&gt;fine&lt;/i&gt;'));
    assert.ok(html.includes('C&amp;D &lt;corpus&gt;'));
    assert.ok(html.includes('&lt;/svg&gt;&lt;img src=x&gt;'));
    assert.ok(html.includes('&lt;g onload=1&gt;'));
    // inside SVG: the heat map's row label and the radar polygon's data attribute
    assert.ok(/<text[^>]*>&lt;b&gt;&amp;&quot;x<\/text>/.test(html), 'class name escaped as SVG text');
    assert.ok(html.includes('data-model="&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt;"'));
  });
  it('every <svg> opened is closed (no markup was cut by a name)', () => {
    assert.equal((html.match(/<svg /g) ?? []).length, (html.match(/<\/svg>/g) ?? []).length);
    assert.equal((html.match(/<script/gi) ?? []).length, 0);
  });
});

describe('renderTrustHtml: missing sections', () => {
  const html = renderTrustHtml([minimalReport()]);
  for (const id of DIMENSIONS) {
    it(`${id} says "${NOT_MEASURED}" in its charts or tables`, () => {
      const s = sectionOf(html, id);
      assert.ok(s.includes(NOT_MEASURED), `${id} lacks "${NOT_MEASURED}"`);
    });
  }
  it('charts of missing sections are "not measured" placeholders', () => {
    for (const id of ['accuracy', 'fairness', 'safety', 'robustness', 'privacy']) {
      const s = sectionOf(html, id);
      assert.match(s, /<svg class="chart not-measured"[^>]*aria-label="[^"]*: not measured"/, id);
    }
  });
  it('the radar says "not measured" when nothing was', () => {
    const radar = sectionOf(html, 'profile');
    assert.match(radar, />not measured<\/text>/);
  });
  it('a partly measured report shows measured sections and "not measured" for the rest', () => {
    const partial = renderTrustHtml([{ ...fullReport(), safety: undefined, privacy: undefined }]);
    assert.ok(sectionOf(partial, 'safety').includes(NOT_MEASURED));
    assert.ok(sectionOf(partial, 'privacy').includes(NOT_MEASURED));
    assert.ok(!sectionOf(partial, 'accuracy').includes('not-measured'));
  });
});

describe('renderTrustHtml: caveats, reasons, warnings and interval kinds', () => {
  const base = fullReport('m');
  const report: TrustReport = {
    ...base,
    fairness: {
      gender: { ...base.fairness!.gender, statisticalParity: { value: 0.534, low: 0.442, high: 0.614, method: 'basic', plugIn: 0.617 } },
    },
    safety: { attacks: [{ method: 'fgsm', snrDb: 45, successRate: 0.625, attacked: 8, flipped: 5, low: 0.306, high: 0.863 }] },
    privacy: undefined,
    notes: { fairness: ['only 12 of 1000 resamples held every group'] },
    notMeasured: { privacy: 'the corpus records no gender' },
    warnings: ['UA 12.5% is not distinguishable from chance'],
  };
  const html = renderTrustHtml([report]);

  it('a bias-corrected gap says so and shows the plug-in value', () => {
    assert.ok(
      sectionOf(html, 'fairness').includes(
        '0.534 <span class="ci">[0.442–0.614]</span></span><span class="sub">bias-corrected; plug-in 0.617</span>',
      ),
    );
  });
  it('attack rates carry their counts and interval', () => {
    assert.ok(
      sectionOf(html, 'safety').includes('62.5% <span class="ci">[30.6%–86.3%]</span></span><span class="sub">5 of 8 attacked</span>'),
    );
  });
  it('notes sit in their section, reasons replace a bare "not measured", warnings head the summary', () => {
    assert.ok(sectionOf(html, 'fairness').includes('<ul class="notes"><li>only 12 of 1000 resamples held every group</li></ul>'));
    assert.ok(sectionOf(html, 'privacy').includes('<li>not measured: the corpus records no gender</li>'));
    assert.ok(
      sectionOf(html, 'summary').includes('<ul class="warnings" role="note"><li>UA 12.5% is not distinguishable from chance</li></ul>'),
    );
  });
  it('an older report whose interval misses its estimate is flagged, not hidden', () => {
    const old = renderTrustHtml([
      { ...base, fairness: { gender: { ...base.fairness!.gender, statisticalParity: { value: 0.617, low: 0.62, high: 0.792 } } } },
    ]);
    assert.ok(sectionOf(old, 'fairness').includes('the interval excludes the estimate (an older audit; re-run trustser audit)'));
  });
});

describe('renderTrustHtml: several models', () => {
  const reports = [fullReport('mlp', 0.3), fullReport('cnn', 0.9), { ...fullReport('mlp', 0.1), privacy: undefined }];
  const html = renderTrustHtml(reports);
  it('overlays every model on the radar, with unique names', () => {
    const names = [...html.matchAll(/class="radar-model" data-model="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(names, ['mlp', 'cnn', 'mlp (2)']);
    assert.match(html, /<title>Trust report: mlp vs cnn vs mlp \(2\)<\/title>/);
  });
  it('gives every table one column per model', () => {
    for (const id of ['summary', 'profile', ...DIMENSIONS]) assert.equal(modelColumns(sectionOf(html, id)), 3, id);
  });
  it('marks the model that lacks a section as not measured in that column', () => {
    const privacy = sectionOf(html, 'privacy');
    assert.ok(privacy.includes('<td class="nm">not measured</td>'));
  });
  it('draws a heat map per model', () => {
    assert.equal((sectionOf(html, 'accuracy').match(/class="chart heatmap"/g) ?? []).length, 3);
  });
  it('refuses an empty list', () => {
    assert.throws(() => renderTrustHtml([]), /no reports/);
  });
});

describe('the page is self-contained', () => {
  const pages = [
    renderTrustHtml([fullReport()]),
    renderTrustHtml([fullReport('a'), fullReport('b', 0.8)]),
    renderTrustHtml([minimalReport()]),
  ];
  it('has no remote URL, no src attribute, no script, no stylesheet link, no CSS import or url()', () => {
    for (const html of pages) {
      assert.doesNotMatch(html, /https?:\/\//i);
      assert.doesNotMatch(html, /\/\/[a-z0-9.-]+\.[a-z]{2,}\//i, 'protocol-relative URL');
      assert.doesNotMatch(html, /\ssrc\s*=/i);
      assert.doesNotMatch(html, /\shref\s*=\s*"(?!#)/i, 'only in-page anchors');
      assert.doesNotMatch(html, /<script|<link|<iframe|<object|<embed|@import|url\(/i);
    }
  });
  it('inline SVG needs no xmlns (the HTML parser assigns the SVG namespace)', () => {
    assert.doesNotMatch(pages[0], /xmlns/);
  });
});
