// Ranking scores into masks. A mask at sparsity s prunes the round(s·n) lowest
// scores (torch.nn.utils.prune rounds `amount · n` the same way). Ties break by
// position, lowest index pruned first, so a mask is a pure function of its scores;
// weights already pruned go first whatever their score, so they never come back.
//
// A PrunePlan is a target's prune order plus the counts at which a whole unit ends:
// every count for unstructured pruning, block boundaries for block pruning
// (blocks.ts builds those plans). Counts stay in weights, so the budget, the guard's
// search and the report all count weights; a grid only says which counts exist.
import { RampartError } from '../../runtime/errors.ts';
import type { Mask, Scores } from './types.ts';
import { mulberry32 as rng } from '../util/random.ts';

export function countFor(sparsity: number, n: number): number {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RampartError(`sparsity ${sparsity} is out of range`, { expected: 'a number in [0, 1]' });
  return Math.min(n, Math.max(0, Math.round(sparsity * n)));
}

/** The most weights a cap of `sparsity` allows: rounded down, so 0.99 never prunes a small layer whole. */
export function capCount(sparsity: number, n: number): number {
  return Math.min(n, Math.max(0, Math.floor(sparsity * n + 1e-9)));
}

/** Indices in the order they are pruned: already-pruned first, then by ascending score. */
export function pruneOrder(scores: Scores, prev?: Mask): Int32Array {
  const n = scores.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    // NaN scores (a scorer that divided by zero) rank lowest rather than poisoning the sort.
    key[i] = prev && !prev[i] ? -Infinity : Number.isNaN(s) ? -Number.MAX_VALUE : s;
  }
  idx.sort((a, b) => (key[a] - key[b]) || (a - b));
  return idx;
}

/** The mask that prunes the first `count` entries of `order`. */
export function maskFromOrder(order: Int32Array, count: number): Mask {
  const m = new Uint8Array(order.length).fill(1);
  for (let k = 0; k < count; k++) m[order[k]] = 0;
  return m;
}

export interface PrunePlan {
  /** Element indices in the order they are pruned (already-pruned first). */
  order: Int32Array;
  /** Pruned counts that end on a whole block, ascending (the first is the already-pruned count); null when every count does (1×1). */
  grid: Int32Array | null;
  /** The units (weights or blocks) in prune order for the global allocation: score, −Infinity for what is already pruned. */
  keys: Float64Array;
  /** Weights each unit prunes (null: one each). */
  sizes: Int32Array | null;
}

/** Unstructured: one unit per weight. */
export function elementPlan(scores: Scores, prev?: Mask): PrunePlan {
  const order = pruneOrder(scores, prev);
  const keys = new Float64Array(order.length);
  for (let p = 0; p < order.length; p++) {
    const s = scores[order[p]];
    keys[p] = prev && !prev[order[p]] ? -Infinity : Number.isNaN(s) ? -Number.MAX_VALUE : s;
  }
  return { order, grid: null, keys, sizes: null };
}

/** Index of the last grid value ≤ count (−1 when none). */
function floorIndex(grid: Int32Array, count: number): number {
  let lo = 0, hi = grid.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (grid[mid] <= count) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best;
}

/**
 * The count of the grid nearest to `count` ('nearest', ties to the lower) or the
 * highest not above it ('down'; the lowest grid value when none is). Without a grid,
 * `count` itself.
 */
export function snapCount(grid: Int32Array | null, count: number, mode: 'nearest' | 'down' = 'nearest'): number {
  if (!grid) return count;
  const i = floorIndex(grid, count);
  if (i < 0) return grid[0];
  if (mode === 'down' || i === grid.length - 1 || grid[i] === count) return grid[i];
  return count - grid[i] <= grid[i + 1] - count ? grid[i] : grid[i + 1];
}

/** The grid count next to `count` upwards (+1) or downwards (−1); undefined past the ends. */
export function stepCount(grid: Int32Array | null, count: number, dir: 1 | -1): number | undefined {
  if (!grid) return count + dir;
  const i = floorIndex(grid, count);
  const j = dir > 0 ? i + 1 : grid[i] === count ? i - 1 : i;
  return j >= 0 && j < grid.length ? grid[j] : undefined;
}

/** Position of a grid count in its grid (the count itself without a grid). */
export function gridIndex(grid: Int32Array | null, count: number): number {
  return grid ? floorIndex(grid, count) : count;
}

export function gridAt(grid: Int32Array | null, index: number): number {
  return grid ? grid[index] : index;
}

export function maskAt(scores: Scores, count: number, prev?: Mask): Mask {
  return maskFromOrder(pruneOrder(scores, prev), count);
}

/** mulberry32: seeded, so random pruning is reproducible (one generator for the project). */
export { rng };

/** Standard normal draws (Box–Muller), like torch.randn_like in the reference Rand pruner. */
export function randn(n: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
