// The backend plug. The op kernels (gemm.ts, conv.ts, recurrent.ts) are written once
// against this small numeric interface; runtime/kernels/js-linalg.ts and
// runtime/kernels/wasm-linalg.ts fill it. (The shape of tract's linalg "generic +
// per-target plug".) Everything a kernel hands to these methods must come from the
// backend's own buffer()/scratch() — for WASM those are views of its linear memory,
// so a call passes byte offsets and copies nothing.
import type { Csr } from '../ir.ts';
import { RampartError } from '../errors.ts';
import { bsrBlockCount } from '../bsr.ts';
import { bsrCandidates, csrStored, sourceCsr, sourceNonzeros, sourceShape, type CsrLayout } from './pack.ts';

export type MatrixFormat = 'dense' | 'csr' | 'bsr';
/** How a BSR's block rows pick their rows (runtime/bsr.ts): consecutive, or one unit of every gate. */
export type RowMapKind = 'natural' | 'gate-fused';

export interface BlockShape {
  br: number;
  bc: number;
  map: RowMapKind;
}

export interface PackedMatrix {
  readonly format: MatrixFormat;
  readonly rows: number;
  readonly cols: number;
  /** Stored entries a full pass multiplies (dense: rows*cols; CSR: nonzeros plus padding; BSR: blocks*br*bc). */
  readonly nnz: number;
  /** Bytes of weights one full pass reads (values + indices + row pointers + row map). */
  readonly bytes: number;
  /** Fraction of nonzeros in the source matrix. */
  readonly density: number;
  /** BSR: its blocks; a CSR stored as 1x4 blocks (wasm batch 1): 1x4 natural; else null. */
  readonly block: BlockShape | null;
}

/**
 * What the packer may assume about a weight's rows, so block rows can follow the
 * structure a block pruner would have used (the zero pattern decides which wins).
 */
export interface StructureHint {
  /** Natural block rows never straddle a multiple of this many rows (a gate). */
  segment?: number;
  /** gates x hidden rows in ONNX gate order: gate-fused block rows hold units' rows of every gate. */
  gates?: number;
  hidden?: number;
}

/** A weight to pack: a row-major dense block (rows = outputs) or a CSR. */
export type WeightSource = (
  | { dense: Float32Array; offset?: number; rows: number; cols: number; transposed?: boolean }
  | { csr: Csr }
) & { hint?: StructureHint };

/** A persistent buffer: an offset into WASM memory, or the array itself in JS. */
export interface BufferHandle {
  readonly n: number;
  readonly off: number;
  readonly arr?: Float32Array;
}

/** A forced format (tests, benches): BSR with br x 1 blocks, the map the hint allows that stores least unless given. */
export type FormatRequest = 'auto' | 'dense' | 'csr' | { bsr: number; map?: RowMapKind };

/** The format a weight gets: what choosePack decided. */
export type PackChoice =
  | { format: 'dense' }
  | { format: 'csr' }
  | { format: 'bsr'; br: number; map: RowMapKind; rowMap: Int32Array };

export interface PackOptions {
  /** 'auto' (default) picks the cheapest format by the backend's measured costs. */
  format?: FormatRequest;
  /** Persistent packs live as long as the backend; others until the next release(). */
  persistent: boolean;
  /** Used by gemmT (batch > 1) rather than gemv: the costs differ. */
  batched?: boolean;
  /** A choice already made by choosePack for this source (the kernel env caches choices). */
  choice?: PackChoice;
}

/** Time of one full pass ~ stored * nsPerWeight + rows * nsPerRow (block rows for BSR). */
export interface KernelCost {
  nsPerWeight: number;
  nsPerRow: number;
}

/** A backend's costs for one kernel shape (gemv = batch 1, gemm = batched), measured by bench/crossover.ts. */
export interface FormatCosts {
  dense: KernelCost;
  /** The CSR layout this backend stores for this kernel shape, and its cost per stored entry. */
  csr: KernelCost & { layout: CsrLayout };
  /** br x 1 blocks, br = 4, 8, 16. */
  bsr: Record<4 | 8 | 16, KernelCost>;
}

/** A sparse format is chosen only when estimated at least 10% faster than dense. */
export const DENSE_MARGIN = 0.9;

/** BSR block heights the kernels have (runtime/wasm/assembly/bsr.ts). */
export const BSR_HEIGHTS = [4, 8, 16] as const;

