// Gather along any axis: out[i..., j..., k...] = data[i..., indices[j...], k...],
// with negative indices counting from the end of the axis.
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { attrInt, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { type Elements, intList, need, normAxis } from './shared.ts';

export const gatherKernels: KernelTable = {
  Gather: (inputs, node) => {
    const x = need(node, inputs, 0, 'data');
    const ind = need(node, inputs, 1, 'indices');
    const r = x.dims.length;
    if (r === 0) fail(node, 'data is a scalar', 'data of rank >= 1');
    const axis = normAxis(node, attrInt(node, 'axis', 0), r);
    const n = x.dims[axis];
    const idx = intList(node, ind, 'indices').map((i) => {
      if (!Number.isInteger(i) || i < -n || i >= n) fail(node, `index ${i} is out of range for axis ${axis} of ${shapeString(x.dims)}`, `indices in [${-n}, ${n - 1}]`);
      return i < 0 ? i + n : i;
    });
    const outer = sizeOf(x.dims.slice(0, axis));
    const inner = sizeOf(x.dims.slice(axis + 1));
    const dims = [...x.dims.slice(0, axis), ...ind.dims, ...x.dims.slice(axis + 1)];
    const src = x.data as Elements;
    const out = allocData(x.dtype, sizeOf(dims)) as Elements;
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const i of idx) {
        const base = (o * n + i) * inner;
        for (let j = 0; j < inner; j++) out[k++] = src[base + j];
      }
    }
    return [{ dtype: x.dtype, dims, data: out as typeof x.data }];
  },
};
