// Bounds checks at the boundary: every kernel checks the extent of what it will
// write, so a bad offset from the JS side becomes Status.OutOfBounds, not a trap.
// @ts-ignore: decorator
@inline
export function inBounds(ptr: usize, bytes: usize): bool {
  return ptr + bytes <= (<usize>memory.size() << 16) && ptr + bytes >= ptr;
}

// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** [sum(a), sum(b), sum(c), sum(d)]: four horizontal sums with four shuffles and three adds. */
// @ts-ignore: decorator
@inline
export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}
