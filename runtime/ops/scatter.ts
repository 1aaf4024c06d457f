// ScatterElements (named Scatter in opsets 9-10) and ScatterND: a copy of `data` with
// `updates` written where `indices` point, combined with what is there by `reduction`.
//   ScatterElements: for every position p of indices (same rank as data),
//     out[p with p[axis] replaced by indices[p]] = f(that, updates[p]).
//   ScatterND: indices [..., k]; each k-tuple names the slice data[i0..ik-1, ...] of
//     shape data.dims[k:], updated from the matching slice of updates.
// `reduction`: none (opset 11), add and mul (16), max and min (18); an older model that
// carries one is refused rather than read with a meaning its opset does not have.
// With 'none' and a repeated index the spec leaves the result undefined: updates apply
// in order, the last one wins (what onnxruntime does). Negative indices count from the
// end of their axis. The onnx-csr rebuild bodies (targets/onnx-csr) scatter with 'add'.
import type { DType, Node, Tensor } from '../ir.ts';
import { shapeString, sizeOf, stridesOf } from '../tensor.ts';
import { attrInt, attrString, fail } from './attrs.ts';
import type { Kernel, KernelContext, KernelTable } from './types.ts';
import { copyData, type Elements, intList, need, normAxis } from './shared.ts';

type Combine = (old: number, upd: number) => number;

/** The opset that introduced each reduction. */
const SINCE: Record<string, number> = { none: 1, add: 16, mul: 16, max: 18, min: 18 };
export const SCATTER_REDUCTIONS = Object.keys(SINCE);

function combiner(node: Node, dtype: DType, ctx: KernelContext): Combine | null {
  const name = attrString(node, 'reduction', 'none');
  const since = SINCE[name];
  if (since === undefined) fail(node, `reduction '${name}'`, 'none, add, mul, max or min');
  if (ctx.opset < since) fail(node, `reduction '${name}' at opset ${ctx.opset}`, `opset >= ${since} for reduction '${name}'`);
  if (name === 'none') return null;
  if (dtype === 'string') fail(node, `reduction '${name}' on a string tensor`, 'a numeric tensor');
  switch (name) {
    case 'add': return (a, b) => a + b;
    // A 32-bit integer product can pass 2^53 before it wraps; Math.imul wraps exactly.
    case 'mul': return dtype === 'int32' || dtype === 'uint32' ? Math.imul : (a, b) => a * b;
    case 'max': return (a, b) => (a >= b || Number.isNaN(a) ? a : b);
    default: return (a, b) => (a <= b || Number.isNaN(a) ? a : b);
  }
}

function checkTypes(node: Node, data: Tensor, updates: Tensor): void {
  if (updates.dtype !== data.dtype) fail(node, `updates are ${updates.dtype}, data is ${data.dtype}`, 'updates of the data\'s dtype');
}

/** An index into an axis of size n, negative counting from the end. */
function indexInto(node: Node, i: number, n: number, axis: number): number {
  if (!Number.isInteger(i) || i < -n || i >= n) fail(node, `index ${i} is out of range for axis ${axis} (size ${n})`, `indices in [${-n}, ${n - 1}]`);
  return i < 0 ? i + n : i;
}

const scatterElements: Kernel = (inputs, node, ctx) => {
  const data = need(node, inputs, 0, 'data');
  const ind = need(node, inputs, 1, 'indices');
  const updates = need(node, inputs, 2, 'updates');
  checkTypes(node, data, updates);
  const r = data.dims.length;
  if (r === 0) fail(node, 'data is a scalar', 'data of rank >= 1');
  if (ind.dims.length !== r) fail(node, `indices ${shapeString(ind.dims)} for data ${shapeString(data.dims)}`, `indices of rank ${r}, like data`);
  if (updates.dims.length !== r || updates.dims.some((d, i) => d !== ind.dims[i])) {
    fail(node, `updates ${shapeString(updates.dims)} and indices ${shapeString(ind.dims)} differ`, 'updates of the indices\' shape');
  }
  const axis = normAxis(node, attrInt(node, 'axis', 0), r);
  ind.dims.forEach((d, k) => {
    if (k !== axis && d > data.dims[k]) fail(node, `indices ${shapeString(ind.dims)} exceed data ${shapeString(data.dims)} on axis ${k}`, 'indices no larger than data off the scatter axis');
  });
  const combine = combiner(node, data.dtype, ctx);
  const idx = intList(node, ind, 'indices');
  const out = copyData(data) as Elements;
  const upd = updates.data as Elements;
  const ds = stridesOf(data.dims), is = stridesOf(ind.dims);
  for (let p = 0; p < idx.length; p++) {
    let off = 0;
    for (let k = 0; k < r; k++) {
      const c = Math.floor(p / is[k]) % ind.dims[k];
      off += (k === axis ? indexInto(node, idx[p], data.dims[axis], axis) : c) * ds[k];
    }
    out[off] = combine ? combine(out[off] as number, upd[p] as number) : upd[p];
  }
  return [{ dtype: data.dtype, dims: data.dims.slice(), data: out as Tensor['data'] }];
};

const scatterND: Kernel = (inputs, node, ctx) => {
  const data = need(node, inputs, 0, 'data');
  const ind = need(node, inputs, 1, 'indices');
  const updates = need(node, inputs, 2, 'updates');
  checkTypes(node, data, updates);
  const r = data.dims.length, q = ind.dims.length;
  if (r === 0 || q === 0) fail(node, `data ${shapeString(data.dims)}, indices ${shapeString(ind.dims)}`, 'data and indices of rank >= 1');
  const k = ind.dims[q - 1];
  if (k < 1 || k > r) fail(node, `indices' last axis is ${k} for data of rank ${r}`, `a last axis of 1..${r}`);
  const want = [...ind.dims.slice(0, q - 1), ...data.dims.slice(k)];
  if (updates.dims.length !== want.length || updates.dims.some((d, i) => d !== want[i])) {
    fail(node, `updates are ${shapeString(updates.dims)}`, `updates of shape ${shapeString(want)} (indices.shape[:-1] + data.shape[k:])`);
  }
  const combine = combiner(node, data.dtype, ctx);
  const idx = intList(node, ind, 'indices');
  const out = copyData(data) as Elements;
  const upd = updates.data as Elements;
  const ds = stridesOf(data.dims);
  const slice = sizeOf(data.dims.slice(k));
  const tuples = sizeOf(ind.dims.slice(0, q - 1));
  for (let t = 0; t < tuples; t++) {
    let off = 0;
    for (let a = 0; a < k; a++) off += indexInto(node, idx[t * k + a], data.dims[a], a) * ds[a];
    for (let e = 0; e < slice; e++) {
      const u = upd[t * slice + e];
      out[off + e] = combine ? combine(out[off + e] as number, u as number) : u;
    }
  }
  return [{ dtype: data.dtype, dims: data.dims.slice(), data: out as Tensor['data'] }];
};

export const scatterKernels: KernelTable = {
  // Scatter (opsets 9-10) is ScatterElements without reduction under its old name.
  Scatter: scatterElements,
  ScatterElements: scatterElements,
  ScatterND: scatterND,
};
