// Charts and markdown for bench/runtime.ts, drawn from its JSON records alone so an
// existing runtime.json can be re-rendered without re-running the bench
// (`npx tsx bench/runtime.ts --render-only`). Per model: batch-1 latency against
// sparsity, one line per runtime (runtime-<model>.svg), and the speed-up over
// onnxruntime-node with the targets drawn in (runtime-<model>-speedup.svg);
// runtime.md embeds them with the tables.
import { join } from 'node:path';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { specToSvg } from '../src/report/chart.ts';
import { colorScale } from '../src/report/summary.ts';

/** The engines in the order runtime.ts times them, with the names the charts show. */
export const RUNTIMES = [
  { key: 'ort-node', name: 'onnxruntime-node' },
  { key: 'ort-web', name: 'onnxruntime-web' },
  { key: 'rampart-js', name: 'rampart-js' },
  { key: 'rampart-wasm', name: 'rampart-wasm' },
] as const;

export interface RuntimeRecord {
  model: string;
  label: string;
  sparsity: number;
  /** Median batch-1 ms per engine key (RUNTIMES[].key). */
  ms: Record<string, number>;
  wasmWeightBytesPerRun?: number;
  limitMsDram?: number;
  limitMsCache?: number;
}

export interface RuntimeFile {
  conditions?: Record<string, unknown>;
  results: RuntimeRecord[];
  stream?: { sparsity: number; mask?: string; msPerStep: Record<string, number> }[];
  targets?: { what: string; value: string; met: boolean }[];
}

/** The speed-up targets for Rampart's wasm backend (runtime.ts evaluates the same list). */
export interface SpeedupTarget { model: string; sparsity: number; vs: 'ort-node' | 'ort-web'; speedup: number }
// Issue 9's targets: LSTM h256 at 90% block sparsity (16x1 blocks: the block size the
// kernels run fastest, bench/results/crossover.json).
export const SPEEDUP_TARGETS: SpeedupTarget[] = [
  { model: 'lstm-16x1', sparsity: 0.9, vs: 'ort-node', speedup: 3 },
  { model: 'lstm-16x1', sparsity: 0.9, vs: 'ort-web', speedup: 6 },
];
/** Per-step streaming of LSTM h256 against onnxruntime-node running a one-step model. */
export const STREAM_TARGETS = [{ mask: '16x1', sparsity: 0.9, speedup: 4 }];
/** The dense path: at most this much slower than onnxruntime-web (the same instruction set, WASM SIMD). */
export const DENSE_LIMIT = { vs: 'ort-web' as const, slowdown: 1.25 };


const WIDTH = 440, HEIGHT = 260;
const nameOf = (key: string) => RUNTIMES.find((r) => r.key === key)?.name ?? key;
const pct = (x: number) => `${+(x * 100).toFixed(2)}%`;

function modelsOf(records: RuntimeRecord[]): { key: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const r of records) if (!seen.has(r.model)) seen.set(r.model, r.label);
  return [...seen].map(([key, label]) => ({ key, label }));
}

// Padding keeps the 0% points and tick label off the y axis.
const xSparsity = { field: 'sparsity', type: 'quantitative', title: 'sparsity (magnitude-pruned)', scale: { domain: [0, 1], padding: 10 }, axis: { format: '%' } };
/** 1-2-5 ticks per decade: vega's default log ticks crowd their labels. */
const LOG_TICKS = [-4, -3, -2, -1, 0, 1, 2, 3, 4].flatMap((e) => [1, 2, 5].map((m) => +(m * 10 ** e).toPrecision(1)));
const logAxis = { format: '~g', values: LOG_TICKS };

