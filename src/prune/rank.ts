// Ranking scores into masks. A mask at sparsity s prunes the round(s·n) lowest
// scores (torch.nn.utils.prune rounds `amount · n` the same way). Ties break by
// position, lowest index pruned first, so a mask is a pure function of its scores;
// weights already pruned go first whatever their score, so they never come back.
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