export interface GemvOptions {
  /** y[r] starts from bias[r] (indexed by absolute row), else 0. */
  bias?: Float32Array | null;
  /** Add into y instead of overwriting it (bias ignored). */
  accumulate?: boolean;
  /** Row range [r0, r1); y is indexed by absolute row. */
  r0?: number;
  r1?: number;
}

/** Parameters of an elementwise activation: ids from runtime/wasm/enums.json. */
export interface ActivationSpec {
  id: number;
  alpha: number;
  beta: number;
}

export interface CellOptions {
  /** f, g, h activations (RNN uses f; GRU f, g). */
  acts: ActivationSpec[];
  /** Clip of activation inputs; 0 = none. */
  clip: number;
}

/**
 * All time steps of one direction of a recurrent layer (recurrent.ts's stepSequence is
 * the meaning: for each step s and batch row b with s < lens[b], t = s or lens[b]-1-s,
 * R h_b into row (t, b) of gx, then the cell). Every array is a view of the backend's
 * memory (scratch()/alloc()).
 */
export interface SequenceRun {
  kind: 'LSTM' | 'GRU' | 'RNN';
  /** Packed for gemv: [gates * hidden, hidden]. */
  R: PackedMatrix;
  hidden: number;
  steps: number;
  batch: number;
  /** Valid steps of each batch row (0..steps). */
  lens: Int32Array;
  reverse: boolean;
  /** [steps * batch, gates * hidden] = x W^T + bias, row (t, b) at t * batch + b; overwritten. */
  gx: Float32Array;
  /** [batch, hidden] states, in and out; c for LSTM only. */
  h: Float32Array;
  c: Float32Array | null;
  /** Y row (t, b) at (t * yStep + b * yBatch) floats into y; null when nothing reads Y. */
  y: Float32Array | null;
  yStep: number;
  yBatch: number;
  cell: CellOptions;
  /** LSTM: peepholes [P_i, P_o, P_f] or null; input_forget. */
  peep: Float32Array | null;
  inputForget: boolean;
  /** GRU: Rb (3H) or null, linear_before_reset, and scratch rh (3H) and tmp (H). */
  rb: Float32Array | null;
  linearBeforeReset: boolean;
  rh: Float32Array;
  tmp: Float32Array;
}

export interface Linalg {
  readonly name: 'js' | 'wasm';
  /** What each format costs here (runtime/kernels/crossover.ts says who measured it). */
  readonly costs: { gemv: FormatCosts; gemm: FormatCosts };
  pack(src: WeightSource, opts: PackOptions): PackedMatrix;
  /**
   * A zeroed float buffer that lives as long as the backend. Hold the handle, not a
   * view: WASM memory growth detaches views; re-view when `generation` changed.
   */
  alloc(n: number): BufferHandle;
  view(h: BufferHandle): Float32Array;
  /** Changes whenever views taken before may have been detached (WASM memory growth). */
  readonly generation: number;
  /** Zeroed float buffers valid until release(mark()) — taken together so WASM grows once. */
  /**
   * uninitialised = true skips the zeroing (WASM: the bytes are whatever the last
   * scope left) for buffers the caller overwrites whole — conv2d's, ~40k floats a call.
   */
  scratch(sizes: number[], uninitialised?: boolean): Float32Array[];
  mark(): number;
  release(mark: number): void;
  /** y = W x (+ bias), rows [r0, r1). */
  gemv(w: PackedMatrix, x: Float32Array, y: Float32Array, opts?: GemvOptions): void;
  /** yt[N, P] = W[N, K] xt[K, P] (+ bias[r] per row), or += when accumulate. */
  gemmT(w: PackedMatrix, xt: Float32Array, p: number, yt: Float32Array, bias: Float32Array | null, accumulate: boolean): void;
  /** Max pooling of `planes` [h, w] planes; geometry as im2col's (k, strides, pads top/left, dilations). */
  maxPool2d(x: Float32Array, planes: number, h: number, w: number, k: number[], strides: number[], pads: number[],
    dil: number[], oh: number, ow: number, y: Float32Array): void;
  /** In place: p = p < 0 ? 0 : p (the Conv -> Relu epilogue, runtime/kernels/fuse.ts). */
  relu(p: Float32Array): void;
  /** dst[cols, rows] = src[rows, cols]^T. */
  transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void;
  /** One image, one group: see runtime/wasm/assembly/im2col.ts. */
  im2col(x: Float32Array, c: number, h: number, w: number, k: number[], strides: number[], pads: number[],
    dil: number[], oh: number, ow: number, out: Float32Array): void;
  /** g = [i, o, f, c] pre-activations (4H); c in/out; h out; y optional copy of h. */
  lstmCell(g: Float32Array, c: Float32Array, h: Float32Array, y: Float32Array | null, peep: Float32Array | null,
    cell: CellOptions, inputForget: boolean): void;
  /** Two-phase GRU cell (runtime/wasm/assembly/cells.ts). */
  gruCell(phase: 0 | 1, xg: Float32Array, rh: Float32Array, h: Float32Array, tmp: Float32Array, y: Float32Array | null,
    cell: CellOptions, linearBeforeReset: boolean): void;
  rnnCell(g: Float32Array, h: Float32Array, y: Float32Array | null, cell: CellOptions): void;
  /**
   * The whole time loop in one call (WASM: runtime/wasm/assembly/sequence.ts). A
   * backend without it is stepped from JS, one gemv and cell call per step.
   */
  sequence?(run: SequenceRun): void;
}

