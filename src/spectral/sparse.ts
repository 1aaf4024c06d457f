// Sparse biadjacency matrices for the spectral solver: CSR with int32 indices and
// float32 values (exact: weights are float32 to begin with; all arithmetic on them
// is double) or no values at all for a 0/1 pattern, built once per graph.
import { RampartError } from '../../runtime/errors.ts';

/** A rows × cols sparse matrix in CSR; column indices sorted within each row. */
export interface SparseMatrix {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  /** Entry values; null means every stored entry is 1 (a 0/1 biadjacency). */
  values: Float32Array | null;
}

/** A weight as a graph: rows = outputs (right vertices R), cols = inputs (left vertices L), nonzero = edge. */
export interface MatrixView {
  rows: number;
  cols: number;
  data: Float32Array;
}

export function nnz(a: SparseMatrix): number {
  return a.rowPtr[a.rows];
}

export function transpose(a: SparseMatrix): SparseMatrix {
  const { rows, cols, rowPtr, colIdx, values } = a;
  const n = rowPtr[rows];
  const tPtr = new Int32Array(cols + 1);
  for (let k = 0; k < n; k++) tPtr[colIdx[k] + 1]++;
  for (let j = 0; j < cols; j++) tPtr[j + 1] += tPtr[j];
  const next = tPtr.slice(0, cols);
  const tIdx = new Int32Array(n);
  const tVal = values ? new Float32Array(n) : null;
  for (let i = 0; i < rows; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const p = next[colIdx[k]]++;
      tIdx[p] = i;
      if (tVal) tVal[p] = values![k];
    }
  }
  return { rows: cols, cols: rows, rowPtr: tPtr, colIdx: tIdx, values: tVal };
}

/** The same sparsity pattern with every value 1. */
export function pattern(a: SparseMatrix): SparseMatrix {
  return { ...a, values: null };
}

/**
 * y = A·x (x has a.cols entries, y has a.rows). Eight, then four accumulators break
 * the floating-point add dependency chain (1.2–1.6× faster than one in V8 on long
 * rows, measured by bench/spectral.ts); short rows fall through to the 4- and 1-way tails.
 */
export function multiply(a: SparseMatrix, x: Float64Array, y: Float64Array): void {
  const { rows, rowPtr, colIdx: c, values: v } = a;
  if (v) {
    for (let i = 0; i < rows; i++) {
      const end = rowPtr[i + 1];
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      let k = rowPtr[i];
      for (; k + 7 < end; k += 8) {
        s0 += v[k] * x[c[k]]; s1 += v[k + 1] * x[c[k + 1]]; s2 += v[k + 2] * x[c[k + 2]]; s3 += v[k + 3] * x[c[k + 3]];
        s4 += v[k + 4] * x[c[k + 4]]; s5 += v[k + 5] * x[c[k + 5]]; s6 += v[k + 6] * x[c[k + 6]]; s7 += v[k + 7] * x[c[k + 7]];
      }
      for (; k + 3 < end; k += 4) {
        s0 += v[k] * x[c[k]]; s1 += v[k + 1] * x[c[k + 1]]; s2 += v[k + 2] * x[c[k + 2]]; s3 += v[k + 3] * x[c[k + 3]];
      }
      for (; k < end; k++) s0 += v[k] * x[c[k]];
      y[i] = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const end = rowPtr[i + 1];
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      let k = rowPtr[i];
      for (; k + 7 < end; k += 8) {
        s0 += x[c[k]]; s1 += x[c[k + 1]]; s2 += x[c[k + 2]]; s3 += x[c[k + 3]];
        s4 += x[c[k + 4]]; s5 += x[c[k + 5]]; s6 += x[c[k + 6]]; s7 += x[c[k + 7]];
      }
      for (; k + 3 < end; k += 4) { s0 += x[c[k]]; s1 += x[c[k + 1]]; s2 += x[c[k + 2]]; s3 += x[c[k + 3]]; }
      for (; k < end; k++) s0 += x[c[k]];
      y[i] = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
  }
}

/** The explicit AᵀA (cols × cols, row-major), for the dense path. */
export function gramDense(a: SparseMatrix): Float64Array {
  const n = a.cols;
  const g = new Float64Array(n * n);
  const { rows, rowPtr, colIdx, values } = a;
  for (let i = 0; i < rows; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const p = colIdx[k], vp = values ? values[k] : 1;
      for (let l = rowPtr[i]; l < rowPtr[i + 1]; l++) g[p * n + colIdx[l]] += vp * (values ? values[l] : 1);
    }
  }
  return g;
}

/**
 * The biadjacency of a weight with isolated vertices dropped: rows = non-isolated
 * output (right) vertices, cols = non-isolated input (left) vertices, values |w|,
 * in both orientations. leftIndex/rightIndex map compact indices to full ones.
 */
export interface Bipartite {
  /** Full sizes |L| = n (inputs), |R| = m (outputs). */
  n: number;
  m: number;
  /** CSR over right vertices: byR.rows = nR, byR.cols = nL. */
  byR: SparseMatrix;
  /** Its transpose: CSR over left vertices. */
  byL: SparseMatrix;
  leftIndex: Int32Array;
  rightIndex: Int32Array;
  /** True when every edge weight |w| is the same (the weighted spectrum is a multiple of the 0/1 one). */
  uniformWeight: boolean;
}

