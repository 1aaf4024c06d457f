// Block-CSR kernels for br x 1 blocks, br in {4, 8, 16} (layout: runtime/bsr.ts). A
// block is br weights of one column: one index load and one broadcast x feed br/4
// vector multiply-adds, where CSR pays an index and a lane insert per weight (LPCNet's
// 16x1 layout). A block row's br sums stay in registers until its end and are then
// scattered through rowMap (-1 = padding row): four consecutive rows in range as one
// vector store, others lane by lane, so gate-fused maps cost only the scatter.
// Only rows in [r0, r1) are written (a GRU runs its z/r and h rows as two calls);
// the caller passes the block rows [b0, b1) that hold them.
import { Status } from '../build/enums';
import { inBounds } from './util';

// @ts-ignore: decorator
@inline
function colAt(wide: bool, blockCol: usize, k: i32): usize {
  return wide ? <usize>load<i32>(blockCol + (<usize>k << 2)) : <usize>load<u16>(blockCol + (<usize>k << 1));
}

// @ts-ignore: decorator
@inline
function initAt(y: usize, bias: usize, r: i32, acc: i32): f32 {
  if (acc) return load<f32>(y + (<usize>r << 2));
  return bias ? load<f32>(bias + (<usize>r << 2)) : 0;
}

// @ts-ignore: decorator
@inline
function initAt4(y: usize, bias: usize, r: i32, acc: i32): v128 {
  if (acc) return v128.load(y + (<usize>r << 2));
  return bias ? v128.load(bias + (<usize>r << 2)) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline
function putLane(y: usize, bias: usize, r: i32, acc: i32, r0: i32, r1: i32, s: f32): void {
  if (<u32>(r - r0) < <u32>(r1 - r0)) store<f32>(y + (<usize>r << 2), initAt(y, bias, r, acc) + s);
}

/** Writes the sums s of the four rows at map[0..4) (the rows in [r0, r1) only). */
// @ts-ignore: decorator
@inline
function scatter4(map: usize, s: v128, y: usize, bias: usize, r0: i32, r1: i32, acc: i32): void {
  const m = v128.load(map);
  const r = i32x4.extract_lane(m, 0);
  if (i32x4.all_true(i32x4.eq(m, i32x4.add(i32x4.splat(r), i32x4(0, 1, 2, 3)))) && r >= r0 && r + 4 <= r1) {
    v128.store(y + (<usize>r << 2), f32x4.add(initAt4(y, bias, r, acc), s));
    return;
  }
  putLane(y, bias, r, acc, r0, r1, f32x4.extract_lane(s, 0));
  putLane(y, bias, i32x4.extract_lane(m, 1), acc, r0, r1, f32x4.extract_lane(s, 1));
  putLane(y, bias, i32x4.extract_lane(m, 2), acc, r0, r1, f32x4.extract_lane(s, 2));
  putLane(y, bias, i32x4.extract_lane(m, 3), acc, r0, r1, f32x4.extract_lane(s, 3));
}

/**
 * Block rows [b0, b1). Four accumulators in every case: 16x1 uses one per four rows,
 * 8x1 two per block over two blocks at a time, 4x1 one per block over four, so each
 * add chain waits on an add only every few blocks.
 */
// @ts-ignore: decorator
@inline
function gemvBsr(br: i32, wide: bool, values: usize, blockCol: usize, blockPtr: usize, rowMap: usize, rows: i32, cols: i32,
  x: usize, y: usize, bias: usize, b0: i32, b1: i32, r0: i32, r1: i32, acc: i32): i32 {
  if (b0 < 0 || b1 < b0 || r0 < 0 || r1 > rows || r1 < r0) return Status.BadShape;
  if (!inBounds(y, <usize>rows << 2) || !inBounds(x, <usize>cols << 2) || !inBounds(blockPtr, (<usize>b1 + 1) << 2)
    || !inBounds(rowMap, (<usize>b1 * br) << 2) || (bias && !inBounds(bias, <usize>rows << 2))) return Status.OutOfBounds;
  const n = <usize>load<i32>(blockPtr + (<usize>b1 << 2));
  if (!inBounds(values, (n * br) << 2) || !inBounds(blockCol, n << (wide ? 2 : 1))) return Status.OutOfBounds;
  const bs = <usize>br << 2;
  for (let b = b0; b < b1; b++) {
    const e = load<i32>(blockPtr + (<usize>(b + 1) << 2));
    let k = load<i32>(blockPtr + (<usize>b << 2));
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    if (br == 16) {
      for (; k < e; k++) {
        const xv = v128.load32_splat(x + (colAt(wide, blockCol, k) << 2));
        const vp = values + <usize>k * bs;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(vp), xv));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(vp, 16), xv));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(vp, 32), xv));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(vp, 48), xv));
      }
    } else if (br == 8) {
      for (; k + 2 <= e; k += 2) {
        const x0 = v128.load32_splat(x + (colAt(wide, blockCol, k) << 2));
        const x1 = v128.load32_splat(x + (colAt(wide, blockCol, k + 1) << 2));
        const vp = values + <usize>k * bs;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(vp), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(vp, 16), x0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(vp, 32), x1));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(vp, 48), x1));
      }
      if (k < e) {
        const x0 = v128.load32_splat(x + (colAt(wide, blockCol, k) << 2));
        const vp = values + <usize>k * bs;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(vp), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(vp, 16), x0));
      }
      a0 = f32x4.add(a0, a2);
      a1 = f32x4.add(a1, a3);
    } else {
      for (; k + 4 <= e; k += 4) {
        const vp = values + <usize>k * bs;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(vp), v128.load32_splat(x + (colAt(wide, blockCol, k) << 2))));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(vp, 16), v128.load32_splat(x + (colAt(wide, blockCol, k + 1) << 2))));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(vp, 32), v128.load32_splat(x + (colAt(wide, blockCol, k + 2) << 2))));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(vp, 48), v128.load32_splat(x + (colAt(wide, blockCol, k + 3) << 2))));
      }
      for (; k < e; k++) {
        a0 = f32x4.add(a0, f32x4.mul(v128.load(values + <usize>k * bs), v128.load32_splat(x + (colAt(wide, blockCol, k) << 2))));
      }
      a0 = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    }
    const map = rowMap + ((<usize>b * br) << 2);
    scatter4(map, a0, y, bias, r0, r1, acc);
    if (br >= 8) scatter4(map + 16, a1, y, bias, r0, r1, acc);
    if (br == 16) {
      scatter4(map + 32, a2, y, bias, r0, r1, acc);
      scatter4(map + 48, a3, y, bias, r0, r1, acc);
    }
  }
  return Status.Ok;
}

