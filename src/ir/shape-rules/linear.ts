// Gemm and MatMul: the inner dimensions must agree, which is the check that catches
// a wrongly transposed or wrongly sized weight at import time.
import type { Dim } from '../../../runtime/ir.ts';
import { attrInt, broadcastShapes, sameDim, show } from './dims.ts';
import type { ShapeRule } from './types.ts';

export const Gemm: ShapeRule = (c) => {
  const a = c.input(0);
  const b = c.input(1);
  if (!a) return [];
  const dtype = a.dtype;
  if (!a.shape || !b?.shape) return [{ dtype, shape: gemmPartial(a.shape, b?.shape ?? null, c) }];
  if (a.shape.length !== 2) c.fail(`A is ${show(a.shape)}`, 'a 2-D A');
  if (b.shape.length !== 2) c.fail(`B is ${show(b.shape)}`, 'a 2-D B');
  const tA = attrInt(c, 'transA', 0), tB = attrInt(c, 'transB', 0);
  const [m, ka] = tA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = tB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (sameDim(ka, kb) === false) {
    c.fail(`inner dimensions differ: A${tA ? 'ᵀ' : ''} is ${show(tA ? [m, ka] : a.shape)} and B${tB ? 'ᵀ' : ''} is ${show([kb, n])}`,
      `B${tB ? ' (transB=1)' : ''} of shape ${show(tB ? [n, ka] : [ka, n])}`);
  }
  const y: Dim[] = [m, n];
  const bias = c.input(2);
  if (bias?.shape) {
    // C must broadcast to [M, N] (unidirectionally).
    const r = broadcastShapes(c, [y, bias.shape]);
    if (r && r.length !== 2) c.fail(`C is ${show(bias.shape)}`, `C broadcastable to ${show(y)}`);
  }
  return [{ dtype, shape: y }];
};

function gemmPartial(a: Dim[] | null, b: Dim[] | null, c: Parameters<ShapeRule>[0]): Dim[] | null {
  const tA = attrInt(c, 'transA', 0), tB = attrInt(c, 'transB', 0);
  const m = a && a.length === 2 ? a[tA ? 1 : 0] : null;
  const n = b && b.length === 2 ? b[tB ? 0 : 1] : null;
  return [m, n];
}

export const MatMul: ShapeRule = (c) => {
  const a = c.input(0);
  const b = c.input(1);
  if (!a) return [];
  if (!a.shape || !b?.shape) return [{ dtype: a.dtype, shape: null }];
  if (a.shape.length === 0 || b.shape.length === 0) c.fail(`operands ${show(a.shape)} and ${show(b.shape)}`, 'operands of rank >= 1');
  // numpy matmul: a 1-D operand gets a unit axis (prepended for A, appended for B) that is dropped again.
  const A = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const B = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const ka = A[A.length - 1], kb = B[B.length - 2];
  if (sameDim(ka, kb) === false) {
    c.fail(`inner dimensions differ: ${show(a.shape)} × ${show(b.shape)}`, `B with ${ka} rows (B is [.., ${ka}, N])`);
  }
  const batch = broadcastShapes(c, [A.slice(0, -2), B.slice(0, -2)]) ?? [];
  const out: Dim[] = [...batch];
  if (a.shape.length > 1) out.push(A[A.length - 2]);
  if (b.shape.length > 1) out.push(B[B.length - 1]);
  return [{ dtype: a.dtype, shape: out }];
};
