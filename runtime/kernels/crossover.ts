// Dense/CSR crossover densities: a weight whose density is below the value runs as
// CSR, at or above it dense. Measured by bench/crossover.ts (`npm run bench --
// crossover`; square weights 256..1024, gemv = batch 1, gemm = batch 32, least time
// of many runs; results in bench/results/crossover.json, discussed in
// docs/design/runtime.md "Crossover"). Each value is the smallest crossover over the
// sizes, rounded down: where CSR wins only narrowly, dense is the safer default.
// Rerun the bench and update these numbers when a kernel changes.
//   js gemv   0.54-0.56  -> 0.5   (scalar loops: CSR's index loads cost little)
//   js gemm   >= 0.8     -> 0.8   (the dense JS gemm skips zero weights too)
//   wasm gemv 0.27-0.29  -> 0.25  (dense rows are full SIMD loads; CSR needs a gather or a 1x4 block per nonzero)
//   wasm gemm 0.58-0.80  -> 0.55  (dense: 4x8 register tiles; CSR: one broadcast weight over 16 batch columns)
export const CROSSOVER = {
  js: { gemv: 0.5, gemm: 0.8 },
  wasm: { gemv: 0.25, gemm: 0.55 },
} as const;
