/**
 * Escaping and number formatting shared by the HTML page and the SVG charts.
 *
 * Every piece of text that comes from a report (model, corpus, class and group names) passes
 * through {@link escapeXml} before it reaches markup; numbers are formatted here so the page,
 * the charts and the tests agree on one spelling.
 */
import type { Estimate } from './schema.js';

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** C0 control characters other than tab, newline and carriage return are not allowed in XML. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * Escapes text for HTML or SVG element content and for quoted attribute values
 * (`& < > " '`), and drops characters XML forbids.
 */
export function escapeXml(s: string): string {
  return s.replace(XML_INVALID, '').replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

/** Shortens `s` to at most `max` characters, ending with an ellipsis when cut (before escaping). */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

/** Digits after the decimal point for percentages. */
const PERCENT_DIGITS = 1;
/** Digits after the decimal point for fairness gaps and other [0, 1] distances. */
const GAP_DIGITS = 3;
/** The dash shown between the ends of a confidence interval. */
const CI_DASH = '–';

/** A fraction as a percentage: `0.7234` → `72.3%`. */
export function formatPercent(x: number, digits = PERCENT_DIGITS): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A plain number with fixed digits: `0.12345` → `0.123`. */
export function formatFixed(x: number, digits = GAP_DIGITS): string {
  return x.toFixed(digits);
}

/** An integer with thin-space-free comma grouping, independent of the locale: `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  if (!Number.isInteger(n)) return n.toFixed(1);
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const SI_PREFIXES: Array<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** A large quantity with an SI prefix and three significant digits: `4.56e9` → `4.56 G`. */
export function formatSi(x: number): string {
  for (const [scale, prefix] of SI_PREFIXES) {
    if (Math.abs(x) >= scale) return `${Number((x / scale).toPrecision(3))} ${prefix}`;
  }
  return `${Number(x.toPrecision(3))}`;
}

/** A quantity with an SI-prefixed unit: `(2.5e7, 'MAC/s')` → `25 MMAC/s`, `(500, 'MAC/s')` → `500 MAC/s`. */
export function formatSiUnit(x: number, unit: string): string {
  const s = formatSi(x);
  return /[a-zA-Z]$/.test(s) ? `${s}${unit}` : `${s} ${unit}`;
}

/** A power of ten as `1e6`-style text (for axis ranges). */
export function formatPowerOfTen(exponent: number): string {
  return `1e${exponent}`;
}

/** A duration in seconds, readable: `42.1 s`, `12 min 5 s`, `3 h 4 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toPrecision(3))} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

/** Formats a number with a unit-specific formatter. */
export type NumberFormat = (x: number) => string;

/**
 * An estimate as HTML: the value, then its interval in a muted span when known:
 * `72.3% <span class="ci">[70.1–74.8]</span>`.
 */
export function formatEstimateHtml(e: Estimate, fmt: NumberFormat): string {
  const value = escapeXml(fmt(e.value));
  if (e.low === undefined || e.high === undefined) return value;
  const ci = `<span class="nw">${value} <span class="ci">[${escapeXml(fmt(e.low))}${CI_DASH}${escapeXml(fmt(e.high))}]</span></span>`;
  if (e.method === 'basic' && e.plugIn !== undefined)
    return `${ci}<span class="sub">bias-corrected; plug-in ${escapeXml(fmt(e.plugIn))}</span>`;
  // Reports of older audits could hold a percentile interval that misses its own estimate.
  if (e.value < e.low || e.value > e.high)
    return `${ci}<span class="sub warn">the interval excludes the estimate (an older audit; re-run trustser audit)</span>`;
  return ci;
}

/** An estimate as plain text: `72.3% [70.1–74.8]`. */
export function formatEstimateText(e: Estimate, fmt: NumberFormat): string {
  if (e.low === undefined || e.high === undefined) return fmt(e.value);
  return `${fmt(e.value)} [${fmt(e.low)}${CI_DASH}${fmt(e.high)}]`;
}
