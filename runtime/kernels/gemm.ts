// Gemm and MatMul with a 2-D float weight, over the backend's dense or CSR kernels.
// Anything else (batched B, non-float types) goes to the base (reference) kernel.
import type { Node, Tensor } from '../ir.ts';
import { attrFloat, attrInt, fail } from '../ops/attrs.ts';
import type { Kernel } from '../ops/types.ts';
import type { KernelEnv } from './env.ts';
import type { PackedMatrix, WeightSource } from './linalg.ts';

/** Below this many rows a batch runs as separate mat-vecs (no transposes, no idle lanes). */
const GEMV_ROWS = 4;

/**
 * Y[M, N] = X[M, K] W^T (+ bias[N]), W packed as rows = outputs. X rows are read from
 * `x` (row-major, or column-major when xT). Returns a fresh Float32Array.
 */
export function linear(env: KernelEnv, w: PackedMatrix | (() => PackedMatrix), x: Float32Array, M: number, xT: boolean,
  bias: Float32Array | null): Float32Array {
  const la = env.linalg;
  return env.scope(() => {
    const W = typeof w === 'function' ? w() : w;
    const K = W.cols, N = W.rows;
    const out = new Float32Array(M * N);
    if (M < GEMV_ROWS) {
      const [xs, ys, bs] = la.scratch([K, N, bias ? N : 0]);
      if (bias) bs.set(bias);
      for (let m = 0; m < M; m++) {
        if (xT) for (let k = 0; k < K; k++) xs[k] = x[k * M + m];
        else xs.set(x.subarray(m * K, (m + 1) * K));
        la.gemv(W, xs, ys, { bias: bias ? bs : null });
        out.set(ys, m * N);
      }
      return out;
    }
    const [xs, xt, yt, ys, bs] = la.scratch([xT ? 0 : M * K, K * M, N * M, M * N, bias ? N : 0]);
    if (bias) bs.set(bias);
    if (xT) xt.set(x.subarray(0, K * M));
    else {
      xs.set(x.subarray(0, M * K));
      la.transpose(xs, M, K, xt);
    }
    la.gemmT(W, xt, M, yt, bias ? bs : null, false);
    la.transpose(yt, N, M, ys);
    out.set(ys);
    return out;
  });
}

/** The packed weight for a node's weight input (persistent when pinned). */
export function weightOf(env: KernelEnv, node: Node, input: number, t: Tensor, src: WeightSource, batched: boolean,
  key = 'w'): PackedMatrix | (() => PackedMatrix) {
  const p = env.persistent(t, key, () => src, batched, { node: node.name, input: node.inputs[input] });
  return p ?? (() => env.pack(src, batched));
}

function isF32Matrix(t: Tensor | undefined): t is Tensor {
  return t !== undefined && t.dtype === 'float32' && t.dims.length === 2;
}

export function gemmKernel(env: KernelEnv): Kernel {
  return (inputs, node, ctx) => {
    const [A, B, C] = inputs;
    if (!isF32Matrix(A) || !isF32Matrix(B) || (C && C.dtype !== 'float32')) return env.base.Gemm(inputs, node, ctx);
    const transA = attrInt(node, 'transA', 0) !== 0, transB = attrInt(node, 'transB', 0) !== 0;
    const [M, K] = transA ? [A.dims[1], A.dims[0]] : A.dims;
    const [Kb, N] = transB ? [B.dims[1], B.dims[0]] : B.dims;
    if (K !== Kb) fail(node, `A is [${A.dims}] and B is [${B.dims}] (transA=${+transA}, transB=${+transB})`, 'matching inner dimensions');
    const src: WeightSource = { dense: B.data as Float32Array, rows: N, cols: K, transposed: !transB };
    const W = weightOf(env, node, 1, B, src, M >= GEMV_ROWS);
    return [{ dtype: 'float32', dims: [M, N], data: gemmOutput(env, node, W, A.data as Float32Array, M, N, transA, C) }];
  };
}

/**
 * Gemm's Y[M, N] = alpha * A' W^T + beta * C over a packed weight: the one epilogue of the
 * dense and the CSR Gemm (csr-ops.ts). C broadcasts to [M, N] by its dims, never by its
 * element count (C [M,1] with M = N is a column). A row of bias ([N], [1,N]) or a scalar
 * rides in the kernel when alpha = 1; anything else is added after. beta = 0 ignores C,
 * as the reference kernel and onnxruntime do.
 */
export function gemmOutput(env: KernelEnv, node: Node, W: PackedMatrix | (() => PackedMatrix), A: Float32Array, M: number, N: number,
  transA: boolean, C: Tensor | undefined): Float32Array {
  const alpha = attrFloat(node, 'alpha', 1), beta = attrFloat(node, 'beta', 1);
  const bias = C && beta !== 0 && alpha === 1 ? rowBias(node, C, M, N, beta) : null;
  const y = linear(env, W, A, M, transA, bias);
  if (alpha !== 1) for (let i = 0; i < y.length; i++) y[i] *= alpha;
  if (C && !bias && beta !== 0) addBroadcast2d(node, y, M, N, C, beta);
  return y;
}

/** C's dims as the [rows, cols] it broadcasts from to [M, N] (ONNX Gemm: unidirectional). */
function biasDims(node: Node, C: Tensor, M: number, N: number): [number, number] {
  const d = C.dims.length === 0 ? [1, 1] : C.dims.length === 1 ? [1, C.dims[0]] : C.dims;
  if (d.length !== 2 || (d[0] !== 1 && d[0] !== M) || (d[1] !== 1 && d[1] !== N)) {
    fail(node, `C has shape [${C.dims}]`, `a shape broadcastable to [${M},${N}]`);
  }
  return [d[0], d[1]];
}

/**
 * beta * C as one [N] row added to every output row, when C's broadcast is one (C [N],
 * [1,N], or a single value); null when C varies along M ([M,1], [M,N]).
 */
export function rowBias(node: Node, C: Tensor, M: number, N: number, beta: number): Float32Array | null {
  const [r, c] = biasDims(node, C, M, N);
  if (r !== 1) return null;
  const d = C.data as Float32Array;
  const out = new Float32Array(N);
  for (let j = 0; j < N; j++) out[j] = beta * d[c === 1 ? 0 : j];
  return out;
}

/** y[M,N] += beta * C with C unidirectionally broadcast to [M, N]. */
function addBroadcast2d(node: Node, y: Float32Array, M: number, N: number, C: Tensor, beta: number): void {
  const [r, c] = biasDims(node, C, M, N);
  const d = C.data as Float32Array;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) y[m * N + n] += beta * d[(r === 1 ? 0 : m) * c + (c === 1 ? 0 : n)];
  }
}

export function matMulKernel(env: KernelEnv): Kernel {
  return (inputs, node, ctx) => {
    const [A, B] = inputs;
    if (!A || A.dtype !== 'float32' || A.dims.length < 1 || !isF32Matrix(B)) return env.base.MatMul(inputs, node, ctx);
    const [K, N] = B.dims;
    const lead = A.dims.slice(0, -1);
    if (A.dims[A.dims.length - 1] !== K) fail(node, `A is [${A.dims}] and B is [${B.dims}]`, 'A\'s last dimension equal to B\'s first');
    const M = lead.reduce((a, b) => a * b, 1);
    const W = weightOf(env, node, 1, B, { dense: B.data as Float32Array, rows: N, cols: K, transposed: true }, M >= GEMV_ROWS);
    const y = linear(env, W, A.data as Float32Array, M, false, null);
    return [{ dtype: 'float32', dims: [...lead, N], data: y }];
  };
}
