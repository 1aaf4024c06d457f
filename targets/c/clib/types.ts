// Shared types of the C helper tables (clib/*.ts).

export type IndexType = 'u16' | 'i32';
export const C_INDEX_TYPE: Record<IndexType, string> = { u16: 'uint16_t', i32: 'int32_t' };
export const INDEX_BYTES: Record<IndexType, number> = { u16: 2, i32: 4 };

/**
 * One C helper: its source, the helpers it needs emitted before it, and an estimate of
 * its Thumb-2 code size at -Os in bytes (measured with clang 14 for cortex-m4, llvm-nm;
 * helpers the compiler always inlines count 0 and their callers carry the cost; see
 * docs/design/c-target.md "Flash estimate").
 */
export interface Helper {
  deps: string[];
  code: number;
  text: string;
  /** The same function in WebAssembly SIMD intrinsics (<wasm_simd128.h>), for the wasm target; same signature. */
  wasm?: string;
}
