// Recurrent cell updates for one batch row and one time step. The mat-vecs (x W^T for
// all steps, R h per step) are done before by the gemv/gemm kernels; a cell only does
// the elementwise gate math and writes h to the state and to Y (y != 0).
// Activation ids are packed one per byte (f | g << 8 | h << 16); params points at
// f32 [alpha_f, beta_f, alpha_g, beta_g, alpha_h, beta_h].
//
// Each cell has a path for the ONNX default activations (LSTM sigmoid/tanh/tanh, GRU
// sigmoid/tanh, RNN tanh) that does every gate of four units in registers in one pass,
// clip, peepholes and coupled gates included, and a generic path for any other list
// (one activation pass per gate, through applyActivation). The last H % 4 units run
// the same code on one lane (load32_zero / store32_lane), so a tail unit gets exactly
// the result it would get in a vector.
import { Activation, Status } from '../build/enums';
import { applyActivation, sigmoidIn, sigmoidv, tanhv, SIGMOID_HI, SIGMOID_LO } from './math';
import { inBounds } from './util';

const LSTM_DEFAULT = Activation.Sigmoid | (Activation.Tanh << 8) | (Activation.Tanh << 16);
const GRU_DEFAULT = Activation.Sigmoid | (Activation.Tanh << 8);

// @ts-ignore: decorator
@inline
function act(acts: i32, params: usize, which: i32, clip: f32, p: usize, n: i32): i32 {
  return applyActivation((acts >> (which * 8)) & 0xff, load<f32>(params + <usize>(which * 8)), load<f32>(params + <usize>(which * 8 + 4)), clip, p, n);
}

// @ts-ignore: decorator
@inline
function f4(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 2)); }

/** Four lanes, or lane 0 only (the tail of a vector loop). */
// @ts-ignore: decorator
@inline
function ld(p: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p) : v128.load32_zero(p);
}

// @ts-ignore: decorator
@inline
function st(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}

/** The gate bounds: [-clip, clip], or nothing (+-inf) when clip <= 0. */
// @ts-ignore: decorator
@inline
function clipLo(clip: f32): f32 { return clip > 0 ? -clip : -Infinity; }
// @ts-ignore: decorator
@inline
function clipHi(clip: f32): f32 { return clip > 0 ? clip : Infinity; }

// @ts-ignore: decorator
@inline
function clamp(x: v128, lo: v128, hi: v128): v128 { return f32x4.pmin(f32x4.pmax(x, lo), hi); }

/** True when the extent [p, p + n floats) is inside memory, or p is 0 and optional. */
// @ts-ignore: decorator
@inline
function optional(p: usize, n: i32): bool { return !p || inBounds(p, <usize>n << 2); }

/** g: [i, o, f, c] pre-activations (4H), c: cell state in/out, h: hidden state out. */
export function lstmCell(g: usize, c: usize, h: usize, y: usize, hidden: i32, peep: usize, acts: i32, params: usize, clip: f32, inputForget: i32): i32 {
  const H = hidden;
  if (!inBounds(g, (<usize>H * 4) << 2) || !inBounds(c, <usize>H << 2) || !inBounds(h, <usize>H << 2) ||
    !optional(y, H) || !optional(peep, 3 * H)) return Status.OutOfBounds;
  if (acts == LSTM_DEFAULT) {
    lstmDefault(g, c, h, y, H, peep, clip, inputForget);
    return Status.Ok;
  }
  return lstmGeneric(g, c, h, y, H, peep, acts, params, clip, inputForget);
}

function lstmDefault(g: usize, c: usize, h: usize, y: usize, H: i32, peep: usize, clip: f32, inputForget: i32): void {
  let k = 0;
  if (!peep && !inputForget && clip <= 0) {
    // The common cell: its own loop, so nothing else holds a register.
    const none = f32x4.splat(0);
    for (; k + 4 <= H; k += 4) lstmUnits(g, c, h, y, H, 0, none, none, none, none, 0, k, 4, false);
    for (; k < H; k++) lstmUnits(g, c, h, y, H, 0, none, none, none, none, 0, k, 1, false);
    return;
  }
  // Sigmoid's own argument range intersected with the clip: one clamp does both.
  const slo = f32x4.splat(Mathf.max(clipLo(clip), SIGMOID_LO)), shi = f32x4.splat(Mathf.min(clipHi(clip), SIGMOID_HI));
  const lo = f32x4.splat(clipLo(clip)), hi = f32x4.splat(clipHi(clip));
  for (; k + 4 <= H; k += 4) lstmUnits(g, c, h, y, H, peep, slo, shi, lo, hi, inputForget, k, 4, true);
  for (; k < H; k++) lstmUnits(g, c, h, y, H, peep, slo, shi, lo, hi, inputForget, k, 1, true);
}

