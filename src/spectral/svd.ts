// The two largest singular values of a sparse nonnegative matrix (a 0/1 or |w|
// weighted biadjacency), in double precision.
//
// Method: symmetric Lanczos with full reorthogonalisation on the Gram matrix of the
// smaller side (AᵀA with A oriented so its columns are the smaller side), in two
// runs. Run 1 starts from a positive vector, which has positive overlap with the
// Perron vector of a nonnegative matrix, and converges σ1 (usually well separated,
// so few steps). Run 2 locks σ1's vector (every new Lanczos vector is kept
// orthogonal to it) and converges the largest remaining eigenvalue, σ2². Locking
// instead of reading the second Ritz value of run 1 is what makes σ2 = σ1 come out
// right for a disconnected graph: a single Krylov sequence holds one vector per
// eigenspace and can never see a repeated eigenvalue.
//
// Convergence is a real test: the Lanczos residual r = ‖G y − θ y‖ = β_j·|s_j| of
// the Ritz pair must fall below resTol·λ1 and the eigenvalue error bound
// min(r, r²/gap) below tol·λ1 (test/spectral/svd.test.ts and bench/spectral.ts check
// the results against dense SVDs and tighter runs). The reported singular values are
// ‖A y‖ for the converged unit vectors y, not √θ: ‖A y‖ keeps the absolute accuracy
// ~ε·σ1 even for a tiny σ2 (√θ would only give √ε·σ1, e.g. for the σ2 = 0 of a
// complete bipartite graph).
//
// Below DENSE_MAX vertices on the smaller side the explicit Gram matrix goes to a
// Jacobi eigen-solver instead (exact to rounding, and cheaper at that size).
import { RampartError } from '../../runtime/errors.ts';
import { jacobiEigen } from './dense.ts';
import { gramDense, multiply, nnz, transpose, type SparseMatrix } from './sparse.ts';
import { topRitz, topTwo, topVector, tridiagEigen } from './tridiag.ts';

export const DENSE_MAX = 24;

export interface SolverOptions {
  /** Bound on the eigenvalue error of G = BᵀB, relative to λ1 = σ1² (default 1e-12). */
  tol?: number;
  /** Bound on the Lanczos residual, relative to λ1 (default 1e-8). */
  resTol?: number;
  /** Use the dense path when the smaller side has at most this many vertices (default DENSE_MAX). */
  denseMax?: number;
  /** Lanczos basis size before an explicit restart (default 160). */
  maxBasis?: number;
  seed?: number;
  /** Weight of the random part in run 2's start vector (default 0.1). */
  mix?: number;
}

export interface TopTwo {
  /** σ1; null when the matrix has no nonzero entry. */
  s1: number | null;
  /** σ2; null when the smaller side has fewer than 2 vertices (σ2 does not exist). */
  s2: number | null;
  method: 'dense' | 'lanczos' | 'trivial';
  /** Gram-matrix products of each Lanczos run ([] on the dense path). */
  steps: number[];
}

/** Deterministic xorshift-based uniform [0, 1) generator, so repeated analyses agree bit for bit. */
export function rng(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[ao + i] * b[bo + i]; s1 += a[ao + i + 1] * b[bo + i + 1];
    s2 += a[ao + i + 2] * b[bo + i + 2]; s3 += a[ao + i + 3] * b[bo + i + 3];
  }
  for (; i < n; i++) s0 += a[ao + i] * b[bo + i];
  return (s0 + s1) + (s2 + s3);
}

function axpy(alpha: number, x: Float64Array, xo: number, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[xo + i];
}

/**
 * Classical Gram-Schmidt against the locked vectors and the first `count` basis
 * vectors, repeated when the pass removed most of w's norm (Kahan–Parlett: "twice
 * is enough"); after the three-term recurrence one pass is the usual case.
 */
function reorthogonalise(w: Float64Array, V: Float64Array, count: number, locked: Float64Array[], n: number, h: Float64Array): void {
  for (let pass = 0; pass < 3; pass++) {
    const before = norm(w);
    for (const y of locked) axpy(-dot(y, 0, w, 0, n), y, 0, w, n);
    for (let i = 0; i < count; i++) h[i] = dot(V, i * n, w, 0, n);
    for (let i = 0; i < count; i++) axpy(-h[i], V, i * n, w, n);
    if (norm(w) > 0.7071 * before) return;
  }
}

