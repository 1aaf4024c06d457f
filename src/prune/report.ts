// The pruning report: JSON (everything, curves included), markdown (the tables a
// person reads) and two SVG charts (per-layer sparsity against its guard limit; the
// guard's scanned curves). Written whole or not at all, file by file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../onnx/export.ts';
import { barChartSvg, lineChartSvg, type BarDatum, type Series } from '../report/chart.ts';
import { labelMap } from '../report/labels.ts';
import { graphMetrics } from '../spectral/index.ts';
import { blockLabel, type BlockShape } from './blocks.ts';
import { CRITERION_SYMBOL } from './criterion.ts';
import type { MaxDropReport } from './maxdrop.ts';
import type { PruneResult, TargetReport } from './prune.ts';
import { currentMasks } from './targets.ts';
import { maskViews } from './views.ts';
import type { GuardCriterionName, PruneTarget } from './types.ts';

export interface SpectralSummary {
  /** Min over directions of the stacked graph; null where undefined on one. */
  deltaR: number | null;
  deltaS: number | null;
  imdb: number | null;
}

export interface LayerRow extends Omit<TargetReport, 'curve'> {
  before: SpectralSummary;
  after: SpectralSummary;
  curve: TargetReport['curve'];
}

export interface AccuracyRow {
  dataset: string;
  n: number;
  before: number | null;
  afterPrune: number | null;
  afterFinetune: number | null;
}

export interface PruneReportData {
  model: string;
  output: string;
  method: string;
  guard: string;
  /** The guard's coverage rule (criterion.ts): the fraction of inputs and of outputs that must keep an edge; 0: off; absent without a guard. */
  minCoverage?: number;
  scope: string;
  /** Block shape and layout of the masks (1×1 contiguous: unstructured). */
  block: BlockShape;
  requested: number | 'auto';
  achieved: number;
  achievedBudget: number;
  met: boolean;
  rounds: number;
  caps: Record<string, number>;
  rates: Record<string, number>;
  notes: string[];
  layers: LayerRow[];
  accuracy: AccuracyRow | null;
  params: { total: number; prunable: number; nonzeroPrunableBefore: number; nonzeroPrunableAfter: number };
  sizes: { onnxBytesBefore: number | null; onnxBytesAfter: number | null; denseWeightBytes: number; csrWeightBytes: number };
  finetune: { epochs: number; history?: unknown } | null;
  /** The --max-drop search (validation split, candidates), when asked for. */
  maxDrop: MaxDropReport | null;
}

/** Δr, Δs, IMDB of a target's weights as they are (nonzero = edge), min over directions. */
export function spectralSummary(t: PruneTarget): SpectralSummary {
  const [mask] = currentMasks([t]);
  const out: SpectralSummary = { deltaR: Infinity, deltaS: Infinity, imdb: Infinity };
  for (const v of maskViews(t, mask, false)) {
    const g = graphMetrics(v, { weighted: false });
    for (const k of ['deltaR', 'deltaS', 'imdb'] as const) {
      const x = g[k];
      out[k] = out[k] === null || x === null ? null : Math.min(out[k]!, x);
    }
  }
  for (const k of ['deltaR', 'deltaS', 'imdb'] as const) if (out[k] === Infinity) out[k] = null;
  return out;
}

/** Bytes of the pruned weights stored as CSR: fp32 values, int16/int32 columns, int32 row pointers. */
export function csrBytes(targets: PruneTarget[]): number {
  let bytes = 0;
  for (const t of targets) {
    let nnz = 0;
    for (const w of t.weights) if (w !== 0) nnz++;
    bytes += nnz * (4 + (t.cols <= 65536 ? 2 : 4)) + t.directions * (t.rows + 1) * 4;
  }
  return bytes;
}

