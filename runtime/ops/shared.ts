// Helpers every reference kernel uses: required inputs, axis normalisation, numpy
// broadcasting, element access that works for every dtype (strings included).
import type { Node, Tensor, TensorData } from '../ir.ts';
import { sizeOf, stridesOf } from '../tensor.ts';
import { checkAllocation } from '../limits.ts';
import { fail } from './attrs.ts';

/** A tensor's elements, indexable as numbers (or strings for string tensors). */
export type Elements = { [i: number]: number | string; length: number };

/** Input `i`, or a RampartError naming the node and the missing input. */
export function need(node: Node, inputs: (Tensor | undefined)[], i: number, what: string): Tensor {
  const t = inputs[i];
  if (t === undefined) fail(node, `missing required input ${i} (${what})`, `input ${i} '${what}' to be present`);
  return t;
}

/** The numeric elements of a tensor; strings are refused with the node named. */
export function nums(node: Node, t: Tensor, what: string): ArrayLike<number> {
  if (t.dtype === 'string') fail(node, `input '${what}' is a string tensor`, 'a numeric tensor');
  return t.data as ArrayLike<number>;
}

export function isIntegral(dtype: Tensor['dtype']): boolean {
  return !(dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'string');
}

/** Requires a floating-point tensor (kernels whose maths only makes sense on reals). */
export function needFloat(node: Node, t: Tensor, what: string): Float32Array | Float64Array {
  if (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'float16') {
    fail(node, `input '${what}' has dtype ${t.dtype}`, 'a float32, float64 or float16 tensor');
  }
  return t.data as Float32Array | Float64Array;
}

/** Maps a possibly negative axis into [0, rank); `rank` is the range the axis indexes. */
export function normAxis(node: Node, axis: number, rank: number, name = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    fail(node, `${name} ${axis} is out of range for rank ${rank}`, `an integer in [${-rank}, ${rank - 1}]`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Copy of the data (kernels never hand out an input's buffer: callers may mutate outputs). */
export function copyData(t: Tensor): TensorData {
  return t.data.slice() as TensorData;
}

/** The numpy broadcast of several shapes, or an error naming the node. */
export function broadcastShapes(node: Node, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        fail(node, `shapes ${shapes.map((x) => '[' + x.join(',') + ']').join(' and ')} do not broadcast`,
          'shapes equal or 1 in every trailing dimension (numpy broadcasting)');
      }
    }
  }
  return out;
}

/**
 * For an input of shape `inDims` broadcast to `outDims`, the flat input index of every
 * flat output index. Broadcast dimensions get stride 0, so the mapping is a plain
 * dot product of the output coordinate with the input's strides.
 */
export function broadcastIndex(outDims: readonly number[], inDims: readonly number[]): Int32Array {
  const rank = outDims.length;
  const inStrides = stridesOf(inDims);
  const stride = new Array<number>(rank).fill(0);
  for (let i = 0; i < inDims.length; i++) {
    const o = rank - inDims.length + i;
    stride[o] = inDims[i] === 1 ? 0 : inStrides[i];
  }
  const n = sizeOf(outDims);
  checkAllocation('int32', n, 'a broadcast index'); // broadcast shapes multiply: [N,1] and [1,M] give N·M
  const map = new Int32Array(n);
  const coord = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    map[k] = off;
    // Odometer increment of the output coordinate, updating the input offset.
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]++;
      off += stride[d];
      if (coord[d] < outDims[d]) break;
      off -= stride[d] * coord[d];
      coord[d] = 0;
    }
  }
  return map;
}

/** Calls fn with every coordinate of `dims` in row-major order. */
export function forEachIndex(dims: readonly number[], fn: (coord: readonly number[], flat: number) => void): void {
  const n = sizeOf(dims);
  const coord = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < n; k++) {
    fn(coord, k);
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++coord[d] < dims[d]) break;
      coord[d] = 0;
    }
  }
}

/** Integer values of an int tensor input (axes, shapes, indices), as plain numbers. */
export function intList(node: Node, t: Tensor, what: string): number[] {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') fail(node, `input '${what}' has dtype ${t.dtype}`, 'an int64 or int32 tensor');
  return Array.from(t.data as ArrayLike<number>);
}
