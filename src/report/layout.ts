/**
 * HTML building blocks of the report page: sections, figures and the metric tables that have
 * one row per quantity and one column per model. Text from reports is escaped here; cell
 * contents are trusted markup produced by the formatters in format.ts.
 */
import { escapeXml } from './format.js';
import { NOT_MEASURED, seriesColor } from './svg.js';

/** One table row: a label, an optional muted second line, one cell per model (null = not measured). */
export interface TableRow {
  label: string;
  sub?: string;
  /** Trusted HTML per model; null shows "not measured". */
  cells: Array<string | null>;
}

/** A heading row spanning the table, grouping the rows below it. */
export interface TableGroup {
  group: string;
}

/** The cell shown for a quantity that was not measured. */
const NOT_MEASURED_CELL = `<td class="nm">${NOT_MEASURED}</td>`;

/**
 * A metric table: rows are quantities, columns are models (headed by the model name and its
 * series colour swatch, matching the charts).
 */
export function metricTable(models: string[], rows: Array<TableRow | TableGroup>, caption?: string): string {
  const head =
    '<thead><tr><th></th>' +
    models.map((m, i) => `<th><span class="swatch" style="background:${seriesColor(i)}"></span>${escapeXml(m)}</th>`).join('') +
    '</tr></thead>';
  const body = rows
    .map((r) => {
      if ('group' in r) return `<tr class="group"><th colspan="${models.length + 1}">${escapeXml(r.group)}</th></tr>`;
      const label = `<th scope="row">${escapeXml(r.label)}${r.sub ? `<span class="sub">${escapeXml(r.sub)}</span>` : ''}</th>`;
      return `<tr>${label}${r.cells.map((c) => (c === null ? NOT_MEASURED_CELL : `<td>${c}</td>`)).join('')}</tr>`;
    })
    .join('');
  const cap = caption ? `<caption>${escapeXml(caption)}</caption>` : '';
  return `<div class="table-wrap"><table>${cap}${head}<tbody>${body}</tbody></table></div>`;
}

/** A chart in a bordered figure with an optional caption (plain text). */
export function figure(svg: string, caption?: string): string {
  return `<figure>${svg}${caption ? `<figcaption>${escapeXml(caption)}</figcaption>` : ''}</figure>`;
}

/** Charts (and tables) side by side, wrapping to the next line when the page is too narrow. */
export function chartRow(items: string[]): string {
  return items.length ? `<div class="charts">${items.join('')}</div>` : '';
}

/** Items stacked vertically, as one item of a {@link chartRow}. */
export function stack(items: string[]): string {
  return `<div class="stack">${items.join('')}</div>`;
}

/** A numbered report section with an id (for the table of contents), a lead paragraph and its body. */
export function section(id: string, num: number | null, title: string, lead: string, body: string): string {
  const n = num === null ? '' : `<span class="num">${num}</span>`;
  return `<section id="${escapeXml(id)}"><h2>${n}${escapeXml(title)}</h2><p class="lead">${escapeXml(lead)}</p>${body}</section>`;
}

/**
 * Display names for the models: their names, made unique with ` (2)`, ` (3)`… when two
 * reports share one (e.g. two runs of the same architecture).
 */
export function displayNames(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 2; taken.has(name); k++) name = `${n} (${k})`;
    taken.add(name);
    return name;
  });
}

/** The union of lists, in first-seen order. */
export function union<T>(lists: T[][]): T[] {
  return [...new Set(lists.flat())];
}