/** Batch-1 latency against sparsity for one model, one line per runtime, log y. */
export async function latencyChartSvg(records: RuntimeRecord[], model: string): Promise<string> {
  const recs = records.filter((r) => r.model === model);
  const engines = RUNTIMES.filter((e) => recs.some((r) => Number.isFinite(r.ms[e.key])));
  const values = recs.flatMap((r) => engines.filter((e) => Number.isFinite(r.ms[e.key]) && r.ms[e.key] > 0)
    .map((e) => ({ runtime: e.name, sparsity: r.sparsity, ms: r.ms[e.key] })));
  const names = engines.map((e) => e.name);
  return specToSvg({
    width: WIDTH, height: HEIGHT,
    title: { text: `${recs[0]?.label ?? model}: batch-1 latency`, subtitle: 'median ms, 1 thread, log scale' },
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: xSparsity,
      y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { type: 'log' }, axis: logAxis },
      color: { field: 'runtime', type: 'nominal', title: null, sort: names, scale: colorScale(names) },
    },
  });
}

/**
 * Speed-up over onnxruntime-node (its ms / the runtime's ms) against sparsity, one
 * line per other runtime, log y; 1× is onnxruntime-node itself. For the model the
 * targets name: a dashed rule per speed-up target with a marker at its sparsity.
 */
export async function speedupChartSvg(records: RuntimeRecord[], model: string, targets: SpeedupTarget[] = SPEEDUP_TARGETS): Promise<string> {
  const recs = records.filter((r) => r.model === model && Number.isFinite(r.ms['ort-node']));
  const engines = RUNTIMES.filter((e) => e.key !== 'ort-node' && recs.some((r) => Number.isFinite(r.ms[e.key])));
  const values = recs.flatMap((r) => engines.filter((e) => Number.isFinite(r.ms[e.key]) && r.ms[e.key] > 0)
    .map((e) => ({ runtime: e.name, sparsity: r.sparsity, speedup: r.ms['ort-node'] / r.ms[e.key] })));
  const names = engines.map((e) => e.name);
  const y = { field: 'speedup', type: 'quantitative', title: 'speed-up over onnxruntime-node (×)', scale: { type: 'log' }, axis: logAxis };
  const mine = targets.filter((t) => t.model === model && t.vs === 'ort-node');
  const red = '#b22222';
  const layers: Record<string, unknown>[] = [
    { data: { values }, mark: { type: 'line', point: true }, encoding: { x: xSparsity, y, color: { field: 'runtime', type: 'nominal', title: null, sort: names, scale: colorScale(names) } } },
    { data: { values: [{ speedup: 1, label: 'onnxruntime-node (1×)' }] }, mark: { type: 'rule', color: '#4c78a8', strokeDash: [2, 2] }, encoding: { y } },
    { data: { values: [{ speedup: 1, label: 'onnxruntime-node (1×)' }] }, mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -2, fontSize: 10, color: '#4c78a8' }, encoding: { y, x: { value: 0 }, text: { field: 'label' } } },
  ];
  if (mine.length) {
    const tv = mine.map((t) => ({ speedup: t.speedup, sparsity: t.sparsity, label: `target ${t.speedup}× at ${pct(t.sparsity)}` }));
    layers.push(
      { data: { values: tv }, mark: { type: 'rule', color: red, strokeDash: [5, 3], opacity: 0.7 }, encoding: { y } },
      { data: { values: tv }, mark: { type: 'point', shape: 'diamond', size: 110, filled: false, color: red, strokeWidth: 2 }, encoding: { x: xSparsity, y } },
      { data: { values: tv }, mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -2, fontSize: 10, color: red }, encoding: { y, x: { value: 0 }, text: { field: 'label' } } },
    );
  }
  return specToSvg({
    width: WIDTH, height: HEIGHT,
    title: { text: `${recs[0]?.label ?? model}: speed-up over onnxruntime-node`, subtitle: mine.length ? 'log scale; red: the targets for rampart-wasm' : 'log scale; above 1× is faster' },
    layer: layers,
  });
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x >= 10 ? x.toFixed(1) : x.toFixed(3));
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

