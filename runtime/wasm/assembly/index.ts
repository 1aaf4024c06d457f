// The WASM kernel module: one exported function per kernel, integer byte offsets in,
// a Status code out (runtime/wasm/enums.json). Memory is managed from the JS side
// (runtime/kernels/wasm-linalg.ts) starting at heapBase(); nothing here allocates.
export { gemvDense, gemvCsr16, gemvCsr32, gemvBlk16, gemvBlk32 } from './gemv';
export { gemmDenseT, gemmCsr16T, gemmCsr32T, gemmBlk16T, gemmBlk32T } from './gemm';
export { gemvBsr16, gemvBsr32, gemmBsr16T, gemmBsr32T } from './bsr';
export { lstmCell, gruCell, rnnCell } from './cells';
export { lstmSequence, gruSequence, rnnSequence } from './sequence';
export { im2col } from './im2col';
export { transpose2d } from './transpose';
export { maxPool2d } from './pool';
export { reluInPlace } from './elementwise';
export { applyActivation } from './math';

export function heapBase(): usize {
  return __heap_base;
}
