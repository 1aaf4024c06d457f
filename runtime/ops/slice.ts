// Slice. From opset 10, starts/ends/axes/steps are inputs (steps may be negative);
// before, starts/ends/axes were attributes and the step was always 1.
// INT64_MAX / INT64_MIN "to the end" sentinels arrive as huge float64 values (see
// runtime/ir.ts); the clamping below treats them as unbounded.
import type { Node } from '../ir.ts';
import { allocData, sizeOf, stridesOf } from '../tensor.ts';
import { attrInts, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { type Elements, forEachIndex, intList, need, normAxis } from './shared.ts';

/** Start and element count along one axis of size `dim`, with numpy's clamping rules. */
export function sliceRange(node: Node, dim: number, start: number, end: number, step: number): { start: number; count: number } {
  if (step === 0 || !Number.isFinite(step)) fail(node, `step ${step}`, 'a non-zero step');
  return clampSlice(dim, start, end, step);
}

/** sliceRange without the step check, for callers that have checked it (shape inference). */
export function clampSlice(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
  } else {
    // Walking backwards the first element is at most dim-1, and end -1 means "past index 0".
    start = Math.min(Math.max(start, 0), dim - 1);
    end = Math.min(Math.max(end, -1), dim - 1);
  }
  return { start, count: Math.max(0, Math.ceil((end - start) / step)) };
}

export const sliceKernels: KernelTable = {
  Slice: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    const r = x.dims.length;
    let starts: number[];
    let ends: number[];
    let axes: number[] | undefined;
    let steps: number[] | undefined;
    if (ctx.opset < 10) {
      starts = attrInts(node, 'starts') ?? fail(node, 'attribute starts is missing', 'starts (opset < 10)');
      ends = attrInts(node, 'ends') ?? fail(node, 'attribute ends is missing', 'ends (opset < 10)');
      axes = attrInts(node, 'axes');
    } else {
      starts = intList(node, need(node, inputs, 1, 'starts'), 'starts');
      ends = intList(node, need(node, inputs, 2, 'ends'), 'ends');
      axes = inputs[3] && intList(node, inputs[3], 'axes');
      steps = inputs[4] && intList(node, inputs[4], 'steps');
    }
    axes ??= starts.map((_, i) => i);
    steps ??= starts.map(() => 1);
    if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
      fail(node, `starts/ends/axes/steps have lengths ${starts.length}/${ends.length}/${axes.length}/${steps.length}`, 'equal lengths');
    }
    const first = x.dims.map(() => 0);
    const step = x.dims.map(() => 1);
    const dims = x.dims.slice();
    const seen = new Set<number>();
    axes.forEach((a0, i) => {
      const a = normAxis(node, a0, r, 'axes entry');
      if (seen.has(a)) fail(node, `axis ${a} is sliced twice`, 'distinct axes');
      seen.add(a);
      const s = sliceRange(node, x.dims[a], starts[i], ends[i], steps![i]);
      first[a] = s.start;
      step[a] = steps![i];
      dims[a] = s.count;
    });
    const inStrides = stridesOf(x.dims);
    const src = x.data as Elements;
    const out = allocData(x.dtype, sizeOf(dims)) as Elements;
    forEachIndex(dims, (c, k) => {
      let off = 0;
      for (let d = 0; d < r; d++) off += (first[d] + c[d] * step[d]) * inStrides[d];
      out[k] = src[off];
    });
    return [{ dtype: x.dtype, dims, data: out as typeof x.data }];
  },
};
