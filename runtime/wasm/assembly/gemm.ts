// Batched kernels in the "transposed" layout: YT[r, 0..P) = init + sum_k W[r,k] XT[k, 0..P).
// XT is [K, P] — for a Gemm the transposed batch, for a Conv the im2col matrix, so the
// conv output comes out directly as [M, OH*OW]. The lanes run along P: a nonzero of W
// is broadcast once and multiplies 16 columns held in four registers.
import { Status } from '../build/enums';
import { inBounds } from './util';

// @ts-ignore: decorator
@inline
function rowInit(yt: usize, bias: usize, r: i32, acc: i32, p: i32): v128 {
  if (acc) return v128.load(yt + (<usize>p << 2));
  return f32x4.splat(bias ? load<f32>(bias + (<usize>r << 2)) : 0);
}

// @ts-ignore: decorator
@inline
function rowInitS(yt: usize, bias: usize, r: i32, acc: i32, p: i32): f32 {
  if (acc) return load<f32>(yt + (<usize>p << 2));
  return bias ? load<f32>(bias + (<usize>r << 2)) : 0;
}

/** Column of entry k: dense (k), CSR u16/i32, or blocked-by-4 u16/i32 (group start + k % 4). */
// @ts-ignore: decorator
@inline
function col(kind: i32, cols: usize, k: i32): i32 {
  if (kind == 0) return k;
  if (kind == 1) return <i32>load<u16>(cols + (<usize>k << 1));
  if (kind == 2) return load<i32>(cols + (<usize>k << 2));
  if (kind == 3) return <i32>load<u16>(cols + (<usize>(k >> 2) << 1)) + (k & 3);
  return load<i32>(cols + (<usize>(k >> 2) << 2)) + (k & 3);
}

/**
 * One output row. Nonzeros of the row are (value, column) pairs read through
 * `val(k)` / `col(k)` for k in [a, b): dense rows pass k = column.
 */
// @ts-ignore: decorator
@inline
function gemmRow(kind: i32, w: usize, cols: usize, a: i32, b: i32, xt: usize, p: i32, yrow: usize, bias: usize, r: i32, acc: i32, j0: i32): void {
  const pb = <usize>p << 2;
  let j = j0;
  for (; j + 16 <= p; j += 16) {
    const jo = <usize>j << 2;
    let s0 = rowInit(yrow, bias, r, acc, j), s1 = rowInit(yrow, bias, r, acc, j + 4);
    let s2 = rowInit(yrow, bias, r, acc, j + 8), s3 = rowInit(yrow, bias, r, acc, j + 12);
    for (let k = a; k < b; k++) {
      const v = v128.load32_splat(w + (<usize>k << 2));
      const c = col(kind, cols, k);
      const xr = xt + <usize>c * pb + jo;
      s0 = f32x4.add(s0, f32x4.mul(v, v128.load(xr)));
      s1 = f32x4.add(s1, f32x4.mul(v, v128.load(xr, 16)));
      s2 = f32x4.add(s2, f32x4.mul(v, v128.load(xr, 32)));
      s3 = f32x4.add(s3, f32x4.mul(v, v128.load(xr, 48)));
    }
    v128.store(yrow + jo, s0); v128.store(yrow + jo, s1, 16);
    v128.store(yrow + jo, s2, 32); v128.store(yrow + jo, s3, 48);
  }
  for (; j + 4 <= p; j += 4) {
    const jo = <usize>j << 2;
    let s0 = rowInit(yrow, bias, r, acc, j);
    for (let k = a; k < b; k++) {
      const c = col(kind, cols, k);
      s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(w + (<usize>k << 2)), v128.load(xt + <usize>c * pb + jo)));
    }
    v128.store(yrow + jo, s0);
  }
  for (; j < p; j++) {
    const jo = <usize>j << 2;
    let s = rowInitS(yrow, bias, r, acc, j);
    for (let k = a; k < b; k++) {
      const c = col(kind, cols, k);
      s += load<f32>(w + (<usize>k << 2)) * load<f32>(xt + <usize>c * pb + jo);
    }
    store<f32>(yrow + jo, s);
  }
}

/**
 * Dense: tiles of 4 rows x 8 columns, so each pair of XT loads feeds 8 multiply-adds
 * and each weight broadcast 2 (11 live registers, within x64's 16); a 4-column rim
 * as a 4x4 tile, the last 1-3 columns and rows through gemmRow.
 */
