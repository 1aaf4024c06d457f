// Batch-1 mat-vec kernels: y[r] = init + W[r,:] . x for rows [r0, r1), where init is
// y[r] (accumulate), bias[r] (bias != 0) or 0. Dense rows use four rows at a time so
// every x load feeds four multiply-adds; CSR rows are padded to a multiple of 4 at
// pack time (runtime/kernels/wasm-linalg.ts) so the body has no scalar tail.
import { Status } from '../build/enums';
import { hsum, hsum4, inBounds } from './util';

// @ts-ignore: decorator
@inline
function init(y: usize, bias: usize, r: i32, acc: i32): f32 {
  if (acc) return load<f32>(y + (<usize>r << 2));
  return bias ? load<f32>(bias + (<usize>r << 2)) : 0;
}

export function gemvDense(w: usize, cols: i32, x: usize, y: usize, bias: usize, r0: i32, r1: i32, acc: i32): i32 {
  if (!inBounds(y, <usize>r1 << 2) || !inBounds(w, (<usize>r1 * cols) << 2)) return Status.OutOfBounds;
  const stride = <usize>cols << 2;
  const c4 = cols & ~3;
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const w0 = w + <usize>r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let c = 0;
    // (Eight accumulators, two per row, measured slower: V8 spills on x64's 16 xmm registers.)
    for (; c < c4; c += 4) {
      const o = <usize>c << 2;
      const xv = v128.load(x + o);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(w0 + o), xv));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(w1 + o), xv));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(w2 + o), xv));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(w3 + o), xv));
    }
    let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xs = load<f32>(x + o);
      s0 += load<f32>(w0 + o) * xs; s1 += load<f32>(w1 + o) * xs;
      s2 += load<f32>(w2 + o) * xs; s3 += load<f32>(w3 + o) * xs;
    }
    store<f32>(y + (<usize>r << 2), init(y, bias, r, acc) + s0);
    store<f32>(y + (<usize>(r + 1) << 2), init(y, bias, r + 1, acc) + s1);
    store<f32>(y + (<usize>(r + 2) << 2), init(y, bias, r + 2, acc) + s2);
    store<f32>(y + (<usize>(r + 3) << 2), init(y, bias, r + 3, acc) + s3);
  }
  for (; r < r1; r++) {
    const w0 = w + <usize>r * stride;
    let a0 = f32x4.splat(0);
    let c = 0;
    for (; c < c4; c += 4) {
      const o = <usize>c << 2;
      a0 = f32x4.add(a0, f32x4.mul(v128.load(w0 + o), v128.load(x + o)));
    }
    let s = hsum(a0);
    for (; c < cols; c++) s += load<f32>(w0 + (<usize>c << 2)) * load<f32>(x + (<usize>c << 2));
    store<f32>(y + (<usize>r << 2), init(y, bias, r, acc) + s);
  }
  return Status.Ok;
}

// @ts-ignore: decorator
@inline
function gather16(x: usize, cols: usize, k: i32): v128 {
  const ci = load<u64>(cols + (<usize>k << 1));
  let v = f32x4.splat(0);
  v = v128.load32_lane(x + (<usize>(ci & 0xffff) << 2), v, 0);
  v = v128.load32_lane(x + (<usize>((ci >> 16) & 0xffff) << 2), v, 1);
  v = v128.load32_lane(x + (<usize>((ci >> 32) & 0xffff) << 2), v, 2);
  v = v128.load32_lane(x + (<usize>(ci >> 48) << 2), v, 3);
  return v;
}

// @ts-ignore: decorator
@inline
function gather32(x: usize, cols: usize, k: i32): v128 {
  const ci = v128.load(cols + (<usize>k << 2));
  let v = f32x4.splat(0);
  v = v128.load32_lane(x + (<usize>i32x4.extract_lane(ci, 0) << 2), v, 0);
  v = v128.load32_lane(x + (<usize>i32x4.extract_lane(ci, 1) << 2), v, 1);
  v = v128.load32_lane(x + (<usize>i32x4.extract_lane(ci, 2) << 2), v, 2);
  v = v128.load32_lane(x + (<usize>i32x4.extract_lane(ci, 3) << 2), v, 3);
  return v;
}

/** init for rows r..r+3 as one vector. */
// @ts-ignore: decorator
@inline
function init4(y: usize, bias: usize, r: i32, acc: i32): v128 {
  if (acc) return v128.load(y + (<usize>r << 2));
  return bias ? v128.load(bias + (<usize>r << 2)) : f32x4.splat(0);
}

/** Sum of one padded-CSR row's products, entries [a, b) (a multiple of 4 each). */
// @ts-ignore: decorator
@inline
function csrRow(wide: bool, values: usize, cols: usize, x: usize, a: i32, b: i32): v128 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let k = a;
  // Two independent chains of 4 nonzeros hide the latency of the gathers.
  for (; k + 8 <= b; k += 8) {
    const g0 = wide ? gather32(x, cols, k) : gather16(x, cols, k);
    const g1 = wide ? gather32(x, cols, k + 4) : gather16(x, cols, k + 4);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(values + (<usize>k << 2)), g0));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(values + (<usize>(k + 4) << 2)), g1));
  }
  if (k < b) {
    const g0 = wide ? gather32(x, cols, k) : gather16(x, cols, k);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(values + (<usize>k << 2)), g0));
  }
  return f32x4.add(s0, s1);
}

