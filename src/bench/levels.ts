// The levels and block shapes a bench runs (docs/design/bench.md): parsing them, and
// pruning a model at one of them. 'guard' is `rampart prune --sparsity auto`: every
// layer to the highest sparsity at which its graph stays Ramanujan (Δr guard, with
// src/prune's default coverage rule); a number X is every layer at X, unguarded, so
// that the frontier shows what lies past the guard. Both go through src/prune's
// pipeline, so every --method (SNIP's data batch, IMP's rounds) prunes as `rampart
// prune` would; fine-tuning is the bench's own step (finetune.ts).
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { BSR_HEIGHTS } from '../../runtime/kernels/linalg.ts';
import type { DatasetName } from '../data/index.ts';
import { blockLabel, parseBlockShape, UNSTRUCTURED, type BlockLayout, type BlockShape } from '../prune/blocks.ts';
import { runPipeline } from '../prune/pipeline.ts';
import type { Progress } from '../prune/progress.ts';
import type { PruneResult } from '../prune/prune.ts';
import type { MethodName } from '../prune/scorers/index.ts';

export const DEFAULT_LEVELS = ['dense', 'guard', '0.5', '0.7', '0.8', '0.9', '0.95'];

/** 1x1 and the block heights the runtime has block-CSR kernels for (runtime/kernels/linalg.ts). */
export const DEFAULT_BLOCKS = ['1x1', ...BSR_HEIGHTS.map((h) => `${h}x1`)];

/** 'dense', 'guard' or a sparsity in (0, 1), as written (the point's name). */
export function parseLevels(s: string): string[] {
  const out = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (out.length === 0) throw new RampartError(`--levels ${s}`, { expected: "a comma list of dense, guard and sparsities in (0, 1)" });
  for (const l of out) {
    if (l === 'dense' || l === 'guard') continue;
    const x = Number(l);
    if (!(x > 0 && x < 1)) throw new RampartError(`--levels: '${l}'`, { expected: "dense, guard or a sparsity in (0, 1) such as 0.9" });
  }
  return [...new Set(out)];
}

export function parseBlocks(list: string[], layout: BlockLayout = 'contiguous'): BlockShape[] {
  const shapes = list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean).map((s) => parseBlockShape(s, layout));
  if (shapes.length === 0) return [UNSTRUCTURED];
  const seen = new Set<string>();
  return shapes.filter((b) => !seen.has(blockLabel(b)) && seen.add(blockLabel(b)) !== undefined);
}

export interface PruneAtOptions {
  method?: MethodName;
  /** Needed by the methods that score with data (snip, grasp) or fine-tune between rounds (imp). */
  data?: DatasetName;
  trainLimit?: number;
  progress?: Progress;
}

/** Prunes `model` at a level ('guard' or a fixed sparsity) with whole blocks of `block`. */
export async function pruneAt(model: Model, block: BlockShape, level: string, o: PruneAtOptions = {}): Promise<PruneResult> {
  if (level === 'dense') throw new RampartError("the 'dense' level is not pruned");
  const guard = level === 'guard';
  const p = await runPipeline(model, {
    method: o.method ?? 'magnitude', block, progress: o.progress,
    sparsity: guard ? 'auto' : Number(level), scope: guard ? 'global' : 'layer', guard: guard ? 'delta-r' : 'none',
    data: o.data, trainLimit: o.trainLimit, epochs: 0, noEval: true,
  });
  return p.result;
}
