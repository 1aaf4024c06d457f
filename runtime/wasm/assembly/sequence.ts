// The recurrent time loop of one direction in one call: for every step s and batch row
// b with s < lens[b] (time index t = s, or lens[b] - 1 - s when reversed), the R gemv
// into row (t, b)'s gate pre-activations, then the cell, which writes h (and c) in
// place and h to Y at y + (t * yStep + b * yBatch) floats. The input projection
// (gx = x W^T + bias for every (t, b) row, t-major) is done before, batched. This is
// runtime/kernels/recurrent.ts's stepSequence without a JS <-> WASM crossing, a
// subarray view or an option object per step; test/recurrent/sequence.test.ts holds
// the two to the same outputs.
//
// R comes as a descriptor m of i32 words: [kind (enums.json Matrix), the gemv kernel's
// matrix arguments in its own order, then for BSR the block-row spans of the row
// ranges a step uses]:
//   Dense:                 w, cols
//   Blocked16/32, Csr16/32: values, column indices, row (group) pointers
//   Bsr16/32:              br, values, blockCol, blockPtr, rowMap, rows, cols
//   words 8, 9:  b0, b1 of the full range (GRU: rows [0, 2H), or [0, 3H) with linear_before_reset)
//   words 10, 11: b0, b1 of rows [2H, 3H) (GRU without linear_before_reset)
import { Matrix, Status } from '../build/enums';
import { gemvBlk16, gemvBlk32, gemvCsr16, gemvCsr32, gemvDense } from './gemv';
import { gemvBsr16, gemvBsr32 } from './bsr';
import { gruCell, lstmCell, rnnCell } from './cells';

/** y[r0..r1) = init + R x; span 0 or 1 picks the BSR block-row range (words 8-9 or 10-11). */
function gemvOf(m: usize, x: usize, y: usize, bias: usize, r0: i32, r1: i32, span: i32, acc: i32): i32 {
  const kind = load<i32>(m);
  const a0 = load<i32>(m, 4), a1 = load<i32>(m, 8), a2 = load<i32>(m, 12);
  if (kind == Matrix.Dense) return gemvDense(a0, a1, x, y, bias, r0, r1, acc);
  if (kind == Matrix.Blocked16) return gemvBlk16(a0, a1, a2, x, y, bias, r0, r1, acc);
  if (kind == Matrix.Blocked32) return gemvBlk32(a0, a1, a2, x, y, bias, r0, r1, acc);
  if (kind == Matrix.Csr16) return gemvCsr16(a0, a1, a2, x, y, bias, r0, r1, acc);
  if (kind == Matrix.Csr32) return gemvCsr32(a0, a1, a2, x, y, bias, r0, r1, acc);
  const sp = m + 32 + (<usize>span << 3);
  const b0 = load<i32>(sp), b1 = load<i32>(sp, 4);
  const a3 = load<i32>(m, 16), a4 = load<i32>(m, 20), a5 = load<i32>(m, 24), a6 = load<i32>(m, 28);
  if (kind == Matrix.Bsr16) return gemvBsr16(a0, a1, a2, a3, a4, a5, a6, x, y, bias, b0, b1, r0, r1, acc);
  if (kind == Matrix.Bsr32) return gemvBsr32(a0, a1, a2, a3, a4, a5, a6, x, y, bias, b0, b1, r0, r1, acc);
  return Status.BadShape;
}

/** [p, p + bytes) inside memory, the size computed without wrapping. */
// @ts-ignore: decorator
@inline
function fits(p: usize, bytes: u64): bool {
  return <u64>p + bytes <= (<u64>memory.size() << 16);
}

/**
 * What every sequence kernel checks before its first step: the descriptor, lens (each
 * 0..steps), gx (steps * batch rows of `width` floats), the states (batch rows of H)
 * and, when y != 0, the farthest Y row. The gemv and cell kernels check their own
 * extents on every call; this covers what they read without checking (x, lens).
 */
function checkSequence(m: usize, gx: usize, width: i32, steps: i32, batch: i32, H: i32, lens: usize, h: usize,
  y: usize, yStep: i32, yBatch: i32): i32 {
  if (steps < 0 || batch < 0 || H <= 0 || yStep < 0 || yBatch < 0) return Status.BadShape;
  if (!fits(m, 48) || !fits(lens, <u64>batch << 2) || !fits(h, (<u64>batch * H) << 2) ||
    !fits(gx, (<u64>steps * batch * width) << 2)) return Status.OutOfBounds;
  for (let b = 0; b < batch; b++) {
    const len = load<i32>(lens + (<usize>b << 2));
    if (len < 0 || len > steps) return Status.BadShape;
  }
  if (y && steps > 0 && batch > 0 && !fits(y, (<u64>(steps - 1) * yStep + <u64>(batch - 1) * yBatch + H) << 2)) return Status.OutOfBounds;
  return Status.Ok;
}

