// Resize along one axis: for every output index, the source coordinate
// (coordinate_transformation_mode) and the taps and weights of the interpolation
// (nearest_mode, linear, cubic with cubic_coeff_a and exclude_outside), as the ONNX
// spec and its reference implementation define them. Taps past either end read the
// edge element (the reference pads with 'edge'); tf_crop_and_resize marks coordinates
// outside the input, which get extrapolation_value.
import type { Node } from '../ir.ts';
import { fail } from './attrs.ts';

export interface ResizeRule {
  mode: string;
  coord: string;
  /** nearest_mode, or 'opset10' for opset 10's rule. */
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
}

export interface AxisGeometry {
  inLen: number;
  outLen: number;
  scale: number;
  /** The unrounded output length (input × scale when scales are given; the size when sizes are). */
  length: number;
  roi: [number, number];
}

/** CSR-like: output index j reads index[start[j] .. start[j+1]) with those weights. */
export interface AxisTaps { start: Int32Array; index: Int32Array; weight: Float64Array; outside: Uint8Array }

/** Resize's attribute vocabularies (runtime/onnx/attr-rules.ts checks them at load). */
export const RESIZE_MODES = ['nearest', 'linear', 'cubic'];
export const COORDS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
export const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
export const ASPECT_POLICIES = ['stretch', 'not_larger', 'not_smaller'];

/** The input coordinate output index x maps to. */
export function sourceCoordinate(coord: string, x: number, g: AxisGeometry): number {
  const { inLen, scale, length, roi } = g;
  switch (coord) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      // Centres the sampling grid when the output size was rounded down from in × scale.
      const offset = (inLen / 2) * (1 - g.outLen / length);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return length > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return length === 1 ? 0 : (x * (inLen - 1)) / (length - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    default: // tf_crop_and_resize
      return length > 1
        ? roi[0] * (inLen - 1) + (x * (roi[1] - roi[0]) * (inLen - 1)) / (length - 1)
        : 0.5 * (roi[0] + roi[1]) * (inLen - 1);
  }
}

/** Keys' cubic convolution weights for the 4 taps floor-1 .. floor+2, at fraction t of the way. */
function cubicWeights(t: number, a: number): number[] {
  const near = (d: number) => ((a + 2) * d - (a + 3)) * d * d + 1; // |d| <= 1
  const far = (d: number) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; // 1 < |d| < 2
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

function nearestIndex(rule: ResizeRule, c: number, scale: number): number {
  const f = Math.floor(c), frac = c - f;
  switch (rule.nearest) {
    case 'round_prefer_floor': return frac <= 0.5 ? f : f + 1;
    case 'round_prefer_ceil': return frac < 0.5 ? f : f + 1;
    case 'floor': return f;
    case 'ceil': return Math.ceil(c);
    default: return scale < 1 ? Math.ceil(c) : f; // opset 10
  }
}

/** The taps of one axis, or null when the axis is left as it is (same size, every index reads itself). */
export function axisTaps(node: Node, rule: ResizeRule, g: AxisGeometry): AxisTaps | null {
  if (!COORDS.includes(rule.coord)) fail(node, `coordinate_transformation_mode '${rule.coord}'`, COORDS.join(', '));
  if (rule.mode === 'nearest' && rule.nearest !== 'opset10' && !NEAREST.includes(rule.nearest)) fail(node, `nearest_mode '${rule.nearest}'`, NEAREST.join(', '));
  const { inLen, outLen } = g;
  const start = new Int32Array(outLen + 1);
  const index: number[] = [], weight: number[] = [];
  const outside = new Uint8Array(outLen);
  const clamp = (i: number) => Math.min(Math.max(i, 0), inLen - 1);
  for (let x = 0; x < outLen; x++) {
    start[x] = index.length;
    const c = sourceCoordinate(rule.coord, x, g);
    if (rule.coord === 'tf_crop_and_resize' && (c < 0 || c > inLen - 1)) { outside[x] = 1; continue; }
    if (rule.mode === 'nearest') {
      index.push(clamp(nearestIndex(rule, c, g.scale)));
      weight.push(1);
      continue;
    }
    // On an exact integer the reference takes the pair ending there (fraction 1), which
    // puts all weight on that index for linear and cubic alike.
    const whole = Number.isInteger(c);
    const base = whole ? c - 1 : Math.floor(c);
    const t = whole ? 1 : c - base;
    const w = rule.mode === 'linear' ? [1 - t, t] : cubicWeights(t, rule.cubicA);
    const first = rule.mode === 'linear' ? base : base - 1;
    if (rule.excludeOutside) {
      let sum = 0;
      w.forEach((v, k) => { if (first + k < 0 || first + k >= inLen) w[k] = 0; sum += w[k]; });
      for (let k = 0; k < w.length; k++) w[k] /= sum;
    }
    w.forEach((v, k) => {
      if (v !== 0) { index.push(clamp(first + k)); weight.push(v); }
    });
  }
  start[outLen] = index.length;
  const identity = outLen === inLen && index.length === outLen && index.every((i, j) => i === j && weight[j] === 1);
  return identity ? null : { start, index: Int32Array.from(index), weight: Float64Array.from(weight), outside };
}