/** Units k..k+lanes-1. extras = false: no peepholes, clip or coupled gates (the bounds are unused). */
// @ts-ignore: decorator
@inline
function lstmUnits(g: usize, c: usize, h: usize, y: usize, H: i32, peep: usize, slo: v128, shi: v128, lo: v128, hi: v128,
  inputForget: i32, k: i32, lanes: i32, extras: bool): void {
  const o = <usize>k << 2, gate = <usize>H << 2;
  const cp = ld(c + o, lanes);
  let xi = ld(g + o, lanes), xo = ld(g + gate + o, lanes), xf = ld(g + 2 * gate + o, lanes), xc = ld(g + 3 * gate + o, lanes);
  let iv: v128, fv: v128, cn: v128, hv: v128;
  if (!extras) {
    iv = sigmoidv(xi);
    fv = sigmoidv(xf);
    cn = f32x4.add(f32x4.mul(fv, cp), f32x4.mul(iv, tanhv(xc)));
    hv = f32x4.mul(sigmoidv(xo), tanhv(cn));
  } else {
    if (peep) {
      xi = f32x4.add(xi, f32x4.mul(ld(peep + o, lanes), cp));
      xf = f32x4.add(xf, f32x4.mul(ld(peep + 2 * gate + o, lanes), cp));
    }
    iv = sigmoidIn(xi, slo, shi);
    // input_forget couples the gates: f = 1 - i.
    fv = inputForget ? f32x4.sub(f32x4.splat(1), iv) : sigmoidIn(xf, slo, shi);
    cn = f32x4.add(f32x4.mul(fv, cp), f32x4.mul(iv, tanhv(clamp(xc, lo, hi))));
    // The output gate's peephole reads the new cell state.
    if (peep) xo = f32x4.add(xo, f32x4.mul(ld(peep + gate + o, lanes), cn));
    // h(C) takes no clip: it bounds the gates' pre-activations, not the cell state (ONNX, onnxruntime).
    hv = f32x4.mul(sigmoidIn(xo, slo, shi), tanhv(cn));
  }
  st(c + o, cn, lanes);
  st(h + o, hv, lanes);
  if (y) st(y + o, hv, lanes);
}

function lstmGeneric(g: usize, c: usize, h: usize, y: usize, H: i32, peep: usize, acts: i32, params: usize, clip: f32, inputForget: i32): i32 {
  const gi = g, go = g + (<usize>H << 2), gf = g + (<usize>H << 3), gc = g + (<usize>H * 12);
  let s: i32 = 0;
  if (peep) {
    const pf = peep + (<usize>H << 3);
    for (let k = 0; k < H; k++) {
      const o = <usize>k << 2;
      store<f32>(gi + o, load<f32>(gi + o) + load<f32>(peep + o) * load<f32>(c + o));
      store<f32>(gf + o, load<f32>(gf + o) + load<f32>(pf + o) * load<f32>(c + o));
    }
    s |= act(acts, params, 0, clip, gi, H);
    if (!inputForget) s |= act(acts, params, 0, clip, gf, H);
  } else {
    // i, o, f are contiguous: one activation pass over 3H.
    s |= act(acts, params, 0, clip, gi, inputForget ? 2 * H : 3 * H);
  }
  s |= act(acts, params, 1, clip, gc, H);
  if (s) return s;
  let k = 0;
  const one = f32x4.splat(1);
  for (; k + 4 <= H; k += 4) {
    const i4 = f4(gi, k);
    const fgate = inputForget ? f32x4.sub(one, i4) : f4(gf, k);
    const cn = f32x4.add(f32x4.mul(fgate, f4(c, k)), f32x4.mul(i4, f4(gc, k)));
    v128.store(c + (<usize>k << 2), cn);
    v128.store(gc + (<usize>k << 2), cn);
  }
  for (; k < H; k++) {
    const o = <usize>k << 2;
    const iv = load<f32>(gi + o);
    const fv: f32 = inputForget ? <f32>1 - iv : load<f32>(gf + o);
    const cn = fv * load<f32>(c + o) + iv * load<f32>(gc + o);
    store<f32>(c + o, cn);
    store<f32>(gc + o, cn);
  }
  if (peep) {
    const po = peep + (<usize>H << 2);
    for (let j = 0; j < H; j++) {
      const o = <usize>j << 2;
      store<f32>(go + o, load<f32>(go + o) + load<f32>(po + o) * load<f32>(c + o));
    }
    s |= act(acts, params, 0, clip, go, H);
  }
  // gc now holds the new cell state; h(C) in place (no clip), then H = o * h(C).
  s |= act(acts, params, 2, 0, gc, H);
  if (s) return s;
  writeProduct(go, gc, h, y, H);
  return Status.Ok;
}

