// Squeeze and Unsqueeze. Their axes moved from an attribute to an optional input in
// opset 13; both forms are read, dispatched by ctx.opset.
import type { Node, Tensor } from '../ir.ts';
import { shapeString } from '../tensor.ts';
import { attrInts, fail } from './attrs.ts';
import type { KernelContext, KernelTable } from './types.ts';
import { copyData, intList, need, normAxis } from './shared.ts';

function axesOf(node: Node, inputs: (Tensor | undefined)[], ctx: KernelContext): number[] | undefined {
  if (ctx.opset < 13) return attrInts(node, 'axes');
  const t = inputs[1];
  return t === undefined ? undefined : intList(node, t, 'axes');
}

/** The axes as a set (a model may list 100,000 of them: membership must not be a scan). */
function unique(node: Node, axes: number[]): Set<number> {
  const set = new Set(axes);
  if (set.size !== axes.length) fail(node, `axes [${axes.length > 16 ? `${axes.slice(0, 16).join(',')},…` : axes.join(',')}] repeat an axis`, 'distinct axes');
  return set;
}

export const squeezeKernels: KernelTable = {
  Squeeze: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    const given = axesOf(node, inputs, ctx);
    const r = x.dims.length;
    // No axes: drop every dimension of size 1.
    const axes = given === undefined
      ? new Set(x.dims.flatMap((d, i) => (d === 1 ? [i] : [])))
      : unique(node, given.map((a) => normAxis(node, a, r, 'axes entry')));
    for (const a of axes) {
      if (x.dims[a] !== 1) fail(node, `cannot squeeze axis ${a} of ${shapeString(x.dims)}`, 'squeezed axes of size 1');
    }
    return [{ dtype: x.dtype, dims: x.dims.filter((_, i) => !axes.has(i)), data: copyData(x) }];
  },
  Unsqueeze: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    const given = axesOf(node, inputs, ctx);
    if (given === undefined) fail(node, 'no axes given', ctx.opset < 13 ? 'an axes attribute' : 'an axes input');
    // Axes index the output, whose rank is the input's plus one per new axis.
    const rOut = x.dims.length + given.length;
    const axes = unique(node, given.map((a) => normAxis(node, a, rOut, 'axes entry')));
    const dims: number[] = [];
    let j = 0;
    for (let i = 0; i < rOut; i++) dims.push(axes.has(i) ? 1 : x.dims[j++]);
    return [{ dtype: x.dtype, dims, data: copyData(x) }];
  },
};
