// The lowering's value model. A value is either a tfjs tensor (float data that can
// carry gradients) or a host tensor, the plain IR Tensor of runtime/ir.ts (int64
// shapes, axes, indices and anything computed from them). Shape arithmetic — the
// Shape → Gather → Unsqueeze → Concat → Reshape chains PyTorch exports — stays on
// the host, so every shape a tf op sees is a known constant.
import type { Node, Tensor } from '../../../runtime/ir.ts';
import { RampartError } from '../../../runtime/errors.ts';
import { isFloat, toNumbers } from '../../../runtime/tensor.ts';
import { fail } from '../../../runtime/ops/attrs.ts';
import { tf } from '../tf.ts';

export type Value = tf.Tensor | Tensor;

export interface LowerContext {
  /** The ai.onnx opset the model imports. */
  opset: number;
  file?: string;
}

/** Lowers one node: its inputs (undefined where absent) → one value per output. */
export type Lowering = (inputs: (Value | undefined)[], node: Node, ctx: LowerContext) => (Value | undefined)[];

export function isTf(v: Value): v is tf.Tensor {
  return v instanceof tf.Tensor;
}

/** Input i, required. */
export function need(node: Node, inputs: (Value | undefined)[], i: number, what: string): Value {
  const v = inputs[i];
  if (v === undefined) fail(node, `missing required input ${i} (${what})`, `input ${i} '${what}' to be present`);
  return v;
}

/** A value as a tfjs tensor: host floats become float32 constants, host ints int32. */
export function asTf(v: Value): tf.Tensor {
  if (isTf(v)) return v;
  if (v.dtype === 'string') throw new RampartError('a string tensor cannot be lowered to tfjs');
  const data = v.data as ArrayLike<number>;
  if (isFloat(v.dtype)) return tf.tensor(Float32Array.from(data), v.dims, 'float32');
  if (v.dtype === 'bool') return tf.tensor(Uint8Array.from(data), v.dims, 'bool');
  return tf.tensor(Int32Array.from(data), v.dims, 'int32');
}

/** A float tfjs tensor (tfjs int tensors are cast: ONNX float ops never see ints here). */
export function asFloat(v: Value): tf.Tensor {
  const t = asTf(v);
  return t.dtype === 'float32' ? t : t.toFloat();
}

/** A value that must be known on the host as integers (shape, axes, indices, starts). */
export function hostInts(node: Node, v: Value, what: string): number[] {
  if (isTf(v)) {
    // A data-dependent shape. Reading it back is correct (shapes carry no gradient),
    // only slow; the PyTorch exports we target never take this path.
    if (v.dtype === 'float32') fail(node, `input '${what}' is a float tensor`, 'an int64 tensor');
    return Array.from(v.dataSync());
  }
  if (v.dtype === 'string' || isFloat(v.dtype)) fail(node, `input '${what}' has dtype ${v.dtype}`, 'an int64 or int32 tensor');
  return toNumbers(v);
}

export function shapeOf(v: Value): number[] {
  return isTf(v) ? v.shape.slice() : v.dims.slice();
}

/** Maps a possibly negative axis into [0, rank). */
export function axisOf(node: Node, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    fail(node, `axis ${axis} is out of range for rank ${rank}`, `an integer in [${-rank}, ${rank - 1}]`);
  }
  return axis < 0 ? axis + rank : axis;
}
