// The ops PyTorch writes for edge models, over tfjs tensors: Erf (GELU), HardSwish,
// Where, ReduceMean, Expand, LayerNormalization. Their geometry (axes, shapes) comes
// from the reference kernels' own rules (runtime/ops/), so the lowering reads a node
// exactly as the interpreter does; every tf op used has a gradient on both backends.
import type { Tensor } from '../../../runtime/ir.ts';
import { attrFloat, attrInt, fail } from '../../../runtime/ops/attrs.ts';
import { reduceAxes } from '../../../runtime/ops/reduce.ts';
import { broadcastShapes, normAxis } from '../../../runtime/ops/shared.ts';
import { i64 } from '../../../runtime/tensor.ts';
import { tf } from '../tf.ts';
import { asFloat, asTf, hostInts, need, type Lowering } from './types.ts';

const erf: Lowering = (inputs, node) => [tf.erf(asFloat(need(node, inputs, 0, 'X')))];

const hardSwish: Lowering = (inputs, node) => {
  const x = asFloat(need(node, inputs, 0, 'X'));
  return [x.mul(tf.clipByValue(x.div(6).add(0.5), 0, 1))];
};

const where: Lowering = (inputs, node) => {
  const c = asTf(need(node, inputs, 0, 'condition'));
  if (c.dtype !== 'bool') fail(node, `condition is ${c.dtype}`, 'a bool condition');
  return [tf.where(c, asTf(need(node, inputs, 1, 'X')), asTf(need(node, inputs, 2, 'Y')))];
};

const reduceMean: Lowering = (inputs, node, ctx) => {
  const x = asFloat(need(node, inputs, 0, 'data'));
  const axesIn = inputs[1] === undefined ? undefined : hostInts(node, inputs[1], 'axes');
  const host: (Tensor | undefined)[] = [undefined, axesIn && i64([axesIn.length], axesIn)];
  const axes = reduceAxes(node, host, x.rank, ctx);
  if (axes === null) return [x];
  return [tf.mean(x, axes, attrInt(node, 'keepdims', 1) !== 0)];
};

const expand: Lowering = (inputs, node) => {
  const x = asTf(need(node, inputs, 0, 'input'));
  const shape = hostInts(node, need(node, inputs, 1, 'shape'), 'shape');
  const dims = broadcastShapes(node, [x.shape, shape]);
  return [tf.broadcastTo(x.reshape([...new Array<number>(dims.length - x.rank).fill(1), ...x.shape]), dims)];
};

const layerNorm: Lowering = (inputs, node) => {
  const x = asFloat(need(node, inputs, 0, 'X'));
  const scale = asFloat(need(node, inputs, 1, 'Scale'));
  const b = inputs[2] === undefined ? undefined : asFloat(inputs[2]);
  const axis = normAxis(node, attrInt(node, 'axis', -1), x.rank);
  const axes = [...Array(x.rank - axis).keys()].map((k) => k + axis);
  const mean = tf.mean(x, axes, true);
  const d = x.sub(mean);
  const inv = tf.rsqrt(tf.mean(d.square(), axes, true).add(attrFloat(node, 'epsilon', 1e-5)));
  const y = d.mul(inv).mul(scale);
  return [b ? y.add(b) : y, mean, inv];
};

export const edgeLowerings: Record<string, Lowering> = {
  Erf: erf, HardSwish: hardSwish, Where: where, ReduceMean: reduceMean, Expand: expand, LayerNormalization: layerNorm,
};
