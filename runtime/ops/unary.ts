// Elementwise activations: Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Erf,
// Clip. The output keeps the input's shape and dtype (Relu also accepts integer types
// from opset 14, Clip from opset 12).
import type { Node, Tensor } from '../ir.ts';
import { allocData } from '../tensor.ts';
import { attrFloat, fail } from './attrs.ts';
import type { Kernel, KernelTable } from './types.ts';
import { need, needFloat, nums } from './shared.ts';
import { erf } from './erf.ts';

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
  // HardSwish (opset 14): x · HardSigmoid(x) with alpha 1/6, beta 0.5 fixed (PyTorch's nn.Hardswish).
  HardSwish: floatUnary(() => (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
  Tanh: floatUnary(() => Math.tanh),
  Erf: floatUnary(() => erf),
  // Clip (PyTorch's ReLU6, hardtanh): bounds are attributes before opset 11, optional
  // scalar inputs from 11. An absent bound is unbounded. NaN passes through.
  Clip: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'input');
    const xs = nums(node, x, 'input');
    let lo = -Infinity;
    let hi = Infinity;
    if (ctx.opset < 11) {
      lo = attrFloat(node, 'min', -Infinity);
      hi = attrFloat(node, 'max', Infinity);
    } else {
      const bound = (i: number, name: string): number | undefined => {
        const t = inputs[i];
        if (t === undefined) return undefined;
        const v = nums(node, t, name);
        if (v.length !== 1) fail(node, `${name} has ${v.length} elements`, 'a scalar bound');
        return v[0];
      };
      lo = bound(1, 'min') ?? lo;
      hi = bound(2, 'max') ?? hi;
    }
    return [map(x, xs, (v) => (v < lo ? lo : v > hi ? hi : v))];
  },
};
