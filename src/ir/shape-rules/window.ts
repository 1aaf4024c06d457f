// Conv, pools and BatchNormalization over [N, C, spatial...] tensors.
import type { Dim } from '../../../runtime/ir.ts';
import { attrInt, attrInts, attrString, sameDim, show } from './dims.ts';
import type { InferCtx, ShapeRule } from './types.ts';

/** Output spatial sizes of a sliding window (Conv, MaxPool, AveragePool). */
function windowDims(c: InferCtx, spatial: Dim[], kernel: number[], ceilMode: boolean): Dim[] {
  const r = spatial.length;
  const strides = attrInts(c, 'strides') ?? new Array<number>(r).fill(1);
  const dil = attrInts(c, 'dilations') ?? new Array<number>(r).fill(1);
  const pads = attrInts(c, 'pads') ?? new Array<number>(2 * r).fill(0);
  const autoPad = attrString(c, 'auto_pad', 'NOTSET');
  if (kernel.length !== r) c.fail(`kernel is ${kernel.length}-D but the input has ${r} spatial axes`, `a ${r}-D kernel`);
  return spatial.map((d, i) => {
    if (typeof d !== 'number') return null;
    const s = strides[i] ?? 1;
    const dk = ((dil[i] ?? 1) * (kernel[i] - 1)) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(d / s);
    const [pb, pe] = autoPad === 'VALID' ? [0, 0] : [pads[i] ?? 0, pads[i + r] ?? 0];
    const span = d + pb + pe - dk;
    if (span < 0) c.fail(`window of ${dk} does not fit spatial axis ${i} of size ${d} (+${pb + pe} padding)`, 'a kernel no larger than the padded input');
    if (!ceilMode) return Math.floor(span / s) + 1;
    let out = Math.ceil(span / s) + 1;
    if ((out - 1) * s >= d + pb) out--; // the last window must start inside the input or the head padding
    return out;
  });
}

export const Conv: ShapeRule = (c) => {
  const x = c.input(0);
  const w = c.input(1);
  if (!x) return [];
  if (!x.shape || !w?.shape) return [{ dtype: x.dtype, shape: x.shape ? x.shape.map((d, i) => (i === 0 ? d : null)) : null }];
  if (x.shape.length < 3) c.fail(`X is ${show(x.shape)}`, 'X of shape [N, C, spatial...]');
  if (w.shape.length !== x.shape.length) c.fail(`W is ${show(w.shape)} for X ${show(x.shape)}`, `a ${x.shape.length}-D weight [M, C/group, k...]`);
  const group = attrInt(c, 'group', 1);
  const cin = x.shape[1], wc = w.shape[1];
  if (typeof wc === 'number' && sameDim(cin, wc * group) === false) {
    c.fail(`X has ${cin} channels but W ${show(w.shape)} with group=${group} takes ${wc * group}`,
      `X of shape [N, ${wc * group}, ...] (or W of shape [M, ${typeof cin === 'number' ? cin / group : 'C/group'}, ...])`);
  }
  const m = w.shape[0];
  const bias = c.input(2);
  if (bias?.shape && (bias.shape.length !== 1 || sameDim(bias.shape[0], m) === false)) {
    c.fail(`bias is ${show(bias.shape)}`, `a bias of shape [${m}]`);
  }
  const kernel = attrInts(c, 'kernel_shape') ?? w.shape.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
  if (kernel.some((k) => Number.isNaN(k))) return [{ dtype: x.dtype, shape: [x.shape[0], m, ...x.shape.slice(2).map(() => null)] }];
  return [{ dtype: x.dtype, shape: [x.shape[0], m, ...windowDims(c, x.shape.slice(2), kernel, false)] }];
};

const pool: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  const kernel = attrInts(c, 'kernel_shape');
  let shape: Dim[] | null = null;
  if (x.shape && kernel) {
    if (x.shape.length < 3) c.fail(`X is ${show(x.shape)}`, 'X of shape [N, C, spatial...]');
    shape = [x.shape[0], x.shape[1], ...windowDims(c, x.shape.slice(2), kernel, attrInt(c, 'ceil_mode', 0) === 1)];
  } else if (x.shape) shape = x.shape.map((d, i) => (i < 2 ? d : null));
  // MaxPool's optional second output holds int64 indices of the same shape.
  return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }];
};

export const MaxPool = pool;
export const AveragePool = pool;

export const GlobalAveragePool: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  return [{ dtype: x.dtype, shape: x.shape && x.shape.map((d, i) => (i < 2 ? d : 1)) }];
};

export const BatchNormalization: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  const ch = x.shape && x.shape.length >= 2 ? x.shape[1] : null;
  ['scale', 'B', 'input_mean', 'input_var'].forEach((what, k) => {
    const p = c.input(k + 1);
    if (p?.shape && (p.shape.length !== 1 || sameDim(p.shape[0], ch) === false)) {
      c.fail(`${what} is ${show(p.shape)} for X ${show(x.shape)}`, `${what} of shape [${ch}]`);
    }
  });
  const stat = { dtype: x.dtype, shape: [ch] };
  return [{ dtype: x.dtype, shape: x.shape }, stat, stat, stat, stat];
};
