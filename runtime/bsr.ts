// Block CSR (BSR): a pruned weight whose nonzeros come in small dense blocks that
// share one column index: br output rows x bc consecutive input columns. Batch-1
// kernels then load one index (and one broadcast input, for bc = 1) per br*bc weights
// instead of per weight, which is what makes a block mask pay at the sparsities the
// guard allows (TFLite's 1x4/1x16, LPCNet's 16x1; LANDSCAPE.md).
//
// The rows of a block row need not be consecutive: `rowMap` lists them, so a gate-fused
// recurrent weight (one unit's i, o, f, c rows in one block) is the same format with an
// interleaved map, and the kernel scatters a block row's br sums once at its end.
// Blocks never straddle a segment (a gate, a group): the packer builds the map so.
//
// Layout (all the kernels, the C target and the block-CSR ONNX form read it the same):
//   block row b holds matrix rows rowMap[b*br .. b*br+br) (-1: a padding row, no output)
//   its blocks are blockPtr[b] .. blockPtr[b+1]
//   block k covers columns blockCol[k] .. blockCol[k]+bc (blockCol[k] <= cols - bc)
//   values[k*br*bc + i*br + j] = W[rowMap[b*br + j], blockCol[k] + i]   (column-major in
//   the block: for bc = 1 a block's br values are contiguous; zeros where pruned)
//   An entry is the sum of the blocks covering it: a last block shifted left to fit may
//   overlap its neighbour, and holds zeros where it does (the kernels just add).
import type { Csr } from './ir.ts';
import { colIndexArray } from './csr.ts';
import { RampartError, type ErrorContext } from './errors.ts';

export interface Bsr {
  rows: number;
  cols: number;
  br: number;
  bc: number;
  rowMap: Int32Array;
  blockPtr: Int32Array;
  blockCol: Uint16Array | Int32Array;
  values: Float32Array;
}

/** Block rows of br consecutive rows that never straddle a multiple of `segment` (a gate); -1 pads. */
export function naturalRowMap(rows: number, br: number, segment = rows): Int32Array {
  const seg = Math.max(1, Math.min(segment, rows));
  const out: number[] = [];
  for (let s0 = 0; s0 < rows; s0 += seg) {
    const s1 = Math.min(rows, s0 + seg);
    for (let r = s0; r < s1; r += br) for (let j = 0; j < br; j++) out.push(r + j < s1 ? r + j : -1);
  }
  return Int32Array.from(out);
}

/**
 * Gate-fused block rows: with `gates` gate blocks of `hidden` rows each (ONNX order), a
 * block row holds units k .. k+br/gates-1 of every gate, rows {u + g*hidden}, ordered
 * unit-major (u0g0, u0g1, ..., u1g0, ...). br must be a multiple of gates. `rows` may hold
 * several directions (rows = directions*gates*hidden): each is fused separately.
 */
export function gateFusedRowMap(rows: number, br: number, gates: number, hidden: number): Int32Array {
  if (br % gates !== 0) throw new RampartError(`gate-fused block of ${br} rows`, { expected: `a multiple of the ${gates} gates` });
  const per = br / gates, gh = gates * hidden;
  if (rows % gh !== 0) throw new RampartError(`gate-fused rows ${rows}`, { expected: `a multiple of gates*hidden = ${gh}` });
  const out: number[] = [];
  for (let d0 = 0; d0 < rows; d0 += gh) {
    for (let u0 = 0; u0 < hidden; u0 += per) {
      for (let u = u0; u < u0 + per; u++) for (let g = 0; g < gates; g++) out.push(u < hidden ? d0 + g * hidden + u : -1);
    }
  }
  return Int32Array.from(out);
}

/** Blocks a greedy cover of each block row's nonzero columns needs (what the pack would store). */
export function bsrBlockCount(m: Csr, bc: number, rowMap: Int32Array, br: number): number {
  return coverBlocks(m, bc, rowMap, br, null);
}

/**
 * Greedy cover, per block row, of the union of its rows' nonzero columns by groups
 * [c, c+bc), c = min(first uncovered column, cols - bc). Appends starts when given.
 */
