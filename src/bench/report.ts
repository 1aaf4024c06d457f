// A bench's three files: bench.json (the points, and one record per level × block ×
// runtime × batch), bench.csv (the records) and bench.html (charts and tables, one
// self-contained page: inline SVG, no scripts). Each is written atomically.
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { escapeHtml, htmlPage, htmlTable, specToSvg, type Section } from '../report/chart.ts';
import { frontierSpec, sparsitySpec, type FrontierRow, type SparsityRow } from './charts.ts';
import type { BenchFile, BenchPoint, BenchRecord, Runtime } from './types.ts';

export function recordsOf(file: BenchFile): BenchRecord[] {
  const out: BenchRecord[] = [];
  for (const p of file.points) {
    for (const [batch, byRuntime] of Object.entries(p.latency)) {
      for (const runtime of Object.keys(byRuntime) as Runtime[]) {
        const s = byRuntime[runtime];
        out.push({
          model: file.model.name, level: p.level, block: p.block, runtime, batch: Number(batch), sparsity: p.sparsity,
          accuracy: p.accuracy, afterPrune: p.afterPrune, medianMs: s?.medianMs ?? null, p10Ms: s?.p10Ms ?? null, p90Ms: s?.p90Ms ?? null,
          denseMedianMs: p.denseLatency[batch]?.[runtime]?.medianMs ?? null, allRamanujan: p.allRamanujan, minDeltaR: p.minDeltaR,
          denseOnnxBytes: p.sizes.denseOnnxBytes, csrOnnxBytes: p.sizes.csrOnnxBytes, cFlashBytes: p.sizes.cFlashBytes, noise: p.noise,
          loadAverage: p.loadAverage,
        });
      }
    }
  }
  return out;
}

