// Measures what each weight format costs per backend (js, wasm) and kernel shape (gemv
// = batch 1, gemmT = batch 32): dense, CSR (the layout the backend stores: plain for
// js, 1x4 blocks for the wasm gemv, rows padded to 4 for the wasm gemmT) and BSR
// 4x1 / 8x1 / 16x1, each on the weights it is for (CSR on unstructured masks, BSR on
// whole-block masks), over five shapes and four densities. Least time of many runs
// (robust to other load on the machine). A least-squares fit per format of
//   time = stored * nsPerWeight + rows * nsPerRow + nsPerCall   (rows: block rows for BSR)
// gives the constants of runtime/kernels/crossover.ts, which cites this script:
// rerun it and update them when a kernel changes. Also printed: weights per ns on
// 1024x256 and 512x128 at 75% and 90% against the machine's limits, and the density
// below which each format beats dense.
//   npx tsx bench/crossover.ts [--quick]   (or npm run bench -- crossover)
import { JsLinalg } from '../runtime/kernels/js-linalg.ts';
import type { FormatRequest, Linalg } from '../runtime/kernels/linalg.ts';
import { WasmLinalg } from '../runtime/kernels/wasm-linalg.ts';
import { conditions, minMs, table, writeJson } from './common.ts';
import { bandwidth } from './runtime.ts';

const SHAPES: [number, number][] = [[1024, 256], [512, 128], [256, 1024], [256, 256], [128, 512]];
const DENSITIES = [0.05, 0.1, 0.25, 0.5];
const BATCHED_P = 32;

/** A measured format: how to force it, and which mask it runs on (random = unstructured, else whole br x 1 blocks). */
interface Format { name: string; request: FormatRequest; mask: 'random' | number; batchedLayout?: boolean }

function formats(la: Linalg, batch: number): Format[] {
  const out: Format[] = [{ name: 'dense', request: 'dense', mask: 'random' }];
  if (la.name === 'wasm' && batch === 1) {
    out.push({ name: 'csr-1x4', request: 'csr', mask: 'random' }, { name: 'csr-padded', request: 'csr', mask: 'random', batchedLayout: true });
  } else {
    out.push({ name: la.name === 'wasm' ? 'csr-padded' : 'csr', request: 'csr', mask: 'random' });
  }
  for (const br of [4, 8, 16]) out.push({ name: `bsr${br}x1`, request: { bsr: br }, mask: br });
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Random values; entries kept with probability `density`, one by one or in whole br x 1 blocks. */
export function maskedWeights(rows: number, cols: number, density: number, mask: 'random' | number, seed: number): Float32Array {
  const r = rng(seed), w = new Float32Array(rows * cols);
  const br = mask === 'random' ? 1 : mask;
  for (let b = 0; b < Math.ceil(rows / br); b++) {
    for (let c = 0; c < cols; c++) {
      if (r() >= density) continue;
      for (let j = 0; j < br && b * br + j < rows; j++) w[(b * br + j) * cols + c] = r() - 0.5 || 0.25;
    }
  }
  return w;
}

interface Point { backend: string; batch: number; format: string; rows: number; cols: number; density: number; nonzeros: number; stored: number; units: number; ns: number }

function measure(la: Linalg, f: Format, rows: number, cols: number, density: number, batch: number, budget: number): Point {
  const w = maskedWeights(rows, cols, f.request === 'dense' ? 1 : density, f.mask, rows * 7 + cols + Math.round(density * 100));
  const mark = la.mark();
  try {
    const W = la.pack({ dense: w, rows, cols }, { persistent: false, format: f.request, batched: batch > 1 || f.batchedLayout });
    const [x, y] = la.scratch([cols * batch, rows * batch]);
    x.fill(0.5);
    const ms = batch === 1 ? minMs(() => la.gemv(W, x, y), budget) : minMs(() => la.gemmT(W, x, batch, y, null, false), budget);
    const units = W.format === 'bsr' ? Math.ceil(rows / W.block!.br) : rows;
    let nz = 0;
    for (const v of w) if (v !== 0) nz++;
    return { backend: la.name, batch, format: f.name, rows, cols, density: f.request === 'dense' ? 1 : density, nonzeros: nz, stored: W.nnz, units, ns: ms * 1e6 };
  } finally {
    la.release(mark);
  }
}

/** Least squares of ns ~ a*stored + b*units + c (per batch column), b clamped at 0. */
export function fit(points: Point[]): { nsPerWeight: number; nsPerRow: number; nsPerCall: number } {
  const solve = (cols: ((p: Point) => number)[]) => {
    const n = cols.length, A = Array.from({ length: n }, () => new Float64Array(n + 1));
    for (const p of points) {
      const v = cols.map((f) => f(p)), t = p.ns / p.batch;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) A[i][j] += v[i] * v[j];
        A[i][n] += v[i] * t;
      }
    }
    for (let i = 0; i < n; i++) {
      let piv = i;
      for (let r = i + 1; r < n; r++) if (Math.abs(A[r][i]) > Math.abs(A[piv][i])) piv = r;
      [A[i], A[piv]] = [A[piv], A[i]];
      for (let r = 0; r < n; r++) {
        if (r === i || A[i][i] === 0) continue;
        const k = A[r][i] / A[i][i];
        for (let c = i; c <= n; c++) A[r][c] -= k * A[i][c];
      }
    }
    return A.map((row, i) => row[n] / row[i]);
  };
  const [a, b, c] = solve([(p) => p.stored, (p) => p.units, () => 1]);
  if (b >= 0) return { nsPerWeight: a, nsPerRow: b, nsPerCall: c };
  const [a2, c2] = solve([(p) => p.stored, () => 1]);
  return { nsPerWeight: a2, nsPerRow: 0, nsPerCall: c2 };
}

