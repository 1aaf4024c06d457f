// Ops that only move data: views (Identity, Dropout, Cast float->float, Flatten, Reshape,
// Squeeze, Unsqueeze) cost nothing; Transpose, Slice and single-index Gather are one
// strided copy, which is itself a view when the selected elements are contiguous
// (batch-1 Transposes that move only size-1 axes; the last time step of an LSTM's Y);
// multi-index Gather and Concat copy blocks; Pad fills and scatters (or is a view).
import { sizeOf, stridesOf } from '../../../runtime/tensor.ts';
import { attrFloat, attrInt, attrInts, attrString } from '../../../runtime/ops/attrs.ts';
import { intList, normAxis } from '../../../runtime/ops/shared.ts';
import { sliceRange } from '../../../runtime/ops/slice.ts';
import { padsPerAxis } from '../../../runtime/ops/pad.ts';
import { cFloat } from '../module.ts';
import type { Ref } from '../program.ts';
import type { LowerCtx, Lowerer } from './context.ts';

const view: Lowerer = (c) => {
  if (c.node.op === 'Dropout' && c.wanted(1)) c.fail('the mask output of Dropout is used', 'inference (mask unused)');
  if (c.node.op === 'Cast' && attrInt(c.node, 'to', 1) !== 1) c.fail(`Cast to ONNX type ${attrInt(c.node, 'to', 1)}`, 'Cast to float (1): the C code computes in float only');
  c.alias(0, c.x(0));
};

/** Drops size-1 axes and merges adjacent ones that step contiguously over each other. */
export function mergeAxes(dims: number[], strides: number[]): { d: number[]; s: number[] } {
  const d: number[] = [];
  const s: number[] = [];
  dims.forEach((n, i) => {
    if (n === 1) return;
    const k = d.length - 1;
    if (k >= 0 && s[k] === strides[i] * n) {
      d[k] *= n;
      s[k] = strides[i];
    } else {
      d.push(n);
      s.push(strides[i]);
    }
  });
  return { d, s };
}

/** True when a strided selection is one contiguous run (so it is emitted as a view). */
export function isContiguous(dims: number[], strides: number[]): boolean {
  const { d, s } = mergeAxes(dims, strides);
  return d.length === 0 || (d.length === 1 && s[0] === 1);
}

/**
 * Output (row-major over `dims`) = src at base + Σ coord[d] * strides[d]. Size-1 axes are
 * dropped and adjacent axes merged; a single unit-stride run is a view.
 */
export function stridedCopy(c: LowerCtx, src: Ref, dims: number[], strides: number[], base: number, what: string): void {
  const { d, s } = mergeAxes(dims, strides);
  const size = sizeOf(dims);
  if (isContiguous(dims, strides)) {
    c.alias(0, { buf: src.buf, offset: src.offset + base, size });
    return;
  }
  if (d.length > 8) c.fail(`a ${what} of rank ${d.length} after merging axes`, 'at most 8 non-trivial axes');
  const y = c.out(0);
  const ds = c.mod.array(`${c.node.name}_dims`, 'int', d, 'other');
  const ss = c.mod.array(`${c.node.name}_strides`, 'int', s, 'other');
  c.mod.use('rp_strided_copy');
  const at = { buf: src.buf, offset: src.offset + base, size: src.size - base };
  c.prog.step(c.describe(what), (p) => [`rp_strided_copy(${p(at)}, ${p(y)}, ${d.length}, ${ds}, ${ss});`]);
}

const transpose: Lowerer = (c) => {
  const xd = c.dims(0);
  const perm = attrInts(c.node, 'perm') ?? xd.map((_, i) => xd.length - 1 - i);
  const st = stridesOf(xd);
  stridedCopy(c, c.x(0), perm.map((p) => xd[p]), perm.map((p) => st[p]), 0, `perm [${perm.join(',')}]`);
};

const slice: Lowerer = (c) => {
  if (c.prep.opset < 10) c.fail('Slice before opset 10', 'opset >= 10 (starts/ends as inputs)');
  const xd = c.dims(0);
  const num = (i: number, what: string) => intList(c.node, c.needConst(i, what), what);
  const starts = num(1, 'starts');
  const ends = num(2, 'ends');
  const axes = c.has(3) ? num(3, 'axes') : starts.map((_, i) => i);
  const steps = c.has(4) ? num(4, 'steps') : starts.map(() => 1);
  const st = stridesOf(xd);
  const dims = xd.slice();
  const strides = st.slice();
  let base = 0;
  axes.forEach((a0, i) => {
    const a = normAxis(c.node, a0, xd.length, 'axes entry');
    const r = sliceRange(c.node, xd[a], starts[i], ends[i], steps[i]);
    dims[a] = r.count;
    strides[a] = st[a] * steps[i];
    base += r.start * st[a];
  });
  stridedCopy(c, c.x(0), dims, strides, base, 'slice');
};