/** Row (t, b) of Y, or 0 when there is no Y. */
// @ts-ignore: decorator
@inline
function yRow(y: usize, t: i32, b: i32, yStep: i32, yBatch: i32): usize {
  return y ? y + ((<usize>t * yStep + <usize>b * yBatch) << 2) : 0;
}

// @ts-ignore: decorator
@inline
function timeOf(lens: usize, b: i32, s: i32, reverse: i32): i32 {
  const len = load<i32>(lens + (<usize>b << 2));
  if (s >= len) return -1;
  return reverse ? len - 1 - s : s;
}

/** gx rows of 4H = [i, o, f, c] (overwritten); h, c: batch rows of H, in/out. */
export function lstmSequence(m: usize, gx: usize, steps: i32, batch: i32, hidden: i32, lens: usize, reverse: i32,
  h: usize, c: usize, y: usize, yStep: i32, yBatch: i32, peep: usize, acts: i32, params: usize, clip: f32, inputForget: i32): i32 {
  const H = hidden, G = 4 * H;
  let s = checkSequence(m, gx, G, steps, batch, H, lens, h, y, yStep, yBatch);
  if (s) return s;
  if (!fits(c, (<u64>batch * H) << 2)) return Status.OutOfBounds;
  for (let k = 0; k < steps; k++) {
    for (let b = 0; b < batch; b++) {
      const t = timeOf(lens, b, k, reverse);
      if (t < 0) continue;
      const g = gx + ((<usize>t * batch + b) * G << 2), hb = h + ((<usize>b * H) << 2);
      s = gemvOf(m, hb, g, 0, 0, G, 0, 1);
      if (s) return s;
      s = lstmCell(g, c + ((<usize>b * H) << 2), hb, yRow(y, t, b, yStep, yBatch), H, peep, acts, params, clip, inputForget);
      if (s) return s;
    }
  }
  return Status.Ok;
}

/**
 * gx rows of 3H = [z, r, h] of x W^T + Wb (overwritten); rh (3H) and tmp (H) scratch;
 * rb: Rb (3H) or 0. With linear_before_reset = 0 a step runs R twice: [z, r] rows on h,
 * then the h rows on r * h.
 */
export function gruSequence(m: usize, gx: usize, steps: i32, batch: i32, hidden: i32, lens: usize, reverse: i32,
  h: usize, y: usize, yStep: i32, yBatch: i32, rh: usize, tmp: usize, rb: usize, acts: i32, params: usize, clip: f32, lbr: i32): i32 {
  const H = hidden, G = 3 * H;
  let s = checkSequence(m, gx, G, steps, batch, H, lens, h, y, yStep, yBatch);
  if (s) return s;
  if (!fits(tmp, <u64>H << 2) || (rb && !fits(rb, <u64>G << 2))) return Status.OutOfBounds;
  for (let k = 0; k < steps; k++) {
    for (let b = 0; b < batch; b++) {
      const t = timeOf(lens, b, k, reverse);
      if (t < 0) continue;
      const xg = gx + ((<usize>t * batch + b) * G << 2), hb = h + ((<usize>b * H) << 2);
      s = gemvOf(m, hb, rh, rb, 0, lbr ? G : 2 * H, 0, 0);
      if (s) return s;
      s = gruCell(0, xg, rh, hb, tmp, 0, H, acts, params, clip, lbr);
      if (s) return s;
      if (!lbr) {
        s = gemvOf(m, tmp, rh, rb, 2 * H, G, 1, 0);
        if (s) return s;
      }
      s = gruCell(1, xg, rh, hb, tmp, yRow(y, t, b, yStep, yBatch), H, acts, params, clip, lbr);
      if (s) return s;
    }
  }
  return Status.Ok;
}

/** gx rows of H (overwritten); h: batch rows of H, in/out. */
export function rnnSequence(m: usize, gx: usize, steps: i32, batch: i32, hidden: i32, lens: usize, reverse: i32,
  h: usize, y: usize, yStep: i32, yBatch: i32, acts: i32, params: usize, clip: f32): i32 {
  const H = hidden;
  let s = checkSequence(m, gx, H, steps, batch, H, lens, h, y, yStep, yBatch);
  if (s) return s;
  for (let k = 0; k < steps; k++) {
    for (let b = 0; b < batch; b++) {
      const t = timeOf(lens, b, k, reverse);
      if (t < 0) continue;
      const g = gx + ((<usize>t * batch + b) * H << 2), hb = h + ((<usize>b * H) << 2);
      s = gemvOf(m, hb, g, 0, 0, H, 0, 1);
      if (s) return s;
      s = rnnCell(g, hb, yRow(y, t, b, yStep, yBatch), H, acts, params, clip);
      if (s) return s;
    }
  }
  return Status.Ok;
}
