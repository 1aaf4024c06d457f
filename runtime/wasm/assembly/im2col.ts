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
            memory.fill(dst, 0, <usize>ow << 2);
            continue;
          }
          const src = xc + ((<usize>iy * w) << 2);
          if (sw == 1) {
            // Unit stride: the in-bounds outputs are one contiguous span of the input row.
            const off = j * dw - pl;
            const lo = max(0, -off), hi = min(ow, w - off);
            if (hi <= lo) { memory.fill(dst, 0, <usize>ow << 2); continue; }
            if (lo > 0) memory.fill(dst, 0, <usize>lo << 2);
            memory.copy(dst + (<usize>lo << 2), src + (<usize>(lo + off) << 2), <usize>(hi - lo) << 2);
            if (hi < ow) memory.fill(dst + (<usize>hi << 2), 0, <usize>(ow - hi) << 2);
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
