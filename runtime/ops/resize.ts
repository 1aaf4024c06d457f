// Resize: nearest, linear (n-linear) and cubic interpolation over any axes. PyTorch
// exports F.interpolate / nn.Upsample as Resize.
//   opset 10: Resize(X, scales); mode nearest|linear; coordinates 'asymmetric'; nearest
//             rounds down when upsampling and up when downsampling (onnxruntime's rule
//             for opset 10, which the spec leaves open).
//   opset 11, 13: Resize(X, roi, scales, sizes) with coordinate_transformation_mode,
//             nearest_mode, cubic_coeff_a, exclude_outside, extrapolation_value
//             (tf_half_pixel_for_nn, dropped from the spec at 13, is still read).
//   opset 18: `axes` (scales/sizes/roi name only those axes), keep_aspect_ratio_policy,
//             antialias; 19: half_pixel_symmetric.
// Interpolation is separable, so the kernel resizes one axis at a time (float64
// intermediates); each axis gets, per output index, its source taps and weights
// (resize-axis.ts). That is the ONNX reference's recursion, axis by axis.
// Not supported: antialias=1 when some axis shrinks (refused; it changes nothing otherwise).
import type { Node, Tensor } from '../ir.ts';
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { checkAllocation } from '../limits.ts';
import { attrFloat, attrInt, attrInts, attrString, fail } from './attrs.ts';
import type { KernelContext, KernelTable } from './types.ts';
import { intList, need, normAxis, nums } from './shared.ts';
import { ASPECT_POLICIES as POLICIES, axisTaps, type AxisTaps, RESIZE_MODES as MODES, type ResizeRule } from './resize-axis.ts';

/** Per axis of X: the output size, the scale, the unrounded output length, and the roi [start, end]. */
export interface Geometry { out: number[]; scale: number[]; length: number[]; roi: [number, number][] }

/** What the node asks for, per named axis: scales or sizes (exactly one), the aspect policy, the roi. */
export interface ResizeRequest { axes: number[]; scales?: ArrayLike<number>; sizes?: number[]; policy: string; roi?: ArrayLike<number> }

/**
 * The spec's output sizes and scales for input dims `inDims` (shared with shape
 * inference, src/ir/shape-rules/resize.ts). `fail` reports a bad request.
 */
export function resizeGeometry(inDims: readonly number[], req: ResizeRequest, fail: (msg: string, expected: string) => never): Geometry {
  const { axes, scales, sizes, policy } = req;
  const roi: [number, number][] = inDims.map(() => [0, 1]);
  if (req.roi) {
    if (req.roi.length !== 2 * axes.length) fail(`roi has ${req.roi.length} values`, `${2 * axes.length} values (starts, then ends)`);
    axes.forEach((a, k) => { roi[a] = [req.roi![k], req.roi![k + axes.length]]; });
  }
  if (!!scales === !!sizes) fail(scales ? 'both scales and sizes are given' : 'neither scales nor sizes is given', 'exactly one of scales and sizes');
  const out = inDims.slice();
  const scale = inDims.map(() => 1);
  const length = inDims.slice();
  if (scales) {
    if (scales.length !== axes.length) fail(`scales has ${scales.length} values for ${axes.length} axes`, `${axes.length} scales`);
    axes.forEach((a, k) => {
      if (!(scales[k] > 0)) fail(`scale ${scales[k]} on axis ${a}`, 'positive scales');
      scale[a] = scales[k];
      // The coordinate maths uses the unrounded length (ONNX's reference does). The output
      // size is floored from the float32 product, as onnxruntime computes it: PyTorch's
      // scale_factor 2.6 on 5 gives 13 there (5 × float32(2.6) is 12.9999995 in float64).
      length[a] = inDims[a] * (roi[a][1] - roi[a][0]) * scales[k];
      out[a] = Math.floor(Math.fround(length[a]));
    });
  } else {
    const s = sizes!;
    if (s.length !== axes.length) fail(`sizes has ${s.length} values for ${axes.length} axes`, `${axes.length} sizes`);
    if (s.some((d) => !Number.isInteger(d) || d < 0)) fail(`sizes [${s.join(',')}]`, 'non-negative sizes');
    if (!POLICIES.includes(policy)) fail(`keep_aspect_ratio_policy '${policy}'`, POLICIES.join(', '));
    const ratios = axes.map((a, k) => s[k] / inDims[a]);
    const keep = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    axes.forEach((a, k) => {
      if (policy === 'stretch') {
        out[a] = s[k];
        scale[a] = ratios[k];
      } else {
        // One scale for every axis named, the output size rounded half up (the spec's round_int).
        out[a] = Math.floor(keep * inDims[a] + 0.5);
        scale[a] = keep;
      }
      length[a] = out[a];
    });
  }
  return { out, scale, length, roi };
}

