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
  /** Small multiples: series with the same panel share one (e.g. a layer's element and quotient Δr), coloured by name. */
  panel?: string;
}

export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Draw a dashed rule at this value of the value axis (e.g. 0 for "Ramanujan bound"). */
  rule?: number;
  /** 'quantitative' (default for numeric x) or 'ordinal' (layer names, levels). */
  xType?: 'quantitative' | 'ordinal';
  /** Keep the x order of the data for ordinal axes instead of sorting (default true). */
  keepOrder?: boolean;
  /** Fixed domain of a quantitative x axis (e.g. all levels, even where every value is null). */
  xDomain?: [number, number];
  /**
   * The value axis: 'linear' (default) or 'symlog', sign-preserving log(1 + |v|), for
   * values of very different sizes (Δr of a dense layer is ~100, at 90% sparsity ~1).
   */
  valueScale?: 'linear' | 'symlog';
  /**
   * Lines: more series than this become small multiples, one panel per series, since the
   * palette has only 10 distinct colours (default 10).
   */
  maxColours?: number;
  /** What a missing value is called on the chart (default 'undefined'). */
  undefinedText?: string;
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

/**
 * The value axis' scale and, for symlog, ticks at 0, ±1, ±3, ±10, … over the data's
 * range (vega's own symlog ticks crowd near zero).
 */
function valueScale(values: number[], o: ChartOptions, zero: boolean): { scale: Spec; axis: Spec } {
  if (o.valueScale !== 'symlog') return { scale: { zero }, axis: {} };
  const all = [...values, ...(o.rule !== undefined ? [o.rule] : []), 0];
  const lo = Math.min(...all), hi = Math.max(...all);
  const ticks = [0];
  for (let m = 1; m <= 1e6; m *= 10) for (const t of [m, 3 * m]) { if (t <= hi * 1.05) ticks.push(t); if (-t >= lo * 1.05) ticks.push(-t); }
  return { scale: { type: 'symlog', constant: 1 }, axis: { values: ticks.sort((a, b) => a - b) } };
}

function frame(o: ChartOptions): Spec {
  return { width: o.width ?? 520, height: o.height ?? 260, ...(o.title ? { title: o.title } : {}) };
}

/** A dashed reference rule at `value` on the value channel (y for lines, x for bars). */
function ruleLayer(channel: 'x' | 'y', value: number): Spec {
  return { data: { values: [{ r: value }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { [channel]: { field: 'r', type: 'quantitative' } } };
}

/**
 * Line chart, one line per series. A null point is undefined there: the line breaks
 * (it never joins its neighbours across it) and a grey × on the x axis marks the
 * level, with a legend entry saying what it means. Up to `maxColours` series share
 * one plot in distinct colours; more (or series given panels) become small multiples,
 * one panel per series or panel, titled with its name, x shared, y each its own.
 */
export async function lineChartSvg(series: Series[], o: ChartOptions = {}): Promise<string> {
  const values: Spec[] = [];
  for (const [k, s] of series.entries()) {
    let seg = 0;
    for (const p of s.points) {
      const defined = p.y !== null && Number.isFinite(p.y);
      if (!defined) seg++;
      values.push({ s: s.name, p: s.panel ?? s.name, k, x: p.x, y: defined ? p.y : null, seg, u: !defined, d: `${s.panel ? `${s.panel} ` : ''}${s.name}: ${o.undefinedText ?? 'undefined'} at ${p.x}` });
    }
  }
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = values.filter((v) => !v.u).map((v) => v.y as number);
  const names = unique(series.map((s) => s.name));
  const panels = unique(series.map((s) => s.panel ?? s.name));
  const paneled = series.some((s) => s.panel !== undefined);
  const small = series.length > (o.maxColours ?? 10) || (paneled && panels.length > 1);
  const height = small ? 110 : o.height ?? 260;
  const { scale, axis } = valueScale(ys, o, false);
  const undef = o.undefinedText ?? 'undefined';
  const x = xEncoding(xs, o);
  const color = small && !paneled ? { value: '#4c78a8' } : { field: 's', type: 'nominal', title: null, sort: names };
  const layers: Spec[] = [
    {
      transform: [{ filter: '!datum.u' }],
      mark: { type: 'line', point: true },
      encoding: { x, y: { field: 'y', type: 'quantitative', title: o.yTitle ?? null, scale, axis }, color, detail: { field: 'seg' } },
    },
    {
      // On the x axis, one row per series in its colour (in one plot), grey in a panel of its own.
      transform: [{ filter: 'datum.u' }, { calculate: small ? `${height - 4}` : `${height - 4} - 7 * datum.k`, as: 'py' }],
      mark: { type: 'point', filled: true, size: 60, opacity: 1, ...(small ? { color: '#999' } : {}) },
      encoding: {
        x, y: { field: 'py', type: 'quantitative', scale: null }, description: { field: 'd' },
        ...(small ? {} : { color }),
        shape: { datum: undef, type: 'nominal', scale: { domain: [undef], range: ['cross'] }, title: null },
      },
    },
  ];
  if (o.rule !== undefined) layers.push(ruleLayer('y', o.rule));
  if (!small) return specToSvg({ ...frame({ ...o, height }), data: { values }, layer: layers });
  const columns = 4;
  return specToSvg({
    ...(o.title ? { title: o.title } : {}),
    data: { values },
    facet: { field: 'p', type: 'nominal', sort: panels, title: null, header: { labelLimit: 0, labelFontSize: 11, labelPadding: 2 } },
    columns,
    spec: { width: Math.floor((o.width ?? 760) / columns) - 40, height, layer: layers },
    resolve: { scale: { y: 'independent' } },
  });
}

export interface BarDatum {
  /** The category (a layer): one row of bars. */
  group: string;
  /** The bar within the group (a sparsity level, a criterion). */
  series: string;
  value: number | null;
}

/**
 * Grouped horizontal bars: a row per group (layers read down the page, their names in
 * full), a coloured bar per series. A null value is undefined: its slot says so in
 * grey rather than looking like a zero.
 */
export async function barChartSvg(data: BarDatum[], o: ChartOptions = {}): Promise<string> {
  const values = data.map((d) => ({ ...d, u: d.value === null || !Number.isFinite(d.value) }));
  const groups = unique(data.map((d) => d.group));
  const seriesNames = unique(data.map((d) => d.series));
  const { scale, axis } = valueScale(values.filter((v) => !v.u).map((v) => v.value as number), o, true);
  const rows = {
    y: { field: 'group', type: 'nominal', title: o.xTitle ?? null, sort: groups, axis: { labelLimit: 0 } },
    yOffset: { field: 'series', type: 'nominal', sort: seriesNames },
  };
  const layers: Spec[] = [
    {
      transform: [{ filter: '!datum.u' }],
      mark: 'bar',
      encoding: {
        ...rows,
        x: { field: 'value', type: 'quantitative', title: o.yTitle ?? null, scale, axis },
        color: { field: 'series', type: 'nominal', title: null, sort: seriesNames },
      },
    },
    {
      transform: [{ filter: 'datum.u' }],
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 2, fontSize: 9, fontStyle: 'italic', color: '#777' },
      encoding: { ...rows, x: { datum: 0 }, text: { value: o.undefinedText ?? 'undefined' } },
    },
  ];
  if (o.rule !== undefined) layers.push(ruleLayer('x', o.rule));
  return specToSvg({
    width: o.width ?? 520,
    height: { step: Math.max(4, Math.min(10, Math.floor(60 / seriesNames.length))) },
    ...(o.title ? { title: o.title } : {}),
    data: { values },
    layer: layers,
  });
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
