// Eigen-decomposition of a symmetric tridiagonal matrix by implicit QL with
// Wilkinson shifts (the classic tqli). Lanczos calls it on its small T_j every
// step: only the last row of the eigenvector matrix is needed there (the residual
// estimate β_j·|s_j,i|), so the caller picks which rows of Z to track — rows
// evolve independently under the column rotations, so tracking one row is O(j²)
// instead of O(j³).
import { RampartError } from '../../runtime/errors.ts';

export interface TridiagEigen {
  /** Eigenvalues, unsorted (index i pairs with column i of z). */
  values: Float64Array;
  /** The tracked rows of the eigenvector matrix: z[r·n + i] = component `rows[r]` of eigenvector i. */
  z: Float64Array;
}

const EPS = 2.220446049250313e-16;

/**
 * diag: n diagonal entries; off: n−1 sub-diagonal entries (off[i] couples i and i+1).
 * rows: which rows of the eigenvector matrix to return (e.g. [n−1], or all).
 */
export function tridiagEigen(diag: ArrayLike<number>, off: ArrayLike<number>, n: number, rows: number[]): TridiagEigen {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = diag[i];
  for (let i = 0; i < n - 1; i++) e[i] = off[i];
  const zr = rows.length;
  const z = new Float64Array(zr * n);
  rows.forEach((r, k) => { z[k * n + r] = 1; });

  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= EPS * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new RampartError('tridiagonal QL did not converge in 60 iterations');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.sqrt(g * g + 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1, c = 1, p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.sqrt(f * f + g * g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < zr; k++) {
          const o = k * n;
          const zf = z[o + i + 1];
          z[o + i + 1] = s * z[o + i] + c * zf;
          z[o + i] = c * z[o + i] - s * zf;
        }
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return { values: d, z };
}

/** Indices of the two largest values (the second is −1 when n < 2). */
export function topTwo(values: ArrayLike<number>, n = values.length): [number, number] {
  let a = -1, b = -1;
  for (let i = 0; i < n; i++) {
    if (a < 0 || values[i] > values[a]) { b = a; a = i; } else if (b < 0 || values[i] > values[b]) b = i;
  }
  return [a, b];
}

/**
 * Number of eigenvalues of the symmetric tridiagonal (diag, off) (n×n) that are < x
 * (Sturm count via the LDLᵀ pivots of T − xI).
 */
export function sturmCount(diag: ArrayLike<number>, off: ArrayLike<number>, n: number, x: number): number {
  let count = 0;
  let q = diag[0] - x;
  const tiny = 1e-300;
  if (q < 0) count++;
  for (let i = 1; i < n; i++) {
    if (q === 0) q = tiny;
    q = diag[i] - x - (off[i - 1] * off[i - 1]) / q;
    if (q < 0) count++;
  }
  return count;
}

export interface TopRitz {
  /** An upper bound of the largest eigenvalue, within a few ulps of it. */
  theta: number;
  /** A lower bound on the distance to the second largest eigenvalue (Infinity when n = 1). */
  gap: number;
  /** |last component| of the unit eigenvector of theta. */
  lastComponent: number;
}

/**
 * The largest eigenvalue of a symmetric tridiagonal matrix, the gap below it and the
 * last component of its eigenvector, in O(n) per bisection step — the per-step
 * convergence test of Lanczos, which a full QL (O(n²)) would dominate on small
 * graphs. `lo1`/`lo2` may pass lower bounds (the previous step's values: Ritz values
 * only grow as the Krylov space does).
 */
export function topRitz(diag: ArrayLike<number>, off: ArrayLike<number>, n: number, lo1 = -Infinity, lo2 = -Infinity): TopRitz & { second: number } {
  let gLo = Infinity, gHi = -Infinity, maxDiag = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(off[i - 1]) : 0) + (i < n - 1 ? Math.abs(off[i]) : 0);
    gLo = Math.min(gLo, diag[i] - r);
    gHi = Math.max(gHi, diag[i] + r);
    maxDiag = Math.max(maxDiag, diag[i]);
  }
  const scale = Math.max(Math.abs(gLo), Math.abs(gHi), 1e-300);
  // θ1: all eigenvalues < hi; at least one ≥ lo.
  let lo = Math.max(maxDiag, Math.min(lo1, gHi)), hi = gHi;
  if (sturmCount(diag, off, n, lo) === n) lo = Math.max(maxDiag, gLo);
  hi = hi * (1 + 1e-15) + 1e-300;
  while (hi - lo > 4 * EPS * scale) {
    const mid = 0.5 * (lo + hi);
    if (sturmCount(diag, off, n, mid) === n) hi = mid; else lo = mid;
  }
  const theta = hi;
  // θ2 to a few digits: the gap only enters the error bound r²/gap.
  let gap = Infinity, second = -Infinity;
  if (n > 1) {
    let a = Math.max(gLo, Math.min(lo2, theta)), b = theta;
    if (sturmCount(diag, off, n, a) >= n - 1) a = gLo - 1e-300;
    for (let it = 0; it < 60 && b - a > 1e-3 * (theta - b) + 4 * EPS * scale; it++) {
      const mid = 0.5 * (a + b);
      if (sturmCount(diag, off, n, mid) >= n - 1) b = mid; else a = mid;
    }
    gap = Math.max(theta - b, 0);
    second = a;
  }
  if (n === 1) return { theta, gap, lastComponent: 1, second };
  const x = topVector(diag, off, n, theta, scale);
  if (x === null) {
    // Degenerate pivots (not seen in practice): fall back to the QL decomposition.
    const te = tridiagEigen(diag, off, n, [n - 1]);
    return { theta, gap, lastComponent: Math.abs(te.z[topTwo(te.values, n)[0]]), second };
  }
  return { theta, gap, lastComponent: Math.abs(x[n - 1]), second };
}

/**
 * The unit eigenvector of the largest eigenvalue θ1 (given as an upper bound `theta`,
 * e.g. from topRitz) by two steps of inverse iteration on the positive definite
 * θ'I − T, θ' just above θ1; O(n). null if a pivot degenerates.
 */
export function topVector(diag: ArrayLike<number>, off: ArrayLike<number>, n: number, theta: number, scale = Math.abs(theta)): Float64Array | null {
  const shift = theta + Math.max(8 * EPS * scale, 1e-200);
  const x = new Float64Array(n).fill(1);
  const d = new Float64Array(n);
  for (let pass = 0; pass < 2; pass++) {
    // LDLᵀ of M = shift·I − T (off-diagonals −off), solve M y = x in place.
    d[0] = shift - diag[0];
    for (let i = 1; i < n; i++) {
      const l = -off[i - 1] / d[i - 1];
      d[i] = shift - diag[i] + l * off[i - 1];
      x[i] -= l * x[i - 1];
    }
    x[n - 1] /= d[n - 1];
    for (let i = n - 2; i >= 0; i--) x[i] = x[i] / d[i] + (off[i] / d[i]) * x[i + 1];
    let nx = 0;
    for (let i = 0; i < n; i++) nx += x[i] * x[i];
    nx = Math.sqrt(nx);
    if (!(nx > 0 && nx < Infinity)) return null;
    for (let i = 0; i < n; i++) x[i] /= nx;
  }
  return x;
}