/** `values: false` keeps only the 0/1 pattern (byR.values = byL.values = null): μ0, μ̂ and IMDB need no more. */
export function bipartiteFromView(view: MatrixView, opts: { values?: boolean } = {}): Bipartite {
  const { rows: m, cols: n, data } = view;
  const keepValues = opts.values !== false;
  if (data.length !== m * n) {
    throw new RampartError(`matrix view has ${data.length} values`, { expected: `${m}×${n} = ${m * n}` });
  }
  // One pass over the dense data (it is the largest thing read): CSR over all right
  // vertices into arrays grown by doubling, left degrees on the side. The test is on
  // the float's bits (|w| bits = 0 ⇔ ±0; ≥ 0x7f800000 ⇔ Inf/NaN). Rows after a dense
  // one (> 1/16 nonzero) go branchless: there a mispredicted branch per entry costs
  // more than the stores (3× at 50% density; branches win at 99%, measured in
  // bench/spectral.ts conditions).
  const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
  const fullDegL = new Int32Array(n);
  const rowPtr = new Int32Array(m + 1);
  let cap = Math.max(1024, Math.min(m * n, Math.ceil((m * n) / 8)));
  let colIdx = new Int32Array(cap);
  let values = new Float32Array(keepValues ? cap : 0);
  let p = 0;
  let prevRow = n;
  for (let r = 0; r < m; r++) {
    if (p + n > cap) {
      cap = Math.min(m * n, Math.max(2 * cap, p + n));
      const ci = new Int32Array(cap); ci.set(colIdx.subarray(0, p)); colIdx = ci;
      if (keepValues) { const vi = new Float32Array(cap); vi.set(values.subarray(0, p)); values = vi; }
    }
    const o = r * n, start = p;
    let bad = 0;
    if (prevRow * 16 > n) {
      for (let l = 0; l < n; l++) {
        const x = bits[o + l] & 0x7fffffff;
        const nz = (x | -x) >>> 31;
        bad |= (x + 0x800000) >>> 31;
        colIdx[p] = l;
        if (keepValues) values[p] = Math.abs(data[o + l]);
        p += nz;
        fullDegL[l] += nz;
      }
    } else {
      for (let l = 0; l < n; l++) {
        const x = bits[o + l] & 0x7fffffff;
        if (x !== 0) {
          bad |= (x + 0x800000) >>> 31;
          colIdx[p] = l;
          if (keepValues) values[p] = Math.abs(data[o + l]);
          p++;
          fullDegL[l]++;
        }
      }
    }
    if (bad) {
      const l = data.subarray(o, o + n).findIndex((v) => !Number.isFinite(v));
      throw new RampartError(`weight [${r}, ${l}] is ${data[o + l]}`, { expected: 'finite weights' });
    }
    prevRow = p - start;
    rowPtr[r + 1] = p;
  }
  const edges = p;
  if (cap > edges) { colIdx = colIdx.slice(0, edges); if (keepValues) values = values.slice(0, edges); }
  let uniform = keepValues;
  for (let k = 1; uniform && k < edges; k++) if (values[k] !== values[0]) uniform = false;
  // Drop isolated vertices: renumber columns, squeeze empty rows.
  const leftMap = new Int32Array(n);
  const leftIndex: number[] = [];
  for (let l = 0; l < n; l++) { leftMap[l] = leftIndex.length; if (fullDegL[l] > 0) leftIndex.push(l); }
  const rightIndex: number[] = [];
  for (let r = 0; r < m; r++) if (rowPtr[r + 1] > rowPtr[r]) rightIndex.push(r);
  const nL = leftIndex.length, nR = rightIndex.length;
  if (nL < n) for (let k = 0; k < edges; k++) colIdx[k] = leftMap[colIdx[k]];
  let ptr = rowPtr;
  if (nR < m) {
    ptr = new Int32Array(nR + 1);
    rightIndex.forEach((r, i) => { ptr[i + 1] = rowPtr[r + 1]; });
  }
  const byR: SparseMatrix = { rows: nR, cols: nL, rowPtr: ptr, colIdx, values: keepValues ? values : null };
  return {
    n, m, byR, byL: transpose(byR),
    leftIndex: Int32Array.from(leftIndex), rightIndex: Int32Array.from(rightIndex),
    uniformWeight: uniform,
  };
}

/** The sub-matrix of the given rows, with columns that become empty dropped (renumbered in order). */
export function rowSubgraph(a: SparseMatrix, rowsSel: ArrayLike<number>): SparseMatrix {
  const colMap = new Int32Array(a.cols).fill(-1);
  let total = 0;
  for (let t = 0; t < rowsSel.length; t++) {
    const i = rowsSel[t];
    total += a.rowPtr[i + 1] - a.rowPtr[i];
    for (let k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) colMap[a.colIdx[k]] = -2;
  }
  let nc = 0;
  for (let j = 0; j < a.cols; j++) if (colMap[j] === -2) colMap[j] = nc++;
  const rowPtr = new Int32Array(rowsSel.length + 1);
  const colIdx = new Int32Array(total);
  const values = a.values ? new Float32Array(total) : null;
  let p = 0;
  for (let t = 0; t < rowsSel.length; t++) {
    const i = rowsSel[t];
    for (let k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) {
      colIdx[p] = colMap[a.colIdx[k]];
      if (values) values[p] = a.values![k];
      p++;
    }
    rowPtr[t + 1] = p;
  }
  return { rows: rowsSel.length, cols: nc, rowPtr, colIdx, values };
}
