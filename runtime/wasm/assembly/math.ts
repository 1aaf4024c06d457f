// Vector activations for the recurrent cells, four lanes at a time. The contract
// (test/recurrent/activations-accuracy.test.ts, against float64 Math.exp / Math.tanh
// over a dense grid of float32 inputs): relative error below 1e-6 wherever the result
// is a normal float, within FLT_MIN of it below, the exact limits (sigmoid 0 and 1,
// tanh +-1, tanh(+-0) = +-0) and NaN in, NaN out.
//
// * sigmoid(x) = 1 / (1 + e^-x). e^-x by Cody-Waite range reduction (e^-x = 2^n e^r,
//   |r| <= ln2/2, ln 2 split in two so n ln2 is exact) and a degree-5 polynomial
//   (minimax for relative error: 9e-8, under two ulps; degree 6 costs 7% more of an
//   LSTM cell for 1.4e-7 instead of 2.3e-7 at the end), 2^n built from the float bits
//   of n + 1.5*2^23, which also rounds n (no floor, no float->int conversion: a long
//   sequence on x64). Measured: 2.3e-7 relative at most.
// * tanh(x) = x P(x^2) / Q(x^2), P and Q of degree 4 (minimax for relative error on
//   [0, 9], fitted in float64: 2e-8, all coefficients positive so nothing cancels),
//   the argument clamped to +-9.05 (where it is +-1 in float32, as tanh is from 9.01 on).
//   One division, no exp; accurate near 0, where
//   2 sigmoid(2x) - 1 (what this used to be) loses all relative accuracy.
// Constants are loads from a static table (one instruction each: V8 rebuilds a
// v128.const in registers at every use, several). pmin/pmax (one instruction each
// on x64) rather than min/max, which carry WASM's NaN rules and cost several; with the
// input as first operand they pass a NaN through.
import { Activation, Status } from '../build/enums';

const NLOG2E: f32 = -1.44269504088896341;
// ln 2 = C1 - C2: C1 has 9 significant bits, so n * C1 is exact for |n| < 2^15.
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
// n + 1.5 * 2^23 holds n in its low mantissa bits; BIAS turns those bits into 2^n's exponent field.
const MAGIC: f32 = 12582912.0;
const BIAS: i32 = 127 - 0x4B400000;
// e^r ~ 1 + E1 r + ... + E5 r^5 on |r| <= ln2/2 (minimax for relative error: 9e-8),
// here in m = -r (odd coefficients negated).
const E1: f32 = -0.9999997019767761, E2: f32 = 0.4999915063381195, E3: f32 = -0.1666763573884964;
const E4: f32 = 0.04189793020486832, E5: f32 = -0.008290314115583897;
// sigmoid's argument range: e^-x overflows to +inf below -88.72 (sigmoid -> 0, where the
// true value is a denormal), and e^-30 is below half an ulp of 1 (sigmoid -> 1).
export const SIGMOID_LO: f32 = -89.0, SIGMOID_HI: f32 = 30.0;
// tanh(x) = x P(x^2) / Q(x^2), P0 = Q0 = 1.
const P1: f32 = 0.1338101625442505, P2: f32 = 0.0034955767914652824, P3: f32 = 2.0608878912753426e-05, P4: f32 = 1.3354354067018903e-08;
const Q1: f32 = 0.46714332699775696, Q2: f32 = 0.02587694115936756, Q3: f32 = 0.0003285615530330688, Q4: f32 = 7.776437200845976e-07;
const TCLAMP: f32 = 9.05;

// The table: one row of four lanes per constant, in this order (a row's byte offset
// is 16 x its position).
const NLOG2E4 = 0, C14 = 16, C24 = 32, MAGIC4 = 48, BIAS4 = 64, ONE4 = 80, SLO4 = 96, SHI4 = 112;
const E14 = 128, E24 = 144, E34 = 160, E44 = 176, E54 = 192;
const P14 = 208, P24 = 224, P34 = 240, P44 = 256, Q14 = 272, Q24 = 288, Q34 = 304, Q44 = 320;
const TCLAMP4 = 336, NTCLAMP4 = 352, NONE4 = 368;
const K: usize = memory.data<f32>([
  NLOG2E, NLOG2E, NLOG2E, NLOG2E, C1, C1, C1, C1, C2, C2, C2, C2, MAGIC, MAGIC, MAGIC, MAGIC,
  reinterpret<f32>(BIAS), reinterpret<f32>(BIAS), reinterpret<f32>(BIAS), reinterpret<f32>(BIAS),
  1, 1, 1, 1, SIGMOID_LO, SIGMOID_LO, SIGMOID_LO, SIGMOID_LO, SIGMOID_HI, SIGMOID_HI, SIGMOID_HI, SIGMOID_HI,
  E1, E1, E1, E1, E2, E2, E2, E2, E3, E3, E3, E3, E4, E4, E4, E4, E5, E5, E5, E5,
  P1, P1, P1, P1, P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4,
  Q1, Q1, Q1, Q1, Q2, Q2, Q2, Q2, Q3, Q3, Q3, Q3, Q4, Q4, Q4, Q4,
  TCLAMP, TCLAMP, TCLAMP, TCLAMP, -TCLAMP, -TCLAMP, -TCLAMP, -TCLAMP, -1, -1, -1, -1,
], 16);