/**
 * Per stored weight, what the inner loops of runtime/wasm/assembly/{gemv,bsr}.ts
 * issue: vector float ops (a mul and an add per 4 lanes: WASM SIMD has no FMA) and
 * loads (index, broadcast x, values; dense: one x load per 4x4 weights), and the bytes
 * the layout streams (values plus index bytes shared by a block). The port limit of
 * the x64 cores this ran on (two float mul + two float add pipes, three loads a cycle)
 * is then weightsPerCycle = min(4 / fp, 3 / loads).
 */
const WASM_GEMV_OPS: Record<string, { fp: number; loads: number; bytes: number }> = {
  dense: { fp: 0.5, loads: 5 / 16, bytes: 4 },
  'csr-padded': { fp: 0.5, loads: 1.5, bytes: 6 },
  'csr-1x4': { fp: 0.5, loads: 0.75, bytes: 4.5 },
  bsr4x1: { fp: 0.5, loads: 0.75, bytes: 4.5 },
  bsr8x1: { fp: 0.5, loads: 0.5, bytes: 4.25 },
  bsr16x1: { fp: 0.5, loads: 0.375, bytes: 4.125 },
};
const perCycle = (f: string) => Math.min(4 / WASM_GEMV_OPS[f].fp, 3 / WASM_GEMV_OPS[f].loads);

