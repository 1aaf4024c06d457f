// Recurrent cell updates for one batch row and one time step. The mat-vecs (x W^T for
// all steps, R h per step) are done before by the gemv/gemm kernels; a cell only does
// the elementwise gate math, in place, and writes h to the state and to Y (y != 0).
// Activation ids are packed one per byte (f | g << 8 | h << 16); params points at
// f32 [alpha_f, beta_f, alpha_g, beta_g, alpha_h, beta_h].
import { Status } from '../build/enums';
import { applyActivation, sigmoidv, tanhv } from './math';
import { Activation } from '../build/enums';
import { inBounds } from './util';

// @ts-ignore: decorator
@inline
function act(acts: i32, params: usize, which: i32, clip: f32, p: usize, n: i32): i32 {
  return applyActivation((acts >> (which * 8)) & 0xff, load<f32>(params + <usize>(which * 8)), load<f32>(params + <usize>(which * 8 + 4)), clip, p, n);
}

// @ts-ignore: decorator
@inline
function f4(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 2)); }

/** g: [i, o, f, c] pre-activations (4H), c: cell state in/out, h: hidden state out. */
export function lstmCell(g: usize, c: usize, h: usize, y: usize, hidden: i32, peep: usize, acts: i32, params: usize, clip: f32, inputForget: i32): i32 {
  const H = hidden;
  if (!inBounds(g, (<usize>H * 4) << 2) || !inBounds(c, <usize>H << 2) || !inBounds(h, <usize>H << 2)) return Status.OutOfBounds;
  const gi = g, go = g + (<usize>H << 2), gf = g + (<usize>H << 3), gc = g + (<usize>H * 12);
  // The common cell (sigmoid/tanh/tanh, no peepholes, clip or coupled gates) in one
  // pass, four units at a time with everything in registers.
  if (!peep && !inputForget && clip <= 0 && (H & 3) == 0 &&
      acts == (Activation.Sigmoid | (Activation.Tanh << 8) | (Activation.Tanh << 16))) {
    for (let k = 0; k < H; k += 4) {
      const o = <usize>k << 2;
      const iv = sigmoidv(v128.load(gi + o)), ov = sigmoidv(v128.load(go + o));
      const fv = sigmoidv(v128.load(gf + o)), cv = tanhv(v128.load(gc + o));
      const cn = f32x4.add(f32x4.mul(fv, v128.load(c + o)), f32x4.mul(iv, cv));
      v128.store(c + o, cn);
      const hv = f32x4.mul(ov, tanhv(cn));
      v128.store(h + o, hv);
      if (y) v128.store(y + o, hv);
    }
    return Status.Ok;
  }
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
  // gc now holds the new cell state; h(C) in place, then H = o * h(C). clip bounds the
  // gates' pre-activations, not the cell state (the reference and onnxruntime agree).
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
  if (!inBounds(xg, (<usize>H * 3) << 2) || !inBounds(rh, (<usize>H * 3) << 2) || !inBounds(h, <usize>H << 2)) return Status.OutOfBounds;
  const xz = xg, xr = xg + (<usize>H << 2), xh = xg + (<usize>H << 3);
  const rhh = rh + (<usize>H << 3);
  if (phase == 0) {
    let k = 0;
    for (; k + 4 <= 2 * H; k += 4) v128.store(xg + (<usize>k << 2), f32x4.add(f4(xg, k), f4(rh, k)));
    for (; k < 2 * H; k++) store<f32>(xg + (<usize>k << 2), load<f32>(xg + (<usize>k << 2)) + load<f32>(rh + (<usize>k << 2)));
    const s = act(acts, params, 0, clip, xg, 2 * H);
    if (s) return s;
    if (!lbr) {
      if (!inBounds(tmp, <usize>H << 2)) return Status.OutOfBounds;
      for (let j = 0; j < H; j++) store<f32>(tmp + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) * load<f32>(h + (<usize>j << 2)));
    }
    return Status.Ok;
  }
  if (phase != 1) return Status.BadPhase;
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
  if (!inBounds(g, <usize>hidden << 2) || !inBounds(h, <usize>hidden << 2)) return Status.OutOfBounds;
  const s = act(acts, params, 0, clip, g, hidden);
  if (s) return s;
  memory.copy(h, g, <usize>hidden << 2);
  if (y) memory.copy(y, g, <usize>hidden << 2);
  return Status.Ok;
}
