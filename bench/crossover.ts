// Measures the density below which the CSR kernels beat the dense ones, per backend
// (js, wasm) and kernel shape (gemv = batch 1, gemmT = batch 32), on square weights
// of 256..1024 (least time of many runs: robust to other load on the machine).
// runtime/kernels/crossover.ts cites this script: rerun it and update
// the constants there when a kernel changes.
//   npx tsx bench/crossover.ts   (or npm run bench -- crossover)
import { JsLinalg } from '../runtime/kernels/js-linalg.ts';
import type { Linalg, MatrixFormat } from '../runtime/kernels/linalg.ts';
import { WasmLinalg } from '../runtime/kernels/wasm-linalg.ts';
import { conditions, minMs, table, writeJson } from './common.ts';

const DENSITIES = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8];

function randomSparse(n: number, density: number, seed: number): Float32Array {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const w = new Float32Array(n * n);
  for (let i = 0; i < w.length; i++) if (rnd() < density) w[i] = rnd() - 0.5;
  return w;
}

function time(la: Linalg, w: Float32Array, n: number, format: MatrixFormat, batch: number): number {
  const mark = la.mark();
  try {
    const W = la.pack({ dense: w, rows: n, cols: n }, { persistent: false, format, batched: batch > 1 });
    const [x, y] = la.scratch([n * batch, n * batch]);
    x.fill(0.5);
    return batch === 1 ? minMs(() => la.gemv(W, x, y), 60) : minMs(() => la.gemmT(W, x, batch, y, null, false), 60);
  } finally {
    la.release(mark);
  }
}

/** Density where CSR and dense times cross (linear interpolation of the ratio), or the bounds. */
function crossing(ds: number[], ratio: number[]): number {
  for (let i = 1; i < ds.length; i++) {
    if (ratio[i - 1] < 1 && ratio[i] >= 1) return ds[i - 1] + ((1 - ratio[i - 1]) / (ratio[i] - ratio[i - 1])) * (ds[i] - ds[i - 1]);
  }
  return ratio[0] >= 1 ? ds[0] : ds[ds.length - 1];
}

export async function run(_args: string[] = []): Promise<void> {
  const backends: Linalg[] = [new JsLinalg(), await WasmLinalg.create()];
  const results: Record<string, unknown>[] = [];
  const rows: string[][] = [];
  for (const la of backends) {
    for (const batch of [1, 32]) {
      const perSize: number[] = [];
      for (const n of [256, 512, 1024]) {
        if (la.name === 'js' && batch === 32 && n === 1024) continue;
        const ratios = DENSITIES.map((d) => {
          const w = randomSparse(n, d, n + Math.round(d * 100));
          return time(la, w, n, 'csr', batch) / time(la, w, n, 'dense', batch);
        });
        const x = crossing(DENSITIES, ratios);
        perSize.push(x);
        results.push({ backend: la.name, batch, n, densities: DENSITIES, csrOverDense: ratios, crossover: x });
        rows.push([la.name, String(batch), String(n), ...ratios.map((r) => r.toFixed(2)), x.toFixed(2)]);
      }
      results.push({ backend: la.name, batch, crossoverMin: Math.min(...perSize) });
    }
  }
  console.log('CSR time / dense time by density (below 1: CSR wins)\n');
  console.log(table(['backend', 'batch', 'n', ...DENSITIES.map(String), 'crossover'], rows));
  writeJson(new URL('./results/crossover.json', import.meta.url).pathname, { conditions: conditions(), results });
  console.log('\nwrote bench/results/crossover.json');
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
