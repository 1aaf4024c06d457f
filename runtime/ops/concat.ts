// Concat along one axis: every input has the same rank and dtype, and equal dims
// except along the axis.
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { attrInt, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { type Elements, normAxis } from './shared.ts';

export const concatKernels: KernelTable = {
  Concat: (inputs, node, ctx) => {
    const xs = inputs.filter((t) => t !== undefined);
    if (xs.length === 0) fail(node, 'no inputs', 'at least one input');
    // opset 1 defaulted axis to 1; later opsets require it.
    const a = attrInt(node, 'axis') ?? (ctx.opset < 4 ? 1 : fail(node, 'attribute axis is missing', 'an axis attribute'));
    const first = xs[0];
    const r = first.dims.length;
    const axis = normAxis(node, a, r);
    for (const t of xs) {
      if (t.dtype !== first.dtype || t.dims.length !== r || t.dims.some((d, i) => i !== axis && d !== first.dims[i])) {
        fail(node, `cannot concatenate ${t.dtype}${shapeString(t.dims)} with ${first.dtype}${shapeString(first.dims)} on axis ${axis}`,
          'one dtype and equal dims except along the axis');
      }
    }
    const dims = first.dims.slice();
    dims[axis] = xs.reduce((s, t) => s + t.dims[axis], 0);
    const outer = sizeOf(dims.slice(0, axis));
    const inner = sizeOf(dims.slice(axis + 1));
    const out = allocData(first.dtype, sizeOf(dims)) as Elements;
    // Each outer index gets the inputs' blocks of (dims[axis] * inner) elements in turn.
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const t of xs) {
        const block = t.dims[axis] * inner;
        const src = t.data as Elements;
        for (let i = 0; i < block; i++) out[k++] = src[o * block + i];
      }
    }
    return [{ dtype: first.dtype, dims, data: out as typeof first.data }];
  },
};