/** Sum of one blocked row's products, groups [a, b). */
// @ts-ignore: decorator
@inline
function blkRow(wide: bool, values: usize, cols: usize, x: usize, a: i32, b: i32): v128 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let g = a;
  for (; g + 4 <= b; g += 4) {
    const cp = wide ? cols + (<usize>g << 2) : cols + (<usize>g << 1);
    const vp = values + (<usize>g << 4);
    const c0 = wide ? <usize>load<i32>(cp) : <usize>load<u16>(cp);
    const c1 = wide ? <usize>load<i32>(cp, 4) : <usize>load<u16>(cp, 2);
    const c2 = wide ? <usize>load<i32>(cp, 8) : <usize>load<u16>(cp, 4);
    const c3 = wide ? <usize>load<i32>(cp, 12) : <usize>load<u16>(cp, 6);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(vp), v128.load(x + (c0 << 2))));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(vp, 16), v128.load(x + (c1 << 2))));
    s0 = f32x4.add(s0, f32x4.mul(v128.load(vp, 32), v128.load(x + (c2 << 2))));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(vp, 48), v128.load(x + (c3 << 2))));
  }
  for (; g + 2 <= b; g += 2) {
    const c0 = wide ? <usize>load<i32>(cols + (<usize>g << 2)) : <usize>load<u16>(cols + (<usize>g << 1));
    const c1 = wide ? <usize>load<i32>(cols + (<usize>g << 2), 4) : <usize>load<u16>(cols + (<usize>g << 1), 2);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(values + (<usize>g << 4)), v128.load(x + (c0 << 2))));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(values + (<usize>g << 4), 16), v128.load(x + (c1 << 2))));
  }
  if (g < b) {
    const c0 = wide ? <usize>load<i32>(cols + (<usize>g << 2)) : <usize>load<u16>(cols + (<usize>g << 1));
    s0 = f32x4.add(s0, f32x4.mul(v128.load(values + (<usize>g << 4)), v128.load(x + (c0 << 2))));
  }
  return f32x4.add(s0, s1);
}

/**
 * Rows four at a time: the four horizontal sums combine in one shuffle tree and one
 * vector store, which matters when rows hold only a few nonzeros each.
 */
// @ts-ignore: decorator
@inline
function gemvSparse(blocked: bool, wide: bool, values: usize, cols: usize, rowPtr: usize, x: usize, y: usize, bias: usize, r0: i32, r1: i32, acc: i32): i32 {
  if (!inBounds(y, <usize>r1 << 2) || !inBounds(rowPtr, (<usize>r1 + 1) << 2)) return Status.OutOfBounds;
  if (!inBounds(values, <usize>load<i32>(rowPtr + (<usize>r1 << 2)) << (blocked ? 4 : 2))) return Status.OutOfBounds;
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const p = rowPtr + (<usize>r << 2);
    const a0 = load<i32>(p), a1 = load<i32>(p, 4), a2 = load<i32>(p, 8), a3 = load<i32>(p, 12), a4 = load<i32>(p, 16);
    const s0 = blocked ? blkRow(wide, values, cols, x, a0, a1) : csrRow(wide, values, cols, x, a0, a1);
    const s1 = blocked ? blkRow(wide, values, cols, x, a1, a2) : csrRow(wide, values, cols, x, a1, a2);
    const s2 = blocked ? blkRow(wide, values, cols, x, a2, a3) : csrRow(wide, values, cols, x, a2, a3);
    const s3 = blocked ? blkRow(wide, values, cols, x, a3, a4) : csrRow(wide, values, cols, x, a3, a4);
    v128.store(y + (<usize>r << 2), f32x4.add(init4(y, bias, r, acc), hsum4(s0, s1, s2, s3)));
  }
  for (; r < r1; r++) {
    const a = load<i32>(rowPtr + (<usize>r << 2)), b = load<i32>(rowPtr + (<usize>(r + 1) << 2));
    const s = blocked ? blkRow(wide, values, cols, x, a, b) : csrRow(wide, values, cols, x, a, b);
    store<f32>(y + (<usize>r << 2), init(y, bias, r, acc) + hsum(s));
  }
  return Status.Ok;
}

export function gemvCsr16(values: usize, cols: usize, rowPtr: usize, x: usize, y: usize, bias: usize, r0: i32, r1: i32, acc: i32): i32 {
  return gemvSparse(false, false, values, cols, rowPtr, x, y, bias, r0, r1, acc);
}

export function gemvCsr32(values: usize, cols: usize, rowPtr: usize, x: usize, y: usize, bias: usize, r0: i32, r1: i32, acc: i32): i32 {
  return gemvSparse(false, true, values, cols, rowPtr, x, y, bias, r0, r1, acc);
}

/**
 * Blocked CSR (1x4): each row is a list of groups of 4 consecutive columns starting
 * at a stored column c (c <= cols - 4), holding 4 values (zeros where the weight is
 * pruned). x[c..c+3] is one contiguous SIMD load instead of four lane inserts, which
 * bound the plain CSR kernel on the shuffle port: a random 90%-sparse row has ~1.3
 * nonzeros per group, so this moves more bytes but issues far fewer instructions.
 */
export function gemvBlk16(values: usize, cols: usize, gptr: usize, x: usize, y: usize, bias: usize, r0: i32, r1: i32, acc: i32): i32 {
  return gemvSparse(true, false, values, cols, gptr, x, y, bias, r0, r1, acc);
}

export function gemvBlk32(values: usize, cols: usize, gptr: usize, x: usize, y: usize, bias: usize, r0: i32, r1: i32, acc: i32): i32 {
  return gemvSparse(true, true, values, cols, gptr, x, y, bias, r0, r1, acc);
}
