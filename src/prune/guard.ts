// The guard's search: the highest sparsity at which a target still passes its
// criterion. The criterion (Δr ≥ 0 and friends) is not monotone in sparsity — it
// oscillates near the edge — so the search never assumes it is:
//   1. scan a coarse grid (0.50, 0.55, …, 0.95, 0.99); if nothing passes, extend
//      the scan downwards in the same steps until something does (0 = dense);
//   2. take the highest passing scanned level p and the next scanned level q above
//      it (which failed); evaluate a finer grid strictly between them;
//   3. bisect between the highest passing fine level and the next failing one
//      until they are one weight apart or the step budget is spent.
// The answer is the highest level found that passes, and the curve is every level
// evaluated. A passing island narrower than the coarse step can be missed; the
// curve in the report shows what was looked at. With block pruning every level is
// snapped to the target's grid (whole blocks; rank.ts) and the bisection runs over
// grid positions, so every evaluated mask is whole blocks.
import { capCount, countFor, gridAt, gridIndex, snapCount } from './rank.ts';
import type { CurvePoint, GuardLimit, Verdict } from './types.ts';

export interface SearchOptions {
  /** Coarse scan levels (ascending). */
  levels?: number[];
  /** Step of the downward extension when no coarse level passes. */
  step?: number;
  /** Interior points of the fine grid between the last pass and the first fail. */
  fineSteps?: number;
  /** Bisection steps after the fine grid. */
  bisectSteps?: number;
  /** Known-good floor (the current sparsity in iterative pruning); levels at or below it are not evaluated. */
  min?: number;
  /** Never prune beyond this. */
  max?: number;
  /** The pruned counts that exist (whole blocks, ascending); every count when absent. */
  grid?: Int32Array | null;
}

export const DEFAULT_LEVELS: number[] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99];

/**
 * Searches the highest passing sparsity of a target with `n` weights, where
 * `evalAt(count)` judges the mask that prunes `count` weights.
 */
export function searchLimit(evalAt: (count: number) => Verdict, n: number, opts: SearchOptions = {}): GuardLimit {
  const max = opts.max ?? 0.99;
  const min = opts.min ?? 0;
  const step = opts.step ?? 0.05;
  const fineSteps = opts.fineSteps ?? 5;
  const bisectSteps = opts.bisectSteps ?? 8;
  const grid = opts.grid ?? null;
  const q = (c: number) => snapCount(grid, c);
  const minCount = q(countFor(min, n));
  const maxCount = Math.max(minCount, snapCount(grid, capCount(max, n), 'down'));
  const seen = new Map<number, Verdict>();
  const judge = (count: number): boolean => {
    let v = seen.get(count);
    if (v === undefined) {
      v = evalAt(count);
      seen.set(count, v);
    }
    return v.pass;
  };
  const inRange = (c: number) => c <= maxCount && (c > minCount || (minCount === 0 && c === 0));

  // 1. Coarse scan (always including the top level), then downward extension.
  const coarse = [...new Set([...(opts.levels ?? DEFAULT_LEVELS), max].map((s) => Math.min(q(countFor(s, n)), maxCount)))]
    .filter(inRange).sort((a, b) => a - b);
  for (const c of coarse) judge(c);
  let pass = highestPassing(seen);
  if (pass === undefined) {
    const start = coarse.length ? coarse[0] / n : max;
    for (let s = start - step; pass === undefined; s -= step) {
      const c = q(countFor(Math.max(0, s), n));
      if (!inRange(c)) break;
      if (judge(c)) pass = c;
      if (c === 0) break;
    }
  }
  if (pass === undefined) {
    const limit = minCount / n;
    return finish(seen, n, minCount, min > 0 ? `fails at every level above the current ${fmt(limit)}` : 'fails even dense');
  }

  // 2. Fine grid between the highest pass and the next evaluated (failing) level above it.
  let fail = nextAbove(seen, pass);
  if (fail !== undefined && fineSteps > 0) {
    const lo = pass;
    const hi = fail;
    for (let k = 1; k <= fineSteps; k++) {
      const c = q(Math.round(lo + ((hi - lo) * k) / (fineSteps + 1)));
      if (c > lo && c < hi) judge(c);
    }
    pass = highestPassing(seen)!;
    fail = nextAbove(seen, pass);
  }

  // 3. Bisection between them (over grid positions: one weight, or one block, apart at the end).
  for (let k = 0; fail !== undefined && k < bisectSteps && gridIndex(grid, fail) - gridIndex(grid, pass) > 1; k++) {
    const mid = gridAt(grid, Math.floor((gridIndex(grid, pass) + gridIndex(grid, fail)) / 2));
    if (judge(mid)) pass = mid;
    else fail = mid;
  }
  pass = highestPassing(seen)!;
  fail = nextAbove(seen, pass);
  const why = fail === undefined ? `passes at the highest level considered (${fmt(maxCount / n)})` : '';
  return finish(seen, n, pass, why);
}

function highestPassing(seen: Map<number, Verdict>): number | undefined {
  let best: number | undefined;
  for (const [c, v] of seen) if (v.pass && (best === undefined || c > best)) best = c;
  return best;
}

function nextAbove(seen: Map<number, Verdict>, count: number): number | undefined {
  let best: number | undefined;
  for (const c of seen.keys()) if (c > count && (best === undefined || c < best)) best = c;
  return best;
}

function finish(seen: Map<number, Verdict>, n: number, limitCount: number, why: string): GuardLimit {
  const curve: CurvePoint[] = [...seen.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([c, v]) => ({ sparsity: c / n, value: v.value, pass: v.pass }));
  const limit = limitCount / n;
  const above = nextAbove(seen, limitCount);
  let failAbove: GuardLimit['failAbove'];
  let reason = why;
  if (above !== undefined) {
    const v = seen.get(above)!;
    failAbove = { sparsity: above / n, value: v.value, pass: v.pass, reason: v.reason };
    if (!reason) {
      const [a, b] = distinct(limit, above / n);
      reason = `passes at ${a} (${limitCount} of ${n} weights pruned); fails at ${b} (${above})${v.reason ? `: ${v.reason}` : ''}`;
    }
  }
  return { limit, curve, reason, failAbove };
}

/** Two levels printed with as many digits (4 to 8) as it takes to tell them apart. */
export function distinct(a: number, b: number): [string, string] {
  let d = 4;
  while (d < 8 && a.toFixed(d) === b.toFixed(d)) d++;
  return [a.toFixed(d), b.toFixed(d)];
}

export function fmt(s: number): string {
  return s.toFixed(4);
}
