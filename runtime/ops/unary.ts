// Elementwise activations: Relu, LeakyRelu, Sigmoid, HardSigmoid, Tanh. The output
// keeps the input's shape and dtype (Relu also accepts integer types from opset 14).
import type { Node, Tensor } from '../ir.ts';
import { allocData } from '../tensor.ts';
import { attrFloat } from './attrs.ts';
import type { Kernel, KernelTable } from './types.ts';
import { need, needFloat, nums } from './shared.ts';

function map(x: Tensor, xs: ArrayLike<number>, f: (v: number) => number): Tensor {
  const out = allocData(x.dtype, xs.length) as Float64Array;
  for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]);
  return { dtype: x.dtype, dims: x.dims.slice(), data: out };
}

/** A float-only activation whose parameters come from the node's attributes. */
function floatUnary(make: (node: Node) => (v: number) => number): Kernel {
  return (inputs, node) => {
    const x = need(node, inputs, 0, 'X');
    return [map(x, needFloat(node, x, 'X'), make(node))];
  };
}

// 1 / (1 + e^-x) overflows harmlessly to 0 for very negative x in float64.
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export const unaryKernels: KernelTable = {
  Relu: (inputs, node) => {
    const x = need(node, inputs, 0, 'X');
    return [map(x, nums(node, x, 'X'), (v) => (v < 0 ? 0 : v))];
  },
  LeakyRelu: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 0.01);
    return (v) => (v >= 0 ? v : alpha * v);
  }),
  Sigmoid: floatUnary(() => sigmoid),
  HardSigmoid: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 0.2);
    const beta = attrFloat(node, 'beta', 0.5);
    return (v) => Math.max(0, Math.min(1, alpha * v + beta));
  }),
  Tanh: floatUnary(() => Math.tanh),
};
