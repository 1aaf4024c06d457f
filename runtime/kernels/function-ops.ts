// Reference kernels for the standard ops the bodies of Rampart's CSR functions use to
// rebuild a dense weight (targets/onnx-csr/densify.ts, densify-blocks.ts) that the
// reference table (runtime/ops/) lacks: ScatterElements and ScatterND (with reduction)
// and CumSum. With them the reference backend expands a CsrMatMul & co. the way
// onnxruntime does, which makes it the oracle for the native CSR kernels. They run on
// every call there (the bodies are not cached); the js and wasm backends run the calls
// natively (csr-ops.ts) and never reach them for a CSR op. Dense and simple.
import type { Tensor } from '../ir.ts';
import { attrInt, attrString, fail } from '../ops/attrs.ts';
import type { Kernel, KernelTable } from '../ops/types.ts';
import { allocData, sizeOf, stridesOf, toNumbers } from '../tensor.ts';

type Num = Exclude<Tensor['data'], string[]>;

function reducer(node: Parameters<Kernel>[1], name: string): (a: number, b: number) => number {
  switch (name) {
    case 'none': return (_a, b) => b;
    case 'add': return (a, b) => a + b;
    case 'mul': return (a, b) => a * b;
    case 'max': return (a, b) => Math.max(a, b);
    case 'min': return (a, b) => Math.min(a, b);
  }
  fail(node, `reduction '${name}'`, 'none, add, mul, max or min');
}

function copy(t: Tensor): Tensor {
  return { dtype: t.dtype, dims: t.dims.slice(), data: (t.data as Num).slice() };
}

const scatterElements: Kernel = ([data, indices, updates], node) => {
  if (!data || !indices || !updates) fail(node, 'missing an input', 'data, indices, updates');
  const r = data.dims.length;
  let axis = attrInt(node, 'axis', 0);
  if (axis < 0) axis += r;
  const red = reducer(node, attrString(node, 'reduction', 'none'));
  const out = copy(data);
  const od = out.data as Num, ud = updates.data as Num, idx = toNumbers(indices);
  const ds = stridesOf(data.dims), us = stridesOf(indices.dims);
  for (let i = 0; i < idx.length; i++) {
    let off = 0, rem = i;
    for (let k = 0; k < r; k++) {
      const c = Math.floor(rem / us[k]);
      rem -= c * us[k];
      let j = c;
      if (k === axis) {
        j = idx[i] < 0 ? idx[i] + data.dims[axis] : idx[i];
        if (j < 0 || j >= data.dims[axis]) fail(node, `index ${idx[i]} out of range on axis ${axis}`, `-${data.dims[axis]}..${data.dims[axis] - 1}`);
      }
      off += j * ds[k];
    }
    od[off] = red(od[off], ud[i]);
  }
  return [out];
};

const scatterND: Kernel = ([data, indices, updates], node) => {
  if (!data || !indices || !updates) fail(node, 'missing an input', 'data, indices, updates');
  const q = indices.dims[indices.dims.length - 1];
  const red = reducer(node, attrString(node, 'reduction', 'none'));
  const out = copy(data);
  const od = out.data as Num, ud = updates.data as Num, idx = toNumbers(indices);
  const ds = stridesOf(data.dims);
  const slice = sizeOf(data.dims.slice(q));
  const n = idx.length / Math.max(q, 1);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < q; k++) {
      let j = idx[i * q + k];
      if (j < 0) j += data.dims[k];
      if (j < 0 || j >= data.dims[k]) fail(node, `index ${idx[i * q + k]} out of range on axis ${k}`, `< ${data.dims[k]}`);
      off += j * ds[k];
    }
    for (let e = 0; e < slice; e++) od[off + e] = red(od[off + e], ud[i * slice + e]);
  }
  return [out];
};

const cumSum: Kernel = ([x, axisT], node) => {
  if (!x || !axisT) fail(node, 'missing an input', 'x and axis');
  const r = x.dims.length;
  let axis = toNumbers(axisT)[0];
  if (axis < 0) axis += r;
  const exclusive = attrInt(node, 'exclusive', 0) !== 0, reverse = attrInt(node, 'reverse', 0) !== 0;
  const xd = x.data as Num, out = allocData(x.dtype, xd.length) as Num;
  const st = stridesOf(x.dims)[axis], len = x.dims[axis];
  const outer = sizeOf(x.dims.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let inner = 0; inner < st; inner++) {
      let acc = 0;
      for (let s = 0; s < len; s++) {
        const i = reverse ? len - 1 - s : s;
        const off = o * len * st + i * st + inner;
        if (exclusive) { out[off] = acc; acc += xd[off]; } else { acc += xd[off]; out[off] = acc; }
      }
    }
  }
  return [{ dtype: x.dtype, dims: x.dims.slice(), data: out }];
};

export const functionOpKernels: KernelTable = {
  ScatterElements: scatterElements,
  ScatterND: scatterND,
  CumSum: cumSum,
};
