// Add, Sub, Mul, Div with numpy (multidirectional) broadcasting, for float and
// integer types. Values are computed in float64 and stored into the output's typed
// array, which rounds (float32) or wraps (fixed-width ints) exactly as C would.
import type { DType, Node, Tensor } from '../ir.ts';
import { RampartError } from '../errors.ts';
import { allocData } from '../tensor.ts';
import { attrInt, fail } from './attrs.ts';
import type { Kernel, KernelTable } from './types.ts';
import { broadcastIndex, broadcastShapes, isIntegral, need, nums } from './shared.ts';

type Op = (a: number, b: number) => number;

function binary(f: (dtype: DType) => Op): Kernel {
  return (inputs, node, ctx) => {
    const a = need(node, inputs, 0, 'A');
    const b = need(node, inputs, 1, 'B');
    if (a.dtype !== b.dtype) fail(node, `operand dtypes differ: ${a.dtype} and ${b.dtype}`, 'both operands of one dtype');
    return [apply(node, a, ctx.opset < 7 ? legacyAligned(node, a, b) : b, f(a.dtype))];
  };
}

/**
 * Before opset 7, broadcast=1 with an `axis` lines B's dims up with A's from that axis
 * (B [3] against A [2,3,4] at axis 1 means [1,3,1]), not from the end as numpy does.
 * Trailing 1s make numpy broadcasting do the same; without `axis` the two agree already.
 */
function legacyAligned(node: Node, a: Tensor, b: Tensor): Tensor {
  const axis = attrInt(node, 'axis');
  if (attrInt(node, 'broadcast', 0) === 0 || axis === undefined) return b;
  const r = a.dims.length;
  const start = axis < 0 ? axis + r : axis;
  if (start < 0 || start + b.dims.length > r) {
    fail(node, `axis ${axis} places B [${b.dims}] outside A [${a.dims}]`, `B's dims to fit A's from axis ${axis}`);
  }
  return { ...b, dims: [...b.dims, ...new Array<number>(r - start - b.dims.length).fill(1)] };
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
  // Bad data, not a bug: a RampartError, which the executor names the node in.
  if (b === 0) throw new RampartError('integer division by zero', { expected: 'a non-zero integer divisor' });
  return Math.trunc(a / b);
};

export const binaryKernels: KernelTable = {
  Add: binary(() => add),
  Sub: binary(() => sub),
  Mul: binary((d) => (is32(d) ? Math.imul : mul)),
  Div: binary((d) => (isIntegral(d) ? idiv : div)),
};