export function layerRows(result: PruneResult, before: PruneTarget[]): LayerRow[] {
  return result.report.map((r, i) => ({
    ...r,
    before: spectralSummary(before[i]),
    after: spectralSummary(result.targets[i]),
  }));
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(2)}%`);
const num = (x: number | null) => (x === null ? '—' : x.toFixed(3));

export function markdown(r: PruneReportData): string {
  const lines: string[] = [];
  lines.push(`# Pruning report: ${r.model}`, '');
  lines.push(`- method **${r.method}**, guard **${r.guard}**${r.minCoverage === undefined ? '' : r.minCoverage > 0 ? ` with min coverage ${r.minCoverage}` : ' without the coverage rule'}, scope ${r.scope}, ${r.rounds} round(s)`);
  const unstructured = r.block.rows === 1 && r.block.cols === 1;
  lines.push(`- blocks **${blockLabel(r.block)}** (${r.block.rows} output rows × ${r.block.cols} input columns, ${r.block.layout} layout)${unstructured ? ': unstructured' : ''}`);
  lines.push(`- requested sparsity ${r.requested === 'auto' ? 'auto (every layer to its guard limit)' : pct(r.requested)}; achieved ${pct(r.achieved)} over all prunable weights (${pct(r.achievedBudget)} over the budgeted ones)${r.met ? '' : ' — **target not met**'}`);
  if (Object.keys(r.caps).length) lines.push(`- caps: ${Object.entries(r.caps).map(([k, v]) => `${k} ≤ ${v}`).join(', ')}`);
  if (Object.keys(r.rates).length) lines.push(`- fixed rates: ${Object.entries(r.rates).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
  lines.push(`- written to ${r.output}`);
  for (const n of r.notes) lines.push(`- note: ${n}`);
  lines.push('', '## Layers', '');
  lines.push(`| weight | layer | graph | size | sparsity |${unstructured ? '' : ' blocks pruned |'} guard limit | Δr before | Δr after | Δs after | IMDB after |`);
  lines.push(`|---|---|---|---:|---:|${unstructured ? '' : '---:|'}---:|---:|---:|---:|---:|`);
  for (const l of r.layers) {
    const blocks = unstructured ? '' : ` ${l.blocks ? `${l.blocks.pruned} of ${l.blocks.total}` : '—'} |`;
    lines.push(`| ${l.name} | ${l.layer} (${l.op}) | ${l.graph} | ${l.size} | ${pct(l.sparsity)} |${blocks} ${pct(l.limit)} | ${num(l.before.deltaR)} | ${num(l.after.deltaR)} | ${num(l.after.deltaS)} | ${num(l.after.imdb)} |`);
  }
  lines.push('', '## What the guard said', '');
  for (const l of r.layers) for (const n of l.notes) lines.push(`- ${l.name}: ${n}`);
  if (r.layers.every((l) => l.notes.length === 0)) lines.push('- (no guard)');
  if (r.maxDrop) lines.push(...maxDropLines(r.maxDrop));
  if (r.accuracy) {
    const a = r.accuracy;
    lines.push('', '## Accuracy', '', `${a.dataset}, ${a.n} test samples`, '');
    lines.push('| before | after pruning | after fine-tuning |', '|---:|---:|---:|');
    lines.push(`| ${pct(a.before)} | ${pct(a.afterPrune)} | ${pct(a.afterFinetune)} |`);
  }
  lines.push('', '## Size', '');
  const p = r.params;
  lines.push(`- parameters: ${p.total} in total, ${p.prunable} prunable; nonzero prunable ${p.nonzeroPrunableBefore} → ${p.nonzeroPrunableAfter}`);
  lines.push(`- prunable weights: ${r.sizes.denseWeightBytes} bytes dense fp32, ${r.sizes.csrWeightBytes} bytes as CSR (fp32 values, int16 columns, int32 row pointers)`);
  if (r.sizes.onnxBytesAfter !== null) lines.push(`- ONNX file: ${r.sizes.onnxBytesBefore ?? '—'} → ${r.sizes.onnxBytesAfter} bytes (dense storage; compile to CSR to shrink it)`);
  lines.push('', '![sparsity vs limit](prune-sparsity.svg)', '', '![guard curves](prune-guard.svg)', '');
  return lines.join('\n');
}

function maxDropLines(m: MaxDropReport): string[] {
  const lines = ['', '## Accuracy budget (--max-drop)', ''];
  const baseline = m.baseline === 'finetuned'
    ? `the dense model fine-tuned the same way on the same samples (${pct(m.baselineAccuracy)}; as is ${pct(m.denseAccuracy)})`
    : `the dense model as is (${pct(m.denseAccuracy)})`;
  lines.push(`Within ${m.maxDrop} point(s) of ${baseline} on ${m.valSize} validation samples held out from the training split; the guard's allocation (spectral limit) is ${pct(m.spectralLimit)} over the budgeted weights.`, '');
  lines.push('| # | role | sparsity | spectral | validation | drop vs baseline (points) | within | seconds |', '|---:|---|---:|---|---:|---:|---|---:|');
  m.candidates.forEach((c, i) => {
    const spectral = c.spectral ? 'pass' : `fail (${c.failing.join(', ')})`;
    lines.push(`| ${i + 1}${i === m.chosen ? ' ✓' : ''} | ${c.role} | ${pct(c.sparsity)} | ${spectral} | ${pct(c.accuracy)} | ${c.drop.toFixed(2)} | ${c.within ? 'yes' : 'no'} | ${c.seconds.toFixed(1)} |`);
  });
  lines.push('', m.chosen >= 0 ? `Chosen: candidate ${m.chosen + 1}.` : 'No candidate within the budget: the model stays dense.');
  return lines;
}

