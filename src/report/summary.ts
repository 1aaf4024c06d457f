// The main job's summary (`rampart main`): accuracy and batch-1 latency as charts,
// the markdown summary (tables + an embedded latency SVG), and a self-contained
// summary.html that also inlines the prune report's per-layer charts.
import { escapeHtml, htmlPage, htmlTable, specToSvg, unique, type Section } from './chart.ts';

/** One colour per runtime, shared by every latency chart (main summary, bench/runtime). */
export const RUNTIME_COLORS: Record<string, string> = {
  'onnxruntime-node': '#4c78a8',
  'onnxruntime-web': '#9ecae9',
  'rampart-js': '#f58518',
  'rampart-wasm': '#e45756',
};

export function colorScale(names: string[]): Record<string, unknown> {
  return { domain: names, range: names.map((n, i) => RUNTIME_COLORS[n] ?? ['#54a24b', '#b279a2', '#9d755d'][i % 3]) };
}

export interface LatencyRowLike {
  label: string;
  runtime: string;
  medianMs: number;
}

export interface AccuracyPoint {
  label: string;
  accuracy: number;
}

/**
 * Batch-1 latency as grouped horizontal bars (one group per model, one bar per
 * runtime), on a log axis: the js backend can be 10-50x slower than the others, which
 * would flatten every other bar on a linear axis. Each bar carries its value.
 */
export async function latencyBarSvg(rows: LatencyRowLike[], title = 'Batch-1 latency (median, log scale)'): Promise<string> {
  const values = rows.filter((r) => Number.isFinite(r.medianMs) && r.medianMs > 0).map((r) => ({ ...r, text: fmtMs(r.medianMs) }));
  const runtimes = unique(rows.map((r) => r.runtime));
  const min = Math.min(...values.map((v) => v.medianMs)), max = Math.max(...values.map((v) => v.medianMs));
  // Bars on a log axis start at the domain's lower end; leave room on the right for the labels.
  const domain = [10 ** Math.floor(Math.log10(min) - 0.3), 10 ** Math.ceil(Math.log10(max) + 0.4)];
  const enc = {
    y: { field: 'label', type: 'nominal', title: null, sort: unique(rows.map((r) => r.label)) },
    yOffset: { field: 'runtime', type: 'nominal', sort: runtimes },
    x: { field: 'medianMs', type: 'quantitative', title: 'ms (median of many runs)', scale: { type: 'log', domain }, stack: null },
  };
  const color = { field: 'runtime', type: 'nominal', title: null, sort: runtimes, scale: colorScale(runtimes) };
  return specToSvg({
    width: 520,
    height: { step: 16 },
    title,
    data: { values },
    encoding: enc,
    layer: [
      // x2 pinned to the left edge (pixel 0): a log axis has no zero for bars to grow from.
      { mark: 'bar', encoding: { x2: { value: 0 }, color } },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' }, encoding: { text: { field: 'text' } } },
    ],
  });
}

/** Accuracies as a dot plot with value labels and a dashed rule at the first (dense) one: differences of a fraction of a point stay visible (bars from 0 would hide them). */
export async function accuracySvg(points: AccuracyPoint[], title = 'Test accuracy'): Promise<string> {
  const values = points.filter((p) => Number.isFinite(p.accuracy)).map((p) => ({ ...p, text: p.accuracy.toFixed(4) }));
  const lo = Math.min(...values.map((v) => v.accuracy)), hi = Math.max(...values.map((v) => v.accuracy));
  const pad = Math.max(0.005, (hi - lo) * 0.35);
  const domain = [Math.max(0, lo - pad), Math.min(1, hi + pad)];
  const labels = points.map((p) => p.label);
  return specToSvg({
    width: 420,
    height: { step: 26 },
    title,
    data: { values },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: labels, axis: { labelLimit: 320 } },
      x: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain, zero: false } },
    },
    layer: [
      { data: { values: [{ dense: points[0]?.accuracy ?? null }] }, mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { field: 'dense', type: 'quantitative' }, y: null } },
      { mark: { type: 'point', filled: true, size: 90, color: '#4c78a8' } },
      { mark: { type: 'text', align: 'left', dx: 8, fontSize: 11 }, encoding: { text: { field: 'text' } } },
    ],
  });
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3);
}

export interface SummaryInput {
  model: string;
  data: string;
  evalLimit: number | null;
  method: string;
  guard: string;
  sparsity: string;
  epochs: string;
  accuracy: { dense: number; prunedCsrOrt: number; prunedCsrWasm: number; prunedBeforeFinetune?: number | null };
  /** Achieved sparsity over all prunable weights (from the prune report), when known. */
  achieved?: number | null;
  latency: LatencyRowLike[];
  steps: { step: string; seconds: number }[];
}