function norm(x: Float64Array): number {
  return Math.sqrt(dot(x, 0, x, 0, x.length));
}

/** G = AᵀA applied as two gathers, y = Aᵀ(A·x), with Aᵀ stored too (vs gather + scatter: 1.15–1.3×). */
interface Gram {
  a: SparseMatrix;
  at: SparseMatrix;
  tmp: Float64Array;
}

function gramApply(g: Gram, x: Float64Array, y: Float64Array): void {
  multiply(g.a, x, g.tmp);
  multiply(g.at, g.tmp, y);
}

interface RunResult {
  theta: number;
  vec: Float64Array;
  second: Float64Array | null;
  steps: number;
}

interface Tolerances {
  /** Bound on the Ritz value's error, relative to λ1. */
  eig: number;
  /** Bound on the residual norm, relative to λ1. */
  res: number;
}

/**
 * Lanczos on G = AᵀA restricted to the complement of `locked`, until the largest
 * Ritz value θ is converged: its residual r = β_j·|s_j| ≤ tol.res·λ1 and its error
 * bound min(r, r²/gap) ≤ tol.eig·λ1, with gap the distance to the next Ritz value
 * (the standard a-posteriori bounds for a symmetric matrix; λ1 = max(scale, θ)).
 */
function lanczosRun(
  g: Gram, start: Float64Array, locked: Float64Array[], scale: number, tol: Tolerances, maxBasis: number, wantSecond: boolean,
): RunResult {
  const n = g.a.cols;
  const room = n - locked.length;
  let v0 = start;
  let total = 0;
  for (let restart = 0; restart < 50; restart++) {
    const K = Math.min(maxBasis, room);
    const V = new Float64Array((K + 1) * n);
    const alpha = new Float64Array(K);
    const beta = new Float64Array(K);
    const w = new Float64Array(n);
    const h = new Float64Array(K + 1);
    w.set(v0);
    reorthogonalise(w, V, 0, locked, n, h);
    const w0 = norm(w);
    if (!(w0 > 0)) throw new RampartError('Lanczos start vector vanished after locking');
    for (let i = 0; i < n; i++) V[i] = w[i] / w0;
    let steps = 0, converged = false;
    let prevTheta = -Infinity, prevSecond = -Infinity;
    for (let j = 0; j < K; j++) {
      gramApply(g, V.subarray(j * n, (j + 1) * n), w);
      total++;
      const al = dot(V, j * n, w, 0, n);
      alpha[j] = al;
      axpy(-al, V, j * n, w, n);
      if (j > 0) axpy(-beta[j - 1], V, (j - 1) * n, w, n);
      reorthogonalise(w, V, j + 1, locked, n, h);
      const b = norm(w);
      beta[j] = b;
      steps = j + 1;
      // The whole space (T is similar to G), or an exact invariant subspace (b = 0).
      if (steps === room || b === 0) { converged = true; break; }
      const top = topRitz(alpha, beta, steps, prevTheta, prevSecond);
      prevTheta = top.theta;
      prevSecond = top.second;
      const theta = top.theta;
      if (!Number.isFinite(theta)) throw new RampartError('Lanczos produced a non-finite Ritz value', { expected: 'finite matrix entries' });
      const lam = Math.max(scale, theta);
      const res = b * top.lastComponent;
      const err = top.gap > res ? (res * res) / top.gap : res;
      if (res <= tol.res * lam && err <= tol.eig * lam) { converged = true; break; }
      if (j + 1 < K) for (let i = 0; i < n; i++) V[(j + 1) * n + i] = w[i] / b;
    }
    // Ritz vectors y = V·s, s an eigenvector of T: the top one by inverse iteration
    // (O(steps)), both top ones by a full QL when run 2 needs a start vector.
    const ritz = (s: ArrayLike<number>, stride: number, col: number) => {
      const y = new Float64Array(n);
      for (let r = 0; r < steps; r++) axpy(s[r * stride + col], V, r * n, y, n);
      const ny = norm(y);
      for (let i = 0; i < n; i++) y[i] /= ny;
      return y;
    };
    let theta = 0, vec: Float64Array, second: Float64Array | null = null;
    const top = wantSecond ? null : topRitz(alpha, beta, steps, prevTheta, prevSecond);
    const s1 = top ? topVector(alpha, beta, steps, top.theta) : null;
    if (top && s1) {
      theta = top.theta;
      vec = ritz(s1, 1, 0);
    } else {
      const full = tridiagEigen(alpha, beta, steps, Array.from({ length: steps }, (_, i) => i));
      const [f1, f2] = topTwo(full.values, steps);
      theta = full.values[f1];
      vec = ritz(full.z, steps, f1);
      if (f2 >= 0) second = ritz(full.z, steps, f2);
    }
    if (converged) return { theta, vec, second, steps: total };
    v0 = vec; // explicit restart from the best vector so far
  }
  throw new RampartError(`Lanczos did not converge in ${total} steps`, { expected: `residual ≤ ${tol.res}·λ1` });
}

