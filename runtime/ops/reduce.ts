// Reductions over a set of axes. ReduceMean is the one registered (PyTorch's
// x.mean(dim)); the axis handling is shared so ReduceSum & co. would be one line each.
//   opset < 18: `axes` attribute (absent: every axis).
//   opset >= 18: `axes` is an optional int64 input; with it empty or absent every axis
//   is reduced, unless noop_with_empty_axes=1, which makes the op the identity.
// keepdims (default 1) keeps each reduced axis as size 1. Duplicate axes are refused.
// Float64 accumulation; an integer mean truncates toward zero (what numpy's
// mean().astype() and onnxruntime's integer sum / count both give). The mean of an
// empty axis is NaN (0/0), as in numpy.
import type { Node, Tensor } from '../ir.ts';
import { allocData, sizeOf, stridesOf } from '../tensor.ts';
import { attrInt, attrInts, fail } from './attrs.ts';
import type { Kernel, KernelContext, KernelTable } from './types.ts';
import { copyData, intList, isIntegral, need, normAxis, nums } from './shared.ts';

/** The reduced axes (sorted, non-negative), or null for the identity (noop_with_empty_axes). */
export function reduceAxes(node: Node, inputs: (Tensor | undefined)[], rank: number, ctx: KernelContext): number[] | null {
  let given: number[] | undefined;
  if (ctx.opset < 18) given = attrInts(node, 'axes');
  else if (inputs[1] !== undefined) given = intList(node, inputs[1], 'axes');
  if (given === undefined || given.length === 0) {
    if (ctx.opset >= 18 && attrInt(node, 'noop_with_empty_axes', 0) !== 0) return null;
    return [...Array(rank).keys()];
  }
  const axes = given.map((a) => normAxis(node, a, rank, 'axes entry'));
  if (new Set(axes).size !== axes.length) fail(node, `axes [${given.join(',')}] repeat an axis`, 'distinct axes');
  return axes.sort((a, b) => a - b);
}

/** A reduction: the accumulator's start, one step per element, and the final value from (acc, count). */
interface Reducer { init: number; step: (acc: number, v: number) => number; finish: (acc: number, n: number) => number }

function reduce(r: Reducer): Kernel {
  return (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    const xs = nums(node, x, 'data');
    const axes = reduceAxes(node, inputs, x.dims.length, ctx);
    if (axes === null) return [{ dtype: x.dtype, dims: x.dims.slice(), data: copyData(x) }];
    const keep = attrInt(node, 'keepdims', 1) !== 0;
    const reduced = x.dims.map((_, i) => axes.includes(i));
    const kept = x.dims.map((d, i) => (reduced[i] ? 1 : d));
    const acc = new Float64Array(sizeOf(kept)).fill(r.init);
    // Each input element goes into the output cell at its coordinates with the reduced ones zeroed.
    const ks = stridesOf(kept), xsd = stridesOf(x.dims);
    for (let i = 0; i < xs.length; i++) {
      let o = 0;
      for (let d = 0; d < x.dims.length; d++) if (!reduced[d]) o += (Math.floor(i / xsd[d]) % x.dims[d]) * ks[d];
      acc[o] = r.step(acc[o], xs[i]);
    }
    const count = sizeOf(axes.map((a) => x.dims[a]));
    const int = isIntegral(x.dtype);
    const out = allocData(x.dtype, acc.length) as Float64Array;
    for (let i = 0; i < acc.length; i++) {
      const v = r.finish(acc[i], count);
      out[i] = int ? Math.trunc(v) : v;
    }
    const dims = keep ? kept : x.dims.filter((_, i) => !reduced[i]);
    return [{ dtype: x.dtype, dims, data: out }];
  };
}

export const reduceKernels: KernelTable = {
  ReduceMean: reduce({ init: 0, step: (a, v) => a + v, finish: (a, n) => a / n }),
};
