// Add, Sub, Mul, Div with numpy (multidirectional) broadcasting, for float and
// integer types. Values are computed in float64 and stored into the output's typed
// array, which rounds (float32) or wraps (fixed-width ints) exactly as C would.
import type { DType, Node, Tensor } from '../ir.ts';
import { allocData } from '../tensor.ts';
import { fail } from './attrs.ts';
import type { Kernel, KernelTable } from './types.ts';
import { broadcastIndex, broadcastShapes, isIntegral, need, nums } from './shared.ts';

type Op = (a: number, b: number) => number;

function binary(f: (dtype: DType) => Op): Kernel {
  return (inputs, node) => {
    const a = need(node, inputs, 0, 'A');
    const b = need(node, inputs, 1, 'B');
    if (a.dtype !== b.dtype) fail(node, `operand dtypes differ: ${a.dtype} and ${b.dtype}`, 'both operands of one dtype');
    return [apply(node, a, b, f(a.dtype))];
  };
}

function apply(node: Node, a: Tensor, b: Tensor, op: Op): Tensor {
  const x = nums(node, a, 'A');
  const y = nums(node, b, 'B');
  const dims = broadcastShapes(node, [a.dims, b.dims]);
  const ia = broadcastIndex(dims, a.dims);
  const ib = broadcastIndex(dims, b.dims);
  const out = allocData(a.dtype, ia.length) as Float64Array;
  for (let i = 0; i < ia.length; i++) out[i] = op(x[ia[i]], y[ib[i]]);
  return { dtype: a.dtype, dims, data: out };
}

// 32-bit integer products can exceed 2^53 before wrapping; Math.imul wraps exactly.
const is32 = (d: DType) => d === 'int32' || d === 'uint32';

const add: Op = (a, b) => a + b;
const sub: Op = (a, b) => a - b;
const mul: Op = (a, b) => a * b;
const div: Op = (a, b) => a / b;
// Integer Div truncates toward zero (C semantics, what onnxruntime does). Only the
// float64-backed int64/uint64 storage needs the explicit trunc, but it is harmless elsewhere.
const idiv: Op = (a, b) => {
  if (b === 0) throw new Error('integer division by zero');
  return Math.trunc(a / b);
};

export const binaryKernels: KernelTable = {
  Add: binary(() => add),
  Sub: binary(() => sub),
  Mul: binary((d) => (is32(d) ? Math.imul : mul)),
  Div: binary((d) => (isIntegral(d) ? idiv : div)),
};
