// Erdős–Rényi–Kernel layer densities (Evci et al., RigL; sparse_utils.get_sparsities
// with erk_power_scale = 1): density_l = ε · (Σ dims_l / Π dims_l), ε chosen so the
// kept weights hit the global density; a layer whose density would exceed 1 is made
// dense and ε re-solved over the rest. Here the re-solve is exact water-filling with
// general bounds, so guard caps (a minimum density) and fixed rates fit the same
// solve: a layer pinned at its bound drops out and ε is re-solved over the others.
import { integerize, reachable, waterFill, type Allocation, type Bounds } from './allocate.ts';
import { targetSize, type PruneTarget } from './types.ts';

/**
 * ERK's raw density ratio of a target. Conv: the kernel's dims [Cout, Cin/g, kh, kw]
 * (RigL's rule for convolutions). Matrices (Gemm, MatMul, one direction of a
 * recurrent W or R): (rows + cols) / (rows · cols), i.e. Erdős–Rényi on the
 * per-direction bipartite graph.
 */
export function erkRaw(t: PruneTarget): number {
  const dims = t.op === 'Conv' ? t.dims : [t.rows, t.cols];
  const sum = dims.reduce((a, b) => a + b, 0);
  const prod = dims.reduce((a, b) => a * b, 1);
  return sum / prod;
}

/**
 * Pruned counts per target for ERK at a total pruned count `total`, each within
 * `bounds` (pruned counts), on each target's grid of whole blocks when given
 * (allocate.ts). Returns the continuous densities too, for tests and the report.
 */
export function erkAllocate(targets: PruneTarget[], bounds: Bounds[], total: number, grids?: (Int32Array | null)[]): Allocation & { densities: number[] } {
  const n = targets.map(targetSize);
  const raw = targets.map(erkRaw);
  const N = n.reduce((a, b) => a + b, 0);
  // Solve in kept counts: keep_i = clamp(ε·raw_i·n_i, n_i − hi_i, n_i − lo_i), Σ keep_i = N − total.
  const keep = waterFill(
    raw.map((r, i) => r * n[i]),
    bounds.map((b, i) => n[i] - b.hi),
    bounds.map((b, i) => n[i] - b.lo),
    N - total,
  );
  const counts = integerize(keep.map((k, i) => n[i] - k), bounds, total, grids);
  return {
    counts,
    met: reachable(bounds, total),
    densities: keep.map((k, i) => k / n[i]),
  };
}
