// 2-D convolution (NHWC) with a hand-written gradient.
//
// Why: tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel, and the cpu
// backend's is pathologically slow — 11 s of a 13 s training step for the zoo CNN
// (batch 64, 16/32 channels; docs/design/train.md). The filter gradient is a sum
// over kernel offsets of (input window)ᵀ · dY, i.e. im2col as kh·kw matrix
// products, which run on the fast BatchMatMul of either backend. The input
// gradient stays tfjs's own conv2DBackpropInput (conv2dTranspose), which both
// backends have; tfjs does not implement it for dilation > 1, so a dilated Conv
// runs forward but refuses to be differentiated, with a clear error.
import { RampartError } from '../../runtime/errors.ts';
import { tf } from './tf.ts';
import { matmul2d } from './matmul.ts';

export type Pads = [[number, number], [number, number], [number, number], [number, number]];

export interface ConvGeometry {
  strides: [number, number];
  dilations: [number, number];
  /** Explicit NHWC padding: [[0,0],[top,bottom],[left,right],[0,0]]. */
  pads: Pads;
  /** Named in the error a dilated Conv's gradient raises. */
  node: string;
}

function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, g: ConvGeometry): tf.Tensor4D {
  const [N, , , C] = x.shape;
  const [, OH, OW, M] = dy.shape;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const xp = tf.pad(x, g.pads) as tf.Tensor4D;
  const P = N * OH * OW;
  const dy2 = dy.reshape([P, M]) as tf.Tensor2D;
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const r0 = i * dh;
      const c0 = j * dw;
      const win = sh === 1 && sw === 1
        ? tf.slice(xp, [0, r0, c0, 0], [N, OH, OW, C])
        : tf.stridedSlice(xp, [0, r0, c0, 0], [N, r0 + (OH - 1) * sh + 1, c0 + (OW - 1) * sw + 1, C], [1, sh, sw, 1]);
      parts.push(matmul2d(win.reshape([P, C]).transpose() as tf.Tensor2D, dy2)); // [C, M]
    }
  }
  return tf.stack(parts).reshape([kh, kw, C, M]) as tf.Tensor4D;
}

/** conv2d of x [N,H,W,C] with filter [kh,kw,C,M]; differentiable in both on every backend. */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const f = tf.customGrad(((xx: tf.Tensor, ff: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx, ff]);
    return {
      value: tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, g.strides, g.pads, 'NHWC', g.dilations),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
        if (g.dilations[0] > 1 || g.dilations[1] > 1) {
          throw new RampartError('tfjs cannot differentiate a dilated convolution', { node: g.node, op: 'Conv', expected: 'dilations 1 to train' });
        }
        const dx = tf.conv2dTranspose(dy as tf.Tensor4D, sf, sx.shape, g.strides, g.pads);
        return [dx, filterGrad(sx, dy as tf.Tensor4D, sf.shape[0], sf.shape[1], g)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;
  return f(x, filter);
}
