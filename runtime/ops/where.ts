// Where (opset 9; 16 widened the types): out = condition ? X : Y elementwise, all three
// broadcast together with numpy's rule. The condition is a bool tensor; X and Y share
// one dtype, any dtype (strings included: it only selects).
import { allocData } from '../tensor.ts';
import { fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { broadcastIndex, broadcastShapes, type Elements, need } from './shared.ts';

export const whereKernels: KernelTable = {
  Where: (inputs, node) => {
    const c = need(node, inputs, 0, 'condition');
    const x = need(node, inputs, 1, 'X');
    const y = need(node, inputs, 2, 'Y');
    if (c.dtype !== 'bool') fail(node, `condition is ${c.dtype}`, 'a bool condition');
    if (x.dtype !== y.dtype) fail(node, `X is ${x.dtype}, Y is ${y.dtype}`, 'X and Y of one dtype');
    const dims = broadcastShapes(node, [c.dims, x.dims, y.dims]);
    const ic = broadcastIndex(dims, c.dims), ix = broadcastIndex(dims, x.dims), iy = broadcastIndex(dims, y.dims);
    const cs = c.data as Uint8Array, xs = x.data as Elements, ys = y.data as Elements;
    const out = allocData(x.dtype, ic.length) as Elements;
    for (let i = 0; i < ic.length; i++) out[i] = cs[ic[i]] ? xs[ix[i]] : ys[iy[i]];
    return [{ dtype: x.dtype, dims, data: out as ReturnType<typeof allocData> }];
  },
};
