// Conv, pooling and inference-mode BatchNormalization. tfjs convolves and pools
// channels-last (its cpu backend has no NCHW conv), so each op transposes NCHW →
// NHWC and back; the transposes are cheap next to the convolution and keep the
// lowering a per-node rule with no layout pass.
import type { Node } from '../../../runtime/ir.ts';
import { attrFloat, attrInt, attrInts, fail } from '../../../runtime/ops/attrs.ts';
import { windowGeometry, type Window } from '../../../runtime/ops/window.ts';
import { tf } from '../tf.ts';
import { conv2d } from '../conv2d.ts';
import { asFloat, need, type Lowering } from './types.ts';

/** Views a 1-D (N,C,L) input as 2-D (N,C,1,L) so one code path serves both. */
function as2d(node: Node, x: tf.Tensor): { x4: tf.Tensor4D; oneD: boolean } {
  if (x.rank === 4) return { x4: x as tf.Tensor4D, oneD: false };
  const sh = x.shape as number[];
  if (x.rank === 3) return { x4: x.reshape([sh[0], sh[1], 1, sh[2]]) as tf.Tensor4D, oneD: true };
  return fail(node, `input has rank ${x.rank}`, 'a 1-D or 2-D spatial input [N,C,L] or [N,C,H,W]');
}

/** Window geometry, padded to 2-D for a 1-D op. */
function geometry(node: Node, x4: tf.Tensor4D, kernel: number[], oneD: boolean, ceil: boolean): Window {
  const spatial = oneD ? [x4.shape[3]] : [x4.shape[2], x4.shape[3]];
  const g = windowGeometry(node, spatial, kernel, ceil);
  if (!oneD) return g;
  return {
    kernel: [1, ...g.kernel], strides: [1, ...g.strides], dilations: [1, ...g.dilations],
    padBegin: [0, ...g.padBegin], padEnd: [0, ...g.padEnd], out: [1, ...g.out],
  };
}

const nhwc = (x: tf.Tensor4D) => x.transpose([0, 2, 3, 1]) as tf.Tensor4D;
const nchw = (x: tf.Tensor4D) => x.transpose([0, 3, 1, 2]) as tf.Tensor4D;

function restore(y: tf.Tensor4D, oneD: boolean): tf.Tensor {
  return oneD ? y.reshape([y.shape[0], y.shape[1], y.shape[3]]) : y;
}

/**
 * End padding a ceil_mode window needs beyond the explicit pads, so that a VALID
 * tfjs pool yields exactly g.out windows.
 */
function ceilExtra(g: Window, size: number, d: number): number {
  const need = (g.out[d] - 1) * g.strides[d] + (g.kernel[d] - 1) * g.dilations[d] + 1;
  return Math.max(0, need - (size + g.padBegin[d] + g.padEnd[d]));
}

const conv: Lowering = (inputs, node) => {
  const group = attrInt(node, 'group', 1);
  const { x4, oneD } = as2d(node, asFloat(need(node, inputs, 0, 'X')));
  let w = asFloat(need(node, inputs, 1, 'W'));
  if (w.rank !== x4.rank - (oneD ? 1 : 0)) fail(node, `W has rank ${w.rank}`, 'the rank of X');
  const ws = w.shape as number[];
  const C = x4.shape[1];
  if (!(group >= 1) || ws[1] * group !== C || ws[0] % group !== 0) {
    fail(node, `W [${ws}] with group=${group} for ${C} input channels`, `W [M, C/group, ...] with M a multiple of group`);
  }
  if (oneD) w = w.reshape([ws[0], ws[1], 1, ws[2]]);
  const kernel = attrInts(node, 'kernel_shape') ?? (oneD ? [ws[2]] : [ws[2], ws[3]]);
  const g = geometry(node, x4, kernel, oneD, false);
  if (g.strides.some((s) => s > 1) && g.dilations.some((d) => d > 1)) {
    fail(node, 'strides and dilations both above 1 (tfjs conv2d cannot do both)', 'strides 1 or dilations 1');
  }
  // ONNX weights [M,C,kh,kw] → tfjs filter [kh,kw,C,M].
  const filter = w.transpose([2, 3, 1, 0]) as tf.Tensor4D;
  const pad: [[number, number], [number, number], [number, number], [number, number]] =
    [[0, 0], [g.padBegin[0], g.padEnd[0]], [g.padBegin[1], g.padEnd[1]], [0, 0]];
  const geom = { strides: [g.strides[0], g.strides[1]] as [number, number], dilations: [g.dilations[0], g.dilations[1]] as [number, number], pads: pad, node: node.name };
  const x = nhwc(x4);
  // A grouped conv is one conv per group over its slice of the channels (slices and
  // concat are differentiable on every backend; tfjs has no grouped conv2d).
  const Cg = C / group, Mg = ws[0] / group;
  let y: tf.Tensor = group === 1 ? conv2d(x, filter, geom) : tf.concat(Array.from({ length: group }, (_, k) =>
    conv2d(x.slice([0, 0, 0, k * Cg], [-1, -1, -1, Cg]), filter.slice([0, 0, 0, k * Mg], [-1, -1, -1, Mg]), geom)), 3);
  const b = inputs[2];
  if (b !== undefined) y = y.add(asFloat(b));
  return [restore(nchw(y as tf.Tensor4D), oneD)];
};

