// Backend-independent helpers for packing a weight: its density, its content as
// dense rows or as a CSR (whichever the source is stored as), and what each sparse
// layout would store, which the cost model of linalg.ts planPack compares.
import type { Csr } from '../ir.ts';
import { blockRowSpan, bsrBlockCount, gateFusedRowMap, naturalRowMap } from '../bsr.ts';
import { csrFromDense, csrToDense } from '../csr.ts';
import type { RowMapKind, StructureHint, WeightSource } from './linalg.ts';

/** How a backend stores a CSR: as is (js), rows padded to 4 entries (wasm gemmT), 1x4 blocks (wasm gemv). */
export type CsrLayout = 'plain' | 'padded' | 'blocked';

export function sourceShape(src: WeightSource): { rows: number; cols: number } {
  return 'csr' in src ? { rows: src.csr.rows, cols: src.csr.cols } : { rows: src.rows, cols: src.cols };
}

export function sourceNonzeros(src: WeightSource): number {
  if ('csr' in src) return src.csr.rowPtr[src.csr.rows];
  const n = src.rows * src.cols, o = src.offset ?? 0, d = src.dense;
  let nz = 0;
  for (let i = o; i < o + n; i++) if (d[i] !== 0) nz++;
  return nz;
}

export function sourceDensity(src: WeightSource): number {
  const { rows, cols } = sourceShape(src);
  return rows * cols === 0 ? 0 : sourceNonzeros(src) / (rows * cols);
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

/** The 1x4 blocked layout needs 4 columns; narrower matrices are stored padded. */
export function csrLayoutFor(m: Csr, layout: CsrLayout): CsrLayout {
  return layout === 'blocked' && m.cols < 4 ? 'padded' : layout;
}

/** Entries a pass over m in this layout multiplies (padding zeros included). */
export function csrStored(m: Csr, layout: CsrLayout): number {
  const l = csrLayoutFor(m, layout);
  if (l === 'plain') return m.rowPtr[m.rows];
  if (l === 'blocked') return 4 * bsrBlockCount(m, 4, identityRowMap(m.rows), 1);
  let n = 0;
  for (let r = 0; r < m.rows; r++) n += (m.rowPtr[r + 1] - m.rowPtr[r] + 3) & ~3;
  return n;
}

export function identityRowMap(rows: number): Int32Array {
  return Int32Array.from({ length: rows }, (_, i) => i);
}

/**
 * The row maps worth trying for br x 1 blocks: natural block rows (kept inside a
 * hint's segments) and, for a gated weight whose gate count divides br, gate-fused
 * block rows: the two layouts a block pruner makes (src/prune/blocks.ts). A Conv
 * group is packed as a matrix of its own, so its natural map starts at the group.
 */
export function bsrCandidates(rows: number, br: number, hint?: StructureHint): { map: RowMapKind; rowMap: Int32Array }[] {
  const out: { map: RowMapKind; rowMap: Int32Array }[] = [{ map: 'natural', rowMap: naturalRowMap(rows, br, hint?.segment ?? rows) }];
  const g = hint?.gates ?? 0, h = hint?.hidden ?? 0;
  if (g > 1 && h > 0 && br % g === 0 && rows % (g * h) === 0) out.push({ map: 'gate-fused', rowMap: gateFusedRowMap(rows, br, g, h) });
  return out;
}

/**
 * blockRowSpan per gemv row range, worked out on first use of the range: a GRU's
 * two row ranges, or the full range, then cost a map lookup and no allocation (a
 * stream step allocates nothing). Encoded as b0 * (nb + 1) + b1.
 */
export class BlockRowSpans {
  private readonly cache = new Map<number, number>();
  readonly nb: number;
  constructor(readonly rowMap: Int32Array, readonly br: number, private readonly rows: number) {
    this.nb = rowMap.length / br;
  }

  get(r0: number, r1: number): number {
    if (r0 === 0 && r1 === this.rows) return this.nb;
    const key = r0 * (this.rows + 1) + r1;
    let s = this.cache.get(key);
    if (s === undefined) {
      const [b0, b1] = blockRowSpan(this, r0, r1);
      this.cache.set(key, (s = b0 * (this.nb + 1) + b1));
    }
    return s;
  }
}
