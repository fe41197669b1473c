/**
 * The report's inline stylesheet: a print-friendly single column, tabular numbers, muted
 * confidence intervals, charts that wrap side by side. Colours come from the chart theme.
 */
import { FONT_FAMILY, INK, SERIES_PALETTE } from './svg.js';

/** Maximum width (px) of the page's content column. */
const PAGE_WIDTH = 1120;
/** The accent colour of headings and rules. */
const ACCENT = SERIES_PALETTE[0];

/** The whole stylesheet, inlined into the page's `<style>`. */
export const REPORT_CSS = `
*{box-sizing:border-box}
html{background:#eef2f6}
body{margin:0;font-family:${FONT_FAMILY};color:${INK.text};font-size:14px;line-height:1.5}
main{max-width:${PAGE_WIDTH}px;margin:24px auto;padding:36px 44px 40px;background:#fff;border:1px solid ${INK.border};border-radius:8px}
header{border-bottom:3px solid ${ACCENT};padding-bottom:14px;margin-bottom:8px}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:${INK.muted};font-weight:600;margin:0}
h1{font-size:28px;margin:2px 0 6px;line-height:1.2}
.subtitle{color:${INK.muted};margin:0}
nav{margin:10px 0 0;font-size:13px}
nav a{color:${ACCENT};text-decoration:none;margin-right:14px;white-space:nowrap}
nav a:hover{text-decoration:underline}
section{margin-top:34px;break-inside:avoid-page}
h2{font-size:20px;margin:0 0 4px;padding-bottom:6px;border-bottom:1px solid ${INK.border}}
h2 .num{color:${ACCENT};margin-right:8px}
h3{font-size:15px;margin:18px 0 6px}
.lead{color:${INK.muted};margin:6px 0 14px;max-width:900px}
.charts{display:flex;flex-wrap:wrap;gap:18px 22px;align-items:flex-start;margin:8px 0 14px}
.charts figure{margin:0;padding:10px 10px 6px;border:1px solid ${INK.border};border-radius:6px;background:#fff}
figcaption{font-size:12px;color:${INK.muted};margin:4px 4px 2px;width:0;min-width:calc(100% - 8px)}
svg.chart{display:block;max-width:100%;height:auto}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums;margin:6px 0 4px;min-width:360px}
caption{text-align:left;font-weight:600;padding:0 0 6px;font-size:13.5px}
th,td{padding:6px 14px;border-bottom:1px solid ${INK.grid};text-align:right;vertical-align:top}
.nw{white-space:nowrap}
thead th{border-bottom:2px solid ${INK.axis};font-weight:600;white-space:nowrap}
tbody th{text-align:left;font-weight:500}
tbody tr:hover{background:${INK.panel}}
tr.group th{padding-top:12px;color:${INK.muted};font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.05em;border-bottom:none}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
.ci{color:${INK.muted};font-size:12px;white-space:nowrap}
.sub{display:block;color:${INK.muted};font-size:12px;font-weight:400}
.nm{color:${INK.faint};font-style:italic}
.warn{color:#9a3412}
.notes{font-size:12.5px;color:${INK.muted};margin:6px 0 0;padding-left:18px}
.warnings{border:1px solid #f2c38f;background:#fff7ed;border-radius:6px;padding:8px 14px 8px 30px;margin:10px 0;color:#7c2d12}
.charts>.table-wrap{flex:1 1 auto}
.stack{display:flex;flex-direction:column;gap:18px}
.radar-row{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:flex-start}
.radar-row>figure{margin:0;padding:10px;border:1px solid ${INK.border};border-radius:6px}
.radar-row>.table-wrap{flex:1 1 auto}
.radar-row tbody th{white-space:nowrap}
dl.defs{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;font-size:13px;margin:8px 0}
dl.defs dt{font-weight:600}
dl.defs dd{margin:0;color:${INK.muted}}
footer{margin-top:36px;padding-top:10px;border-top:1px solid ${INK.border};color:${INK.faint};font-size:12px}
@media print{html{background:#fff}main{border:none;margin:0;max-width:none;padding:0}nav{display:none}}
`;