/** The optional input i, or undefined when it is absent or empty ('' or a 0-element tensor). */
function given(inputs: (Tensor | undefined)[], i: number): Tensor | undefined {
  const t = inputs[i];
  return t && t.data.length > 0 ? t : undefined;
}

/** Which input holds the scales: 1 at opset 10 (Resize(X, scales)), 2 from opset 11 (after roi). */
export const scalesInput = (opset: number) => (opset < 11 ? 1 : 2);

/** The `axes` attribute (opset 18), normalised, or every axis. */
export function resizeAxes(node: Node, rank: number, opset: number): number[] {
  const raw = opset >= 18 ? attrInts(node, 'axes') : undefined;
  if (!raw) return [...Array(rank).keys()];
  const axes = raw.map((a) => normAxis(node, a, rank, 'axes entry'));
  if (new Set(axes).size !== axes.length) fail(node, `axes [${raw.join(',')}] repeat an axis`, 'distinct axes');
  return axes;
}

function geometry(node: Node, inputs: (Tensor | undefined)[], x: Tensor, rule: ResizeRule, ctx: KernelContext): Geometry {
  const scalesT = given(inputs, scalesInput(ctx.opset));
  const sizesT = ctx.opset >= 11 ? given(inputs, 3) : undefined;
  const roiT = ctx.opset >= 11 && rule.coord === 'tf_crop_and_resize' ? given(inputs, 1) : undefined;
  const g = resizeGeometry(x.dims, {
    axes: resizeAxes(node, x.dims.length, ctx.opset),
    scales: scalesT && nums(node, scalesT, 'scales'),
    sizes: sizesT && intList(node, sizesT, 'sizes'),
    policy: ctx.opset >= 18 ? attrString(node, 'keep_aspect_ratio_policy', 'stretch') : 'stretch',
    roi: roiT && nums(node, roiT, 'roi'),
  }, (msg, expected) => fail(node, msg, expected));
  x.dims.forEach((d, a) => {
    if (d === 0 && g.out[a] > 0) fail(node, `axis ${a} of X ${shapeString(x.dims)} is empty`, 'a non-empty axis to resize');
  });
  return g;
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
    // Sizes come from the file (scales, sizes): the largest intermediate must fit the memory budget before any is made.
    // (Each axis's taps are a table as long as the axis, even when another axis is empty.)
    checkAllocation('float64', Math.max(sizeOf(g.out.map((d, a) => Math.max(d, x.dims[a]))), ...g.out), 'the resized tensor');
    if (ctx.opset >= 18 && attrInt(node, 'antialias', 0) !== 0 && rule.mode !== 'nearest' && g.scale.some((s) => s < 1)) {
      fail(node, 'antialias=1 with a shrinking axis', 'antialias=0 (antialiased downsampling is not supported)');
    }
    const fill = attrFloat(node, 'extrapolation_value', 0);
    let dims = x.dims.slice();
    let cur: Float64Array = Float64Array.from(xs);
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