/** y[rows in r0..r1] = init + W x over block rows [b0, b1); uint16 block columns. */
export function gemvBsr16(br: i32, values: usize, blockCol: usize, blockPtr: usize, rowMap: usize, rows: i32, cols: i32,
  x: usize, y: usize, bias: usize, b0: i32, b1: i32, r0: i32, r1: i32, acc: i32): i32 {
  if (br == 16) return gemvBsr(16, false, values, blockCol, blockPtr, rowMap, rows, cols, x, y, bias, b0, b1, r0, r1, acc);
  if (br == 8) return gemvBsr(8, false, values, blockCol, blockPtr, rowMap, rows, cols, x, y, bias, b0, b1, r0, r1, acc);
  if (br == 4) return gemvBsr(4, false, values, blockCol, blockPtr, rowMap, rows, cols, x, y, bias, b0, b1, r0, r1, acc);
  return Status.BadShape;
}

/** As gemvBsr16 with int32 block columns (more than 65536 columns). */
export function gemvBsr32(br: i32, values: usize, blockCol: usize, blockPtr: usize, rowMap: usize, rows: i32, cols: i32,
  x: usize, y: usize, bias: usize, b0: i32, b1: i32, r0: i32, r1: i32, acc: i32): i32 {
  if (br == 16) return gemvBsr(16, true, values, blockCol, blockPtr, rowMap, rows, cols, x, y, bias, b0, b1, r0, r1, acc);
  if (br == 8) return gemvBsr(8, true, values, blockCol, blockPtr, rowMap, rows, cols, x, y, bias, b0, b1, r0, r1, acc);
  if (br == 4) return gemvBsr(4, true, values, blockCol, blockPtr, rowMap, rows, cols, x, y, bias, b0, b1, r0, r1, acc);
  return Status.BadShape;
}