/** σ = ‖A y‖ for a unit vector y (see the header: keeps small σ accurate). */
function singular(a: SparseMatrix, y: Float64Array, tmp: Float64Array): number {
  multiply(a, y, tmp);
  return norm(tmp);
}

/**
 * σ1, σ2 of `input`. `inputT` may pass its transpose when the caller has it already
 * (the Lanczos path needs both orientations).
 */
export function topTwoSingularValues(input: SparseMatrix, opts: SolverOptions = {}, inputT?: SparseMatrix): TopTwo {
  if (nnz(input) === 0) return { s1: null, s2: null, method: 'trivial', steps: [] };
  // Orient so that the columns are the smaller side: the Gram matrix is cols × cols.
  const flip = input.cols > input.rows;
  const a = flip ? (inputT ?? transpose(input)) : input;
  const n = a.cols;
  const tmp = new Float64Array(a.rows);
  if (n === 1) return { s1: singular(a, Float64Array.of(1), tmp), s2: null, method: 'trivial', steps: [] };
  if (n <= (opts.denseMax ?? DENSE_MAX)) {
    const eig = jacobiEigen(gramDense(a), n);
    const [i1, i2] = topTwo(eig.values);
    const col = (k: number) => Float64Array.from({ length: n }, (_, r) => eig.vectors[r * n + k]);
    return { s1: singular(a, col(i1), tmp), s2: singular(a, col(i2), tmp), method: 'dense', steps: [] };
  }
  const g: Gram = { a, at: flip ? input : (inputT ?? transpose(input)), tmp: new Float64Array(a.rows) };
  const eig = opts.tol ?? 1e-12;
  const res = opts.resTol ?? 1e-8;
  const maxBasis = opts.maxBasis ?? 160;
  const rand = rng(opts.seed ?? 12345);
  // A positive start: nonzero overlap with the (nonnegative) Perron vector of every component.
  const start = Float64Array.from({ length: n }, () => 1 + 0.1 * rand());
  // Run 1's vector is locked in run 2, so it is converged harder (its error feeds σ2's).
  const r1 = lanczosRun(g, start, [], 0, { eig, res: Math.min(res, 1e-10) }, maxBasis, true);
  // Run 2 starts near σ2's vector from run 1, plus a random part so it can find a repeated σ1.
  const start2 = new Float64Array(n);
  for (let i = 0; i < n; i++) start2[i] = rand() - 0.5;
  const rn = norm(start2);
  const mix = opts.mix ?? 0.1;
  if (r1.second) for (let i = 0; i < n; i++) start2[i] = r1.second[i] + (mix * start2[i]) / rn;
  const r2 = lanczosRun(g, start2, [r1.vec], r1.theta, { eig, res }, maxBasis, false);
  return { s1: singular(a, r1.vec, tmp), s2: singular(a, r2.vec, tmp), method: 'lanczos', steps: [r1.steps, r2.steps] };
}
