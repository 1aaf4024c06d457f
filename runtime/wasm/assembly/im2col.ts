// im2col for one image and one group: cols[(c*kh + i)*kw + j, oy*ow + ox] =
// x[c, oy*sh - pt + i*dh, ox*sw - pl + j*dw] (0 outside). Output is the XT operand
// of the gemm*T kernels, so a Conv is im2col + one (dense or CSR) gemm.
import { Status } from '../build/enums';
import { inBounds } from './util';

export function im2col(x: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, out: usize): i32 {
  const P = oh * ow;
  if (!inBounds(out, (<usize>c * kh * kw * P) << 2)) return Status.OutOfBounds;
  let row: usize = out;
  for (let ch = 0; ch < c; ch++) {
    const xc = x + ((<usize>ch * h * w) << 2);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - pt + i * dh;
          const dst = row + ((<usize>oy * ow) << 2);
          if (iy < 0 || iy >= h) {
            zero(dst, 0, ow);
            continue;
          }
          const src = xc + ((<usize>iy * w) << 2);
          if (sw == 1) {
            // Unit stride: the in-bounds outputs are one contiguous span of the input row.
            const off = j * dw - pl;
            const lo = max(0, -off), hi = min(ow, w - off);
            if (hi <= lo) { zero(dst, 0, ow); continue; }
            zero(dst, 0, lo);
            copy(dst + (<usize>lo << 2), src + (<usize>(lo + off) << 2), hi - lo);
            zero(dst, hi, ow);
            continue;
          }
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pl + j * dw;
            store<f32>(dst + (<usize>ox << 2), ix >= 0 && ix < w ? load<f32>(src + (<usize>ix << 2)) : 0);
          }
        }
        row += <usize>P << 2;
      }
    }
  }
  return Status.Ok;
}

// Spans here are one output row (14-28 floats for MNIST-sized maps): memory.copy and
// memory.fill are calls into V8's runtime, ~10 ns each, which made im2col of a
// 16x14x14 input (2016 spans) cost 27 us — more than a 98%-sparse conv's gemm.
// Plain loops instead (the copy four floats at a time; the zeroed rims are short).

// @ts-ignore: decorator
@inline
function zero(dst: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) store<f32>(dst + (<usize>i << 2), 0);
}

// @ts-ignore: decorator
@inline
function copy(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}
