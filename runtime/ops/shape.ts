// Shape (with opset-15 start/end) and ConstantOfShape: the two ops that move between
// a tensor's dims and a tensor of int64 values.
import { allocData, sizeOf } from '../tensor.ts';
import { attrInt, attrTensor, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { type Elements, intList, need } from './shared.ts';

export const shapeKernels: KernelTable = {
  Shape: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    const r = x.dims.length;
    // start/end (opset 15) select dims[start:end]; out-of-range values clamp, like Python slicing.
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    const start = ctx.opset >= 15 ? clamp(attrInt(node, 'start', 0)) : 0;
    const end = ctx.opset >= 15 ? clamp(attrInt(node, 'end', r)) : r;
    const dims = x.dims.slice(start, Math.max(start, end));
    return [{ dtype: 'int64', dims: [dims.length], data: Float64Array.from(dims) }];
  },
  ConstantOfShape: (inputs, node) => {
    const shape = intList(node, need(node, inputs, 0, 'input'), 'input');
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(node, `shape [${shape.join(',')}]`, 'non-negative dimensions');
    // The fill value is a one-element tensor attribute; absent, it is float32 zero.
    const value = attrTensor(node, 'value');
    if (value && value.data.length !== 1) fail(node, `value has ${value.data.length} elements`, 'a one-element value tensor');
    const dtype = value ? value.dtype : 'float32';
    const out = allocData(dtype, sizeOf(shape)) as Elements;
    if (value) for (let i = 0; i < out.length; i++) out[i] = (value.data as Elements)[0];
    return [{ dtype, dims: shape, data: out as ReturnType<typeof allocData> }];
  },
};
