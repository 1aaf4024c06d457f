// dst[c, r] = src[r, c] for a row-major [rows, cols] matrix, in 4x4 tiles (four
// vector loads, a shuffle transpose, four vector stores) with a scalar rim. The
// batched kernels work in the transposed layout, so every Gemm with batch > 1 and
// every recurrent input projection goes through here twice.
import { Status } from '../build/enums';
import { inBounds } from './util';

export function transpose2d(src: usize, rows: i32, cols: i32, dst: usize): i32 {
  if (!inBounds(dst, (<usize>rows * cols) << 2) || !inBounds(src, (<usize>rows * cols) << 2)) return Status.OutOfBounds;
  const r4 = rows & ~3, c4 = cols & ~3;
  const rs = <usize>cols << 2, cs = <usize>rows << 2;
  // Tiles go down a column of tiles (r inner), so the four stores of consecutive tiles
  // are adjacent in dst. With c inner, the stores of a tile row land cs bytes apart —
  // 4096 for rows = 1024, the same L1 set every time: transposing the LSTM input
  // projection's [1024, 28] took 35 us this way against ~3 us now.
  for (let c = 0; c < c4; c += 4) {
    for (let r = 0; r < r4; r += 4) {
      const s = src + <usize>r * rs + (<usize>c << 2);
      const a = v128.load(s), b = v128.load(s + rs), cc = v128.load(s + 2 * rs), d = v128.load(s + 3 * rs);
      const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(cc, d, 0, 4, 1, 5), t3 = v128.shuffle<f32>(cc, d, 2, 6, 3, 7);
      const o = dst + <usize>c * cs + (<usize>r << 2);
      v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(o + cs, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(o + 2 * cs, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(o + 3 * cs, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
  }
  for (let r = 0; r < r4; r += 4) {
    for (let c = c4; c < cols; c++) {
      for (let i = 0; i < 4; i++) store<f32>(dst + <usize>c * cs + (<usize>(r + i) << 2), load<f32>(src + <usize>(r + i) * rs + (<usize>c << 2)));
    }
  }
  for (let r = r4; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(dst + <usize>c * cs + (<usize>r << 2), load<f32>(src + <usize>r * rs + (<usize>c << 2)));
  }
  return Status.Ok;
}
