// Gemm: Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (likewise B), and C
// optional (from opset 11) and unidirectionally broadcast to [M, N].
import { allocData, shapeString } from '../tensor.ts';
import { attrFloat, attrInt, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { broadcastIndex, broadcastShapes, need, nums } from './shared.ts';

export const gemmKernels: KernelTable = {
  Gemm: (inputs, node) => {
    const a = need(node, inputs, 0, 'A');
    const b = need(node, inputs, 1, 'B');
    const c = inputs[2];
    const alpha = attrFloat(node, 'alpha', 1);
    const beta = attrFloat(node, 'beta', 1);
    const transA = attrInt(node, 'transA', 0) !== 0;
    const transB = attrInt(node, 'transB', 0) !== 0;
    if (a.dims.length !== 2 || b.dims.length !== 2) {
      fail(node, `A is ${shapeString(a.dims)} and B is ${shapeString(b.dims)}`, '2-D A and B');
    }
    if (a.dtype !== b.dtype) fail(node, `A is ${a.dtype} but B is ${b.dtype}`, 'A and B of one dtype');
    const [M, K] = transA ? [a.dims[1], a.dims[0]] : a.dims;
    const [Kb, N] = transB ? [b.dims[1], b.dims[0]] : b.dims;
    if (K !== Kb) {
      fail(node, `inner dimensions differ: A' is [${M},${K}], B' is [${Kb},${N}]`, 'A\' columns equal to B\' rows');
    }
    const x = nums(node, a, 'A');
    const w = nums(node, b, 'B');
    // Element (i, k) of A' and (k, j) of B', whatever the storage order.
    const sa = transA ? [1, M] : [K, 1];
    const sb = transB ? [1, K] : [N, 1];
    const out = allocData(a.dtype, M * N) as Float64Array;
    let cIdx: Int32Array | undefined;
    let cv: ArrayLike<number> | undefined;
    if (c !== undefined && beta !== 0) {
      // Unidirectional: C must broadcast to [M, N] without changing it.
      const bd = broadcastShapes(node, [[M, N], c.dims]);
      if (bd.length !== 2 || bd[0] !== M || bd[1] !== N) {
        fail(node, `C ${shapeString(c.dims)} does not broadcast to [${M},${N}]`, `C broadcastable to [${M},${N}]`);
      }
      cIdx = broadcastIndex([M, N], c.dims);
      cv = nums(node, c, 'C');
    }
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += x[i * sa[0] + k * sa[1]] * w[k * sb[0] + j * sb[1]];
        let y = alpha * acc;
        if (cIdx && cv) y += beta * cv[cIdx[i * N + j]];
        out[i * N + j] = y;
      }
    }
    return [{ dtype: a.dtype, dims: [M, N], data: out }];
  },
};
