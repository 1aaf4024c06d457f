// Elementwise ops (broadcasting binaries, shape-preserving unaries) and Cast.
// Binary ops also fold small integer values, for the Shape -> Mul -> Reshape
// arithmetic PyTorch writes for dynamic batch sizes.
import type { DType, Dim } from '../../../runtime/ir.ts';
import { attrInt, broadcastShapes } from './dims.ts';
import type { InferCtx, Known, ShapeRule } from './types.ts';

const DTYPE_CODES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64',
  8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

const isInt = (d: DType) => /int/.test(d);

function foldBinary(c: InferCtx, op: string, a: Known, shape: Dim[] | null): Dim[] | undefined {
  const x = c.value(0), y = c.value(1);
  if (!x || !y || !isInt(a.dtype) || !shape) return undefined;
  const n = shape.reduce<number>((p, d) => p * (typeof d === 'number' ? d : NaN), 1);
  if (!Number.isFinite(n) || (x.length !== n && x.length !== 1) || (y.length !== n && y.length !== 1)) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const p = x[x.length === 1 ? 0 : i], q = y[y.length === 1 ? 0 : i];
    if (typeof p === 'number' && typeof q === 'number') {
      out.push(op === 'Add' ? p + q : op === 'Sub' ? p - q : op === 'Mul' ? p * q : q === 0 ? null : Math.trunc(p / q));
    } else if ((op === 'Mul' || op === 'Div') && q === 1) out.push(p);
    else if ((op === 'Add' || op === 'Sub') && q === 0) out.push(p);
    else if (op === 'Mul' && p === 1) out.push(q);
    else if (op === 'Add' && p === 0) out.push(q);
    else out.push(null);
  }
  return out;
}

export const binary: ShapeRule = (c) => {
  const a = c.input(0), b = c.input(1);
  if (!a || !b) return [];
  // Before opset 7, broadcast=1 with an axis lines B up with A from that axis: A's shape wins.
  if (c.opset < 7 && attrInt(c, 'broadcast', 0) === 1 && c.node.attrs.axis) return [{ dtype: a.dtype, shape: a.shape }];
  const shape = broadcastShapes(c, [a.shape, b.shape]);
  return [{ dtype: a.dtype, shape, value: foldBinary(c, c.node.op, a, shape) }];
};

/** Same dtype and shape as the first input; integer values pass through. */
export const same: ShapeRule = (c) => {
  const x = c.input(0);
  return x ? [{ dtype: x.dtype, shape: x.shape, value: c.value(0) }] : [];
};

/** Dropout: the output, and an optional bool mask of the same shape. */
export const Dropout: ShapeRule = (c) => {
  const x = c.input(0);
  return x ? [{ dtype: x.dtype, shape: x.shape, value: c.value(0) }, { dtype: 'bool', shape: x.shape }] : [];
};

export const Cast: ShapeRule = (c) => {
  const x = c.input(0);
  const to = DTYPE_CODES[attrInt(c, 'to', 0)];
  if (!x || !to) return [];
  return [{ dtype: to, shape: x.shape, value: isInt(to) ? c.value(0) : undefined }];
};