// @ts-ignore: decorator
@inline
function rowStart(yt: usize, bias: usize, r: i32, acc: i32, pb: usize, jo: usize): v128 {
  if (acc) return v128.load(yt + <usize>r * pb + jo);
  return f32x4.splat(bias ? load<f32>(bias + (<usize>r << 2)) : 0);
}

// @ts-ignore: decorator
@inline
function rowStore(yt: usize, bias: usize, r: i32, rows: i32, acc: i32, pb: usize, jo: usize, s: v128): void {
  if (<u32>r < <u32>rows) v128.store(yt + <usize>r * pb + jo, f32x4.add(rowStart(yt, bias, r, acc, pb, jo), s));
}

// @ts-ignore: decorator
@inline
function rowStoreS(yt: usize, bias: usize, r: i32, rows: i32, acc: i32, pb: usize, jo: usize, s: f32): void {
  if (<u32>r >= <u32>rows) return;
  const p = yt + <usize>r * pb + jo;
  store<f32>(p, (acc ? load<f32>(p) : bias ? load<f32>(bias + (<usize>r << 2)) : 0) + s);
}

/**
 * Four rows (map[0..4)) of block row b over blocks [a, e): tiles of 4 rows x 8 batch
 * columns (8 accumulators, two xt loads and four weight broadcasts per block, as the
 * dense gemmT), then 4 columns, then single columns.
 */
// @ts-ignore: decorator
@inline
function gemmQuad(br: i32, wide: bool, values: usize, blockCol: usize, map: usize, q: i32, a: i32, e: i32, rows: i32,
  xt: usize, p: i32, yt: usize, bias: usize, acc: i32): void {
  const pb = <usize>p << 2, bs = <usize>br << 2, qo = <usize>q << 4;
  const m0 = load<i32>(map), m1 = load<i32>(map, 4), m2 = load<i32>(map, 8), m3 = load<i32>(map, 12);
  let j = 0;
  for (; j + 8 <= p; j += 8) {
    const jo = <usize>j << 2;
    let a0 = f32x4.splat(0), c0 = f32x4.splat(0), a1 = f32x4.splat(0), c1 = f32x4.splat(0);
    let a2 = f32x4.splat(0), c2 = f32x4.splat(0), a3 = f32x4.splat(0), c3 = f32x4.splat(0);
    for (let k = a; k < e; k++) {
      const xr = xt + colAt(wide, blockCol, k) * pb + jo;
      const x0 = v128.load(xr), x1 = v128.load(xr, 16);
      const vp = values + <usize>k * bs + qo;
      let v = v128.load32_splat(vp);
      a0 = f32x4.add(a0, f32x4.mul(v, x0)); c0 = f32x4.add(c0, f32x4.mul(v, x1));
      v = v128.load32_splat(vp, 4);
      a1 = f32x4.add(a1, f32x4.mul(v, x0)); c1 = f32x4.add(c1, f32x4.mul(v, x1));
      v = v128.load32_splat(vp, 8);
      a2 = f32x4.add(a2, f32x4.mul(v, x0)); c2 = f32x4.add(c2, f32x4.mul(v, x1));
      v = v128.load32_splat(vp, 12);
      a3 = f32x4.add(a3, f32x4.mul(v, x0)); c3 = f32x4.add(c3, f32x4.mul(v, x1));
    }
    rowStore(yt, bias, m0, rows, acc, pb, jo, a0); rowStore(yt, bias, m0, rows, acc, pb, jo + 16, c0);
    rowStore(yt, bias, m1, rows, acc, pb, jo, a1); rowStore(yt, bias, m1, rows, acc, pb, jo + 16, c1);
    rowStore(yt, bias, m2, rows, acc, pb, jo, a2); rowStore(yt, bias, m2, rows, acc, pb, jo + 16, c2);
    rowStore(yt, bias, m3, rows, acc, pb, jo, a3); rowStore(yt, bias, m3, rows, acc, pb, jo + 16, c3);
  }
  for (; j + 4 <= p; j += 4) {
    const jo = <usize>j << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let k = a; k < e; k++) {
      const x0 = v128.load(xt + colAt(wide, blockCol, k) * pb + jo);
      const vp = values + <usize>k * bs + qo;
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(vp), x0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(vp, 4), x0));
      a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(vp, 8), x0));
      a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(vp, 12), x0));
    }
    rowStore(yt, bias, m0, rows, acc, pb, jo, a0);
    rowStore(yt, bias, m1, rows, acc, pb, jo, a1);
    rowStore(yt, bias, m2, rows, acc, pb, jo, a2);
    rowStore(yt, bias, m3, rows, acc, pb, jo, a3);
  }
  for (; j < p; j++) {
    const jo = <usize>j << 2;
    // The four rows' sums in the lanes of one vector.
    let s = f32x4.splat(0);
    for (let k = a; k < e; k++) {
      s = f32x4.add(s, f32x4.mul(v128.load(values + <usize>k * bs + qo), v128.load32_splat(xt + colAt(wide, blockCol, k) * pb + jo)));
    }
    rowStoreS(yt, bias, m0, rows, acc, pb, jo, f32x4.extract_lane(s, 0));
    rowStoreS(yt, bias, m1, rows, acc, pb, jo, f32x4.extract_lane(s, 1));
    rowStoreS(yt, bias, m2, rows, acc, pb, jo, f32x4.extract_lane(s, 2));
    rowStoreS(yt, bias, m3, rows, acc, pb, jo, f32x4.extract_lane(s, 3));
  }
}