// @ts-ignore: decorator
@inline
function k4(offset: usize): v128 {
  return v128.load(K + offset);
}

/** e^-s for s in [SLO, SHI] (already clamped): 2^n e^r with n = round(-s log2 e), r = -s - n ln2. */
// @ts-ignore: decorator
@inline
function expNeg(s: v128): v128 {
  const nb = f32x4.add(f32x4.mul(s, k4(NLOG2E4)), k4(MAGIC4));
  const n = f32x4.sub(nb, k4(MAGIC4));
  // m = -r = s + n ln2, exact in its first step (Cody-Waite).
  let m = f32x4.add(s, f32x4.mul(n, k4(C14)));
  m = f32x4.add(m, f32x4.mul(n, k4(C24)));
  let p = f32x4.add(f32x4.mul(k4(E54), m), k4(E44));
  p = f32x4.add(f32x4.mul(p, m), k4(E34));
  p = f32x4.add(f32x4.mul(p, m), k4(E24));
  p = f32x4.add(f32x4.mul(p, m), k4(E14));
  p = f32x4.add(f32x4.mul(p, m), k4(ONE4));
  // n = 128 (s below -88.38) gives the bits of +inf: sigmoid's 1 / (1 + inf) = 0.
  return f32x4.mul(p, i32x4.shl(i32x4.add(nb, k4(BIAS4)), 23));
}

// @ts-ignore: decorator
@inline
export function sigmoidv(x: v128): v128 {
  return sigmoidIn(x, k4(SLO4), k4(SHI4));
}

/**
 * sigmoid(clamp(x, lo, hi)) for bounds inside [SIGMOID_LO, SIGMOID_HI]: a cell passes
 * its clip intersected with those, so one clamp does both.
 */
// @ts-ignore: decorator
@inline
export function sigmoidIn(x: v128, lo: v128, hi: v128): v128 {
  const s = f32x4.pmin(f32x4.pmax(x, lo), hi);
  return f32x4.div(k4(ONE4), f32x4.add(k4(ONE4), expNeg(s)));
}

// @ts-ignore: decorator
@inline
export function tanhv(x: v128): v128 {
  // Past |x| = 9.05 the rational is exactly +-1 in float32 (so are tanh's float32 values
  // from 9.01 on); the clamp also keeps x^8 finite. NaN passes both clamps.
  const xc = f32x4.pmax(f32x4.pmin(x, k4(TCLAMP4)), k4(NTCLAMP4));
  const z = f32x4.mul(xc, xc);
  let p = f32x4.add(f32x4.mul(k4(P44), z), k4(P34));
  p = f32x4.add(f32x4.mul(p, z), k4(P24));
  p = f32x4.add(f32x4.mul(p, z), k4(P14));
  p = f32x4.mul(f32x4.add(f32x4.mul(p, z), k4(ONE4)), xc);
  let q = f32x4.add(f32x4.mul(k4(Q44), z), k4(Q34));
  q = f32x4.add(f32x4.mul(q, z), k4(Q24));
  q = f32x4.add(f32x4.mul(q, z), k4(Q14));
  q = f32x4.add(f32x4.mul(q, z), k4(ONE4));
  // Between 8.5 and 9 rounding takes p / q up to 2 ulps past 1: keep |tanh| <= 1.
  return f32x4.pmax(f32x4.pmin(f32x4.div(p, q), k4(ONE4)), k4(NONE4));
}

/** Scalar forms of the vector functions (tails of a vector loop), lane for lane the same result. */
export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoidv(f32x4.splat(x)), 0);
}

export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanhv(f32x4.splat(x)), 0);
}

// The scalar forms are runtime/ops/recurrent/activations.ts (the reference) in float32;
// test/recurrent/backends.test.ts holds every one against it, large inputs included.
function scalarAct(kind: i32, a: f32, b: f32, x: f32): f32 {
  switch (kind) {
    case Activation.Sigmoid: return sigmoid1(x);
    case Activation.Tanh: return tanh1(x);
    case Activation.Relu: return x > 0 ? x : 0;
    case Activation.Affine: return a * x + b;
    case Activation.LeakyRelu: return x >= 0 ? x : a * x;
    case Activation.ThresholdedRelu: return x > a ? x : 0;
    case Activation.ScaledTanh: return a * tanh1(b * x);
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
    store<f32>(q, scalarAct(kind, a, b, x));
  }
  return Status.Ok;
}