export async function run(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const budget = quick ? 20 : 60;
  const cond = conditions();
  const cache = bandwidth(512 << 10, 200);
  console.log(`${cond.cpu}, ${cond.arch} [${cond.isa.join(' ')}], wasm SIMD ${cond.wasmSimd}, 1 thread, node ${cond.node}, load average ${cond.loadAverage.toFixed(1)}`);
  console.log(`copy bandwidth ${cache.toFixed(1)} GB/s (512 KiB, cache)\n`);
  const backends: Linalg[] = [new JsLinalg(), await WasmLinalg.create()];
  const points: Point[] = [];
  const fits: Record<string, unknown>[] = [];
  const fitRows: string[][] = [];
  for (const la of backends) {
    for (const batch of [1, BATCHED_P]) {
      for (const f of formats(la, batch)) {
        const pts: Point[] = [];
        for (const [rows, cols] of SHAPES) {
          for (const d of f.request === 'dense' ? [1] : DENSITIES) pts.push(measure(la, f, rows, cols, d, batch, budget));
        }
        points.push(...pts);
        const k = fit(pts);
        fits.push({ backend: la.name, batch, format: f.name, ...k, weightsPerNs: 1 / k.nsPerWeight });
        fitRows.push([la.name, String(batch), f.name, (1 / k.nsPerWeight).toFixed(2), k.nsPerRow.toFixed(2), k.nsPerCall.toFixed(0)]);
      }
    }
  }
  console.log('Fitted costs (per batch column): time = stored/rate + rows*nsPerRow + nsPerCall\n');
  console.log(table(['backend', 'batch', 'format', 'stored weights/ns', 'ns/row', 'ns/call'], fitRows));

  // Weights per ns at 75% and 90% on the LSTM-like shapes, against the machine's limits.
  const wasm = backends[1];
  const measured: { rows: number; cols: number; sp: number; f: string; p: Point }[] = [];
  for (const [rows, cols] of [[1024, 256], [512, 128]] as const) {
    for (const sp of [0.75, 0.9]) for (const f of formats(wasm, 1)) measured.push({ rows, cols, sp, f: f.name, p: measure(wasm, f, rows, cols, 1 - sp, 1, budget * 2) });
  }
  // The clock is not reported reliably (boost): take the least clock consistent with every
  // measurement, each kernel at most at its port limit; the one that sets it shows 100%.
  const ghz = Math.max(...measured.map((m) => m.p.stored / m.p.ns / perCycle(m.f)));
  const headline: Record<string, unknown>[] = [];
  const hRows: string[][] = [];
  for (const { rows, cols, sp, f, p } of measured) {
    const issue = ghz * perCycle(f), memory = cache / WASM_GEMV_OPS[f].bytes;
    const useful = p.nonzeros / p.ns, stored = p.stored / p.ns;
    headline.push({ rows, cols, sparsity: sp, format: f, us: p.ns / 1e3, nonzerosPerNs: useful, storedPerNs: stored, issueLimit: issue, memoryLimit: memory });
    hRows.push([`${rows}x${cols}`, `${sp * 100}%`, f, (p.ns / 1e3).toFixed(2), useful.toFixed(2), stored.toFixed(2), issue.toFixed(1), memory.toFixed(1),
      `${(100 * stored / Math.min(issue, memory)).toFixed(0)}%`]);
  }
  console.log('\nwasm gemv, batch 1 (CSR on unstructured masks, BSR on whole-block masks of its own height); limits in stored weights/ns:');
  console.log(`issue limit = port limit (weights/cycle from the op counts) x ${ghz.toFixed(2)} GHz (the least clock consistent with all rows); memory limit = cache copy bandwidth / bytes per stored weight\n`);
  console.log(table(['shape', 'sparsity', 'format', 'us', 'nonzeros/ns', 'stored/ns', 'issue limit', 'memory limit', 'of limit'], hRows));

  // Where each format starts to beat dense on these shapes, by the fit (block-masked: stored = density * rows * cols).
  const xRows: string[][] = [];
  const crossovers: Record<string, unknown>[] = [];
  for (const f of fits as { backend: string; batch: number; format: string; nsPerWeight: number; nsPerRow: number }[]) {
    if (f.format === 'dense') continue;
    const dn = fits.find((g) => g.backend === f.backend && g.batch === f.batch && g.format === 'dense') as { nsPerWeight: number; nsPerRow: number };
    const br = /^bsr(\d+)/.exec(f.format) ? Number(/^bsr(\d+)/.exec(f.format)![1]) : 1;
    const at = SHAPES.slice(0, 2).map(([rows, cols]) => {
      const d = (rows * cols * dn.nsPerWeight + rows * dn.nsPerRow - (rows / br) * f.nsPerRow) / (rows * cols * f.nsPerWeight);
      return Math.max(0, Math.min(1, d));
    });
    crossovers.push({ backend: f.backend, batch: f.batch, format: f.format, shapes: SHAPES.slice(0, 2), storedDensity: at });
    xRows.push([f.backend, String(f.batch), f.format, ...at.map((d) => d.toFixed(2))]);
  }
  console.log('\nStored density below which a format beats dense (from the fit)\n');
  console.log(table(['backend', 'batch', 'format', ...SHAPES.slice(0, 2).map(([r, c]) => `${r}x${c}`)], xRows));

  writeJson(new URL('./results/crossover.json', import.meta.url).pathname, {
    conditions: { ...cond, bandwidthGBs: { cache }, impliedGHz: ghz }, opCounts: WASM_GEMV_OPS, fits, headline, crossovers, points,
  });
  console.log('\nwrote bench/results/crossover.json');
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
