// The storage rule of the C target: each weight matrix (each row part of one, see
// `split`) is stored dense, CSR or block-CSR, whichever takes the fewest flash bytes;
// a format within BYTES_SLACK of the fewest wins when it needs fewer operations.
// Nobody tells the target a block shape: it counts, for every candidate shape and row
// order, the blocks a cover of the weight's nonzeros needs (runtime/bsr.ts
// bsrBlockCount), which is exactly what that storage would hold.
//
// Why bytes first: the C target is for microcontrollers, where flash is what decides
// whether a model fits at all (docs/design/c-target.md "Weight storage"). The byte
// counts are exact (the arrays the emitter writes); the operation counts are per
// mat-vec: one per multiply-add, plus one per index load (a column per CSR nonzero, a
// block column per stored block), one per row (block row) pointer and one per sum
// scattered into y. They only break near-ties: no board bench exists to weigh them.
import type { Csr } from '../../runtime/ir.ts';
import { csrFromDense, U16_MAX_COLS } from '../../runtime/csr.ts';
import { bsrBlockCount, gateFusedRowMap, naturalRowMap } from '../../runtime/bsr.ts';
import { INDEX_BYTES, type IndexType } from './clib/index.ts';
import { ROW_MAP_BYTES, rowMapType } from './clib/bsr.ts';

/** One weight matrix of a layer, row-major [rows, cols] (rows = outputs). */
export interface MatrixSpec {
  /** Short name in reports: 'W', 'W0', 'R1'. */
  label: string;
  rows: number;
  cols: number;
  data: Float32Array;
  /** Recurrent: `gates` stacked blocks of `hidden` rows (ONNX gate order): per-gate segments and gate-fused blocks. */
  gates?: number;
  hidden?: number;
  /** Conv: rows per group; block rows never straddle a group (each group is one call). */
  group?: number;
  /** Row boundaries the kernels call separately (GRU's R: z, r apart from h); each part is stored on its own. */
  split?: number[];
}

export type Format = 'dense' | 'csr' | 'bsr';
export const FORMATS: Format[] = ['dense', 'csr', 'bsr'];

export type Storage =
  | { kind: 'dense' }
  | { kind: 'csr' }
  /** seg: rows per segment of a natural row order (no row map stored); rowMap: the block rows (runtime/bsr.ts). */
  | { kind: 'bsr'; br: number; bc: number; layout: 'natural' | 'gate-fused'; seg: number; rowMap: Int32Array; blocks: number };

/** The storage of rows [row0, row0 + rows) of a matrix. */
export interface PartPlan {
  row0: number;
  rows: number;
  cols: number;
  data: Float32Array;
  nnz: number;
  storage: Storage;
  bytes: number;
  ops: number;
}

export interface MatrixPlan {
  spec: MatrixSpec;
  parts: PartPlan[];
}

/**
 * A format up to 2% larger than the smallest may win on operations. A choice, not a
 * measurement (no board bench exists): 2% of a matrix's flash is little next to what a
 * device budget must leave free anyway, while formats that close in bytes can differ by
 * a third in operations (dense and CSR at density 0.66).
 */
export const BYTES_SLACK = 0.02;
/** Rx1 block heights tried in natural row order (LPCNet's 16x1; 4 and 8 between it and CSR). */
const NATURAL_HEIGHTS = [4, 8, 16];
/** Units per gate-fused block: with g gates a block is g*u rows (LSTM: 4, 8, 16). */
const FUSED_UNITS = [1, 2, 4];
const MAX_FUSED_HEIGHT = 16;

export const colType = (cols: number): IndexType => (cols <= U16_MAX_COLS ? 'u16' : 'i32');
/** CSR row pointers (block pointers) index nonzeros (blocks): uint16_t while they fit. */
export const ptrType = (n: number): IndexType => (n <= 0xffff ? 'u16' : 'i32');

/** Bytes of a matrix stored as CSR with the narrowest index types (arrays hold at least one entry). */
export function csrStoredBytes(rows: number, cols: number, nnz: number): number {
  return Math.max(1, nnz) * (4 + INDEX_BYTES[colType(cols)]) + (rows + 1) * INDEX_BYTES[ptrType(nnz)];
}

/** Bytes of a BSR: values, block columns, block pointers, and the row map unless the order is natural. */
export function bsrStoredBytes(s: { br: number; bc: number; blocks: number; rowMap: Int32Array; layout: string }, rows: number, cols: number): number {
  const nbr = s.rowMap.length / s.br;
  const map = s.layout === 'natural' ? 0 : s.rowMap.length * ROW_MAP_BYTES[rowMapType(rows)];
  return Math.max(1, s.blocks * s.br * s.bc) * 4 + Math.max(1, s.blocks) * INDEX_BYTES[colType(cols)] + (nbr + 1) * INDEX_BYTES[ptrType(s.blocks)] + map;
}