export function runtimeMarkdown(data: RuntimeFile, charts: { model: string; label: string; latency: string; speedup: string }[]): string {
  const L: string[] = ['# Runtime benchmark: batch-1 latency against sparsity', ''];
  L.push('Generated by `npm run bench -- runtime` from its measurements in `runtime.json`; re-render the charts and this page from that file with `npx tsx bench/runtime.ts --render-only`.', '');
  const c = data.conditions;
  if (c) {
    const bw = c.bandwidthGBs as { dram?: number; cache?: number } | undefined;
    L.push(`Conditions: ${c.cpu}, ${c.cores} cores, ${c.arch} [${(c.isa as string[] | undefined)?.join(' ') ?? ''}], wasm SIMD ${c.wasmSimd}, ${c.threads ?? 1} thread, batch ${c.batch ?? 1}, node ${c.node}, load average ${typeof c.loadAverage === 'number' ? c.loadAverage.toFixed(1) : '?'} at the start, ${c.date}` +
      (bw?.dram ? `; copy bandwidth ${bw.dram.toFixed(1)} GB/s (DRAM), ${bw.cache?.toFixed(1)} GB/s (cache)` : '') + '.', '');
  }
  L.push('## Latency (ms, median of many runs)', '');
  L.push(`| model | sparsity | ${RUNTIMES.map((r) => r.name).join(' | ')} | wasm vs ort-node | wasm vs ort-web | wasm weights KiB/run | wasm / cache limit |`);
  L.push(`|---|---:|${RUNTIMES.map(() => '---:').join('|')}|---:|---:|---:|---:|`);
  for (const r of data.results) {
    const w = r.ms['rampart-wasm'];
    L.push(`| ${r.label} | ${pct(r.sparsity)} | ${RUNTIMES.map((e) => fmt(r.ms[e.key])).join(' | ')} | ${ratio(r.ms['ort-node'], w)} | ${ratio(r.ms['ort-web'], w)} | ` +
      `${r.wasmWeightBytesPerRun === undefined ? '—' : (r.wasmWeightBytesPerRun / 1024).toFixed(0)} | ${ratio(w, r.limitMsCache)} |`);
  }
  if (data.targets?.length) {
    L.push('', '## Targets (wasm backend)', '');
    for (const t of data.targets) L.push(`- ${t.met ? 'met' : '**missed**'}: ${t.what} — ${t.value}`);
  }
  L.push('', '## Charts', '');
  for (const ch of charts) L.push(`### ${ch.label}`, '', `![${ch.label}: latency](${ch.latency}) ![${ch.label}: speed-up over onnxruntime-node](${ch.speedup})`, '');
  if (data.stream?.length) {
    const keys = Object.keys(data.stream[0].msPerStep);
    L.push('## LSTM h256 streaming, one time step (µs)', '', `| mask | sparsity | ${keys.join(' | ')} |`, `|---|---:|${keys.map(() => '---:').join('|')}|`);
    for (const s of data.stream) L.push(`| ${s.mask ?? 'unstructured'} | ${pct(s.sparsity)} | ${keys.map((k) => (s.msPerStep[k] * 1000).toFixed(1)).join(' | ')} |`);
    L.push('');
  }
  return L.join('\n');
}

/** Writes runtime-<model>.svg, runtime-<model>-speedup.svg and runtime.md into dir; returns the paths. */
export async function writeRuntimeReport(data: RuntimeFile, dir: string): Promise<string[]> {
  const files: [string, string][] = [];
  const charts = [];
  for (const { key, label } of modelsOf(data.results)) {
    const safe = key.replace(/[^A-Za-z0-9_-]/g, '_');
    const latency = `runtime-${safe}.svg`, speedup = `runtime-${safe}-speedup.svg`;
    files.push([latency, await latencyChartSvg(data.results, key)], [speedup, await speedupChartSvg(data.results, key)]);
    charts.push({ model: key, label, latency, speedup });
  }
  files.push(['runtime.md', runtimeMarkdown(data, charts)]);
  for (const [name, text] of files) writeFileAtomic(join(dir, name), new TextEncoder().encode(text));
  return files.map(([name]) => join(dir, name));
}
