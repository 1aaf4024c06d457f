// ONNX `layout` = 1 stores X [batch, seq, input], the states [batch, dirs, H] and
// Y [batch, seq, dirs, H]: the layout-0 tensors with their batch axis moved to the
// front. The recurrent kernels (reference and js/wasm) run time-major inside and
// convert at their edges with this one transposition.

/** [a, b, inner] -> [b, a, inner], into `out` (float64 by default). */
export function swap01<T extends Float32Array | Float64Array = Float64Array>(x: ArrayLike<number>, a: number, b: number, inner: number,
  out: T = new Float64Array(a * b * inner) as T): T {
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const src = (i * b + j) * inner, dst = (j * a + i) * inner;
      for (let k = 0; k < inner; k++) out[dst + k] = x[src + k];
    }
  }
  return out;
}
