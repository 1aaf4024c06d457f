// Element-wise activations, Clip, Softmax / LogSoftmax and the inference-time no-ops.
import type { Node } from '../../../runtime/ir.ts';
import { attrFloat, attrInt, fail } from '../../../runtime/ops/attrs.ts';
import { toNumbers } from '../../../runtime/tensor.ts';
import { tf } from '../tf.ts';
import { asFloat, asTf, axisOf, isTf, need, type LowerContext, type Lowering } from './types.ts';

function unary(fn: (x: tf.Tensor, node: Node) => tf.Tensor): Lowering {
  return (inputs, node) => [fn(asFloat(need(node, inputs, 0, 'X')), node)];
}

/**
 * Softmax-like ops along one axis. Opset < 13 coerces the input to 2-D at `axis`
 * (default 1) and normalises each row; opset 13 normalises along `axis` (default
 * -1). tfjs normalises along the last axis only, hence the reshape / transpose.
 */
function softmaxLike(fn: (x: tf.Tensor) => tf.Tensor): Lowering {
  return (inputs, node, ctx: LowerContext) => {
    const x = asFloat(need(node, inputs, 0, 'input'));
    const r = x.rank;
    if (ctx.opset < 13) {
      const axis = axisOf(node, attrInt(node, 'axis', 1), r);
      const rows = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      return [fn(x.reshape([rows, -1])).reshape(x.shape)];
    }
    const axis = axisOf(node, attrInt(node, 'axis', -1), r);
    if (axis === r - 1) return [fn(x)];
    const perm = [...Array(r).keys()];
    perm[axis] = r - 1;
    perm[r - 1] = axis;
    return [fn(x.transpose(perm)).transpose(perm)];
  };
}

// ONNX TensorProto.DataType codes of the float types.
const FLOAT_TYPES = new Set([1, 10, 11, 16]);

const cast: Lowering = (inputs, node) => {
  const x = need(node, inputs, 0, 'input');
  const to = attrInt(node, 'to');
  if (to === undefined) fail(node, 'attribute to is missing', 'a target data type');
  if (!isTf(x)) fail(node, 'Cast of a host tensor reached the tfjs lowering', 'host casts to run on the host');
  if (FLOAT_TYPES.has(to)) return [x.dtype === 'float32' ? x : x.toFloat()];
  if (to === 9) return [x.cast('bool')];
  return [x.cast('int32')];
};

/** Clip (PyTorch's ReLU6 / Hardtanh): bounds are attributes before opset 11, optional inputs from 11. */
const clip: Lowering = (inputs, node, ctx) => {
  const x = asFloat(need(node, inputs, 0, 'input'));
  const bound = (i: number, attr: string, dflt: number): number => {
    if (ctx.opset < 11) return attrFloat(node, attr, dflt);
    const v = inputs[i];
    if (v === undefined) return dflt;
    return isTf(v) ? v.dataSync()[0] : toNumbers(v)[0];
  };
  return [tf.clipByValue(x, bound(1, 'min', -Infinity), bound(2, 'max', Infinity))];
};

export const activationLowerings: Record<string, Lowering> = {
  Relu: unary((x) => tf.relu(x)),
  Sigmoid: unary((x) => tf.sigmoid(x)),
  Tanh: unary((x) => tf.tanh(x)),
  LeakyRelu: unary((x, n) => tf.leakyRelu(x, attrFloat(n, 'alpha', 0.01))),
  HardSigmoid: unary((x, n) => tf.clipByValue(x.mul(attrFloat(n, 'alpha', 0.2)).add(attrFloat(n, 'beta', 0.5)), 0, 1)),
  Softmax: softmaxLike((x) => tf.softmax(x)),
  LogSoftmax: softmaxLike((x) => tf.logSoftmax(x)),
  Identity: (inputs, node) => [need(node, inputs, 0, 'input')],
  // Inference semantics: Dropout passes its input through; the optional mask is all ones.
  Dropout: (inputs, node) => {
    const x = need(node, inputs, 0, 'data');
    return [x, node.outputs[1] ? tf.onesLike(asTf(x)).cast('bool') : undefined];
  },
  Cast: cast,
  Clip: clip,
};
