// Resize: nearest, linear (n-linear) and cubic interpolation over any axes. PyTorch
// exports F.interpolate / nn.Upsample as Resize.
//   opset 10: Resize(X, scales); mode nearest|linear; coordinates 'asymmetric'; nearest
//             rounds down when upsampling and up when downsampling (onnxruntime's rule
//             for opset 10, which the spec leaves open).
//   opset 11, 13: Resize(X, roi, scales, sizes) with coordinate_transformation_mode,
//             nearest_mode, cubic_coeff_a, exclude_outside, extrapolation_value.
//   opset 18: `axes` (scales/sizes/roi name only those axes), keep_aspect_ratio_policy,
//             antialias; 19: half_pixel_symmetric.
// Interpolation is separable, so the kernel resizes one axis at a time (float64
// intermediates); each axis gets, per output index, its source taps and weights
// (resize-axis.ts). That is the ONNX reference's recursion, axis by axis.
// Not supported: antialias=1 when some axis shrinks (refused; it changes nothing otherwise).
import type { Node, Tensor } from '../ir.ts';
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { attrFloat, attrInt, attrInts, attrString, fail } from './attrs.ts';
import type { KernelContext, KernelTable } from './types.ts';
import { intList, need, normAxis, nums } from './shared.ts';
import { axisTaps, type AxisTaps, type ResizeRule } from './resize-axis.ts';

const MODES = ['nearest', 'linear', 'cubic'];
const POLICIES = ['stretch', 'not_larger', 'not_smaller'];

/** Per axis of X: the output size, the scale, and the roi [start, end] (tf_crop_and_resize). */
interface Geometry { out: number[]; scale: number[]; length: number[]; roi: [number, number][] }

/** The values of an optional input, or undefined when it is absent or empty ('' or a 0-element tensor). */
function given(inputs: (Tensor | undefined)[], i: number): Tensor | undefined {
  const t = inputs[i];
  return t && t.data.length > 0 ? t : undefined;
}

function geometry(node: Node, inputs: (Tensor | undefined)[], x: Tensor, rule: ResizeRule, ctx: KernelContext): Geometry {
  const r = x.dims.length;
  const axes = ctx.opset >= 18 && attrInts(node, 'axes') ? attrInts(node, 'axes')!.map((a) => normAxis(node, a, r, 'axes entry')) : [...Array(r).keys()];
  if (new Set(axes).size !== axes.length) fail(node, `axes [${attrInts(node, 'axes')}] repeat an axis`, 'distinct axes');
  const roi: [number, number][] = x.dims.map(() => [0, 1]);
  const roiT = ctx.opset >= 11 ? given(inputs, 1) : undefined;
  if (roiT && rule.coord === 'tf_crop_and_resize') {
    const v = nums(node, roiT, 'roi');
    if (v.length !== 2 * axes.length) fail(node, `roi has ${v.length} values`, `${2 * axes.length} values (starts, then ends)`);
    axes.forEach((a, k) => { roi[a] = [v[k], v[k + axes.length]]; });
  }
  const scalesT = given(inputs, ctx.opset >= 11 ? 2 : 1);
  const sizesT = ctx.opset >= 11 ? given(inputs, 3) : undefined;
  if (!!scalesT === !!sizesT) fail(node, scalesT ? 'both scales and sizes are given' : 'neither scales nor sizes is given', 'exactly one of scales and sizes');
  const out = x.dims.slice();
  const scale = x.dims.map(() => 1);
  const length = x.dims.slice();
  if (scalesT) {
    const s = nums(node, scalesT, 'scales');
    if (s.length !== axes.length) fail(node, `scales has ${s.length} values for ${axes.length} axes`, `${axes.length} scales`);
    axes.forEach((a, k) => {
      if (!(s[k] > 0)) fail(node, `scale ${s[k]} on axis ${a}`, 'positive scales');
      scale[a] = s[k];
      // The spec's output size; the coordinate maths uses the unrounded length (ONNX's reference does).
      length[a] = x.dims[a] * (roi[a][1] - roi[a][0]) * s[k];
      out[a] = Math.floor(length[a]);
    });
  } else {
    const s = intList(node, sizesT!, 'sizes');
    if (s.length !== axes.length) fail(node, `sizes has ${s.length} values for ${axes.length} axes`, `${axes.length} sizes`);
    if (s.some((d) => !Number.isInteger(d) || d < 0)) fail(node, `sizes [${s.join(',')}]`, 'non-negative sizes');
    const policy = ctx.opset >= 18 ? attrString(node, 'keep_aspect_ratio_policy', 'stretch') : 'stretch';
    if (!POLICIES.includes(policy)) fail(node, `keep_aspect_ratio_policy '${policy}'`, POLICIES.join(', '));
    const ratios = axes.map((a, k) => s[k] / x.dims[a]);
    const keep = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    axes.forEach((a, k) => {
      if (policy === 'stretch') {
        out[a] = s[k];
        scale[a] = ratios[k];
      } else {
        // One scale for every axis named, the output size rounded half up (the spec's round_int).
        out[a] = Math.floor(keep * x.dims[a] + 0.5);
        scale[a] = keep;
      }
      length[a] = out[a];
    });
  }
  axes.forEach((a) => {
    if (x.dims[a] === 0 && out[a] > 0) fail(node, `axis ${a} of X ${shapeString(x.dims)} is empty`, 'a non-empty axis to resize');
  });
  return { out, scale, length, roi };
}

