// Shared pieces of the evidence bench (bench/evidence.ts): the zoo model's data,
// accuracy by onnxruntime-node, the guarded and unguarded magnitude prunes, and
// fine-tuning with per-epoch accuracy.
import type { Model } from '../../runtime/ir.ts';
import { loadDataset, PIXELS, type Dataset, type DatasetName } from '../../src/data/index.ts';
import { evaluateAccuracy } from '../../src/eval/accuracy.ts';
import { spectralCriterion, type CriterionOptions } from '../../src/prune/criterion.ts';
import { prune, type PruneResult } from '../../src/prune/prune.ts';
import type { Mask, PruneTarget } from '../../src/prune/types.ts';

export function log(msg: string): void {
  process.stderr.write(`[evidence ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Rows [from, to) of a dataset (views, no copy). */
export function subset(ds: Dataset, from: number, to: number): Dataset {
  const a = Math.max(0, from), b = Math.min(ds.n, to);
  return { ...ds, images: ds.images.subarray(a * PIXELS, b * PIXELS), labels: ds.labels.subarray(a, b), n: b - a };
}

export function load(name: DatasetName, split: 'train' | 'test', limit?: number): Dataset {
  return loadDataset(name, split, { limit });
}

export async function ortAccuracy(m: Model, test: Dataset): Promise<number> {
  return (await evaluateAccuracy(m, test, { runtime: 'ort' })).accuracy;
}

// Fine-tuning, measured, is product code (rampart bench runs it at every level).
export { tuneMeasured, type FtConfig, type FtOutcome } from '../../src/bench/finetune.ts';
import type { FtConfig } from '../../src/bench/finetune.ts';

export const DEFAULT_FT: FtConfig = { lr: 1e-3, batchSize: 64 };

export function ftLabel(c: FtConfig): string {
  return `lr ${c.lr}, batch ${c.batchSize}${c.lrDecay && c.lrDecay !== 1 ? `, decay ×${c.lrDecay}/epoch` : ''}${c.clipNorm ? `, clip ${c.clipNorm}` : ''}`;
}

export type GuardOptions = CriterionOptions;

/** Magnitude scores, --sparsity auto under the guard (every weight to its limit). */
export function pruneGuarded(model: Model, g: GuardOptions = { criterion: 'delta-r' }): Promise<PruneResult> {
  return prune(model, { method: 'magnitude', sparsity: 'auto', scope: 'global', criterion: spectralCriterion(g) });
}

/** Magnitude scores, one global threshold, no guard. */
export function pruneUnguarded(model: Model, sparsity: number): Promise<PruneResult> {
  return prune(model, { method: 'magnitude', sparsity, scope: 'global', criterion: null });
}

export interface LayerRow {
  name: string;
  layer: string;
  op: string;
  graph: string;
  size: number;
  sparsity: number;
  limit: number | null;
  /** The guard's criterion on the final mask (min over the graphs that gate it). */
  criterion: number | null;
}

export function layerTable(r: PruneResult): LayerRow[] {
  return r.report.map((x) => ({
    name: x.name, layer: x.layer, op: x.op, graph: x.graph, size: x.size, sparsity: x.sparsity, limit: x.limit,
    criterion: x.verdict?.value ?? null,
  }));
}

export function countsKey(masks: Mask[]): string {
  return masks.map((m) => m.reduce((s, x) => s + (x ? 0 : 1), 0)).join(',');
}

export type { Mask, PruneTarget };