export function gemmDenseT(w: usize, rows: i32, cols: i32, xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  if (!inBounds(yt, (<usize>rows * p) << 2) || !inBounds(xt, (<usize>cols * p) << 2)) return Status.OutOfBounds;
  const pb = <usize>p << 2, wb = <usize>cols << 2;
  const p8 = p & ~7;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const w0 = w + <usize>r * wb, w1 = w0 + wb, w2 = w1 + wb, w3 = w2 + wb;
    const y0 = yt + <usize>r * pb, y1 = y0 + pb, y2 = y1 + pb, y3 = y2 + pb;
    for (let j = 0; j < p8; j += 8) {
      const jo = <usize>j << 2;
      let a0 = rowInit(y0, bias, r, acc, j), b0 = rowInit(y0, bias, r, acc, j + 4);
      let a1 = rowInit(y1, bias, r + 1, acc, j), b1 = rowInit(y1, bias, r + 1, acc, j + 4);
      let a2 = rowInit(y2, bias, r + 2, acc, j), b2 = rowInit(y2, bias, r + 2, acc, j + 4);
      let a3 = rowInit(y3, bias, r + 3, acc, j), b3 = rowInit(y3, bias, r + 3, acc, j + 4);
      for (let k = 0; k < cols; k++) {
        const xr = xt + <usize>k * pb + jo;
        const x0 = v128.load(xr), x1 = v128.load(xr, 16);
        const ko = <usize>k << 2;
        let v = v128.load32_splat(w0 + ko);
        a0 = f32x4.add(a0, f32x4.mul(v, x0)); b0 = f32x4.add(b0, f32x4.mul(v, x1));
        v = v128.load32_splat(w1 + ko);
        a1 = f32x4.add(a1, f32x4.mul(v, x0)); b1 = f32x4.add(b1, f32x4.mul(v, x1));
        v = v128.load32_splat(w2 + ko);
        a2 = f32x4.add(a2, f32x4.mul(v, x0)); b2 = f32x4.add(b2, f32x4.mul(v, x1));
        v = v128.load32_splat(w3 + ko);
        a3 = f32x4.add(a3, f32x4.mul(v, x0)); b3 = f32x4.add(b3, f32x4.mul(v, x1));
      }
      v128.store(y0 + jo, a0); v128.store(y0 + jo, b0, 16);
      v128.store(y1 + jo, a1); v128.store(y1 + jo, b1, 16);
      v128.store(y2 + jo, a2); v128.store(y2 + jo, b2, 16);
      v128.store(y3 + jo, a3); v128.store(y3 + jo, b3, 16);
    }
    let j = p8;
    if (j + 4 <= p) {
      // A 4-column rim as one 4x4 tile (per row it would be a broadcast per weight for 4 products).
      const jo = <usize>j << 2;
      let a0 = rowInit(y0, bias, r, acc, j), a1 = rowInit(y1, bias, r + 1, acc, j);
      let a2 = rowInit(y2, bias, r + 2, acc, j), a3 = rowInit(y3, bias, r + 3, acc, j);
      for (let k = 0; k < cols; k++) {
        const x0 = v128.load(xt + <usize>k * pb + jo), ko = <usize>k << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(w0 + ko), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(w1 + ko), x0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(w2 + ko), x0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(w3 + ko), x0));
      }
      v128.store(y0 + jo, a0); v128.store(y1 + jo, a1); v128.store(y2 + jo, a2); v128.store(y3 + jo, a3);
      j += 4;
    }
    for (let i = 0; i < 4; i++) {
      gemmRow(0, w + <usize>(r + i) * wb, 0, 0, cols, xt, p, yt + <usize>(r + i) * pb, bias, r + i, acc, j);
    }
  }
  for (; r < rows; r++) {
    // Row r's weights start at w + r*cols; k runs over columns, so pass the row base.
    gemmRow(0, w + <usize>r * wb, 0, 0, cols, xt, p, yt + <usize>r * pb, bias, r, acc, 0);
  }
  return Status.Ok;
}

// @ts-ignore: decorator
@inline
function gemmCsrT(kind: i32, values: usize, cols: usize, rowPtr: usize, rows: i32, xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  if (!inBounds(yt, (<usize>rows * p) << 2) || !inBounds(rowPtr, (<usize>rows + 1) << 2)) return Status.OutOfBounds;
  for (let r = 0; r < rows; r++) {
    // Blocked kinds count groups of 4 entries in their row pointers.
    const sh = kind >= 3 ? 2 : 0;
    const a = load<i32>(rowPtr + (<usize>r << 2)) << sh, b = load<i32>(rowPtr + (<usize>(r + 1) << 2)) << sh;
    gemmRow(kind, values, cols, a, b, xt, p, yt + ((<usize>r * p) << 2), bias, r, acc, 0);
  }
  return Status.Ok;
}

export function gemmCsr16T(values: usize, cols: usize, rowPtr: usize, rows: i32, xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  return gemmCsrT(1, values, cols, rowPtr, rows, xt, p, yt, bias, acc);
}

export function gemmCsr32T(values: usize, cols: usize, rowPtr: usize, rows: i32, xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  return gemmCsrT(2, values, cols, rowPtr, rows, xt, p, yt, bias, acc);
}

export function gemmBlk16T(values: usize, cols: usize, gptr: usize, rows: i32, xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  return gemmCsrT(3, values, cols, gptr, rows, xt, p, yt, bias, acc);
}

export function gemmBlk32T(values: usize, cols: usize, gptr: usize, rows: i32, xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  return gemmCsrT(4, values, cols, gptr, rows, xt, p, yt, bias, acc);
}
