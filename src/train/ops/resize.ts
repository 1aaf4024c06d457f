// Resize over tfjs as one matrix product per resized axis: the reference kernel's own
// taps and weights (runtime/ops/resize-axis.ts) become a constant [out, in] matrix, so
// every mode (nearest, linear, cubic, each coordinate mode) means exactly what the
// interpreter computes, and the gradient is a matrix product too. tf.image's resizes
// were not used: their gradients ignore halfPixelCenters (tfjs 4.22, wasm) or fail on
// non-square images (cpu), and they scale by in/out where the spec uses the scale.
// tf_crop_and_resize's extrapolated cells are refused (they would need an additive term).
import { attrFloat, attrInt, attrString, fail } from '../../../runtime/ops/attrs.ts';
import { resizeAxes, resizeGeometry, scalesInput } from '../../../runtime/ops/resize.ts';
import { axisTaps, type ResizeRule } from '../../../runtime/ops/resize-axis.ts';
import { tf } from '../tf.ts';
import { asFloat, hostInts, isTf, need, type Lowering, type Value } from './types.ts';

/** An optional input's values, or undefined when it is absent or empty. */
function values(v: Value | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const d = isTf(v) ? Array.from(v.dataSync()) : Array.from(v.data as ArrayLike<number>);
  return d.length > 0 ? d : undefined;
}

const resize: Lowering = (inputs, node, ctx) => {
  let x = asFloat(need(node, inputs, 0, 'X'));
  const mode = attrString(node, 'mode', 'nearest');
  const rule: ResizeRule = ctx.opset < 11
    ? { mode, coord: 'asymmetric', nearest: 'opset10', cubicA: -0.75, excludeOutside: false }
    : {
      mode, coord: attrString(node, 'coordinate_transformation_mode', 'half_pixel'), nearest: attrString(node, 'nearest_mode', 'round_prefer_floor'),
      cubicA: attrFloat(node, 'cubic_coeff_a', -0.75), excludeOutside: attrInt(node, 'exclude_outside', 0) !== 0,
    };
  if (rule.coord === 'tf_crop_and_resize') fail(node, 'coordinate_transformation_mode tf_crop_and_resize', 'a mode without extrapolated cells (the tfjs lowering)');
  if (ctx.opset >= 18 && attrInt(node, 'antialias', 0) !== 0) fail(node, 'antialias=1', 'antialias=0 (the tfjs lowering)');
  const sizes = ctx.opset >= 11 && values(inputs[3]) ? hostInts(node, inputs[3]!, 'sizes') : undefined;
  const dims = x.shape;
  const g = resizeGeometry(dims, {
    axes: resizeAxes(node, x.rank, ctx.opset), sizes, scales: sizes ? undefined : values(inputs[scalesInput(ctx.opset)]),
    policy: ctx.opset >= 18 ? attrString(node, 'keep_aspect_ratio_policy', 'stretch') : 'stretch',
  }, (msg, expected) => fail(node, msg, expected));
  for (let a = 0; a < x.rank; a++) {
    const taps = axisTaps(node, rule, { inLen: dims[a], outLen: g.out[a], scale: g.scale[a], length: g.length[a], roi: g.roi[a] });
    if (taps === null) continue;
    const m = new Float32Array(g.out[a] * dims[a]);
    for (let j = 0; j < g.out[a]; j++) {
      for (let t = taps.start[j]; t < taps.start[j + 1]; t++) m[j * dims[a] + taps.index[t]] += taps.weight[t];
    }
    // Axis a last, [rows, in] × [out, in]ᵀ, then back in place.
    const perm = [...Array(x.rank).keys()].filter((k) => k !== a).concat(a);
    const back = perm.map((_, k) => perm.indexOf(k));
    const moved = x.transpose(perm);
    const shape = moved.shape.slice(0, -1);
    const y = tf.matMul(moved.reshape([-1, dims[a]]), tf.tensor2d(m, [g.out[a], dims[a]]), false, true);
    x = y.reshape([...shape, g.out[a]]).transpose(back);
  }
  return [x];
};

export const resizeLowerings: Record<string, Lowering> = { Resize: resize };