/**
 * The format of a weight: forced by opts.format, else the cheapest by estimated time
 * (stored entries x cost per entry + rows x cost per row) over dense, the backend's
 * CSR layout and BSR 4x1 / 8x1 / 16x1 with every row map the hint allows. The block
 * structure is re-detected from the zero pattern (blocks a greedy cover needs), so a
 * weight pruned in blocks anywhere gets the block kernels. Returns the CSR too when it
 * had to build one, so pack() need not build it again.
 */
export function planPack(la: Linalg, src: WeightSource, opts: PackOptions): { choice: PackChoice; csr: Csr | null } {
  if (opts.choice) return { choice: opts.choice, csr: null };
  const f = opts.format ?? 'auto';
  if (f === 'dense' || f === 'csr') return { choice: { format: f }, csr: null };
  const { rows, cols } = sourceShape(src);
  const costs = opts.batched ? la.costs.gemm : la.costs.gemv;
  if (typeof f === 'object') {
    if (!(BSR_HEIGHTS as readonly number[]).includes(f.bsr)) throw new RampartError(`forced block format ${f.bsr}x1`, { expected: `blocks of ${BSR_HEIGHTS.join(', ')} rows` });
    const m = sourceCsr(src);
    const cands = bsrCandidates(rows, f.bsr, src.hint).filter((c) => !f.map || c.map === f.map);
    const all = cands.length ? cands : bsrCandidates(rows, f.bsr, src.hint);
    let best = all[0], bestN = Infinity;
    for (const c of all) {
      const n = bsrBlockCount(m, 1, c.rowMap, f.bsr);
      if (n < bestN) { best = c; bestN = n; }
    }
    return { choice: { format: 'bsr', br: f.bsr, map: best.map, rowMap: best.rowMap }, csr: m };
  }
  const dense = rows * cols * costs.dense.nsPerWeight + rows * costs.dense.nsPerRow;
  // Every sparse format stores at least the nonzeros: skip building a CSR when even that loses.
  const nz = sourceNonzeros(src);
  const cheapest = Math.min(costs.csr.nsPerWeight, ...BSR_HEIGHTS.map((b) => costs.bsr[b].nsPerWeight));
  if (nz * cheapest >= dense * DENSE_MARGIN) return { choice: { format: 'dense' }, csr: null };
  const m = sourceCsr(src);
  // A sparse format must win by DENSE_MARGIN: dense has no index bytes or packing cost, and
  // estimates within a few percent are within the noise of the measurements.
  let choice: PackChoice = { format: 'dense' }, best = dense * DENSE_MARGIN;
  const csr = csrStored(m, costs.csr.layout) * costs.csr.nsPerWeight + rows * costs.csr.nsPerRow;
  if (csr < best) { choice = { format: 'csr' }; best = csr; }
  for (const br of BSR_HEIGHTS) {
    const k = costs.bsr[br];
    for (const c of bsrCandidates(rows, br, src.hint)) {
      const t = bsrBlockCount(m, 1, c.rowMap, br) * br * k.nsPerWeight + (c.rowMap.length / br) * k.nsPerRow;
      if (t < best) { choice = { format: 'bsr', br, map: c.map, rowMap: c.rowMap }; best = t; }
    }
  }
  return { choice, csr: m };
}

export function choosePack(la: Linalg, src: WeightSource, opts: PackOptions): PackChoice {
  return planPack(la, src, opts).choice;
}

/** A short name of a choice, for cache keys and reports: dense, csr, bsr8x1n, bsr16x1g. */
export function choiceKey(c: PackChoice): string {
  return c.format === 'bsr' ? `bsr${c.br}x1${c.map === 'natural' ? 'n' : 'g'}` : c.format;
}
