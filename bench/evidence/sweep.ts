// The sweep of the evidence bench: one part of a model at a time (recurrent models:
// the input-to-hidden W weights, then the hidden-to-hidden R weights; others: the
// Conv weights, then the Gemm/MatMul weights), every weight of the part pruned by
// magnitude to the same level, the rest dense. At each level it records, on the
// unguarded mask, the guard's criterion (Δr by default) and accuracy after pruning
// (and after one epoch of fine-tuning on a subset, if asked); and the guarded mask —
// the level lowered to where the guard allows it, as the one-shot pass does — with
// its accuracy. The guard's limit per weight (magnitude masks) is where Δr turns
// negative: the charts draw it as a vertical rule.
import type { Model } from '../../runtime/ir.ts';
import type { Dataset } from '../../src/data/index.ts';
import type { Criterion } from '../../src/prune/types.ts';
import { searchLimit } from '../../src/prune/guard.ts';
import { countFor, maskFromOrder, pruneOrder } from '../../src/prune/rank.ts';
import { applyMasks, pruneTargets } from '../../src/prune/targets.ts';
import { storageMasks } from '../../src/prune/pipeline.ts';
import { finetune } from '../../src/train/index.ts';
import { log, ortAccuracy, type FtConfig, type Mask, type PruneTarget } from './common.ts';

export const SWEEP_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98];

export interface Part {
  name: string;
  /** Which targets belong to it. */
  has: (t: PruneTarget) => boolean;
}

/** W then R for recurrent models; Conv then linear (Gemm/MatMul) otherwise. */
export function partsOf(targets: PruneTarget[]): Part[] {
  const parts: Part[] = targets.some((t) => t.graph === 'W' || t.graph === 'R')
    ? [{ name: 'W', has: (t) => t.graph === 'W' }, { name: 'R', has: (t) => t.graph === 'R' }]
    : [{ name: 'conv', has: (t) => t.op === 'Conv' }, { name: 'linear', has: (t) => t.op !== 'Conv' }];
  return parts.filter((p) => targets.some(p.has));
}

export interface MaskRun {
  sparsity: Record<string, number>;
  criterion: Record<string, number | null>;
  accuracy: number;
  accuracyTuned: number | null;
}

export interface SweepRow {
  level: number;
  unguarded: MaskRun;
  guarded: MaskRun;
}

export interface SweepPart {
  part: string;
  weights: string[];
  /** Guard limit per weight on its magnitude masks: the highest passing sparsity (Δr ≥ 0). */
  limit: Record<string, number>;
  /** The lowest limit over the part's weights: where the part first leaves the Ramanujan bound. */
  crossing: number;
  /** The first swept level whose unguarded mask fails the criterion on some weight (null: none). */
  firstFailingLevel: number | null;
  rows: SweepRow[];
}

export interface SweepOptions {
  levels: number[];
  criterion: Criterion;
  /** Fine-tune each mask for one epoch on this data (null: no fine-tuning). */
  tuneData: Dataset | null;
  ft: FtConfig;
}

export async function sweepPart(model: Model, part: Part, test: Dataset, o: SweepOptions): Promise<SweepPart> {
  const targets = pruneTargets(model);
  const idx = targets.map((t, i) => (part.has(t) ? i : -1)).filter((i) => i >= 0);
  const orders = targets.map((t) => pruneOrder(Float32Array.from(t.weights, Math.abs)));
  const n = targets.map((t) => t.weights.length);
  const evalAt = (i: number) => (c: number) => o.criterion(targets[i], maskFromOrder(orders[i], c));
  const limitCount = new Map<number, number>();
  for (const i of idx) limitCount.set(i, Math.round(searchLimit(evalAt(i), n[i]).limit * n[i]));

  const cache = new Map<string, MaskRun>();
  const measure = async (counts: Map<number, number>): Promise<MaskRun> => {
    const key = idx.map((i) => counts.get(i)).join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    const masks: Mask[] = targets.map((_, i) => maskFromOrder(orders[i], counts.get(i) ?? 0));
    const pruned = applyMasks(model, targets, masks);
    const sparsity: Record<string, number> = {};
    const criterion: Record<string, number | null> = {};
    for (const i of idx) {
      sparsity[targets[i].name] = counts.get(i)! / n[i];
      criterion[targets[i].name] = o.criterion(targets[i], masks[i]).value;
    }
    const accuracy = await ortAccuracy(pruned, test);
    let accuracyTuned: number | null = null;
    if (o.tuneData) {
      const c = o.ft;
      const r = await finetune(pruned, o.tuneData, { epochs: 1, masks: storageMasks(pruned, targets, masks), lr: c.lr, batchSize: c.batchSize, clipNorm: c.clipNorm, seed: c.seed ?? 0 });
      accuracyTuned = await ortAccuracy(applyMasks(r.model, targets, masks), test);
    }
    const run = { sparsity, criterion, accuracy, accuracyTuned };
    cache.set(key, run);
    return run;
  };

  const rows: SweepRow[] = [];
  let firstFailingLevel: number | null = null;
  for (const level of o.levels) {
    const want = new Map(idx.map((i) => [i, countFor(level, n[i])]));
    // The guarded level: capped at the limit; a level under the limit that still fails
    // (the criterion is not monotone) drops to the highest passing level under it.
    const guarded = new Map<number, number>();
    for (const i of idx) {
      const c = Math.min(want.get(i)!, limitCount.get(i)!);
      guarded.set(i, evalAt(i)(c).pass || c === 0 ? c : Math.round(searchLimit(evalAt(i), n[i], { max: (c - 1) / n[i] }).limit * n[i]));
    }
    const u = await measure(want);
    const g = await measure(guarded);
    if (firstFailingLevel === null && Object.values(u.criterion).some((v) => v === null || v < 0)) firstFailingLevel = level;
    rows.push({ level, unguarded: u, guarded: g });
    log(`  ${part.name} ${level}: unguarded ${u.accuracy.toFixed(4)}${u.accuracyTuned === null ? '' : ` → ${u.accuracyTuned.toFixed(4)}`}` +
      ` (crit ${Object.values(u.criterion).map((v) => (v === null ? 'undef' : v.toFixed(3))).join('/')}), guarded ${g.accuracy.toFixed(4)}`);
  }
  const limit: Record<string, number> = {};
  for (const i of idx) limit[targets[i].name] = limitCount.get(i)! / n[i];
  return {
    part: part.name, weights: idx.map((i) => targets[i].name), limit,
    crossing: Math.min(...Object.values(limit)), firstFailingLevel, rows,
  };
}
