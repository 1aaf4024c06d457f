// Budget allocation: how many weights each target loses so that the total hits a
// target while every target stays within its bounds (a guard limit or class cap
// above, weights already pruned below, a fixed rate as both). Budget a capped
// target cannot take moves to the targets that can.
//
// Layerwise scope: one common sparsity x for all unbounded targets (water-filling:
// Σ clamp(x·n_i, lo_i, hi_i) = total). Global scope: one score threshold across
// all targets (the k lowest scores overall, each target's count clamped to its
// bounds, k chosen so the clamped counts sum to the total).
//
// Block pruning: a target's counts live on its grid (rank.ts: the counts that end on
// a whole block; bounds are grid counts too). The layerwise rounding then moves one
// block at a time and the global threshold takes whole blocks, so the total lands
// within one block of the request; counts stay in weights throughout.
import { RampartError } from '../../runtime/errors.ts';
import { snapCount, stepCount } from './rank.ts';

export interface Bounds {
  /** Fewest weights this target may lose (integer). */
  lo: number;
  /** Most weights this target may lose (integer). */
  hi: number;
}

export interface Allocation {
  /** Pruned count per target. */
  counts: number[];
  /** The requested total was within reach of the bounds. */
  met: boolean;
}

function checkBounds(bounds: Bounds[], sizes?: number[]): void {
  bounds.forEach((b, i) => {
    if (!(Number.isInteger(b.lo) && Number.isInteger(b.hi) && b.lo >= 0 && b.lo <= b.hi && (!sizes || b.hi <= sizes[i]))) {
      throw new RampartError(`allocation bounds [${b.lo}, ${b.hi}] of target ${i} are invalid`);
    }
  });
}

/**
 * Solves Σ clamp(x·a_i, lo_i, hi_i) = total for x ≥ 0 (piecewise linear and
 * non-decreasing in x), returning the clamped values. When the total is out of
 * reach every value sits at the bound on that side.
 */
export function waterFill(a: number[], lo: number[], hi: number[], total: number): number[] {
  const n = a.length;
  const f = (x: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.min(hi[i], Math.max(lo[i], x * a[i]));
    return s;
  };
  const at = (x: number) => a.map((ai, i) => Math.min(hi[i], Math.max(lo[i], x * ai)));
  const breaks = new Set<number>([0]);
  for (let i = 0; i < n; i++) {
    if (a[i] > 0) {
      breaks.add(lo[i] / a[i]);
      breaks.add(hi[i] / a[i]);
    }
  }
  const xs = [...breaks].sort((p, q) => p - q);
  if (total <= f(0)) return at(0);
  if (total >= f(xs[xs.length - 1])) return at(xs[xs.length - 1]);
  for (let k = 0; k + 1 < xs.length; k++) {
    const f0 = f(xs[k]);
    const f1 = f(xs[k + 1]);
    if (total >= f0 && total <= f1) {
      const x = f1 === f0 ? xs[k] : xs[k] + ((total - f0) / (f1 - f0)) * (xs[k + 1] - xs[k]);
      return at(x);
    }
  }
  return at(xs[xs.length - 1]);
}

/**
 * Integer counts near `values`, within bounds, summing to `total` when reachable —
 * exactly without grids; with grids (one per target, null = every count) each count
 * is a grid count and the sum ends within one grid step (a block) of the total.
 */
