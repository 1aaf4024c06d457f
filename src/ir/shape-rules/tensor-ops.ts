// Shape-manipulating ops. Reshape, Squeeze/Unsqueeze and Concat carry the small
// integer tensors (shapes, axes) along, so Reshape and ConstantOfShape get exact
// output shapes even when the batch size is symbolic (see slice-gather.ts).
import type { Dim } from '../../../runtime/ir.ts';
import { attrInt, attrInts, divide, factorOf, factorToDim, mergeDim, normAxis, numbers, product, sameDim, show, unknownDims } from './dims.ts';
import type { InferCtx, ShapeRule } from './types.ts';

export const Flatten: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  if (!x.shape) return [{ dtype: x.dtype, shape: [null, null], value: c.value(0) }];
  const r = x.shape.length;
  const axis = attrInt(c, 'axis', 1);
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) c.fail(`axis ${axis} is out of range for rank ${r}`, `an axis in [${-r}, ${r}]`);
  return [{ dtype: x.dtype, shape: [product(x.shape.slice(0, a)), product(x.shape.slice(a))], value: c.value(0) }];
};

export const Reshape: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  const target = c.value(1);
  if (!target) {
    const s = c.input(1)?.shape;
    return [{ dtype: x.dtype, shape: s && s.length === 1 && typeof s[0] === 'number' ? unknownDims(s[0]) : null }];
  }
  const allowZero = attrInt(c, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (x.shape ? x.shape[i] ?? null : null) : d));
  const minus = out.flatMap((d, i) => (d === -1 ? [i] : []));
  if (minus.length > 1) c.fail(`shape ${show(target)} has more than one -1`, 'at most one -1 in the new shape');
  const total = x.shape ? factorOf(x.shape) : null;
  if (minus.length === 1) {
    const rest = factorOf(out.filter((_, i) => i !== minus[0]));
    const q = divide(total, rest);
    if (q === undefined) c.fail(`cannot reshape ${show(x.shape)} into ${show(target)}`, 'a shape with the same number of elements');
    out[minus[0]] = factorToDim(q ?? null);
  } else if (total && total.syms.length === 0) {
    const want = factorOf(out);
    if (want && want.syms.length === 0 && want.k !== total.k) {
      c.fail(`cannot reshape ${show(x.shape)} (${total.k} elements) into ${show(target)} (${want.k})`, 'a shape with the same number of elements');
    }
  }
  return [{ dtype: x.dtype, shape: out, value: c.value(0) }];
};

export const Transpose: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  if (!x.shape) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  const perm = attrInts(c, 'perm') ?? x.shape.map((_, i) => r - 1 - i);
  if (perm.length !== r) c.fail(`perm [${perm.join(',')}] for an input of rank ${r}`, `a permutation of ${r} axes`);
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![normAxis(c, p, r, 'perm entry')]) }];
};

/** Squeeze/Unsqueeze axes: an attribute before opset 13, an input from 13 on. */
function axesOf(c: InferCtx): number[] | undefined | 'unknown' {
  if (c.opset < 13) return attrInts(c, 'axes');
  if (!c.node.inputs[1]) return undefined;
  return numbers(c, 1) ?? 'unknown';
}

export const Squeeze: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  const axes = axesOf(c);
  if (!x.shape || axes === 'unknown') return [{ dtype: x.dtype, shape: null, value: c.value(0) }];
  const r = x.shape.length;
  let drop: number[];
  if (axes === undefined) {
    if (x.shape.some((d) => typeof d !== 'number')) return [{ dtype: x.dtype, shape: null, value: c.value(0) }];
    drop = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  } else drop = axes.map((a) => normAxis(c, a, r, 'axes entry'));
  for (const a of drop) {
    if (sameDim(x.shape[a], 1) === false) c.fail(`cannot squeeze axis ${a} of ${show(x.shape)}`, 'squeezed axes of size 1');
  }
  const dropped = new Set(drop);
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !dropped.has(i)), value: c.value(0) }];
};

export const Unsqueeze: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  const axes = axesOf(c);
  if (!x.shape || axes === undefined || axes === 'unknown') {
    // Axes only known at run time: their count still fixes the output rank.
    const k = c.input(1)?.shape;
    const rank = x.shape && axes === 'unknown' && k?.length === 1 && typeof k[0] === 'number' ? x.shape.length + k[0] : -1;
    return [{ dtype: x.dtype, shape: rank < 0 ? null : unknownDims(rank), value: c.value(0) }];
  }
  const rOut = x.shape.length + axes.length;
  const norm = new Set(axes.map((a) => normAxis(c, a, rOut, 'axes entry'))); // a set: a file may list 100,000 axes
  const out: Dim[] = [];
  for (let i = 0, j = 0; i < rOut; i++) out.push(norm.has(i) ? 1 : x.shape[j++]);
  return [{ dtype: x.dtype, shape: out, value: c.value(0) }];
};

export const Concat: ShapeRule = (c) => {
  const ins = c.node.inputs.map((_, i) => c.input(i));
  const first = ins.find((k) => k !== undefined);
  if (!first) return [];
  const shapes = ins.map((k) => k?.shape ?? null);
  const known = shapes.find((s) => s !== null);
  const values = ins.map((_, i) => c.value(i));
  const value = values.every((v) => v !== undefined) ? (values as Dim[][]).flat() : undefined;
  if (!known) return [{ dtype: first.dtype, shape: null, value }];
  const r = known.length;
  const axis = normAxis(c, attrInt(c, 'axis', 0), r);
  const out = known.slice();
  const sum: Dim[] = [];
  for (const s of shapes) {
    if (!s) { sum.push(null); continue; }
    if (s.length !== r) c.fail(`inputs have ranks ${shapes.map((q) => q?.length ?? '?').join(', ')}`, 'inputs of equal rank');
    s.forEach((d, i) => {
      if (i === axis) return;
      if (sameDim(out[i], d) === false) c.fail(`inputs ${shapes.map(show).join(', ')} differ on axis ${i}`, `equal sizes except on axis ${axis}`);
      out[i] = mergeDim(out[i], d);
    });
    sum.push(s[axis]);
  }
  out[axis] = sum.includes(null) ? null : sum.every((d) => typeof d === 'number') ? (sum as number[]).reduce((p, q) => p + q, 0) : sum.length === 1 ? sum[0] : null;
  return [{ dtype: first.dtype, shape: out, value }];
};

/** Pad: each axis grows by its begin + end pads (pads from the attribute before opset 11, then an input). */
export const Pad: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  if (!x.shape) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  const pads = c.opset < 11 ? attrInts(c, 'pads') : numbers(c, 1);
  const axes = c.opset >= 18 && c.node.inputs[3] ? numbers(c, 3) : x.shape.map((_, i) => i);
  if (!pads || !axes) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  if (pads.length !== 2 * axes.length) c.fail(`pads has ${pads.length} values for ${axes.length} padded axes of ${show(x.shape)}`, `${2 * axes.length} pads`);
  const out = x.shape.slice();
  axes.forEach((a0, i) => {
    const a = normAxis(c, a0, r, 'axes entry');
    const grow = pads[i] + pads[i + axes.length];
    const d = out[a];
    out[a] = grow === 0 ? d : typeof d === 'number' ? d + grow : null;
  });
  return [{ dtype: x.dtype, shape: out }];
};