/** Chart labels per weight: the layer's short name (src/report/labels.ts), and its graph where the layer has several (W, R). */
function weightLabels(layers: LayerRow[]): string[] {
  const short = labelMap(layers.map((l) => l.layer));
  const graphs = new Map<string, number>();
  for (const l of layers) graphs.set(l.layer, (graphs.get(l.layer) ?? 0) + 1);
  return layers.map((l) => `${short.get(l.layer)}${graphs.get(l.layer)! > 1 ? ` ${l.graph}` : ''}`);
}

export async function charts(r: PruneReportData, criterionName: string): Promise<{ sparsity: string; guard: string }> {
  const criterion = CRITERION_SYMBOL[criterionName as GuardCriterionName] ?? criterionName;
  const labels = weightLabels(r.layers);
  const bars: BarDatum[] = r.layers.flatMap((l, i) => [
    { group: labels[i], series: 'sparsity', value: l.sparsity },
    { group: labels[i], series: 'guard limit', value: l.limit },
  ]);
  const sparsity = await barChartSvg(bars, { title: 'Sparsity per weight and its guard limit', yTitle: 'sparsity', undefinedText: 'no limit' });
  const series: Series[] = r.layers.flatMap((l, i) => (l.curve.length ? [{
    name: labels[i],
    points: l.curve.map((p) => ({ x: p.sparsity, y: p.value })),
  }] : []));
  const guard = series.length
    ? await lineChartSvg(series, { title: `Guard scan: ${criterion} of the mask at each sparsity (pass: ≥ 0; × undefined, a fail)`, xTitle: 'sparsity', yTitle: criterion, rule: 0 })
    : await lineChartSvg([{ name: 'no guard', points: [] }], { title: 'No guard scan' });
  return { sparsity, guard };
}

export async function writeReport(dir: string, r: PruneReportData, criterion: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const c = await charts(r, criterion);
  const files: [string, string][] = [
    ['prune-report.json', JSON.stringify(r, null, 2) + '\n'],
    ['prune-report.md', markdown(r)],
    ['prune-sparsity.svg', c.sparsity],
    ['prune-guard.svg', c.guard],
  ];
  for (const [name, text] of files) writeFileAtomic(join(dir, name), new TextEncoder().encode(text));
  return files.map(([name]) => join(dir, name));
}

