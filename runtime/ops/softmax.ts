// Softmax and LogSoftmax. The meaning of `axis` changed in opset 13:
//   opset < 13: the input is coerced to 2-D [prod(d < axis), prod(d >= axis)] and
//               normalised along the second dimension; default axis 1.
//   opset >= 13: normalised along the single dimension `axis`; default axis -1.
// Both reduce to "groups of `len` elements `stride` apart", which is all the kernel sees.
import type { Node, Tensor } from '../ir.ts';
import { allocData, sizeOf } from '../tensor.ts';
import { attrInt, fail } from './attrs.ts';
import type { Kernel, KernelContext, KernelTable } from './types.ts';
import { need, needFloat, normAxis } from './shared.ts';

interface Layout { outer: number; len: number; stride: number }

function layout(node: Node, X: Tensor, ctx: KernelContext): Layout {
  const r = X.dims.length;
  if (ctx.opset < 13) {
    // The coercion point may equal the rank (everything in the outer part), hence [-r, r].
    let axis = attrInt(node, 'axis', 1);
    if (!Number.isInteger(axis) || axis < -r || axis > r) fail(node, `axis ${axis} for rank ${r}`, `an integer in [${-r}, ${r}]`);
    if (axis < 0) axis += r;
    return { outer: sizeOf(X.dims.slice(0, axis)), len: sizeOf(X.dims.slice(axis)), stride: 1 };
  }
  const axis = normAxis(node, attrInt(node, 'axis', -1), r);
  return { outer: sizeOf(X.dims.slice(0, axis)), len: X.dims[axis], stride: sizeOf(X.dims.slice(axis + 1)) };
}

function softmax(log: boolean): Kernel {
  return (inputs, node, ctx) => {
    const X = need(node, inputs, 0, 'input');
    const x = needFloat(node, X, 'input');
    const { outer, len, stride } = layout(node, X, ctx);
    const y = allocData(X.dtype, x.length) as Float64Array;
    for (let o = 0; o < outer; o++) {
      for (let s = 0; s < stride; s++) {
        const base = o * len * stride + s;
        // Subtracting the max keeps exp() finite for large inputs (same result in exact maths).
        let max = -Infinity;
        for (let i = 0; i < len; i++) max = Math.max(max, x[base + i * stride]);
        let sum = 0;
        for (let i = 0; i < len; i++) sum += Math.exp(x[base + i * stride] - max);
        for (let i = 0; i < len; i++) {
          const z = x[base + i * stride] - max;
          y[base + i * stride] = log ? z - Math.log(sum) : Math.exp(z) / sum;
        }
      }
    }
    return [{ dtype: X.dtype, dims: X.dims.slice(), data: y }];
  };
}

export const softmaxKernels: KernelTable = {
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
