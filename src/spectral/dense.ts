// The dense path for tiny graphs: cyclic Jacobi on an explicit symmetric matrix.
// Jacobi is slow (O(n³) per sweep) but unconditionally accurate, including for
// repeated and zero eigenvalues, so it is used below a size where it is cheaper
// than Lanczos anyway (see DENSE_MAX in svd.ts).
import { RampartError } from '../../runtime/errors.ts';

export interface SymEigen {
  values: Float64Array;
  /** Row-major n×n; column i is the unit eigenvector of values[i]. */
  vectors: Float64Array;
}

/** Eigen-decomposition of the symmetric n×n row-major matrix `a` (destroyed). */
export function jacobiEigen(a: Float64Array, n: number): SymEigen {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let fro = 0;
  for (let i = 0; i < n * n; i++) fro += a[i] * a[i];
  // Stop when the off-diagonal norm is at the rounding level of the matrix, n·ε·‖A‖_F
  // (LAPACK's Jacobi tolerance). A fixed 1e-17 relative bar is out of reach when many
  // eigenvalues are zero: rotations inside that null space re-create off-diagonals of
  // ~ε·‖A‖ each sweep. Block masks make exactly such Gram matrices (twin rows).
  const tol = (n * 2.220446049250313e-16) ** 2 * fro;
  for (let sweep = 0; ; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= tol || off === 0) break;
    if (sweep >= 100) throw new RampartError('Jacobi eigen-decomposition did not converge in 100 sweeps');
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}
