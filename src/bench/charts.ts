// The bench's charts as vega-lite specs (rendered to SVG by src/report/chart.ts):
// the frontier (accuracy against latency), accuracy and Δr against sparsity, and
// size against sparsity. Made to stay readable on a 20-layer model: one panel per
// runtime or per layer graph (small multiples, full names in the headers), colours
// per block shape, and undefined values drawn as such (a grey × on the axis, and
// said in the caption) instead of being dropped. bench/frontier.ts draws its
// frontier with frontierSpec too.

type Spec = Record<string, unknown>;

export interface FrontierRow {
  /** A panel per distinct value (a runtime); one panel when absent. A dense row (✕) is repeated per block, so every block's line starts there. */
  panel?: string;
  block: string;
  level: string;
  sparsity: number;
  ms: number;
  acc: number;
  guard: boolean;
  dense: boolean;
}

export interface FrontierChart {
  title: string;
  rows: FrontierRow[];
  /** Vertical dashed rules (e.g. onnxruntime on the dense model), in every panel. */
  rules?: { name: string; ms: number }[];
  /** Horizontal dashed red rule: an accuracy bar (dense − 1 point). */
  bar?: number;
  xTitle?: string;
  columns?: number;
}

const BLOCK = (rows: { block: string }[]) => ({ field: 'block', type: 'nominal', title: 'block', sort: [...new Set(rows.map((r) => r.block))] });

/** Accuracy against latency (log x), a line per block ordered by sparsity; ◇ the guard's point, ✕ dense. */
export function frontierSpec(c: FrontierChart): Spec {
  const panels = [...new Set(c.rows.map((r) => r.panel ?? ''))];
  const x = { field: 'ms', type: 'quantitative', title: c.xTitle ?? 'latency, ms (median, log scale)', scale: { type: 'log' } };
  const y = { field: 'acc', type: 'quantitative', title: 'test accuracy', scale: { zero: false } };
  const tooltip = [{ field: 'block' }, { field: 'level' }, { field: 'sparsity', format: '.3f' }, { field: 'acc', title: 'accuracy', format: '.4f' }, { field: 'ms', format: '.3f' }];
  const layer: Spec[] = [
    { mark: { type: 'line', point: true, opacity: 0.85 }, encoding: { x, y, color: BLOCK(c.rows), order: { field: 'sparsity', type: 'quantitative' }, tooltip } },
    { transform: [{ filter: 'datum.guard' }], mark: { type: 'point', shape: 'diamond', size: 170, filled: false, strokeWidth: 2 }, encoding: { x, y, color: BLOCK(c.rows), tooltip } },
    { transform: [{ filter: 'datum.dense' }], mark: { type: 'point', shape: 'cross', size: 150, filled: true, color: '#111' }, encoding: { x, y, tooltip } },
  ];
  // Rules with their own data: single-panel charts only (a facet shares one data source).
  if (c.rules?.length && panels.length <= 1) {
    layer.push({ data: { values: c.rules }, mark: { type: 'rule', strokeDash: [4, 4], color: '#666' }, encoding: { x: { field: 'ms', type: 'quantitative' }, tooltip: { field: 'name' } } });
    layer.push({
      data: { values: c.rules }, mark: { type: 'text', angle: 270, align: 'left', dx: 4, dy: -4, fontSize: 9, color: '#444' },
      encoding: { x: { field: 'ms', type: 'quantitative' }, y: { value: 310 }, text: { field: 'name' } },
    });
  }
  if (c.bar !== undefined) {
    layer.push({ mark: { type: 'rule', strokeDash: [2, 2], color: '#c33' }, encoding: { y: { datum: c.bar, type: 'quantitative' } } });
  }
  if (panels.length <= 1) return { title: c.title, width: 560, height: 320, data: { values: c.rows }, layer };
  return {
    title: c.title, data: { values: c.rows }, columns: c.columns ?? 2,
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12, labelLimit: 0 } },
    spec: { width: 300, height: 220, layer },
    resolve: { scale: { x: 'independent' } },
  };
}

export interface SparsityRow {
  block: string;
  level: string;
  sparsity: number;
  /** null: undefined (Δr with average degrees < 3). */
  value: number | null;
  guard: boolean;
  /** The panel (a layer graph, a size measure); one panel when absent. */
  panel?: string;
}

export interface SparsityChart {
  title: string;
  yTitle: string;
  rows: SparsityRow[];
  /** Horizontal dashed rule (0: the Ramanujan bound; a dense accuracy). */
  rule?: number;
  columns?: number;
  width?: number;
  height?: number;
  /** Give each panel its own y scale (sizes of different files). */
  independentY?: boolean;
  /** d3 format of the y axis labels (default vega's). */
  yFormat?: string;
}

/** A value against sparsity, a line per block, ◇ the guard; undefined values as grey × on the x axis. */
export function sparsitySpec(c: SparsityChart): Spec {
  const panels = [...new Set(c.rows.map((r) => r.panel ?? ''))];
  const defined = c.rows.filter((r) => r.value !== null);
  const lo = defined.length ? Math.min(...defined.map((r) => r.value!), c.rule ?? Infinity) : 0;
  const rows = c.rows.map((r) => ({ ...r, undef: r.value === null, y: r.value ?? lo }));
  const x = { field: 'sparsity', type: 'quantitative', title: 'sparsity', scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: c.yTitle, scale: { zero: false }, ...(c.yFormat ? { axis: { format: c.yFormat } } : {}) };
  const tooltip = [{ field: 'block' }, { field: 'level' }, { field: 'sparsity', format: '.3f' }, { field: 'value', title: c.yTitle }];
  const layer: Spec[] = [
    { transform: [{ filter: '!datum.undef' }], mark: { type: 'line', point: true }, encoding: { x, y, color: BLOCK(c.rows), order: { field: 'sparsity', type: 'quantitative' }, tooltip } },
    { transform: [{ filter: 'datum.guard && !datum.undef' }], mark: { type: 'point', shape: 'diamond', size: 150, filled: false, strokeWidth: 2 }, encoding: { x, y, color: BLOCK(c.rows) } },
    { transform: [{ filter: 'datum.undef' }], mark: { type: 'point', shape: 'cross', size: 70, color: '#999', filled: true }, encoding: { x, y, tooltip } },
  ];
  if (c.rule !== undefined) layer.push({ mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { datum: c.rule, type: 'quantitative' } } });
  const size = { width: c.width ?? (panels.length > 1 ? 220 : 420), height: c.height ?? (panels.length > 1 ? 150 : 260) };
  if (panels.length <= 1) return { title: c.title, ...size, data: { values: rows }, layer };
  return {
    title: c.title, data: { values: rows }, columns: c.columns ?? 4,
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 10, labelLimit: 0 } },
    spec: { ...size, layer },
    ...(c.independentY ? { resolve: { scale: { y: 'independent' } } } : {}),
  };
}
