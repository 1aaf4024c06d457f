// What each weight format costs, per backend and kernel shape: a pass over a packed
// weight takes about stored / rate + rows * nsPerRow (block rows for BSR; per batch
// column for gemm), and linalg.ts planPack gives a weight the format of least
// estimated time (a sparse one only when 10% faster than dense: DENSE_MARGIN).
// Measured by bench/crossover.ts (`npm run bench -- crossover`): five shapes 128..1024
// x 128..1024, stored densities 5..50% (CSR on unstructured masks, BSR on whole-block
// masks), least time of many runs, least-squares fit per format; gemv = batch 1, gemm
// = batch 32. Run of 2026-12-04 (bench/results/crossover.json; AMD EPYC, AVX-512,
// node 20, load average 10 from other jobs: least times). Discussed in
// docs/design/runtime.md "Choosing a format". Rerun the bench and update these
// numbers when a kernel changes.
//   wasm gemv: dense 22.1 weights/ns, CSR 1x4 13.8, BSR 4x1 13.4 / 8x1 19.1 / 16x1 22.1
//     (BSR 16x1 runs as fast per stored weight as dense: one index and one broadcast per
//     16 weights; 4x1 is bound by its three loads per block, like the 1x4 groups)
//   wasm gemm: dense 27.0, CSR (padded) 16.5, BSR 26.5-27.6 (4x8 register tiles alike)
//   js gemv: dense 1.86, CSR 0.64, BSR 1.67;  js gemm: dense 0.94 (dense weights; it skips
//     all-zero column quads, so block-sparse dense weights cost less), CSR 0.41, BSR 1.38
import type { FormatCosts, KernelCost } from './linalg.ts';

const rate = (weightsPerNs: number, nsPerRow: number): KernelCost => ({ nsPerWeight: 1 / weightsPerNs, nsPerRow });

export const COSTS: Record<'js' | 'wasm', { gemv: FormatCosts; gemm: FormatCosts }> = {
  js: {
    gemv: { dense: rate(1.86, 2.2), csr: { layout: 'plain', ...rate(0.64, 4.0) }, bsr: { 4: rate(1.67, 11.8), 8: rate(1.67, 18.9), 16: rate(1.68, 32.0) } },
    gemm: { dense: rate(0.94, 0), csr: { layout: 'plain', ...rate(0.41, 0) }, bsr: { 4: rate(1.39, 3.9), 8: rate(1.38, 3.6), 16: rate(1.37, 10.2) } },
  },
  wasm: {
    gemv: { dense: rate(22.1, 0.8), csr: { layout: 'blocked', ...rate(13.8, 1.2) }, bsr: { 4: rate(13.4, 2.4), 8: rate(19.1, 2.8), 16: rate(22.1, 5.3) } },
    gemm: { dense: rate(27.0, 0.1), csr: { layout: 'padded', ...rate(16.5, 0) }, bsr: { 4: rate(27.6, 0.2), 8: rate(26.9, 0), 16: rate(26.5, 0) } },
  },
};