function coverBlocks(m: Csr, bc: number, rowMap: Int32Array, br: number, starts: number[] | null, ptr?: Int32Array): number {
  const nb = rowMap.length / br;
  const used = new Uint8Array(m.cols);
  const touched: number[] = [];
  let n = 0;
  for (let b = 0; b < nb; b++) {
    touched.length = 0;
    for (let j = 0; j < br; j++) {
      const r = rowMap[b * br + j];
      if (r < 0) continue;
      for (let k = m.rowPtr[r]; k < m.rowPtr[r + 1]; k++) {
        const c = m.colIdx[k];
        if (!used[c]) { used[c] = 1; touched.push(c); }
      }
    }
    touched.sort((a, b2) => a - b2);
    let covered = -1;
    for (const c of touched) {
      used[c] = 0;
      if (c < covered) continue;
      const s = Math.min(c, m.cols - bc);
      if (starts) starts.push(s);
      n++;
      covered = s + bc;
    }
    if (ptr) ptr[b + 1] = n;
  }
  return n;
}

/** The BSR of m for blocks br x bc over the block rows of rowMap (its length a multiple of br). */
export function bsrFromCsr(m: Csr, br: number, bc: number, rowMap: Int32Array = naturalRowMap(m.rows, br)): Bsr {
  if (!(br >= 1 && bc >= 1 && bc <= Math.max(1, m.cols))) throw new RampartError(`block ${br}x${bc} for a [${m.rows},${m.cols}] matrix`, { expected: '1 <= bc <= cols' });
  if (rowMap.length % br !== 0) throw new RampartError(`row map of ${rowMap.length} entries`, { expected: `a multiple of br = ${br}` });
  const nb = rowMap.length / br;
  const starts: number[] = [];
  const blockPtr = new Int32Array(nb + 1);
  coverBlocks(m, bc, rowMap, br, starts, blockPtr);
  const n = starts.length, bs = br * bc;
  const values = new Float32Array(n * bs);
  const blockCol = colIndexArray(m.cols, n);
  blockCol.set(starts);
  for (let b = 0; b < nb; b++) {
    for (let j = 0; j < br; j++) {
      const r = rowMap[b * br + j];
      if (r < 0) continue;
      let k = blockPtr[b];
      for (let e = m.rowPtr[r]; e < m.rowPtr[r + 1]; e++) {
        const c = m.colIdx[e];
        while (c >= starts[k] + bc) k++;
        values[k * bs + (c - starts[k]) * br + j] = m.values[e];
      }
    }
  }
  return { rows: m.rows, cols: m.cols, br, bc, rowMap, blockPtr, blockCol, values };
}

/** Back to CSR, keeping exact nonzeros only (the padding zeros of blocks are dropped). */
export function bsrToCsr(b: Bsr): Csr {
  const dense = bsrToDense(b);
  const rowPtr = new Int32Array(b.rows + 1);
  let nnz = 0;
  for (const v of dense) if (v !== 0) nnz++;
  const colIdx = colIndexArray(b.cols, nnz), values = new Float32Array(nnz);
  let k = 0;
  for (let r = 0; r < b.rows; r++) {
    for (let c = 0; c < b.cols; c++) {
      const v = dense[r * b.cols + c];
      if (v !== 0) { colIdx[k] = c; values[k++] = v; }
    }
    rowPtr[r + 1] = k;
  }
  return { rows: b.rows, cols: b.cols, rowPtr, colIdx, values };
}

export function bsrToDense(b: Bsr): Float32Array {
  const out = new Float32Array(b.rows * b.cols), bs = b.br * b.bc, nb = b.rowMap.length / b.br;
  for (let q = 0; q < nb; q++) {
    for (let k = b.blockPtr[q]; k < b.blockPtr[q + 1]; k++) {
      for (let i = 0; i < b.bc; i++) {
        for (let j = 0; j < b.br; j++) {
          const r = b.rowMap[q * b.br + j];
          if (r >= 0) out[r * b.cols + b.blockCol[k] + i] += b.values[k * bs + i * b.br + j];
        }
      }
    }
  }
  return out;
}

export function bsrBlocks(b: Bsr): number {
  return b.blockPtr[b.blockPtr.length - 1];
}

/** Stored entries a full pass multiplies (padding zeros included). */
export function bsrStored(b: Bsr): number {
  return bsrBlocks(b) * b.br * b.bc;
}