export function accuracyPoints(s: SummaryInput): AccuracyPoint[] {
  const a = s.accuracy;
  const pts: AccuracyPoint[] = [{ label: 'dense (onnxruntime)', accuracy: a.dense }];
  if (a.prunedBeforeFinetune !== undefined && a.prunedBeforeFinetune !== null) pts.push({ label: 'pruned, before fine-tuning (prune step)', accuracy: a.prunedBeforeFinetune });
  pts.push({ label: 'pruned + fine-tuned, CSR (onnxruntime)', accuracy: a.prunedCsrOrt });
  pts.push({ label: 'pruned + fine-tuned, CSR (Rampart wasm)', accuracy: a.prunedCsrWasm });
  return pts;
}

function intro(s: SummaryInput): string {
  const achieved = s.achieved === undefined || s.achieved === null ? '' : ` (achieved ${(100 * s.achieved).toFixed(2)}% over the prunable weights)`;
  const evald = s.evalLimit ? `the first ${s.evalLimit} test samples` : 'the full test split';
  return `Pruned with ${s.method} under the ${s.guard} guard, sparsity ${s.sparsity}${achieved}, fine-tuned ${s.epochs} epoch(s) on ${s.data}; accuracy on ${evald}.`;
}

export function summaryMarkdown(s: SummaryInput, latencySvgFile: string | null): string {
  const a = s.accuracy;
  const lines = [
    `# Rampart main job: ${s.model}`,
    '',
    intro(s),
    '',
    '| | accuracy |',
    '|---|---|',
    `| dense (onnxruntime) | ${a.dense.toFixed(4)} |`,
    `| pruned, CSR ONNX (onnxruntime) | ${a.prunedCsrOrt.toFixed(4)} |`,
    `| pruned, CSR ONNX (Rampart wasm) | ${a.prunedCsrWasm.toFixed(4)} |`,
    '',
    '| model | runtime | batch-1 latency (ms, median) |',
    '|---|---|---|',
    ...s.latency.map((r) => `| ${r.label} | ${r.runtime} | ${r.medianMs.toFixed(3)} |`),
    '',
    ...(latencySvgFile ? [`![batch-1 latency per runtime](${latencySvgFile})`, ''] : []),
    'Charts of all of this and the per-layer guard charts: summary.html. Per-layer sparsity, guard limits and Δr: prune/prune-report.md. Spectral preview: analyze.html.',
    '',
  ];
  return lines.join('\n');
}

export interface SummaryCharts {
  accuracy: string;
  latency: string;
  /** The prune report's own SVGs (per-layer sparsity vs guard limit; the guard scan), inlined as they are. */
  pruneSparsity: string | null;
  pruneGuard: string | null;
}

const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

export function summaryHtml(s: SummaryInput, c: SummaryCharts): string {
  const a = s.accuracy;
  const sections: Section[] = [
    {
      heading: 'Run',
      text: intro(s),
      html: `<p>Reports: ${link('analyze.html', 'spectral analysis (analyze.html)')} · ${link('prune/prune-report.md', 'pruning report (prune/prune-report.md)')} · ` +
        `${link('prune/prune-report.json', 'prune-report.json')} · ${link('summary.json', 'summary.json')} · ${link('summary.md', 'summary.md')}</p>`,
    },
    {
      heading: 'Accuracy',
      html: c.accuracy + htmlTable(['model', 'accuracy'], accuracyPoints(s).map((p) => [p.label, p.accuracy.toFixed(4)])) +
        `<p>Change from dense: ${pts(a.prunedCsrOrt - a.dense)} points on onnxruntime, ${pts(a.prunedCsrWasm - a.dense)} on Rampart wasm.</p>`,
    },
    {
      heading: 'Batch-1 latency per runtime',
      html: c.latency + htmlTable(['model', 'runtime', 'ms (median)'], s.latency.map((r) => [r.label, r.runtime, r.medianMs.toFixed(4)])),
    },
    {
      heading: 'Per-layer sparsity and the guard (from the pruning report)',
      text: c.pruneSparsity || c.pruneGuard ? undefined : 'The pruning report wrote no charts.',
      html: [c.pruneSparsity, c.pruneGuard].filter((x): x is string => !!x).map((svg) => `<div>${svg}</div>`).join('\n'),
    },
    { heading: 'Steps', html: htmlTable(['step', 'seconds'], s.steps.map((x) => [x.step, x.seconds.toFixed(2)])) },
  ];
  return htmlPage(`Rampart main job: ${s.model}`, sections);
}

function pts(d: number): string {
  const p = d * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(2)}`;
}
