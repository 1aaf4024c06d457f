// Shape ops over tfjs tensors. Their shape arguments (Reshape's shape, Squeeze's
// axes, Slice's starts, Gather's indices) are host values, so each lowers to a
// tfjs op with constant geometry — and Gather / strided Slice with constant
// indices become plain slices, whose gradient every backend has (the wasm backend
// lacks GatherV2's gradient kernel, UnsortedSegmentSum).
import type { Node, Tensor } from '../../../runtime/ir.ts';
import { attrInt, attrInts, attrTensor, attrFloat, attrFloats, fail } from '../../../runtime/ops/attrs.ts';
import { sizeOf, tensor, f32, i64, toNumbers } from '../../../runtime/tensor.ts';
import { sliceRange } from '../../../runtime/ops/slice.ts';
import { tf } from '../tf.ts';
import { asTf, axisOf, hostInts, need, shapeOf, type LowerContext, type Lowering, type Value } from './types.ts';

/** Axes from the attribute (old opsets) or the optional input i (opset ≥ 13). */
function axesOf(node: Node, inputs: (Value | undefined)[], i: number, ctx: LowerContext): number[] | undefined {
  if (ctx.opset >= 13) {
    const v = inputs[i];
    return v === undefined ? undefined : hostInts(node, v, 'axes');
  }
  return attrInts(node, 'axes');
}

const flatten: Lowering = (inputs, node) => {
  const x = asTf(need(node, inputs, 0, 'input'));
  const axis = axisOf(node, attrInt(node, 'axis', 1), x.rank + 1);
  const rows = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  return [x.reshape([rows, x.size / Math.max(rows, 1)])];
};

const reshape: Lowering = (inputs, node) => {
  const x = asTf(need(node, inputs, 0, 'data'));
  const spec = hostInts(node, need(node, inputs, 1, 'shape'), 'shape');
  const allowZero = attrInt(node, 'allowzero', 0) !== 0;
  const dims = spec.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const out = dims.map((d) => (d === -1 ? x.size / known : d));
  if (sizeOf(out) !== x.size || out.some((d) => !Number.isInteger(d) || d < 0)) {
    fail(node, `cannot reshape [${x.shape}] to [${spec}]`, 'a shape with the same number of elements');
  }
  return [x.reshape(out)];
};

const transpose: Lowering = (inputs, node) => {
  const x = asTf(need(node, inputs, 0, 'data'));
  const perm = attrInts(node, 'perm') ?? [...Array(x.rank).keys()].reverse();
  return [x.transpose(perm)];
};

const squeeze: Lowering = (inputs, node, ctx) => {
  const x = asTf(need(node, inputs, 0, 'data'));
  const axes = axesOf(node, inputs, 1, ctx)?.map((a) => axisOf(node, a, x.rank));
  const drop = axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of drop) if (x.shape[a] !== 1) fail(node, `axis ${a} of [${x.shape}] has size ${x.shape[a]}`, 'size 1 on every squeezed axis');
  return [x.reshape(x.shape.filter((_, i) => !drop.includes(i)))];
};

const unsqueeze: Lowering = (inputs, node, ctx) => {
  const x = asTf(need(node, inputs, 0, 'data'));
  const axes = axesOf(node, inputs, 1, ctx);
  if (!axes) fail(node, 'axes are missing', 'the axes to insert');
  const rank = x.rank + axes.length;
  const at = new Set(axes.map((a) => axisOf(node, a, rank)));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : x.shape[k++]);
  return [x.reshape(out)];
};

const concat: Lowering = (inputs, node) => {
  const xs = inputs.filter((v): v is Value => v !== undefined).map(asTf);
  const axis = attrInt(node, 'axis');
  if (axis === undefined) fail(node, 'attribute axis is missing', 'the concatenation axis');
  const dtype = xs.some((t) => t.dtype === 'float32') ? 'float32' : xs[0].dtype;
  return [tf.concat(xs.map((t) => (t.dtype === dtype ? t : t.cast(dtype))), axisOf(node, axis, xs[0].rank))];
};

/** Elements `idx` along `axis`, by slices (differentiable on every backend). */
function pick(x: tf.Tensor, axis: number, idx: number[]): tf.Tensor {
  const one = (i: number) => {
    const begin = x.shape.map((_, d) => (d === axis ? i : 0));
    const size = x.shape.map((s, d) => (d === axis ? 1 : s));
    return tf.slice(x, begin, size);
  };
  // Runs of consecutive indices become one slice each.
  const parts: tf.Tensor[] = [];
  let k = 0;
  while (k < idx.length) {
    let e = k + 1;
    while (e < idx.length && idx[e] === idx[e - 1] + 1) e++;
    if (e - k === 1) parts.push(one(idx[k]));
    else {
      const begin = x.shape.map((_, d) => (d === axis ? idx[k] : 0));
      const size = x.shape.map((s, d) => (d === axis ? e - k : s));
      parts.push(tf.slice(x, begin, size));
    }
    k = e;
  }
  return parts.length === 1 ? parts[0] : tf.concat(parts, axis);
}

