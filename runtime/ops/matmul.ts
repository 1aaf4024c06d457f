// MatMul with numpy.matmul semantics: the last two dimensions multiply, leading
// (batch) dimensions broadcast; a 1-D A gets a 1 prepended and a 1-D B a 1 appended,
// and those dimensions are removed from the result again.
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { broadcastIndex, broadcastShapes, need, nums } from './shared.ts';

export const matmulKernels: KernelTable = {
  MatMul: (inputs, node) => {
    const a = need(node, inputs, 0, 'A');
    const b = need(node, inputs, 1, 'B');
    if (a.dtype !== b.dtype) fail(node, `A is ${a.dtype} but B is ${b.dtype}`, 'A and B of one dtype');
    if (a.dims.length === 0 || b.dims.length === 0) fail(node, 'scalar operand', 'operands of rank >= 1');
    const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
    const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
    const M = ad[ad.length - 2];
    const K = ad[ad.length - 1];
    const N = bd[bd.length - 1];
    if (bd[bd.length - 2] !== K) {
      fail(node, `A ${shapeString(a.dims)} and B ${shapeString(b.dims)} have different inner dimensions`,
        'A\'s last dimension equal to B\'s second-to-last');
    }
    const aBatch = ad.slice(0, -2);
    const bBatch = bd.slice(0, -2);
    const batch = broadcastShapes(node, [aBatch, bBatch]);
    // Which A / B matrix each output batch entry reads.
    const ia = broadcastIndex(batch, aBatch);
    const ib = broadcastIndex(batch, bBatch);
    const x = nums(node, a, 'A');
    const w = nums(node, b, 'B');
    const nb = sizeOf(batch);
    const out = allocData(a.dtype, nb * M * N) as Float64Array;
    for (let p = 0; p < nb; p++) {
      const oa = ia[p] * M * K;
      const ob = ib[p] * K * N;
      const oo = p * M * N;
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += x[oa + i * K + k] * w[ob + k * N + j];
          out[oo + i * N + j] = acc;
        }
      }
    }
    const dims = [...batch];
    if (a.dims.length > 1) dims.push(M);
    if (b.dims.length > 1) dims.push(N);
    return [{ dtype: a.dtype, dims, data: out }];
  },
};