const CSV_COLUMNS = ['model', 'level', 'block', 'runtime', 'batch', 'sparsity', 'accuracy', 'afterPrune', 'medianMs', 'p10Ms', 'p90Ms', 'denseMedianMs',
  'allRamanujan', 'minDeltaR', 'denseOnnxBytes', 'csrOnnxBytes', 'cFlashBytes', 'loadAverage'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function benchCsv(records: BenchRecord[], noise: number[]): string {
  const head = [...CSV_COLUMNS, ...noise.map((s) => `noise_${s}`)];
  const rows = records.map((r) => [...CSV_COLUMNS.map((k) => csvCell(r[k])), ...noise.map((s) => csvCell(r.noise[String(s)]))].join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

/** Writes bench.json and bench.csv, and bench.html when `html` (chart rendering takes seconds). */
export async function writeBenchFiles(dir: string, file: BenchFile, html: boolean): Promise<void> {
  file.records = recordsOf(file);
  writeFileAtomic(join(dir, 'bench.json'), JSON.stringify(file, null, 1) + '\n');
  writeFileAtomic(join(dir, 'bench.csv'), benchCsv(file.records, (file.config.noise as number[]) ?? []));
  if (html) writeFileAtomic(join(dir, 'bench.html'), await benchHtml(file));
}

const graphName = (l: { layer: string; graph: string; direction: number }, all: { direction: number }[]) =>
  `${l.layer} ${l.graph}${all.some((x) => x.direction > 0) ? ` dir ${l.direction}` : ''}`;

/** The batch-1 key of a point's latency (or its smallest batch). */
function firstBatch(p: BenchPoint): string | undefined {
  return p.latency['1'] ? '1' : Object.keys(p.latency).sort((a, b) => Number(a) - Number(b))[0];
}

/** The dense point once per block shape (each block's line starts at dense); the others as they are. */
function perBlock<T extends { block: string }>(pts: BenchPoint[], row: (p: BenchPoint) => T[]): T[] {
  const blocks = [...new Set(pts.filter((p) => p.level !== 'dense').map((p) => p.block))];
  return pts.flatMap((p) => (p.level === 'dense' && blocks.length ? blocks.flatMap((b) => row(p).map((r) => ({ ...r, block: b }))) : row(p)));
}

/** The frontier chart as a report section (bench.html's, and `rampart main`'s summary). */
export async function frontierSection(file: BenchFile): Promise<Section> {
  const pts = file.points;
  const runtimes = (file.config.runtimes as Runtime[]) ?? [];
  const dense = pts.find((p) => p.level === 'dense');
  const missing: string[] = [];
  for (const p of pts) for (const r of runtimes) if (!p.latency[firstBatch(p) ?? '']?.[r]) missing.push(`${p.id} on ${r}`);
  const frontier: FrontierRow[] = perBlock(pts, (p) => runtimes.flatMap((r) => {
    const s = p.latency[firstBatch(p) ?? '']?.[r];
    return s ? [{ panel: r, block: p.block, level: p.level, sparsity: p.sparsity, ms: s.medianMs, acc: p.accuracy, guard: p.level === 'guard', dense: p.level === 'dense' }] : [];
  }));
  return {
    heading: 'The frontier: accuracy against latency',
    text: `One panel per runtime; a line per block shape through its levels (by sparsity), ◇ the guard's level, ✕ the dense model${dense ? `; the red dashed line is dense accuracy (${dense.accuracy.toFixed(4)})` : ''}. Accuracy after ${file.config.epochs} epochs of fine-tuning.${missing.length ? ` Not measured: ${missing.join(', ')}.` : ''}`,
    html: await specToSvg(frontierSpec({ title: `${file.model.name}: accuracy against batch-1 latency`, rows: frontier, bar: dense?.accuracy })),
  };
}

/** The frontier as a Markdown table: one row per point, batch-1 median per runtime. */
export function frontierMarkdown(file: BenchFile): string[] {
  const runtimes = (file.config.runtimes as Runtime[]) ?? [];
  const f3 = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));
  return [
    `| point | sparsity | accuracy | all Ramanujan | ${runtimes.map((r) => `${r} ms`).join(' | ')} | CSR KiB |`,
    `|---|---:|---:|---|${runtimes.map(() => '---:').join('|')}|---:|`,
    ...file.points.map((p) => `| ${p.id} | ${p.sparsity.toFixed(3)} | ${p.accuracy.toFixed(4)} | ${p.allRamanujan ? 'yes' : 'no'} | ${runtimes.map((r) => f3(p.latency[firstBatch(p) ?? '']?.[r]?.medianMs)).join(' | ')} | ${(p.sizes.csrOnnxBytes / 1024).toFixed(1)} |`),
  ];
}

export async function benchHtml(file: BenchFile): Promise<string> {
  const pts = file.points;
  const runtimes = (file.config.runtimes as Runtime[]) ?? [];
  const dense = pts.find((p) => p.level === 'dense');
  const sections: Section[] = [];
  const c = file.conditions as Record<string, unknown>;
  sections.push({
    heading: 'What was measured',
    text: [
      `${file.model.name} (${file.model.input}) on ${file.model.dataset}: ${file.model.testSamples} test samples, ${file.model.trainSamples} training samples; method ${file.config.method}, ${file.config.epochs} fine-tuning epochs with the masks fixed. Accuracy is onnxruntime-node's on the test split.`,
      `Levels: dense; guard = every layer to the highest sparsity at which its graph stays Ramanujan (Δr guard, marked ◇); a number = every layer at that sparsity, unguarded. Latency: batch ${(file.config.batches as number[]).join(', ')}, one thread, every runtime interleaved round-robin with the dense model in one process, ${file.config.rounds} rounds (median; p10–p90 in the table). Every runtime runs the dense-stored pruned model (Rampart's packer picks dense, CSR or block CSR per weight from its zeros); the CSR file is the smaller artifact to ship.`,
      `Machine: ${c.cpu}, ${c.cores} cores, ${c.arch} [${(c.isa as string[] | undefined)?.join(' ') ?? ''}], wasm SIMD ${c.wasmSimd}, node ${c.node}, load average ${typeof c.loadAverage === 'number' ? c.loadAverage.toFixed(1) : '?'} at the start.${file.complete ? '' : ' INCOMPLETE: some points are missing.'}`,
      ...file.notes,
    ].join('\n\n'),
  });

  sections.push(await frontierSection(file));

  const row = (p: BenchPoint, value: number | null, panel: string): SparsityRow => ({ block: p.block, level: p.level, sparsity: p.sparsity, value, guard: p.level === 'guard', panel });
  const acc = perBlock(pts, (p) => [row(p, p.accuracy, 'accuracy after fine-tuning'), ...Object.entries(p.noise).map(([s, a]) => row(p, a, `accuracy, input noise σ = ${s}`))]);
  const minDr = perBlock(pts, (p) => [row(p, p.minDeltaR, 'min Δr over layer graphs')]);
  sections.push({
    heading: 'Accuracy and Δr against sparsity',
    text: 'Δr ≥ 0 (the dashed line) is the Ramanujan bound. A grey × on the axis: Δr undefined (average degree below 3) at that point.',
    html: [
      await specToSvg(sparsitySpec({ title: 'test accuracy', yTitle: 'accuracy', rows: acc, columns: 3, width: 300, height: 200, rule: dense?.accuracy })),
      await specToSvg(sparsitySpec({ title: 'min Δr over the layer graphs', yTitle: 'Δr', rows: minDr, rule: 0 })),
    ].join('\n'),
  });

  const perLayer = perBlock(pts, (p) => p.layers.map((l) => ({
    block: p.block, level: p.level, sparsity: l.sparsity, value: l.deltaR, guard: p.level === 'guard', panel: graphName(l, p.layers),
  })));
  sections.push({
    heading: 'Δr of every layer graph against its sparsity',
    text: 'One panel per layer graph (stacked gates; W and R of a recurrent layer apart), x its own sparsity.',
    html: await specToSvg(sparsitySpec({ title: 'Δr per layer graph', yTitle: 'Δr', rows: perLayer, rule: 0, columns: 4 })),
  });

  const kib = (n: number | null) => (n === null ? null : n / 1024);
  const sizes = perBlock(pts, (p) => [
    row(p, kib(p.sizes.denseOnnxBytes), 'dense ONNX'), row(p, kib(p.sizes.csrOnnxBytes), 'CSR ONNX (onnx-csr)'), row(p, kib(p.sizes.cFlashBytes), 'C target flash (estimate)'),
    ...(p.sizes.wasmModuleBytes === undefined ? [] : [row(p, kib(p.sizes.wasmModuleBytes), 'wasm module (model.wasm)')]),
  ]);
  const noC = pts.filter((p) => p.sizes.cFlashBytes === null);
  sections.push({
    heading: 'Size against sparsity',
    text: `KiB. The dense file keeps its zeros; the CSR file stores each weight dense, CSR or block CSR, whichever is smallest; the C flash estimate is targets/c's budget (weights, indices, code, libm).${noC.length ? ` No C figure (grey ×) for ${noC.map((p) => p.id).join(', ')}: ${noC[0].sizes.cNote ?? 'the model does not compile to C'}.` : ''}`,
    html: await specToSvg(sparsitySpec({ title: 'size', yTitle: 'KiB', rows: sizes, columns: 3, width: 260, height: 180, independentY: true, yFormat: ',.0f' })),
  });

  const f3 = (x: number | null | undefined) => (x === null || x === undefined ? null : x.toFixed(3));
  const head = ['point', 'sparsity', 'accuracy', 'after pruning', ...Object.keys(dense?.noise ?? pts[0]?.noise ?? {}).map((s) => `σ ${s}`), 'all Ramanujan', 'min Δr',
    'dense KiB', 'CSR KiB', 'C flash KiB', ...runtimes.map((r) => `${r} ms (p10–p90)`)];
  const rows = pts.map((p) => {
    const b = firstBatch(p);
    return [p.id, p.sparsity.toFixed(3), p.accuracy.toFixed(4), p.afterPrune.toFixed(4), ...Object.values(p.noise).map((a) => a.toFixed(4)),
      p.allRamanujan ? 'yes' : 'no', f3(p.minDeltaR), (p.sizes.denseOnnxBytes / 1024).toFixed(1), (p.sizes.csrOnnxBytes / 1024).toFixed(1),
      p.sizes.cFlashBytes === null ? null : (p.sizes.cFlashBytes / 1024).toFixed(1),
      ...runtimes.map((r) => { const s = b ? p.latency[b]?.[r] : undefined; return s ? `${f3(s.medianMs)} (${f3(s.p10Ms)}–${f3(s.p90Ms)})` : null; })];
  });
  sections.push({ heading: 'Every point', html: htmlTable(head, rows) });
  const layerHead = ['point', 'layer graph', 'sparsity', 'Δr', 'IMDB', 'Ramanujan'];
  const layerRows = pts.flatMap((p) => p.layers.map((l) => [p.id, graphName(l, p.layers), l.sparsity.toFixed(3), f3(l.deltaR), f3(l.imdb), l.ramanujan === null ? 'undefined' : l.ramanujan ? 'yes' : 'no']));
  sections.push({ heading: 'Every layer graph', html: `<details><summary>${escapeHtml(`${layerRows.length} rows`)}</summary>\n${htmlTable(layerHead, layerRows)}\n</details>` });
  return htmlPage(`rampart bench: ${file.model.name} on ${file.model.dataset}`, sections);
}