// @ts-ignore: decorator
@inline
function gemmBsrT(br: i32, wide: bool, values: usize, blockCol: usize, blockPtr: usize, rowMap: usize, nb: i32, rows: i32, cols: i32,
  xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  if (nb < 0 || p < 0) return Status.BadShape;
  if (!inBounds(yt, (<usize>rows * p) << 2) || !inBounds(xt, (<usize>cols * p) << 2) || !inBounds(blockPtr, (<usize>nb + 1) << 2)
    || !inBounds(rowMap, (<usize>nb * br) << 2) || (bias && !inBounds(bias, <usize>rows << 2))) return Status.OutOfBounds;
  const n = <usize>load<i32>(blockPtr + (<usize>nb << 2));
  if (!inBounds(values, (n * br) << 2) || !inBounds(blockCol, n << (wide ? 2 : 1))) return Status.OutOfBounds;
  for (let b = 0; b < nb; b++) {
    const a = load<i32>(blockPtr + (<usize>b << 2)), e = load<i32>(blockPtr + (<usize>(b + 1) << 2));
    const map = rowMap + ((<usize>b * br) << 2);
    for (let q = 0; q < br >> 2; q++) gemmQuad(br, wide, values, blockCol, map + (<usize>q << 4), q, a, e, rows, xt, p, yt, bias, acc);
  }
  return Status.Ok;
}

/** yt[rows, p] = init + W xt[cols, p] over all nb block rows; uint16 block columns. */
export function gemmBsr16T(br: i32, values: usize, blockCol: usize, blockPtr: usize, rowMap: usize, nb: i32, rows: i32, cols: i32,
  xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  if (br == 16) return gemmBsrT(16, false, values, blockCol, blockPtr, rowMap, nb, rows, cols, xt, p, yt, bias, acc);
  if (br == 8) return gemmBsrT(8, false, values, blockCol, blockPtr, rowMap, nb, rows, cols, xt, p, yt, bias, acc);
  if (br == 4) return gemmBsrT(4, false, values, blockCol, blockPtr, rowMap, nb, rows, cols, xt, p, yt, bias, acc);
  return Status.BadShape;
}

/** As gemmBsr16T with int32 block columns. */
export function gemmBsr32T(br: i32, values: usize, blockCol: usize, blockPtr: usize, rowMap: usize, nb: i32, rows: i32, cols: i32,
  xt: usize, p: i32, yt: usize, bias: usize, acc: i32): i32 {
  if (br == 16) return gemmBsrT(16, true, values, blockCol, blockPtr, rowMap, nb, rows, cols, xt, p, yt, bias, acc);
  if (br == 8) return gemmBsrT(8, true, values, blockCol, blockPtr, rowMap, nb, rows, cols, xt, p, yt, bias, acc);
  if (br == 4) return gemmBsrT(4, true, values, blockCol, blockPtr, rowMap, nb, rows, cols, xt, p, yt, bias, acc);
  return Status.BadShape;
}
