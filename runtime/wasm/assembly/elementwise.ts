// Relu in place, for the Conv epilogue (runtime/kernels/fuse.ts fuses Conv -> Relu):
// the conv output is still in linear memory, so the Relu costs one SIMD pass (~1 us
// for a 16x28x28 map) instead of a fresh JS array and a scalar loop (~24 us measured
// in-session, most of it allocation and GC).
import { Status } from '../build/enums';
import { inBounds } from './util';

/** p[0..n) = p < 0 ? 0 : p — the JS overlay's rule, so NaN stays NaN and -0 stays -0. */
export function reluInPlace(p: usize, n: i32): i32 {
  if (!inBounds(p, <usize>n << 2)) return Status.OutOfBounds;
  const zero = f32x4.splat(0);
  let i = 0;
  // pmax(x, 0) is `x < 0 ? 0 : x` lane-wise: one instruction, same NaN rule as above.
  for (; i + 4 <= n; i += 4) {
    const q = p + (<usize>i << 2);
    v128.store(q, f32x4.pmax(v128.load(q), zero));
  }
  for (; i < n; i++) {
    const q = p + (<usize>i << 2);
    const v = load<f32>(q);
    if (v < 0) store<f32>(q, 0);
  }
  return Status.Ok;
}