export function integerize(values: number[], bounds: Bounds[], total: number, grids?: (Int32Array | null)[]): number[] {
  const grid = (i: number) => grids?.[i] ?? null;
  const c = values.map((v, i) => Math.min(bounds[i].hi, Math.max(bounds[i].lo, snapCount(grid(i), Math.round(v)))));
  let diff = total - c.reduce((s, x) => s + x, 0);
  // Too many pruned: step down until not; then too few: step up until not (one step over at most).
  for (const dir of [-1, 1] as const) {
    while (dir * diff > 0) {
      // Move one step where the rounding was furthest off.
      let best = -1;
      let bestGap = -Infinity;
      let bestTo = 0;
      for (let i = 0; i < c.length; i++) {
        const to = stepCount(grid(i), c[i], dir);
        if (to === undefined || to > bounds[i].hi || to < bounds[i].lo) continue;
        const gap = dir > 0 ? values[i] - c[i] : c[i] - values[i];
        if (gap > bestGap) {
          bestGap = gap;
          best = i;
          bestTo = to;
        }
      }
      if (best < 0) break;
      diff -= bestTo - c[best];
      c[best] = bestTo;
    }
  }
  return c;
}

/** Layerwise scope: a common sparsity, with what capped targets cannot take spread over the others. */
export function allocateLayerwise(sizes: number[], bounds: Bounds[], total: number, grids?: (Int32Array | null)[]): Allocation {
  checkBounds(bounds, sizes);
  const lo = bounds.map((b) => b.lo);
  const hi = bounds.map((b) => b.hi);
  const values = waterFill(sizes, lo, hi, total);
  const counts = integerize(values, bounds, total, grids);
  return { counts, met: reachable(bounds, total) };
}

/** The bounds admit the total (then integerize hits it, to within a block on grids). */
export function reachable(bounds: Bounds[], total: number): boolean {
  return bounds.reduce((s, b) => s + b.lo, 0) <= total && total <= bounds.reduce((s, b) => s + b.hi, 0);
}

/**
 * Global scope: `keys[i]` are target i's units (weights or blocks) in its prune
 * order (ascending; -Infinity for what is already pruned), `sizes[i]` the weights
 * each unit prunes (null: one each). Takes the lowest keys across all targets,
 * clamping each target's count to its bounds, until the clamped counts reach
 * `total` (with blocks: the first block that reaches it is taken whole).
 */
export function allocateGlobal(keys: Float64Array[], bounds: Bounds[], total: number, sizes?: (Int32Array | null)[]): Allocation {
  const unit = (i: number, p: number) => sizes?.[i]?.[p] ?? 1;
  checkBounds(bounds, keys.map((k, i) => (sizes?.[i] ? sizes[i]!.reduce((a, b) => a + b, 0) : k.length)));
  const sumLo = bounds.reduce((s, b) => s + b.lo, 0);
  const sumHi = bounds.reduce((s, b) => s + b.hi, 0);
  if (total <= sumLo) return { counts: bounds.map((b) => b.lo), met: total === sumLo };
  if (total >= sumHi) return { counts: bounds.map((b) => b.hi), met: total === sumHi };
  // Merge the per-target ascending lists; ties go to the lower target index, then position.
  const N = keys.reduce((s, k) => s + k.length, 0);
  const tgt = new Int32Array(N);
  const pos = new Int32Array(N);
  const key = new Float64Array(N);
  let o = 0;
  keys.forEach((k, i) => {
    for (let p = 0; p < k.length; p++, o++) {
      tgt[o] = i;
      pos[o] = p;
      key[o] = k[p];
    }
  });
  const idx = new Int32Array(N);
  for (let i = 0; i < N; i++) idx[i] = i;
  idx.sort((a, b) => (key[a] - key[b]) || (tgt[a] - tgt[b]) || (pos[a] - pos[b]));
  const c = new Array<number>(keys.length).fill(0);
  const clamp = (i: number, x: number) => Math.min(bounds[i].hi, Math.max(bounds[i].lo, x));
  let f = sumLo;
  for (let k = 0; k < N && f < total; k++) {
    const i = tgt[idx[k]];
    const before = clamp(i, c[i]);
    c[i] += unit(i, pos[idx[k]]);
    // The clamped sum grows only while the raw count is inside [lo, hi].
    f += clamp(i, c[i]) - before;
  }
  const counts = c.map((x, i) => clamp(i, x));
  return { counts, met: f >= total };
}
