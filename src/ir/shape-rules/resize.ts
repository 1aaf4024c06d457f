// Resize: output sizes from constant scales (floats) or sizes, by the kernel's own rule
// (runtime/ops/resize.ts resizeGeometry). A symbolic axis keeps its symbol where its
// scale is 1 (N and C of an image upsample) and gets a size's value where one is given.
import type { Dim } from '../../../runtime/ir.ts';
import { resizeAxes, resizeGeometry, scalesInput } from '../../../runtime/ops/resize.ts';
import { attrString } from './dims.ts';
import type { InferCtx, ShapeRule } from './types.ts';

/** An optional input's known values: 'absent' when it is not given or empty, undefined when not known. */
function optional(c: InferCtx, i: number): 'absent' | Dim[] | undefined {
  if (!c.node.inputs[i]) return 'absent';
  const k = c.input(i);
  if (!k) return undefined;
  if (k.shape && k.shape.length === 1 && k.shape[0] === 0) return 'absent';
  return k.floats ?? k.value;
}

/** Numbers only (a symbol stands in as 1, for the geometry's checks). */
const numeric = (v: Dim[]) => v.map((d) => (typeof d === 'number' ? d : 1));

export const Resize: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  if (!x.shape) return [{ dtype: x.dtype, shape: null }];
  const dims = x.shape;
  const unknown = [{ dtype: x.dtype, shape: dims.map(() => null) }];
  const scales = optional(c, scalesInput(c.opset));
  const sizes = c.opset >= 11 ? optional(c, 3) : 'absent';
  const crop = c.opset >= 11 && attrString(c, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize';
  const roi = crop ? optional(c, 1) : 'absent';
  if (scales === undefined || sizes === undefined || roi === undefined) return unknown;
  // Scales and roi are constants; sizes may carry the batch symbol (Shape -> Slice -> Concat).
  if ((scales !== 'absent' && scales.some((d) => typeof d !== 'number')) || (roi !== 'absent' && roi.some((d) => typeof d !== 'number'))) return unknown;
  const policy = c.opset >= 18 ? attrString(c, 'keep_aspect_ratio_policy', 'stretch') : 'stretch';
  const axes = resizeAxes(c.node, dims.length, c.opset);
  const g = resizeGeometry(numeric(dims), {
    axes, policy,
    scales: scales === 'absent' ? undefined : numeric(scales),
    sizes: sizes === 'absent' ? undefined : numeric(sizes),
    roi: roi === 'absent' ? undefined : numeric(roi),
  }, (msg, expected) => c.fail(msg, expected));
  // With a kept aspect ratio every named axis depends on every named input dim.
  const allNumeric = axes.every((a) => typeof dims[a] === 'number');
  const given = sizes === 'absent' ? [] : sizes;
  const shape: Dim[] = dims.map((d, a) => {
    const k = axes.indexOf(a);
    if (k < 0) return d;
    if (scales !== 'absent') {
      if (typeof d === 'number') return g.out[a];
      return g.scale[a] === 1 && g.roi[a][0] === 0 && g.roi[a][1] === 1 ? d : null;
    }
    if (policy === 'stretch') return given[k];
    return allNumeric && given.every((s) => typeof s === 'number') ? g.out[a] : null;
  });
  return [{ dtype: x.dtype, shape }];
};
