// Slice, Gather, Shape, ConstantOfShape, Constant: the ops that read or produce
// the small integer tensors shape arithmetic runs on.
import type { DType, Dim } from '../../../runtime/ir.ts';
import { clampSlice } from '../../../runtime/ops/slice.ts';
import { attrInt, attrInts, normAxis, numbers, unknownDims } from './dims.ts';
import type { Known, ShapeRule } from './types.ts';

export const Slice: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  let starts: number[] | undefined, ends: number[] | undefined, axes: number[] | undefined, steps: number[] | undefined;
  if (c.opset < 10) {
    starts = attrInts(c, 'starts'); ends = attrInts(c, 'ends'); axes = attrInts(c, 'axes');
  } else {
    starts = numbers(c, 1); ends = numbers(c, 2);
    axes = c.node.inputs[3] ? numbers(c, 3) ?? [NaN] : undefined;
    steps = c.node.inputs[4] ? numbers(c, 4) ?? [NaN] : undefined;
  }
  if (!x.shape) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  if (!starts || !ends || axes?.some(Number.isNaN) || steps?.some(Number.isNaN)) {
    // Sliced axes unknown: the rank is all we keep.
    return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  }
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  if (steps.includes(0)) c.fail('a slice step is 0', 'non-zero steps');
  const out = x.shape.slice();
  const sel: { axis: number; start: number; end: number; step: number }[] = [];
  axes.forEach((a0, i) => {
    const a = normAxis(c, a0, r, 'axes entry');
    const d = x.shape![a];
    const full = starts![i] === 0 && ends![i] >= 2 ** 31 - 1 && steps![i] === 1;
    out[a] = typeof d === 'number' ? clampSlice(d, starts![i], ends![i], steps![i]).count : full ? d : null;
    sel.push({ axis: a, start: starts![i], end: ends![i], step: steps![i] });
  });
  // Values: only 1-D integer tensors (shape vectors) are followed.
  let value: Dim[] | undefined;
  const v = c.value(0);
  if (v && r === 1 && sel.length === 1) {
    const { start, end, step } = sel[0];
    const { start: first, count } = clampSlice(v.length, start, end, step);
    value = Array.from({ length: count }, (_, k) => v[first + k * step]);
  }
  return [{ dtype: x.dtype, shape: out, value }];
};

export const Gather: ShapeRule = (c) => {
  const x = c.input(0), idx = c.input(1);
  if (!x) return [];
  if (!x.shape || !idx?.shape) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  const axis = normAxis(c, attrInt(c, 'axis', 0), r);
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  let value: Dim[] | undefined;
  const v = c.value(0), ix = numbers(c, 1);
  if (v && ix && r === 1) {
    const picked = ix.map((i) => v[i < 0 ? i + v.length : i]);
    if (picked.every((p) => p !== undefined)) value = picked;
  }
  return [{ dtype: x.dtype, shape, value }];
};

export const Shape: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x?.shape) return [{ dtype: 'int64', shape: [null] }];
  const r = x.shape.length;
  // opset 15 added start/end attributes that select a range of axes.
  const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clamp(attrInt(c, 'start', 0)), end = clamp(attrInt(c, 'end', r));
  const dims = x.shape.slice(start, Math.max(start, end));
  return [{ dtype: 'int64', shape: [dims.length], value: dims }];
};

export const ConstantOfShape: ShapeRule = (c) => {
  const a = c.node.attrs.value;
  const fill = a && a.type === 'tensor' ? a.value : undefined;
  const dtype: DType = fill?.dtype ?? 'float32';
  const dims = c.value(0);
  const len = c.input(0)?.shape;
  const shape = dims ?? (len && typeof len[0] === 'number' ? unknownDims(len[0]) : null);
  let value: Dim[] | undefined;
  if (dims && /int/.test(dtype) && dims.every((d) => typeof d === 'number') && (dims as number[]).reduce((p, q) => p * q, 1) <= 64) {
    const f = fill ? Number((fill.data as ArrayLike<number>)[0] ?? 0) : 0;
    value = new Array<Dim>((dims as number[]).reduce((p, q) => p * q, 1)).fill(f);
  }
  return [{ dtype, shape, value }];
};

export const Constant: ShapeRule = (c) => {
  const a = c.node.attrs.value;
  if (!a || a.type !== 'tensor') return [];
  return [knownOf(a.value.dtype, a.value.dims, a.value.data)];
};

/** What is known about a constant tensor: its shape, and its values if it is small (integer or float). */
export function knownOf(dtype: DType, dims: number[], data: ArrayLike<number> | string[]): Known {
  const small = data.length <= 64;
  const values = small && dtype !== 'string' ? Array.from(data as ArrayLike<number>) : undefined;
  return { dtype, shape: dims.slice(), value: /int/.test(dtype) ? values : undefined, floats: /float/.test(dtype) ? values : undefined };
}