/**
 * The block-row range [b0, b1) whose rows are exactly the rows in [r0, r1) (padding
 * aside), or null when no such range exists (a block row straddles r0 or r1). A GRU runs
 * its z/r rows and its h rows as two calls; the packer keeps them in separate block rows.
 */
export function blockRowRange(b: Bsr, r0: number, r1: number): [number, number] | null {
  const nb = b.rowMap.length / b.br;
  let b0 = -1, b1 = -1;
  for (let q = 0; q < nb; q++) {
    let inside = 0, outside = 0;
    for (let j = 0; j < b.br; j++) {
      const r = b.rowMap[q * b.br + j];
      if (r < 0) continue;
      if (r >= r0 && r < r1) inside++; else outside++;
    }
    if (inside && outside) return null;
    if (inside) {
      if (b1 !== -1 && b1 !== q) return null;
      if (b0 === -1) b0 = q;
      b1 = q + 1;
    }
  }
  return b0 === -1 ? [0, 0] : [b0, b1];
}

/**
 * The smallest block-row range [b0, b1) holding every row of [r0, r1) (padding
 * aside): where blockRowRange is null, a kernel runs these block rows and writes only
 * the rows in range ([0, 0] when none).
 */
export function blockRowSpan(b: Pick<Bsr, 'rowMap' | 'br'>, r0: number, r1: number): [number, number] {
  const nb = b.rowMap.length / b.br;
  let b0 = nb, b1 = 0;
  for (let q = 0; q < nb; q++) {
    for (let j = 0; j < b.br; j++) {
      const r = b.rowMap[q * b.br + j];
      if (r >= r0 && r < r1) { if (q < b0) b0 = q; b1 = q + 1; break; }
    }
  }
  return b0 >= b1 ? [0, 0] : [b0, b1];
}

/** Checks the invariants above (cheap, one pass); for BSRs read from files. */
export function validateBsr(b: Bsr, ctx: ErrorContext = {}): void {
  const bad = (msg: string, expected: string): never => {
    throw new RampartError(`invalid block CSR: ${msg}`, { ...ctx, expected });
  };
  if (!(Number.isInteger(b.br) && b.br >= 1 && Number.isInteger(b.bc) && b.bc >= 1)) bad(`block ${b.br}x${b.bc}`, 'positive integer block dims');
  if (!(Number.isInteger(b.rows) && b.rows >= 0 && Number.isInteger(b.cols) && b.cols >= b.bc)) bad(`shape [${b.rows},${b.cols}]`, `cols >= bc = ${b.bc}`);
  if (b.rowMap.length % b.br !== 0) bad(`row map of ${b.rowMap.length} entries`, `a multiple of br = ${b.br}`);
  const nb = b.rowMap.length / b.br;
  const seen = new Uint8Array(b.rows);
  for (const r of b.rowMap) {
    if (r === -1) continue;
    if (!(r >= 0 && r < b.rows) || seen[r]) bad(`row map entry ${r}`, `each row of 0..${b.rows - 1} at most once, or -1`);
    seen[r] = 1;
  }
  if (b.blockPtr.length !== nb + 1 || b.blockPtr[0] !== 0) bad(`block pointers have ${b.blockPtr.length} entries from ${b.blockPtr[0]}`, `${nb + 1} entries from 0`);
  for (let q = 0; q < nb; q++) if (b.blockPtr[q + 1] < b.blockPtr[q]) bad(`block pointers decrease at block row ${q}`, 'non-decreasing');
  const n = b.blockPtr[nb];
  if (b.blockCol.length !== n) bad(`${b.blockCol.length} block columns for ${n} blocks`, 'one column per block');
  if (b.values.length !== n * b.br * b.bc) bad(`${b.values.length} values for ${n} blocks of ${b.br}x${b.bc}`, `${n * b.br * b.bc}`);
  for (let q = 0; q < nb; q++) {
    let prev = -1;
    for (let k = b.blockPtr[q]; k < b.blockPtr[q + 1]; k++) {
      const c = b.blockCol[k];
      if (!(c >= 0 && c <= b.cols - b.bc)) bad(`block column ${c} in block row ${q}`, `0 <= col <= ${b.cols - b.bc}`);
      // Starts strictly increase; the last block of a row may overlap its neighbour (shifted left to fit).
      if (c <= prev) bad(`block columns not increasing in block row ${q} (${prev} then ${c})`, 'strictly increasing block columns');
      prev = c;
    }
  }
}
