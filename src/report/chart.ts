// Small shared chart and HTML helpers for Rampart's reports (analyze, prune, sweep).
// Charts are vega-lite specs compiled and rendered headless to SVG strings, so a
// report is one self-contained HTML file: no scripts, no network, no external files.
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface Point {
  x: number | string;
  /** null: undefined at this x (left as a gap in the line, drawn as no point). */
  y: number | null;
}

export interface Series {
  name: string;
  points: Point[];
}

export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Draw a dashed horizontal rule at this y (e.g. 0 for "Ramanujan bound"). */
  rule?: number;
  /** 'quantitative' (default for numeric x) or 'ordinal' (layer names, levels). */
  xType?: 'quantitative' | 'ordinal';
  /** Keep the x order of the data for ordinal axes instead of sorting (default true). */
  keepOrder?: boolean;
  /** Fixed domain of a quantitative x axis (e.g. all levels, even where every value is null). */
  xDomain?: [number, number];
}

type Spec = Record<string, unknown>;

/** Compiles a vega-lite spec and renders it headless to an SVG string. */
export async function specToSvg(spec: Spec): Promise<string> {
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec } as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function xEncoding(xs: (number | string)[], o: ChartOptions): Spec {
  const numeric = xs.every((x) => typeof x === 'number');
  const type = o.xType ?? (numeric ? 'quantitative' : 'ordinal');
  const enc: Spec = { field: 'x', type, title: o.xTitle ?? null };
  if (type !== 'quantitative' && o.keepOrder !== false) enc.sort = unique(xs);
  if (type === 'quantitative') enc.scale = o.xDomain ? { domain: o.xDomain, zero: false } : { zero: false };
  return enc;
}

export function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function withRule(layer: Spec, o: ChartOptions): Spec {
  if (o.rule === undefined) return layer;
  const rule = { data: { values: [{ r: o.rule }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { field: 'r', type: 'quantitative' } } };
  return { layer: [layer, rule] };
}

function frame(o: ChartOptions): Spec {
  return { width: o.width ?? 520, height: o.height ?? 260, ...(o.title ? { title: o.title } : {}) };
}

/** A line chart with one line per series; null points are dropped (the line joins its neighbours, points mark real values). */
export async function lineChartSvg(series: Series[], o: ChartOptions = {}): Promise<string> {
  const values = series.flatMap((s) => s.points.filter((p) => p.y !== null && Number.isFinite(p.y)).map((p) => ({ s: s.name, x: p.x, y: p.y })));
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const layer: Spec = {
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: xEncoding(xs, o),
      y: { field: 'y', type: 'quantitative', title: o.yTitle ?? null, scale: { zero: false } },
      color: { field: 's', type: 'nominal', title: null, sort: series.map((s) => s.name) },
    },
  };
  return specToSvg({ ...frame(o), ...withRule(layer, o) });
}

export interface BarDatum {
  /** The x category (a layer). */
  group: string;
  /** The bar within the group (a sparsity level, a criterion). */
  series: string;
  value: number | null;
}

/** A grouped bar chart: one cluster per group, one coloured bar per series; null values are left out. */
export async function barChartSvg(data: BarDatum[], o: ChartOptions = {}): Promise<string> {
  const values = data.filter((d) => d.value !== null && Number.isFinite(d.value));
  const groups = unique(data.map((d) => d.group));
  const seriesNames = unique(data.map((d) => d.series));
  const layer: Spec = {
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'group', type: 'nominal', title: o.xTitle ?? null, sort: groups },
      xOffset: { field: 'series', type: 'nominal', sort: seriesNames },
      y: { field: 'value', type: 'quantitative', title: o.yTitle ?? null },
      color: { field: 'series', type: 'nominal', title: null, sort: seriesNames },
    },
  };
  return specToSvg({ ...frame(o), ...withRule(layer, o) });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An HTML table; cells are escaped text (null renders as an em dash). */
export function htmlTable(headers: string[], rows: (string | number | boolean | null)[][]): string {
  const cell = (v: string | number | boolean | null) => (v === null ? '—' : escapeHtml(String(v)));
  const head = '<tr>' + headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('') + '</tr>';
  const body = rows.map((r) => '<tr>' + r.map((v) => `<td>${cell(v)}</td>`).join('') + '</tr>').join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export interface Section {
  heading: string;
  /** Raw HTML (SVG charts, tables from htmlTable); trusted, not escaped. */
  html?: string;
  /** Plain text paragraphs, escaped. */
  text?: string;
}

/** A self-contained HTML page: inline CSS, inline SVG, no scripts or external resources. */
export function htmlPage(title: string, sections: Section[]): string {
  const body = sections.map((s) => {
    const text = s.text ? s.text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p)}</p>`).join('\n') : '';
    return `<section>\n<h2>${escapeHtml(s.heading)}</h2>\n${text}\n${s.html ?? ''}\n</section>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; }
section { margin-bottom: 2.5em; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}
