// CSR (compressed sparse rows): the storage of a pruned weight in the runtime and in
// CSR ONNX files. Layout follows runtime/ir.ts `Csr`: rows = outputs, cols = inputs,
// float32 values, column indices uint16 when the width allows (cols <= 65536), int32
// otherwise — 6 bytes per nonzero instead of 8, which is what bounds a batch-1
// mat-vec (LANDSCAPE.md: ideal speed-up 1/(1.5 d)).
import type { Csr } from './ir.ts';
import { RampartError, type ErrorContext } from './errors.ts';

/** Largest column count whose indices fit a Uint16Array. */
export const U16_MAX_COLS = 65536;

export function colIndexArray(cols: number, n: number): Uint16Array | Int32Array {
  return cols <= U16_MAX_COLS ? new Uint16Array(n) : new Int32Array(n);
}

/** Builds a CSR from a row-major dense [rows, cols] matrix, keeping exact nonzeros. */
export function csrFromDense(dense: ArrayLike<number>, rows: number, cols: number, offset = 0): Csr {
  let nnz = 0;
  const end = offset + rows * cols;
  for (let i = offset; i < end; i++) if (dense[i] !== 0) nnz++;
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = colIndexArray(cols, nnz);
  const values = new Float32Array(nnz);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const base = offset + r * cols;
    for (let c = 0; c < cols; c++) {
      const v = dense[base + c];
      if (v !== 0) {
        colIdx[k] = c;
        values[k++] = v;
      }
    }
    rowPtr[r + 1] = k;
  }
  return { rows, cols, rowPtr, colIdx, values };
}

export function csrToDense(m: Csr): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.rowPtr[r]; k < m.rowPtr[r + 1]; k++) out[r * m.cols + m.colIdx[k]] = m.values[k];
  }
  return out;
}

export function csrNnz(m: Csr): number {
  return m.rowPtr[m.rows];
}

/** Fraction of stored entries (1 = dense). */
export function csrDensity(m: Csr): number {
  return m.rows * m.cols === 0 ? 0 : csrNnz(m) / (m.rows * m.cols);
}

/** Bytes a kernel reads for the matrix itself: values, column indices, row pointers. */
export function csrBytes(m: Csr): number {
  return m.values.byteLength + m.colIdx.byteLength + m.rowPtr.byteLength;
}

/**
 * Checks the CSR invariants of runtime/ir.ts and throws a RampartError naming what
 * broke. Cheap (one pass), so it runs on every CSR a model file brings in.
 */
export function validateCsr(m: Csr, ctx: ErrorContext = {}): void {
  const bad = (msg: string, expected?: string): never => {
    throw new RampartError(`invalid CSR: ${msg}`, { ...ctx, expected: expected ?? ctx.expected });
  };
  if (!Number.isInteger(m.rows) || m.rows < 0 || !Number.isInteger(m.cols) || m.cols < 0) {
    bad(`shape [${m.rows},${m.cols}]`, 'non-negative integer rows and cols');
  }
  if (m.rowPtr.length !== m.rows + 1) bad(`row pointers have ${m.rowPtr.length} entries`, `rows+1 = ${m.rows + 1}`);
  if (m.rowPtr[0] !== 0) bad(`row pointers start at ${m.rowPtr[0]}`, '0');
  const nnz = m.rowPtr[m.rows];
  if (m.values.length !== nnz) bad(`${m.values.length} values but row pointers end at ${nnz}`, 'values.length == nnz');
  if (m.colIdx.length !== nnz) bad(`${m.colIdx.length} column indices but nnz is ${nnz}`, 'colIdx.length == nnz');
  for (let r = 0; r < m.rows; r++) {
    if (m.rowPtr[r + 1] < m.rowPtr[r]) bad(`row pointers decrease at row ${r} (${m.rowPtr[r]} > ${m.rowPtr[r + 1]})`, 'non-decreasing row pointers');
  }
  for (let r = 0; r < m.rows; r++) {
    const a = m.rowPtr[r], b = m.rowPtr[r + 1];
    let prev = -1;
    for (let k = a; k < b; k++) {
      const c = m.colIdx[k];
      if (c < 0 || c >= m.cols) bad(`column index ${c} out of range in row ${r}`, `0 <= col < ${m.cols}`);
      if (c <= prev) bad(`column indices not sorted and unique in row ${r} (${prev} then ${c})`, 'strictly increasing columns per row');
      prev = c;
    }
  }
}

/** Transposed copy: a [cols, rows] CSR (the CSC of m). Used to pack W^T for MatMul. */
export function csrTranspose(m: Csr): Csr {
  const nnz = csrNnz(m);
  const rowPtr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) rowPtr[m.colIdx[k] + 1]++;
  for (let c = 0; c < m.cols; c++) rowPtr[c + 1] += rowPtr[c];
  const next = rowPtr.slice(0, m.cols);
  const colIdx = colIndexArray(m.rows, nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.rowPtr[r]; k < m.rowPtr[r + 1]; k++) {
      const dst = next[m.colIdx[k]]++;
      colIdx[dst] = r;
      values[dst] = m.values[k];
    }
  }
  return { rows: m.cols, cols: m.rows, rowPtr, colIdx, values };
}

/** A row block [r0, r1) of m as its own CSR (shares nothing). Per-gate / per-direction slices. */
export function csrRowSlice(m: Csr, r0: number, r1: number): Csr {
  const a = m.rowPtr[r0], b = m.rowPtr[r1];
  const rowPtr = new Int32Array(r1 - r0 + 1);
  for (let r = r0; r <= r1; r++) rowPtr[r - r0] = m.rowPtr[r] - a;
  return { rows: r1 - r0, cols: m.cols, rowPtr, colIdx: m.colIdx.slice(a, b), values: m.values.slice(a, b) };
}
