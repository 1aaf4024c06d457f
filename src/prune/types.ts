// The plain data the pruning pass works on. A PruneTarget is one prunable weight
// initializer (src/ir/layers.ts) with its values in matrix layout: the
// directions' row-major [rows = outputs, cols = inputs] matrices one after the
// other. Scores and masks use the same layout, so every piece of the pass (scorers,
// allocation, guard) indexes them alike whatever the ONNX storage layout.
import type { Tensor } from '../../runtime/ir.ts';
import type { PrunableWeight, WeightGraph } from '../ir/layers.ts';

export type { WeightGraph };

/** A prunable weight (src/ir/layers.ts) with its values in matrix layout. */
export interface PruneTarget extends PrunableWeight {
  /** The initializer's name (unique key of the target; same as `initializer`). */
  name: string;
  /** The initializer's dims (ERK's rule for convolutions sums them). */
  dims: number[];
  /** directions · rows · cols values in matrix layout. */
  weights: Float32Array;
}

export function targetSize(t: PruneTarget): number {
  return t.directions * t.rows * t.cols;
}

/** 1 = kept, 0 = pruned; matrix layout of its target. */
export type Mask = Uint8Array;

/** Importance per weight, matrix layout; higher = more important (kept first). */
export type Scores = Float32Array;

/** A batch of real data: model input and class labels. */
export interface Batch {
  input: Tensor;
  labels: Uint8Array;
}

/** How a block's score is reduced from its weights' scores (blocks.ts: blockScores). */
export type BlockReduce = 'rms' | 'mean' | 'normal';

/** Per-graph-kind numbers, e.g. caps or fixed rates for W and R separately. */
export type PerGraph<T> = Partial<Record<WeightGraph, T>>;

export type GuardCriterionName = 'delta-r' | 'imdb' | 'delta-s';

export interface GraphVerdict {
  /** 'stacked' or a gate name. */
  view: string;
  direction: number;
  value: number | null;
  pass: boolean;
  narc?: number | null;
  /** min(non-isolated left / |L|, non-isolated right / |R|) of the graph. */
  coverage?: number;
  /** Non-isolated inputs (left vertices) and outputs (right vertices). */
  inputs?: number;
  outputs?: number;
}

/** What the guard thinks of one mask of one target. */
export interface Verdict {
  pass: boolean;
  /** The criterion's value, min over the graphs that gate the verdict; null when undefined on one. */
  value: number | null;
  graphs: GraphVerdict[];
  /** Why it failed, in words. */
  reason?: string;
}

/** Evaluates a mask of a target. */
export type Criterion = (target: PruneTarget, mask: Mask) => Verdict;

export interface CurvePoint {
  sparsity: number;
  value: number | null;
  pass: boolean;
}

export interface GuardLimit {
  /** The highest sparsity found at which the target passes (0 = must stay dense). */
  limit: number;
  /** Every level evaluated, sorted by sparsity. */
  curve: CurvePoint[];
  /** Why the limit is where it is. */
  reason: string;
  /** The evaluated level just above the limit, which failed (absent when the limit is the top level). */
  failAbove?: CurvePoint & { reason?: string };
}
