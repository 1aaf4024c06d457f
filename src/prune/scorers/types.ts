// The scorer contract. A scorer returns one score per weight of each target (matrix
// layout); higher means more important, and the mask keeps the highest. Weights
// already pruned are handled by the ranking (they stay pruned), not by scorers.
import type { Model, Tensor } from '../../../runtime/ir.ts';
import type { GradientOracle } from '../gradients.ts';
import type { Mask, PruneTarget, Scores } from '../types.ts';

export type MethodName = 'magnitude' | 'random' | 'erk' | 'snip' | 'grasp' | 'synflow' | 'imp';

/** A batch of real data: model input and class labels. */
export interface Batch {
  input: Tensor;
  labels: Uint8Array;
}

export interface ScoreContext {
  /** The model with the current masks applied (pruned weights are zero). */
  model: Model;
  targets: PruneTarget[];
  masks: Mask[];
  /** Real data (SNIP, GraSP); SynFlow uses only its shape. */
  batch?: Batch;
  /** The model input's shape for one sample (SynFlow's all-ones input), batch axis included as 1. */
  onesShape?: number[];
  gradients?: GradientOracle;
  seed: number;
  round: number;
}

export interface Scorer {
  name: string;
  /** Rounds when iterative by default (SynFlow: 100; the others one shot). */
  defaultRounds: number;
  needsData: boolean;
  needsGradients: boolean;
  score(ctx: ScoreContext): Promise<Scores[]>;
}
