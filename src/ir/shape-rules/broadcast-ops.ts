// Where (condition, X, Y broadcast together), Expand (the input broadcast with a shape
// given as a value), and the ops whose output has their first input's shape but new
// values (the scatters, CumSum): those must not pass the input's known values on.
import type { Dim } from '../../../runtime/ir.ts';
import { broadcastShapes, unknownDims } from './dims.ts';
import type { ShapeRule } from './types.ts';

export const Where: ShapeRule = (c) => {
  const cond = c.input(0), x = c.input(1), y = c.input(2);
  if (!x) return [];
  return [{ dtype: x.dtype, shape: broadcastShapes(c, [cond?.shape ?? null, x.shape, y?.shape ?? null]) }];
};

export const Expand: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  const target = c.value(1);
  if (target) return [{ dtype: x.dtype, shape: broadcastShapes(c, [x.shape, target]) }];
  // The shape's values are unknown; its length still bounds the rank from below.
  const len = c.input(1)?.shape;
  const n = len && len.length === 1 && typeof len[0] === 'number' ? len[0] : null;
  if (n === null || !x.shape) return [{ dtype: x.dtype, shape: null }];
  return [{ dtype: x.dtype, shape: unknownDims(Math.max(n, x.shape.length)) }];
};

/** First input's dtype and shape; its values (if known) do not carry over. */
export const sameShape: ShapeRule = (c) => {
  const x = c.input(0);
  return x ? [{ dtype: x.dtype, shape: x.shape }] : [];
};
