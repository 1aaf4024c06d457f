// The backend plug. The op kernels (gemm.ts, conv.ts, recurrent.ts) are written once
// against this small numeric interface; runtime/kernels/js-linalg.ts and
// runtime/kernels/wasm-linalg.ts fill it. (The shape of tract's linalg "generic +
// per-target plug".) Everything a kernel hands to these methods must come from the
// backend's own buffer()/scratch() — for WASM those are views of its linear memory,
// so a call passes byte offsets and copies nothing.
import type { Csr } from '../ir.ts';

export type MatrixFormat = 'dense' | 'csr';

export interface PackedMatrix {
  readonly format: MatrixFormat;
  readonly rows: number;
  readonly cols: number;
  /** Stored entries a full pass multiplies (dense: rows*cols; CSR: nonzeros). */
  readonly nnz: number;
  /** Bytes of weights one full pass reads (values + indices + row pointers). */
  readonly bytes: number;
  /** Fraction of nonzeros in the source matrix. */
  readonly density: number;
}

/** A weight to pack: a row-major dense block (rows = outputs) or a CSR. */
export type WeightSource =
  | { dense: Float32Array; offset?: number; rows: number; cols: number; transposed?: boolean }
  | { csr: Csr };

/** A persistent buffer: an offset into WASM memory, or the array itself in JS. */
export interface BufferHandle {
  readonly n: number;
  readonly off: number;
  readonly arr?: Float32Array;
}

export interface PackOptions {
  /** 'auto' (default) picks by density against the backend's crossover. */
  format?: MatrixFormat | 'auto';
  /** Persistent packs live as long as the backend; others until the next release(). */
  persistent: boolean;
  /** Used by gemmT (batch > 1) rather than gemv: the crossover differs. */
  batched?: boolean;
}

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

export interface Linalg {
  readonly name: 'js' | 'wasm';
  /** CSR is used below this density (runtime/kernels/crossover.ts says who measured it). */
  readonly crossoverGemv: number;
  readonly crossoverGemm: number;
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
}

/** The format a weight of this density gets on this backend and kernel shape. */
export function chooseFormat(linalg: Linalg, density: number, opts: PackOptions): MatrixFormat {
  if (opts.format === 'dense' || opts.format === 'csr') return opts.format;
  return density < (opts.batched ? linalg.crossoverGemm : linalg.crossoverGemv) ? 'csr' : 'dense';
}