function ruleOf(node: Node, ctx: KernelContext): ResizeRule {
  const mode = attrString(node, 'mode', 'nearest');
  if (!MODES.includes(mode) || (ctx.opset < 11 && mode === 'cubic')) fail(node, `mode '${mode}'`, ctx.opset < 11 ? 'nearest or linear (opset 10)' : MODES.join(', '));
  if (ctx.opset < 11) return { mode, coord: 'asymmetric', nearest: 'opset10', cubicA: -0.75, excludeOutside: false };
  const coord = attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  if (coord === 'half_pixel_symmetric' && ctx.opset < 19) fail(node, `coordinate_transformation_mode '${coord}' at opset ${ctx.opset}`, 'opset >= 19 for half_pixel_symmetric');
  return {
    mode, coord,
    nearest: attrString(node, 'nearest_mode', 'round_prefer_floor'),
    cubicA: attrFloat(node, 'cubic_coeff_a', -0.75),
    excludeOutside: attrInt(node, 'exclude_outside', 0) !== 0,
  };
}

/** One axis of `src` (dims) resized with its taps; outside cells get `fill`. */
function resizeAxis(src: Float64Array, dims: number[], axis: number, taps: AxisTaps, fill: number): Float64Array {
  const n = dims[axis], m = taps.outside.length;
  const outer = sizeOf(dims.slice(0, axis)), inner = sizeOf(dims.slice(axis + 1));
  const dst = new Float64Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const at = (o * m + j) * inner;
      if (taps.outside[j]) { dst.fill(fill, at, at + inner); continue; }
      for (let t = taps.start[j]; t < taps.start[j + 1]; t++) {
        const from = (o * n + taps.index[t]) * inner, w = taps.weight[t];
        for (let k = 0; k < inner; k++) dst[at + k] += w * src[from + k];
      }
    }
  }
  return dst;
}

export const resizeKernels: KernelTable = {
  Resize: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'X');
    const xs = nums(node, x, 'X');
    if (x.dtype === 'bool') fail(node, 'X is a bool tensor', 'a numeric tensor');
    const rule = ruleOf(node, ctx);
    const g = geometry(node, inputs, x, rule, ctx);
    if (ctx.opset >= 18 && attrInt(node, 'antialias', 0) !== 0 && rule.mode !== 'nearest' && g.scale.some((s) => s < 1)) {
      fail(node, 'antialias=1 with a shrinking axis', 'antialias=0 (antialiased downsampling is not supported)');
    }
    const fill = attrFloat(node, 'extrapolation_value', 0);
    let dims = x.dims.slice();
    let cur = Float64Array.from(xs);
    for (let a = 0; a < dims.length; a++) {
      const taps = axisTaps(node, rule, { inLen: x.dims[a], outLen: g.out[a], scale: g.scale[a], length: g.length[a], roi: g.roi[a] });
      if (taps === null) continue; // the identity on this axis
      cur = resizeAxis(cur, dims, a, taps, fill);
      dims = dims.map((d, i) => (i === a ? g.out[a] : d));
    }
    const out = allocData(x.dtype, cur.length) as Float64Array;
    // Integer outputs truncate, as the reference's astype does.
    for (let i = 0; i < cur.length; i++) out[i] = cur[i];
    return [{ dtype: x.dtype, dims, data: out }];
  },
};