const gather: Lowerer = (c) => {
  const xd = c.dims(0);
  const axis = normAxis(c.node, attrInt(c.node, 'axis', 0), xd.length);
  const ind = c.needConst(1, 'indices');
  const n = xd[axis];
  const idx = intList(c.node, ind, 'indices').map((i) => (i < 0 ? i + n : i));
  if (idx.some((i) => i < 0 || i >= n)) c.fail(`indices [${idx.join(',')}] out of range for axis ${axis} of size ${n}`);
  const st = stridesOf(xd);
  if (idx.length === 1) {
    const dims = [...xd.slice(0, axis), ...ind.dims, ...xd.slice(axis + 1)];
    const strides = [...st.slice(0, axis), ...ind.dims.map(() => 0), ...st.slice(axis + 1)];
    stridedCopy(c, c.x(0), dims, strides, idx[0] * st[axis], `index ${idx[0]} of axis ${axis}`);
    return;
  }
  const x = c.x(0);
  const y = c.out(0);
  const outer = sizeOf(xd.slice(0, axis));
  const inner = sizeOf(xd.slice(axis + 1));
  const sym = c.mod.array(`${c.node.name}_idx`, 'int32_t', idx, 'other');
  c.mod.use('rp_gather');
  c.prog.step(c.describe(), (p) => [`rp_gather(${p(x)}, ${p(y)}, ${outer}, ${n}, ${inner}, ${sym}, ${idx.length});`]);
};

/**
 * Pad, constant mode with pads >= 0: the output filled with the value, the input
 * scattered into its interior. All-zero pads (PyTorch's AvgPool2d export) are a view.
 */
const pad: Lowerer = (c) => {
  const mode = attrString(c.node, 'mode', 'constant');
  if (mode !== 'constant') c.fail(`mode '${mode}'`, "mode 'constant' (the C target pads with a constant only)");
  const xd = c.dims(0);
  const { begin, end } = padsPerAxis(c.node, c.prep.opset, xd.length, (i, what) => (c.has(i) ? intList(c.node, c.needConst(i, what), what) : undefined));
  if (begin.some((b) => b < 0) || end.some((e) => e < 0)) c.fail(`negative pads [${begin}] / [${end}] (cropping)`, 'pads >= 0');
  const x = c.x(0);
  if (begin.every((b) => b === 0) && end.every((e) => e === 0)) {
    c.alias(0, x);
    return;
  }
  const od = c.outDims(0);
  const ost = stridesOf(od);
  const value = c.prep.opset >= 11 && c.has(2) ? Number(c.needConst(2, 'constant_value').data[0]) : attrFloat(c.node, 'value', 0);
  const { d, s } = mergeAxes(xd, ost);
  if (d.length > 8) c.fail(`a pad of rank ${d.length} after merging axes`, 'at most 8 non-trivial axes');
  const base = begin.reduce((a, b, i) => a + b * ost[i], 0);
  const ds = c.mod.array(`${c.node.name}_dims`, 'int', d, 'other');
  const ss = c.mod.array(`${c.node.name}_strides`, 'int', s, 'other');
  const y = c.out(0);
  c.mod.use('rp_pad');
  c.prog.step(c.describe(`pads [${begin}] / [${end}]`), (p) => [`rp_pad(${p(x)}, ${p(y)}, ${sizeOf(od)}, ${cFloat(value)}, ${base}, ${d.length}, ${ds}, ${ss});`]);
};

const concat: Lowerer = (c) => {
  const od = c.outDims(0);
  const axis = normAxis(c.node, attrInt(c.node, 'axis', 0), od.length);
  const outer = sizeOf(od.slice(0, axis));
  const inner = sizeOf(od.slice(axis + 1));
  const total = od[axis] * inner;
  const parts = c.node.inputs.map((name, i) => ({ ref: c.x(i), len: c.dims(name)[axis] * inner }));
  const y = c.out(0);
  c.mod.use('rp_concat_part');
  c.prog.step(c.describe(), (p) => {
    let at = 0;
    return parts.map((q) => {
      const line = `rp_concat_part(${p(q.ref)}, ${p({ ...y, offset: y.offset + at })}, ${outer}, ${q.len}, ${total});`;
      at += q.len;
      return line;
    });
  });
};

export const layoutLowerers: Record<string, Lowerer> = {
  Identity: view, Dropout: view, Cast: view, Flatten: view, Reshape: view, Squeeze: view, Unsqueeze: view,
  Transpose: transpose, Slice: slice, Gather: gather, Pad: pad, Concat: concat,
};
