// Conv over any number of spatial axes (1-D, 2-D, 3-D ...): X [N, C, S...],
// W [M, C/group, K...], optional B [M] -> Y [N, M, O...]. Direct summation, no
// im2col: the point of this kernel is to be obviously right, not fast.
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { attrInt, attrInts, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { forEachIndex, need, needFloat } from './shared.ts';
import { kernelOffsets, windowGeometry } from './window.ts';

export const convKernels: KernelTable = {
  Conv: (inputs, node) => {
    const X = need(node, inputs, 0, 'X');
    const W = need(node, inputs, 1, 'W');
    const B = inputs[2];
    const x = needFloat(node, X, 'X');
    const w = needFloat(node, W, 'W');
    if (X.dims.length < 3) fail(node, `X is ${shapeString(X.dims)}`, 'X of rank >= 3: [N, C, spatial...]');
    if (W.dims.length !== X.dims.length) fail(node, `W is ${shapeString(W.dims)} for X ${shapeString(X.dims)}`, 'W of the same rank as X');
    const [N, C, ...S] = X.dims;
    const [M, Cg, ...K] = W.dims;
    const group = attrInt(node, 'group', 1);
    if (group < 1 || C % group !== 0 || M % group !== 0 || Cg !== C / group) {
      fail(node, `X has ${C} channels, W is ${shapeString(W.dims)}, group=${group}`,
        'group dividing both channel counts and W\'s second dimension equal to C/group');
    }
    const ks = attrInts(node, 'kernel_shape');
    if (ks && (ks.length !== K.length || ks.some((v, i) => v !== K[i]))) {
      fail(node, `kernel_shape [${ks.join(',')}] disagrees with W ${shapeString(W.dims)}`, 'kernel_shape equal to W\'s spatial dims');
    }
    let bias: ArrayLike<number> | undefined;
    if (B !== undefined) {
      if (B.dims.length !== 1 || B.dims[0] !== M) fail(node, `B is ${shapeString(B.dims)}`, `B of shape [${M}]`);
      bias = needFloat(node, B, 'B');
    }
    const win = windowGeometry(node, S, K, false);
    const offs = kernelOffsets(K);
    const sSize = sizeOf(S);
    const oSize = sizeOf(win.out);
    const kSize = offs.length;
    const Mg = M / group;
    const out = allocData(X.dtype, N * M * oSize) as Float64Array;
    const pos = new Array<number>(S.length);
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / Mg);
        forEachIndex(win.out, (oc, o) => {
          let acc = bias ? bias[m] : 0;
          for (let kp = 0; kp < kSize; kp++) {
            // Flat offset of this tap inside one input channel, or -1 if it falls in padding.
            let idx = 0;
            for (let d = 0; d < S.length; d++) {
              pos[d] = oc[d] * win.strides[d] - win.padBegin[d] + offs[kp][d] * win.dilations[d];
              if (pos[d] < 0 || pos[d] >= S[d]) { idx = -1; break; }
              idx = idx * S[d] + pos[d];
            }
            if (idx < 0) continue;
            for (let c = 0; c < Cg; c++) {
              acc += x[(n * C + g * Cg + c) * sSize + idx] * w[(m * Cg + c) * kSize + kp];
            }
          }
          out[(n * M + m) * oSize + o] = acc;
        });
      }
    }
    return [{ dtype: X.dtype, dims: [N, M, ...win.out], data: out }];
  },
};
