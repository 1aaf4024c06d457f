// CumSum (opset 11; 14 widened the types): running sums along one axis, given as a
// scalar int32/int64 input. exclusive=1 leaves out the element itself (the first sum is
// 0), reverse=1 runs from the end of the axis. The onnx-csr rebuild bodies use it to
// turn row-pointer histograms into row indices (targets/onnx-csr).
import { allocData, sizeOf } from '../tensor.ts';
import { attrInt, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { intList, need, normAxis, nums } from './shared.ts';

export const cumsumKernels: KernelTable = {
  CumSum: (inputs, node) => {
    const x = need(node, inputs, 0, 'x');
    const xs = nums(node, x, 'x');
    if (x.dtype === 'bool') fail(node, 'x is a bool tensor', 'a numeric tensor');
    const axes = intList(node, need(node, inputs, 1, 'axis'), 'axis');
    if (axes.length !== 1) fail(node, `axis has ${axes.length} values`, 'a scalar axis');
    const r = x.dims.length;
    if (r === 0) fail(node, 'x is a scalar', 'x of rank >= 1');
    const axis = normAxis(node, axes[0], r);
    const exclusive = attrInt(node, 'exclusive', 0) !== 0;
    const reverse = attrInt(node, 'reverse', 0) !== 0;
    const len = x.dims[axis];
    const inner = sizeOf(x.dims.slice(axis + 1));
    const outer = sizeOf(x.dims.slice(0, axis));
    const out = allocData(x.dtype, xs.length) as Float64Array;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        let acc = 0;
        for (let s = 0; s < len; s++) {
          const at = (o * len + (reverse ? len - 1 - s : s)) * inner + j;
          if (exclusive) { out[at] = acc; acc += xs[at]; } else { acc += xs[at]; out[at] = acc; }
        }
      }
    }
    return [{ dtype: x.dtype, dims: x.dims.slice(), data: out }];
  },
};
