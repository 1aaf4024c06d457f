// ReduceMean (axes as an attribute before opset 18, an input from 18) and
// LayerNormalization (Y like X; Mean and InvStdDev float32 with the normalised axes 1).
import type { Dim } from '../../../runtime/ir.ts';
import { attrInt, attrInts, normAxis, numbers, show } from './dims.ts';
import type { ShapeRule } from './types.ts';

export const ReduceMean: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  if (!x.shape) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  let axes: number[] | undefined;
  if (c.opset < 18) axes = attrInts(c, 'axes');
  else if (c.node.inputs[1]) {
    axes = numbers(c, 1);
    if (!axes) return [{ dtype: x.dtype, shape: attrInt(c, 'keepdims', 1) ? x.shape.map(() => null) : null }];
  }
  if (!axes || axes.length === 0) {
    if (c.opset >= 18 && attrInt(c, 'noop_with_empty_axes', 0)) return [{ dtype: x.dtype, shape: x.shape }];
    axes = x.shape.map((_, i) => i);
  }
  const norm = axes.map((a) => normAxis(c, a, r, 'axes entry'));
  if (new Set(norm).size !== norm.length) c.fail(`axes [${axes.join(',')}] repeat an axis of ${show(x.shape)}`, 'distinct axes');
  const keep = attrInt(c, 'keepdims', 1) !== 0;
  const shape: Dim[] = keep ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
  return [{ dtype: x.dtype, shape }];
};

export const LayerNormalization: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  if (!x.shape) return [{ dtype: x.dtype, shape: null }, { dtype: 'float32', shape: null }, { dtype: 'float32', shape: null }];
  const axis = normAxis(c, attrInt(c, 'axis', -1), x.shape.length);
  const stats = x.shape.map((d, i) => (i < axis ? d : 1));
  return [{ dtype: x.dtype, shape: x.shape }, { dtype: 'float32', shape: stats }, { dtype: 'float32', shape: stats.slice() }];
};
