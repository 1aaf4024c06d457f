// Matrix products with a hand-written gradient.
//
// Why: tfjs's own MatMul gradient computes dA = dY·Bᵀ and dB = Aᵀ·dY with the
// transpose flags of BatchMatMul, and the wasm backend's transposed BatchMatMul is
// 10-20x slower than its plain one (measured on this machine: [64,128]x[128,512]
// plain 0.3 ms, transposeB 2.7 ms, transposeA 5.6 ms). Transposing explicitly first
// (a cheap copy) keeps every product on the fast path; an LSTM-128 training step
// takes ~150-200 ms instead of ~370-480 ms (batch 64, 28 steps; bench/train.ts).
import { tf } from './tf.ts';

const mm2 = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D),
      tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** a [M,K] · b [K,N] → [M,N], differentiable in a and b on every backend. */
export function matmul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return mm2(a, b);
}

/**
 * numpy-style matmul for rank ≥ 1 operands. The common case of an N-D activation
 * times a 2-D weight is folded to one 2-D product; other batched products use
 * tfjs's broadcasting matMul (its gradient is the slow path, but no PyTorch export
 * of the supported layers produces one).
 */
export function matmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const as = a.shape as number[];
  const bs = b.shape as number[];
  const aVec = a.rank === 1;
  const bVec = b.rank === 1;
  const A = aVec ? a.reshape([1, as[0]]) : a;
  const B = bVec ? b.reshape([bs[0], 1]) : b;
  let y: tf.Tensor;
  if (B.rank === 2) {
    const K = (A.shape as number[])[A.rank - 1];
    const lead = (A.shape as number[]).slice(0, -1);
    y = matmul2d(A.reshape([-1, K]) as tf.Tensor2D, B as tf.Tensor2D).reshape([...lead, (B.shape as number[])[1]]);
  } else {
    y = tf.matMul(A, B);
  }
  if (aVec) y = y.squeeze([y.rank - 2]);
  if (bVec) y = y.squeeze([y.rank - 1]);
  return y;
}
