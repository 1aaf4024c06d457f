// 2-D max pooling over `planes` channel planes of [h, w]: the first tap inside the
// input, then strictly greater (the reference kernel's rule, NaN included). Scalar:
// pooling is a small share of a CNN's time once it runs here rather than in JS.
import { Status } from '../build/enums';
import { inBounds } from './util';

export function maxPool2d(x: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32, y: usize): i32 {
  if (!inBounds(y, (<usize>planes * oh * ow) << 2) || !inBounds(x, (<usize>planes * h * w) << 2)) return Status.OutOfBounds;
  let o = y;
  for (let p = 0; p < planes; p++) {
    const xp = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let m: f32 = -Infinity;
        let first = true;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= h) continue;
          const row = xp + ((<usize>iy * w) << 2);
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw - pl + j * dw;
            if (ix < 0 || ix >= w) continue;
            const v = load<f32>(row + (<usize>ix << 2));
            if (first || v > m) { m = v; first = false; }
          }
        }
        store<f32>(o, m);
        o += 4;
      }
    }
  }
  return Status.Ok;
}
