// The scorer contract. A scorer returns one score per weight of each target (matrix
// layout); higher means more important, and the mask keeps the highest. Weights
// already pruned are handled by the ranking (they stay pruned), not by scorers.
// Block pruning ranks blocks by reducing their weights' scores with `blockReduce`
// (src/prune/blocks.ts says what each reduction means).
import type { Model } from '../../../runtime/ir.ts';
import type { GradientOracle } from '../gradients.ts';
import type { Batch, BlockReduce, Mask, PruneTarget, Scores } from '../types.ts';

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
  /** One line for `rampart prune --help`. */
  summary: string;
  /** Rounds when iterative by default (SynFlow: 100; the others one shot). */
  defaultRounds: number;
  needsData: boolean;
  needsGradients: boolean;
  /** Needs the shape of one input sample (SynFlow's all-ones input). */
  needsInputShape?: boolean;
  /** How a block's score comes from its weights' scores. */
  blockReduce: BlockReduce;
  score(ctx: ScoreContext): Promise<Scores[]>;
}