function nnzOf(m: Float32Array): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) n++;
  return n;
}

interface Candidate { storage: Storage; bytes: number; ops: number }

/** Every block shape and row order that could store the part, with its exact cover. */
function bsrCandidates(csr: Csr, part: { gates: number; hidden: number | null; group: number | null }): Candidate[] {
  const { rows, cols } = csr;
  const out: Candidate[] = [];
  const add = (br: number, bc: number, layout: 'natural' | 'gate-fused', seg: number, rowMap: Int32Array) => {
    const blocks = bsrBlockCount(csr, bc, rowMap, br);
    const storage: Storage = { kind: 'bsr', br, bc, layout, seg, rowMap, blocks };
    const nbr = rowMap.length / br;
    out.push({ storage, bytes: bsrStoredBytes(storage, rows, cols), ops: blocks * (br * bc + 1) + nbr * (1 + br) });
  };
  // Natural order: the whole part, and per gate (or per conv group) when that differs.
  const segs = part.group !== null ? [part.group] : [rows, ...(part.hidden !== null && part.hidden < rows ? [part.hidden] : [])];
  for (const br of NATURAL_HEIGHTS) {
    if (br > rows) continue;
    for (const seg of segs) {
      if (seg !== rows && seg % br === 0 && rows % br === 0) continue; // the same blocks as the whole part's
      add(br, 1, 'natural', seg, naturalRowMap(rows, br, seg));
    }
  }
  // TFLite's 1x4: consecutive inputs of one row (not for Conv, whose columns are taps).
  if (part.group === null && cols >= 4) add(1, 4, 'natural', rows, naturalRowMap(rows, 1));
  // Gate-fused: one unit's gates share a block (rows {k + g*H}).
  if (part.gates >= 2 && part.hidden !== null) {
    for (const u of FUSED_UNITS) {
      const br = part.gates * u;
      if (br <= MAX_FUSED_HEIGHT && u <= part.hidden) add(br, 1, 'gate-fused', rows, gateFusedRowMap(rows, br, part.gates, part.hidden));
    }
  }
  return out;
}

/** Bytes first, operations within BYTES_SLACK of the fewest bytes, then candidate order. */
function choose(cands: Candidate[]): Candidate {
  const least = Math.min(...cands.map((c) => c.bytes));
  let best: Candidate | null = null;
  for (const c of cands) {
    if (c.bytes > least * (1 + BYTES_SLACK)) continue;
    if (!best || c.ops < best.ops || (c.ops === best.ops && c.bytes < best.bytes)) best = c;
  }
  return best!;
}

function planPart(spec: MatrixSpec, row0: number, row1: number, maxDensity: number, formats: ReadonlySet<Format>): PartPlan {
  const rows = row1 - row0, cols = spec.cols;
  const data = spec.data.subarray(row0 * cols, row1 * cols);
  const nnz = nnzOf(data);
  const cands: Candidate[] = [{ storage: { kind: 'dense' }, bytes: 4 * rows * cols, ops: rows * cols }];
  // maxDensity caps the sparse formats (default 1: none; the byte rule alone decides).
  if (nnz / Math.max(1, rows * cols) < maxDensity) {
    if (formats.has('csr')) cands.push({ storage: { kind: 'csr' }, bytes: csrStoredBytes(rows, cols, nnz), ops: 2 * nnz + rows });
    if (formats.has('bsr') && nnz > 0) {
      const gates = spec.hidden ? rows / spec.hidden : 1;
      cands.push(...bsrCandidates(csrFromDense(data, rows, cols), { gates, hidden: spec.hidden ?? null, group: spec.group ?? null }));
    }
  }
  const c = choose(cands);
  return { row0, rows, cols, data, nnz, storage: c.storage, bytes: c.bytes, ops: c.ops };
}

/** The storage of every part of a matrix. */
export function planMatrix(spec: MatrixSpec, maxDensity: number, formats: ReadonlySet<Format>): MatrixPlan {
  const cuts = [0, ...(spec.split ?? []), spec.rows];
  const parts: PartPlan[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) parts.push(planPart(spec, cuts[i], cuts[i + 1], maxDensity, formats));
  return { spec, parts };
}

/** 'bsr 8x1 gate-fused', 'bsr 4x1 per gate', 'csr', 'dense'. */
export function storageName(p: PartPlan): string {
  const s = p.storage;
  if (s.kind !== 'bsr') return s.kind;
  return `bsr ${s.br}x${s.bc}${s.layout === 'gate-fused' ? ' gate-fused' : s.seg < p.rows ? ' per segment' : ''}`;
}
