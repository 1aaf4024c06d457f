// Weight matrices as static const arrays: dense row-major float, or CSR (float values,
// uint16_t column indices when cols <= 65536 else int32_t, uint16_t row pointers when
// nnz <= 65535 else int32_t). A layer (node) is stored CSR when the density of all its
// prunable matrices together is below the threshold; the LayerReport says which.
import type { Node } from '../../runtime/ir.ts';
import { csrFromDense, U16_MAX_COLS } from '../../runtime/csr.ts';
import type { LayerReport } from '../types.ts';
import { INDEX_BYTES, type IndexType, C_INDEX_TYPE } from './clib/index.ts';
import type { CModule } from './module.ts';

export interface MatrixArrays {
  rows: number;
  cols: number;
  nnz: number;
  dense: string | null;
  csr: { rowptr: string; col: string; val: string; ci: IndexType; rp: IndexType } | null;
}

function nnzOf(m: Float32Array): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) n++;
  return n;
}

function csrTypes(cols: number, nnz: number): { ci: IndexType; rp: IndexType } {
  return { ci: cols <= U16_MAX_COLS ? 'u16' : 'i32', rp: nnz <= 0xffff ? 'u16' : 'i32' };
}

/** Bytes of a matrix stored as CSR with the narrowest index types. */
export function csrStoredBytes(rows: number, cols: number, nnz: number): number {
  const t = csrTypes(cols, nnz);
  return nnz * (4 + INDEX_BYTES[t.ci]) + (rows + 1) * INDEX_BYTES[t.rp];
}

/**
 * Decides dense or CSR for a layer from all its matrices (row-major [rows, cols] each)
 * and records the LayerReport. Returns true for CSR.
 */
export function decideLayer(mod: CModule, node: Node, mats: { rows: number; cols: number; data: Float32Array }[], maxDensity: number): boolean {
  let nnz = 0, total = 0, csrBytes = 0;
  for (const m of mats) {
    const n = nnzOf(m.data);
    nnz += n;
    total += m.rows * m.cols;
    csrBytes += csrStoredBytes(m.rows, m.cols, n);
  }
  const density = total ? nnz / total : 1;
  const denseBytes = total * 4;
  const useCsr = density < maxDensity;
  const r: LayerReport = {
    layer: node.name, op: node.op, action: useCsr ? 'csr' : 'dense', density, denseBytes,
    storedBytes: useCsr ? csrBytes : denseBytes,
    note: useCsr ? `${nnz} nonzeros` : `density ${density.toFixed(3)} >= ${maxDensity.toFixed(3)}`,
  };
  mod.report(r);
  return useCsr;
}

/** Emits one matrix (a cached emission: the same node and role are emitted once per file). */
export function emitMatrix(mod: CModule, key: string, base: string, rows: number, cols: number, data: Float32Array, csr: boolean, what: string): MatrixArrays {
  return mod.cached(`matrix:${key}:${csr}`, () => {
    const nnz = nnzOf(data);
    if (!csr) {
      const sym = mod.array(base, 'float', data, 'weight', `${what}: dense [${rows}, ${cols}]`);
      return { rows, cols, nnz, dense: sym, csr: null };
    }
    const m = csrFromDense(data, rows, cols);
    const t = csrTypes(cols, nnz);
    const pct = ((nnz / Math.max(1, rows * cols)) * 100).toFixed(1);
    const val = mod.array(`${base}_val`, 'float', m.values, 'weight', `${what}: CSR [${rows}, ${cols}], ${nnz} nonzeros (${pct}%)`);
    const col = mod.array(`${base}_col`, C_INDEX_TYPE[t.ci] as 'uint16_t' | 'int32_t', m.colIdx, 'index');
    const rowptr = mod.array(`${base}_rowptr`, C_INDEX_TYPE[t.rp] as 'uint16_t' | 'int32_t', m.rowPtr, 'index');
    return { rows, cols, nnz, dense: null, csr: { rowptr, col, val, ...t } };
  });
}

/** A `rp_mv_fn` over the matrix: `static void sym(int r0, int r1, const float *x, float *y)`. */
export function mvFunction(mod: CModule, m: MatrixArrays, base: string): string {
  return mod.cached(`mv:${m.dense ?? m.csr!.val}`, () => {
    const sym = mod.symbol(`${base}_mv`);
    let call: string;
    if (m.dense) {
      mod.use('rp_dense_mv', 'rp_mv_fn');
      call = `rp_dense_mv(${m.dense}, ${m.cols}, r0, r1, x, y);`;
    } else {
      const c = m.csr!;
      mod.use(`rp_csr_mv_${c.ci}_${c.rp}`, 'rp_mv_fn');
      call = `rp_csr_mv_${c.ci}_${c.rp}(${c.rowptr}, ${c.col}, ${c.val}, r0, r1, x, y);`;
    }
    // ~150 bytes of code each (fitted, module.ts codeBytes): the dense loop is often inlined into it.
    mod.decl(`static void ${sym}(int r0, int r1, const float *x, float *y) { ${call} }`, 0, 150);
    return sym;
  });
}
