// Expand (opset 8; 13 widened the types): broadcasts the input to a shape given as an
// int64 input, with numpy's multidirectional rule — the result is broadcast(input.dims,
// shape), so a 1 in `shape` keeps the input's size there and `shape` may have fewer
// dims than the input. PyTorch exports the zero initial state of a fixed-batch GRU/LSTM
// as Expand(0, [layers, batch, hidden]). Any dtype (data movement only).
import { allocData, sizeOf } from '../tensor.ts';
import { checkAllocation } from '../limits.ts';
import { fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { broadcastIndex, broadcastShapes, type Elements, intList, need } from './shared.ts';

export const expandKernels: KernelTable = {
  Expand: (inputs, node) => {
    const x = need(node, inputs, 0, 'input');
    const shape = intList(node, need(node, inputs, 1, 'shape'), 'shape');
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(node, `shape [${shape.join(',')}]`, 'non-negative integer dims');
    const dims = broadcastShapes(node, [x.dims, shape]);
    checkAllocation(x.dtype, sizeOf(dims), 'the expanded tensor'); // the shape comes from the file
    const map = broadcastIndex(dims, x.dims);
    const src = x.data as Elements;
    const out = allocData(x.dtype, map.length) as Elements;
    for (let i = 0; i < map.length; i++) out[i] = src[map[i]];
    return [{ dtype: x.dtype, dims, data: out as ReturnType<typeof allocData> }];
  },
};