// @ts-ignore: decorator
@inline
function writeProduct(a: usize, b: usize, h: usize, y: usize, H: i32): void {
  let k = 0;
  for (; k + 4 <= H; k += 4) {
    const v = f32x4.mul(f4(a, k), f4(b, k));
    v128.store(h + (<usize>k << 2), v);
    if (y) v128.store(y + (<usize>k << 2), v);
  }
  for (; k < H; k++) {
    const o = <usize>k << 2;
    const v = load<f32>(a + o) * load<f32>(b + o);
    store<f32>(h + o, v);
    if (y) store<f32>(y + o, v);
  }
}

/**
 * GRU, two phases. xg: [z, r, h] of x W^T + Wb; rh: [z, r, h] of R h + Rb.
 * phase 0: z, r = f(xg + rh) into xg; tmp = r * h (the input of R_h when
 * linear_before_reset = 0). phase 1: h~ = g(xg_h + (lbr ? r * rh_h : rh_h));
 * h = (1 - z) h~ + z h.
 */
export function gruCell(phase: i32, xg: usize, rh: usize, h: usize, tmp: usize, y: usize, hidden: i32, acts: i32, params: usize, clip: f32, lbr: i32): i32 {
  const H = hidden;
  if (!inBounds(xg, (<usize>H * 3) << 2) || !inBounds(rh, (<usize>H * 3) << 2) || !inBounds(h, <usize>H << 2) ||
    !optional(y, H) || (phase == 0 && !lbr && !inBounds(tmp, <usize>H << 2))) return Status.OutOfBounds;
  if (phase != 0 && phase != 1) return Status.BadPhase;
  if (acts == GRU_DEFAULT) {
    const slo = f32x4.splat(Mathf.max(clipLo(clip), SIGMOID_LO)), shi = f32x4.splat(Mathf.min(clipHi(clip), SIGMOID_HI));
    const lo = f32x4.splat(clipLo(clip)), hi = f32x4.splat(clipHi(clip));
    let k = 0;
    if (phase == 0) {
      for (; k + 4 <= H; k += 4) gruGates(xg, rh, h, tmp, H, slo, shi, lbr, k, 4);
      for (; k < H; k++) gruGates(xg, rh, h, tmp, H, slo, shi, lbr, k, 1);
    } else {
      for (; k + 4 <= H; k += 4) gruState(xg, rh, h, y, H, lo, hi, lbr, k, 4);
      for (; k < H; k++) gruState(xg, rh, h, y, H, lo, hi, lbr, k, 1);
    }
    return Status.Ok;
  }
  return phase == 0 ? gruGeneric0(xg, rh, h, tmp, H, acts, params, clip, lbr) : gruGeneric1(xg, rh, h, y, H, acts, params, clip, lbr);
}

// @ts-ignore: decorator
@inline
function gruGates(xg: usize, rh: usize, h: usize, tmp: usize, H: i32, slo: v128, shi: v128, lbr: i32, k: i32, lanes: i32): void {
  const o = <usize>k << 2, gate = <usize>H << 2;
  st(xg + o, sigmoidIn(f32x4.add(ld(xg + o, lanes), ld(rh + o, lanes)), slo, shi), lanes);
  const r = sigmoidIn(f32x4.add(ld(xg + gate + o, lanes), ld(rh + gate + o, lanes)), slo, shi);
  st(xg + gate + o, r, lanes);
  if (!lbr) st(tmp + o, f32x4.mul(r, ld(h + o, lanes)), lanes);
}

