// Backend-independent helpers for packing a weight: its density, and its content as
// dense rows or as a CSR, whichever the source is stored as.
import type { Csr } from '../ir.ts';
import { csrDensity, csrFromDense, csrToDense } from '../csr.ts';
import type { WeightSource } from './linalg.ts';

export function sourceShape(src: WeightSource): { rows: number; cols: number } {
  return 'csr' in src ? { rows: src.csr.rows, cols: src.csr.cols } : { rows: src.rows, cols: src.cols };
}

export function sourceDensity(src: WeightSource): number {
  if ('csr' in src) return csrDensity(src.csr);
  const n = src.rows * src.cols, o = src.offset ?? 0, d = src.dense;
  if (n === 0) return 0;
  let nz = 0;
  for (let i = o; i < o + n; i++) if (d[i] !== 0) nz++;
  return nz / n;
}

/** Row-major [rows, cols] (rows = outputs), copying. */
export function sourceDenseRows(src: WeightSource): Float32Array {
  if ('csr' in src) return csrToDense(src.csr);
  const { rows, cols } = src, o = src.offset ?? 0, d = src.dense;
  if (!src.transposed) return d.slice(o, o + rows * cols);
  const out = new Float32Array(rows * cols);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out[r * cols + c] = d[o + c * rows + r];
  return out;
}

export function sourceCsr(src: WeightSource): Csr {
  if ('csr' in src) return src.csr;
  if (!src.transposed) return csrFromDense(src.dense, src.rows, src.cols, src.offset ?? 0);
  return csrFromDense(sourceDenseRows(src), src.rows, src.cols);
}
