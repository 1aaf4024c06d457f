// Gemm, MatMul and the numpy-broadcasting binary ops, lowered to tfjs.
import type { Node } from '../../../runtime/ir.ts';
import { attrFloat, attrInt, fail } from '../../../runtime/ops/attrs.ts';
import { tf } from '../tf.ts';
import { matmul, matmul2d } from '../matmul.ts';
import { asFloat, asTf, need, type Lowering } from './types.ts';

function rank2(node: Node, t: tf.Tensor, what: string): tf.Tensor2D {
  if (t.rank !== 2) fail(node, `${what} has rank ${t.rank}`, `a rank-2 ${what}`);
  return t as tf.Tensor2D;
}

/** Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A, likewise B'. */
const gemm: Lowering = (inputs, node) => {
  let a = rank2(node, asFloat(need(node, inputs, 0, 'A')), 'A');
  let b = rank2(node, asFloat(need(node, inputs, 1, 'B')), 'B');
  if (attrInt(node, 'transA', 0)) a = a.transpose();
  if (attrInt(node, 'transB', 0)) b = b.transpose();
  if (a.shape[1] !== b.shape[0]) fail(node, `A'·B' of [${a.shape}] and [${b.shape}]`, 'inner dimensions that agree');
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  let y: tf.Tensor = matmul2d(a, b);
  if (alpha !== 1) y = y.mul(alpha);
  const c = inputs[2];
  if (c !== undefined && beta !== 0) y = y.add(beta === 1 ? asFloat(c) : asFloat(c).mul(beta));
  return [y];
};

const matMul: Lowering = (inputs, node) => [matmul(asFloat(need(node, inputs, 0, 'A')), asFloat(need(node, inputs, 1, 'B')))];

function binary(fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Lowering {
  return (inputs, node) => {
    const a = asTf(need(node, inputs, 0, 'A'));
    const b = asTf(need(node, inputs, 1, 'B'));
    // A float op meeting an int constant (x * 2 with an int64 2): compute in float.
    if (a.dtype !== b.dtype) return [fn(a.toFloat(), b.toFloat())];
    return [fn(a, b)];
  };
}

export const denseLowerings: Record<string, Lowering> = {
  Gemm: gemm,
  MatMul: matMul,
  Add: binary((a, b) => tf.add(a, b)),
  Sub: binary((a, b) => tf.sub(a, b)),
  Mul: binary((a, b) => tf.mul(a, b)),
  Div: binary((a, b) => tf.div(a, b)),
};