function poolSetup(node: Node, inputs: Parameters<Lowering>[0]) {
  if (node.outputs[1]) fail(node, 'the Indices output is not supported', 'a MaxPool with one output');
  const { x4, oneD } = as2d(node, asFloat(need(node, inputs, 0, 'X')));
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) fail(node, 'attribute kernel_shape is missing', 'the pooling window');
  const g = geometry(node, x4, kernel, oneD, true);
  if (g.dilations.some((d) => d > 1)) fail(node, 'dilated pooling is not supported', 'dilations 1');
  const extra = [ceilExtra(g, x4.shape[2], 0), ceilExtra(g, x4.shape[3], 1)];
  const pads: [number, number][] = [[0, 0], [g.padBegin[0], g.padEnd[0] + extra[0]], [g.padBegin[1], g.padEnd[1] + extra[1]], [0, 0]];
  return { x: nhwc(x4), oneD, g, pads, extra };
}

const maxPool: Lowering = (inputs, node) => {
  const { x, oneD, g, pads } = poolSetup(node, inputs);
  // Padding never wins a max: pad with the lowest float.
  const xp = tf.pad(x, pads, -3.4028234663852886e38) as tf.Tensor4D;
  const y = tf.maxPool(xp, [g.kernel[0], g.kernel[1]], [g.strides[0], g.strides[1]], 'valid');
  return [restore(nchw(y), oneD)];
};

/**
 * Average = windowed sum of the zero-padded input / windowed count of the cells
 * that count: the explicit pads when count_include_pad=1, never the ceil_mode
 * overhang (onnxruntime's and PyTorch's divisor).
 */
const averagePool: Lowering = (inputs, node) => {
  const { x, oneD, g, pads, extra } = poolSetup(node, inputs);
  const includePad = attrInt(node, 'count_include_pad', 0) !== 0;
  const k: [number, number] = [g.kernel[0], g.kernel[1]];
  const s: [number, number] = [g.strides[0], g.strides[1]];
  const sum = tf.avgPool(tf.pad(x, pads) as tf.Tensor4D, k, s, 'valid');
  const [, H, W] = x.shape;
  const ones = tf.ones([1, H, W, 1]);
  const explicit: [number, number][] = [[0, 0], [g.padBegin[0], g.padEnd[0]], [g.padBegin[1], g.padEnd[1]], [0, 0]];
  const mask = includePad
    ? tf.pad(tf.pad(ones, explicit, 1), [[0, 0], [0, extra[0]], [0, extra[1]], [0, 0]]) as tf.Tensor4D
    : tf.pad(ones, pads) as tf.Tensor4D;
  const count = tf.avgPool(mask, k, s, 'valid');
  return [restore(nchw(sum.div(count) as tf.Tensor4D), oneD)];
};

const globalAveragePool: Lowering = (inputs, node) => {
  const x = asFloat(need(node, inputs, 0, 'X'));
  if (x.rank < 3) fail(node, `input has rank ${x.rank}`, 'an [N,C,...] input with spatial axes');
  return [x.mean([...Array(x.rank).keys()].slice(2), true)];
};

const batchNorm: Lowering = (inputs, node) => {
  if (attrInt(node, 'training_mode', 0) !== 0 || node.outputs.slice(1).some((o) => o)) {
    fail(node, 'training-mode BatchNormalization is not supported', 'inference mode (running statistics), one output');
  }
  const x = asFloat(need(node, inputs, 0, 'X'));
  const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const p = (i: number, what: string) => asFloat(need(node, inputs, i, what)).reshape(bshape);
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const scale = p(1, 'scale').div(p(4, 'input_var').add(eps).sqrt());
  return [x.sub(p(3, 'input_mean')).mul(scale).add(p(2, 'B'))];
};

export const convLowerings: Record<string, Lowering> = {
  Conv: conv,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  BatchNormalization: batchNorm,
};