// @ts-ignore: decorator
@inline
function gruState(xg: usize, rh: usize, h: usize, y: usize, H: i32, lo: v128, hi: v128, lbr: i32, k: i32, lanes: i32): void {
  const o = <usize>k << 2, gate = <usize>H << 2;
  const rhh = ld(rh + 2 * gate + o, lanes);
  const add = lbr ? f32x4.mul(ld(xg + gate + o, lanes), rhh) : rhh;
  const hc = tanhv(clamp(f32x4.add(ld(xg + 2 * gate + o, lanes), add), lo, hi));
  const z = ld(xg + o, lanes), hp = ld(h + o, lanes);
  // (1 - z) h~ + z h, as the reference writes it.
  const hv = f32x4.add(f32x4.mul(f32x4.sub(f32x4.splat(1), z), hc), f32x4.mul(z, hp));
  st(h + o, hv, lanes);
  if (y) st(y + o, hv, lanes);
}

function gruGeneric0(xg: usize, rh: usize, h: usize, tmp: usize, H: i32, acts: i32, params: usize, clip: f32, lbr: i32): i32 {
  const xr = xg + (<usize>H << 2);
  let k = 0;
  for (; k + 4 <= 2 * H; k += 4) v128.store(xg + (<usize>k << 2), f32x4.add(f4(xg, k), f4(rh, k)));
  for (; k < 2 * H; k++) store<f32>(xg + (<usize>k << 2), load<f32>(xg + (<usize>k << 2)) + load<f32>(rh + (<usize>k << 2)));
  const s = act(acts, params, 0, clip, xg, 2 * H);
  if (s) return s;
  if (!lbr) {
    for (let j = 0; j < H; j++) store<f32>(tmp + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) * load<f32>(h + (<usize>j << 2)));
  }
  return Status.Ok;
}

function gruGeneric1(xg: usize, rh: usize, h: usize, y: usize, H: i32, acts: i32, params: usize, clip: f32, lbr: i32): i32 {
  const xz = xg, xr = xg + (<usize>H << 2), xh = xg + (<usize>H << 3);
  const rhh = rh + (<usize>H << 3);
  let k = 0;
  for (; k + 4 <= H; k += 4) {
    const add = lbr ? f32x4.mul(f4(xr, k), f4(rhh, k)) : f4(rhh, k);
    v128.store(xh + (<usize>k << 2), f32x4.add(f4(xh, k), add));
  }
  for (; k < H; k++) {
    const o = <usize>k << 2;
    const add: f32 = lbr ? load<f32>(xr + o) * load<f32>(rhh + o) : load<f32>(rhh + o);
    store<f32>(xh + o, load<f32>(xh + o) + add);
  }
  const s = act(acts, params, 1, clip, xh, H);
  if (s) return s;
  for (let j = 0; j < H; j++) {
    const o = <usize>j << 2;
    const z = load<f32>(xz + o);
    const v: f32 = (<f32>1 - z) * load<f32>(xh + o) + z * load<f32>(h + o);
    store<f32>(h + o, v);
    if (y) store<f32>(y + o, v);
  }
  return Status.Ok;
}

/** g: pre-activation (H) = x W^T + R h + biases. h = f(g). */
export function rnnCell(g: usize, h: usize, y: usize, hidden: i32, acts: i32, params: usize, clip: f32): i32 {
  const H = hidden;
  if (!inBounds(g, <usize>H << 2) || !inBounds(h, <usize>H << 2) || !optional(y, H)) return Status.OutOfBounds;
  if ((acts & 0xff) == Activation.Tanh) {
    const lo = f32x4.splat(clipLo(clip)), hi = f32x4.splat(clipHi(clip));
    let k = 0;
    for (; k + 4 <= H; k += 4) rnnUnits(g, h, y, lo, hi, k, 4);
    for (; k < H; k++) rnnUnits(g, h, y, lo, hi, k, 1);
    return Status.Ok;
  }
  const s = act(acts, params, 0, clip, g, H);
  if (s) return s;
  memory.copy(h, g, <usize>H << 2);
  if (y) memory.copy(y, g, <usize>H << 2);
  return Status.Ok;
}

// @ts-ignore: decorator
@inline
function rnnUnits(g: usize, h: usize, y: usize, lo: v128, hi: v128, k: i32, lanes: i32): void {
  const o = <usize>k << 2;
  const v = tanhv(clamp(ld(g + o, lanes), lo, hi));
  st(h + o, v, lanes);
  if (y) st(y + o, v, lanes);
}
