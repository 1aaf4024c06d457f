// Vector activations for the recurrent cells. exp is a Cephes-style range reduction
// (x = n ln2 + r) with a degree-6 polynomial: ~2 ulp, four lanes at a time, which is
// what keeps the gate math from dominating a 95%-sparse LSTM step.
import { Activation, Status } from '../build/enums';

const LOG2E: f32 = 1.44269504088896341;
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;

// The exp constants, each splatted to four lanes, in a static table: V8 rebuilds a
// v128.const in registers at every use (several instructions), while a load from
// here folds into the arithmetic instruction as a memory operand.
const LOG2E4 = 0, C14 = 16, C24 = 32, P04 = 48, P14 = 64, P24 = 80, P34 = 96, P44 = 112, P54 = 128;
const HALF4 = 144, ONE4 = 160, LO4 = 176, HI4 = 192, MAGIC4 = 208, BIAS4 = 224;
const K: usize = memory.data<f32>([
  LOG2E, LOG2E, LOG2E, LOG2E, C1, C1, C1, C1, C2, C2, C2, C2,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4,
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0, -87.3, -87.3, -87.3, -87.3, 88.3, 88.3, 88.3, 88.3,
  12582912.0, 12582912.0, 12582912.0, 12582912.0,
  // 127 - 0x4B400000 as i32 bits (read back as an i32x4 lane pattern).
  reinterpret<f32>(<i32>(127 - 0x4B400000)), reinterpret<f32>(<i32>(127 - 0x4B400000)),
  reinterpret<f32>(<i32>(127 - 0x4B400000)), reinterpret<f32>(<i32>(127 - 0x4B400000)),
], 16);

// @ts-ignore: decorator
@inline
export function expv(x: v128): v128 {
  // pmin/pmax are one instruction each on x64; min/max carry WASM's NaN rules (several).
  x = f32x4.pmin(f32x4.pmax(x, v128.load(K, LO4)), v128.load(K, HI4));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, v128.load(K, LOG2E4)), v128.load(K, HALF4)));
  let r = f32x4.sub(x, f32x4.mul(n, v128.load(K, C14)));
  r = f32x4.sub(r, f32x4.mul(n, v128.load(K, C24)));
  let p = v128.load(K, P04);
  p = f32x4.add(f32x4.mul(p, r), v128.load(K, P14));
  p = f32x4.add(f32x4.mul(p, r), v128.load(K, P24));
  p = f32x4.add(f32x4.mul(p, r), v128.load(K, P34));
  p = f32x4.add(f32x4.mul(p, r), v128.load(K, P44));
  p = f32x4.add(f32x4.mul(p, r), v128.load(K, P54));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), v128.load(K, ONE4));
  // 2^n from the bits of n + 1.5*2^23 (n is an exact small integer): no saturating
  // float->int conversion, which is a long sequence on x64.
  const nb = f32x4.add(n, v128.load(K, MAGIC4));
  const e = i32x4.shl(i32x4.add(nb, v128.load(K, BIAS4)), 23);
  return f32x4.mul(p, e);
}

// @ts-ignore: decorator
@inline
export function sigmoidv(x: v128): v128 {
  const one = v128.load(K, ONE4);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline
export function tanhv(x: v128): v128 {
  // tanh(x) = 2 sigmoid(2x) - 1; absolute error ~1e-7, well inside the 1e-4 contract.
  const s = sigmoidv(f32x4.add(x, x));
  return f32x4.sub(f32x4.add(s, s), v128.load(K, ONE4));
}

// The scalar forms are runtime/ops/recurrent/activations.ts (the reference) in float32;
// test/recurrent/backends.test.ts holds every one against it, large inputs included.
function scalarAct(kind: i32, a: f32, b: f32, x: f32): f32 {
  switch (kind) {
    case Activation.Sigmoid: return 1.0 / (1.0 + Mathf.exp(-x));
    case Activation.Tanh: return Mathf.tanh(x);
    case Activation.Relu: return x > 0 ? x : 0;
    case Activation.Affine: return a * x + b;
    case Activation.LeakyRelu: return x >= 0 ? x : a * x;
    case Activation.ThresholdedRelu: return x > a ? x : 0;
    case Activation.ScaledTanh: return a * Mathf.tanh(b * x);
    case Activation.HardSigmoid: return Mathf.max(0, Mathf.min(1, a * x + b));
    case Activation.Elu: return x >= 0 ? x : a * (Mathf.exp(x) - 1);
    case Activation.Softsign: return x / (1 + Mathf.abs(x));
    // log(1 + e^x) without forming e^x for large x (it overflows past 88 in float32).
    case Activation.Softplus: return x > 0 ? x + Mathf.log1p(Mathf.exp(-x)) : Mathf.log1p(Mathf.exp(x));
  }
  return x;
}

export function validActivation(kind: i32): bool {
  return kind >= Activation.Sigmoid && kind <= Activation.Softplus;
}

/** In place: p[0..n) = act(clip(p)). clip <= 0 means no clipping. */
export function applyActivation(kind: i32, a: f32, b: f32, clip: f32, p: usize, n: i32): i32 {
  if (!validActivation(kind)) return Status.BadActivation;
  let i = 0;
  const lo = f32x4.splat(clip > 0 ? -clip : -Infinity);
  const hi = f32x4.splat(clip > 0 ? clip : Infinity);
  // (NaN inputs stay NaN through pmax/pmin with the NaN as first operand.)
  // Separate loops: a select between the two would evaluate both.
  if (kind == Activation.Sigmoid) {
    for (; i + 4 <= n; i += 4) {
      const q = p + (<usize>i << 2);
      v128.store(q, sigmoidv(f32x4.pmin(f32x4.pmax(v128.load(q), lo), hi)));
    }
  } else if (kind == Activation.Tanh) {
    for (; i + 4 <= n; i += 4) {
      const q = p + (<usize>i << 2);
      v128.store(q, tanhv(f32x4.pmin(f32x4.pmax(v128.load(q), lo), hi)));
    }
  } else if (kind == Activation.Relu) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const q = p + (<usize>i << 2);
      const x = f32x4.pmin(f32x4.pmax(v128.load(q), lo), hi);
      // x > 0 ? x : 0 (NaN -> 0, as in the scalar form).
      v128.store(q, v128.bitselect(x, zero, f32x4.gt(x, zero)));
    }
  }
  for (; i < n; i++) {
    const q = p + (<usize>i << 2);
    let x = load<f32>(q);
    if (clip > 0) x = Mathf.max(-clip, Mathf.min(clip, x));
    store<f32>(q, kind == Activation.Sigmoid ? 1.0 / (1.0 + Mathf.exp(-x))
      : kind == Activation.Tanh ? tanhScalar(x) : scalarAct(kind, a, b, x));
  }
  return Status.Ok;
}

/** The scalar tail uses the same formula as the vector body so lanes agree. */
function tanhScalar(x: f32): f32 {
  const s: f32 = 1.0 / (1.0 + Mathf.exp(-2 * x));
  return 2 * s - 1;
}