const slice: Lowering = (inputs, node, ctx) => {
  const x = asTf(need(node, inputs, 0, 'data'));
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset >= 10) {
    starts = hostInts(node, need(node, inputs, 1, 'starts'), 'starts');
    ends = hostInts(node, need(node, inputs, 2, 'ends'), 'ends');
    axes = inputs[3] === undefined ? undefined : hostInts(node, inputs[3], 'axes');
    steps = inputs[4] === undefined ? undefined : hostInts(node, inputs[4], 'steps');
  } else {
    starts = attrInts(node, 'starts') ?? [];
    ends = attrInts(node, 'ends') ?? [];
    axes = attrInts(node, 'axes');
  }
  let y = x;
  starts.forEach((s0, k) => {
    const axis = axisOf(node, axes ? axes[k] : k, x.rank);
    const dim = x.shape[axis];
    const step = steps ? steps[k] : 1;
    const r = sliceRange(node, dim, s0, ends[k], step);
    const idx = Array.from({ length: r.count }, (_, i) => r.start + i * step);
    if (idx.length === 0) fail(node, `slice [${s0}:${ends[k]}:${step}] of axis ${axis} is empty`, 'a non-empty slice');
    y = pick(y, axis, idx);
  });
  return [y];
};

const gather: Lowering = (inputs, node) => {
  const data = asTf(need(node, inputs, 0, 'data'));
  const indices = need(node, inputs, 1, 'indices');
  const axis = axisOf(node, attrInt(node, 'axis', 0), data.rank);
  const dim = data.shape[axis];
  const idxDims = shapeOf(indices);
  const idx = hostInts(node, indices, 'indices').map((i) => (i < 0 ? i + dim : i));
  if (idx.some((i) => i < 0 || i >= dim)) fail(node, `indices out of range for axis ${axis} of size ${dim}`, `indices in [${-dim}, ${dim - 1}]`);
  const out = [...data.shape.slice(0, axis), ...idxDims, ...data.shape.slice(axis + 1)];
  return [pick(data, axis, idx).reshape(out)];
};

/** Shape's output is a host int64 tensor: tfjs shapes are known at trace time. */
const shape: Lowering = (inputs, node) => {
  const dims = shapeOf(need(node, inputs, 0, 'data'));
  const r = dims.length;
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clampAxis(attrInt(node, 'start', 0));
  const end = clampAxis(attrInt(node, 'end', r));
  const out = dims.slice(start, Math.max(start, end));
  return [i64([out.length], out)];
};

function fillValue(node: Node): Tensor {
  return attrTensor(node, 'value') ?? f32([1], [0]);
}

const constantOfShape: Lowering = (inputs, node) => {
  const dims = hostInts(node, need(node, inputs, 0, 'input'), 'input');
  const v = fillValue(node);
  const x = toNumbers(v)[0];
  if (v.dtype === 'float32' || v.dtype === 'float64' || v.dtype === 'float16') return [tf.fill(dims, x, 'float32')];
  return [tensor(v.dtype, dims, new Array<number>(sizeOf(dims)).fill(x))];
};

const constant: Lowering = (_inputs, node) => {
  const t = attrTensor(node, 'value');
  if (t) return [t.dtype === 'float32' || t.dtype === 'float64' ? asTf(t) : t];
  const f = attrFloat(node, 'value_float');
  if (f !== undefined) return [tf.scalar(f)];
  const fs = attrFloats(node, 'value_floats');
  if (fs) return [tf.tensor1d(fs)];
  const n = attrInt(node, 'value_int');
  if (n !== undefined) return [i64([], [n])];
  const ns = attrInts(node, 'value_ints');
  if (ns) return [i64([ns.length], ns)];
  fail(node, 'no supported value attribute', 'value, value_float(s) or value_int(s)');
};

// Host-only uses of these ops (every input a host tensor) never reach this table:
// lower.ts runs them with the reference kernels.
export const shapeLowerings: Record<string, Lowering> = {
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Slice: slice,
  Gather: gather,
  Shape: shape,
  ConstantOfShape: constantOfShape,
  Constant: constant,
};
