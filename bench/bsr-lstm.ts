// The zoo LSTM (models/lstm: LSTM 28 -> 128, 28 steps, Linear 128 -> 10) pruned with
// whole-block masks (8x1 and 16x1 output-row blocks, natural within a gate or
// gate-fused; the blocks of least L2 norm zeroed per weight) at 75% and 90%, next to
// unstructured magnitude pruning at 75%: batch-1 latency on Rampart's wasm (and js)
// backend against onnxruntime-node and onnxruntime-web in the same run, one thread;
// and, for the wasm backend, where one run goes (the recurrent gemv, the cell, the
// JS<->WASM crossings, the input projection, the rest), measured in place by ablation.
//   npx tsx bench/bsr-lstm.ts [--quick] [--out bench/results/bsr-lstm.json]
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import type { Model, Node, Tensor } from '../runtime/ir.ts';
import { InferenceSession, Tensor as RTensor } from '../runtime/index.ts';
import { WasmLinalg } from '../runtime/kernels/wasm-linalg.ts';
import { encodeModel } from '../src/onnx/export.ts';
import { loadModel } from '../src/onnx/import.ts';
import { prunableWeights } from '../src/ir/layers.ts';
import { conditions, medianMs, medianMsAsync, minMs, table, writeJson } from './common.ts';
import { prune } from './runtime.ts';

type Layout = 'natural' | 'gate-fused';

/**
 * Zeroes the fraction `sparsity` of each prunable weight's br x 1 blocks, least L2
 * norm first. Block rows: br consecutive rows inside a gate, or (gated weights, br a
 * multiple of the gates) one unit's rows of every gate: rows {u + g*H}.
 */
export function blockMagnitudePrune(model: Model, br: number, layout: Layout, sparsity: number): Model {
  const m: Model = structuredClone(model);
  for (const pw of prunableWeights(m)) {
    const d = m.graph.initializers[pw.initializer].data as Float32Array;
    const G = pw.gates?.length ?? 1, H = pw.hidden ?? pw.rows;
    const blockRows: number[][] = [];
    if (layout === 'gate-fused' && G > 1 && br % G === 0) {
      for (let u0 = 0; u0 < H; u0 += br / G) {
        const b: number[] = [];
        for (let u = u0; u < Math.min(H, u0 + br / G); u++) for (let g = 0; g < G; g++) b.push(g * H + u);
        blockRows.push(b);
      }
    } else {
      const seg = G > 1 ? H : pw.rows / pw.groups;
      for (let s0 = 0; s0 < pw.rows; s0 += seg) for (let r = s0; r < s0 + seg; r += br) blockRows.push(Array.from({ length: Math.min(br, s0 + seg - r) }, (_, j) => r + j));
    }
    const at = (dir: number, r: number, c: number) => (pw.transposed ? c * pw.rows + r : (dir * pw.rows + r) * pw.cols + c);
    const blocks: { dir: number; rows: number[]; c: number; norm: number }[] = [];
    for (let dir = 0; dir < pw.directions; dir++) {
      for (const rows of blockRows) {
        for (let c = 0; c < pw.cols; c++) blocks.push({ dir, rows, c, norm: rows.reduce((s, r) => s + d[at(dir, r, c)] ** 2, 0) });
      }
    }
    blocks.sort((a, b) => a.norm - b.norm);
    for (const b of blocks.slice(0, Math.round(blocks.length * sparsity))) for (const r of b.rows) d[at(b.dir, r, b.c)] = 0;
  }
  return m;
}

const ENGINES = ['ort-node', 'ort-web', 'rampart-wasm', 'rampart-js'] as const;

async function latency(engine: (typeof ENGINES)[number], m: Model, feeds: Record<string, Tensor>, budget: number): Promise<number> {
  if (engine.startsWith('ort')) {
    const ort = (engine === 'ort-node' ? ortNode : ortWeb) as typeof ortNode;
    const s = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', t.data as Float32Array, t.dims)]));
    const ms = await medianMsAsync(() => s.run(f), budget);
    await s.release();
    return ms;
  }
  const s = await InferenceSession.fromModel(m, { backend: engine === 'rampart-js' ? 'js' : 'wasm' });
  const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new RTensor('float32', t.data as Float32Array, t.dims)]));
  return medianMsAsync(() => s.run(f), budget);
}

/**
 * Where one rampart-wasm run goes, measured in place by ablation (least time of many
 * runSync calls each): the run as is; with the recurrent gemv (the [4H, H] R), the
 * cell or the projection's gemmT made no-ops; with the cell replaced by an empty WASM
 * kernel call (so the difference to the no-op is the JS<->WASM crossing). A part's
 * time is the run's minus the run without it (the transposes around the gemmT too);
 * rest is what none of them explains (executor, the Transpose / Squeeze / Gemm nodes,
 * runRecurrent's per-step views and copies). The R gemv is also timed alone.
 */
async function breakdown(m: Model, feeds: Record<string, Tensor>, budget: number) {
  const node = m.graph.nodes.find((n) => n.op === 'LSTM') as Node;
  const Rt = m.graph.initializers[node.inputs[2]];
  const H = Rt.dims[2], T = 28;
  const s = await InferenceSession.fromModel(m, { backend: 'wasm' });
  const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new RTensor('float32', t.data as Float32Array, t.dims)]));
  const P = WasmLinalg.prototype;
  const orig = { gemv: P.gemv, gemmT: P.gemmT, lstmCell: P.lstmCell, transpose: P.transpose };
  const us = () => minMs(() => s.runSync(f), budget) * 1e3;
  const full = us();
  P.gemv = function (w, ...a) { if (w.rows !== 4 * H || w.cols !== H) orig.gemv.call(this, w, ...a); };
  const noR = us();
  P.gemv = orig.gemv;
  P.lstmCell = function () {};
  const noCell = us();
  P.lstmCell = function (this: WasmLinalg) { this.k.reluInPlace(0, 0); };
  const emptyCell = us();
  P.lstmCell = orig.lstmCell;
  P.gemmT = function () {};
  const noProj = us();
  P.gemmT = orig.gemmT;
  P.transpose = function () {};
  const noTranspose = us();
  P.transpose = orig.transpose;
  // The R gemv alone, as packed for the session (20 calls a sample: one call is near the timer's resolution).
  const la = await WasmLinalg.create();
  const R = la.pack({ dense: Rt.data as Float32Array, rows: 4 * H, cols: H, hint: { segment: H, gates: 4, hidden: H } }, { persistent: true });
  const [h, g] = la.scratch([H, 4 * H]);
  h.fill(0.1);
  const gemvAlone = minMs(() => { for (let i = 0; i < 20; i++) la.gemv(R, h, g, { accumulate: true }); }, budget) * 1e3 / 20;
  // A gemv over no rows: the JS side of a kernel call (views, options, the span) plus the crossing, no work.
  const emptyCall = minMs(() => { for (let i = 0; i < 20; i++) la.gemv(R, h, g, { r0: 0, r1: 0 }); }, budget) * 1e3 / 20;
  const parts = { rGemv: full - noR, cell: full - noCell, projectionGemm: full - noProj, transposes: full - noTranspose, callOverhead: emptyCell - noCell };
  return {
    fullUs: full, rGemvUs: parts.rGemv, cellUs: parts.cell, projectionGemmUs: parts.projectionGemm, transposesUs: parts.transposes, callOverheadUs: parts.callOverhead,
    perStepUs: { rGemv: parts.rGemv / T, cell: parts.cell / T, call: parts.callOverhead / T, rGemvAlone: gemvAlone, emptyGemvCall: emptyCall },
    restUs: full - parts.rGemv - parts.cell - parts.projectionGemm - parts.transposes,
  };
}

export async function run(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const outIdx = args.indexOf('--out');
  const outPath = outIdx >= 0 ? args[outIdx + 1] : new URL('./results/bsr-lstm.json', import.meta.url).pathname;
  const budget = quick ? 80 : 400;
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.logLevel = 'error';
  const cond = conditions();
  console.log(`${cond.cpu}, ${cond.arch} [${cond.isa.join(' ')}], wasm SIMD ${cond.wasmSimd}, 1 thread, batch 1, node ${cond.node}, load average ${cond.loadAverage.toFixed(1)}\n`);
  const base = loadModel(new URL('../models/lstm/model.onnx', import.meta.url).pathname);
  const input = base.graph.inputs[0];
  const dims = (input.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  const feeds = { [input.name]: { dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 7919) % 255) / 255) } as Tensor };
  const variants: { label: string; model: Model }[] = [
    { label: 'dense', model: base },
    { label: 'unstructured 75%', model: prune(base, 0.75) },
  ];
  for (const sp of [0.75, 0.9]) {
    for (const br of [8, 16]) for (const layout of ['natural', 'gate-fused'] as const) variants.push({ label: `${br}x1 ${layout} ${sp * 100}%`, model: blockMagnitudePrune(base, br, layout, sp) });
  }
  const results: Record<string, unknown>[] = [];
  const rows: string[][] = [];
  const bRows: string[][] = [];
  for (const { label, model } of variants) {
    const ms: Record<string, number> = {};
    for (const e of ENGINES) ms[e] = await latency(e, model, feeds, budget);
    const s = await InferenceSession.fromModel(model, { backend: 'wasm' });
    await s.run(feeds);
    const packs = s.layers().map((l) => `${l.input}:${l.format === 'bsr' ? `bsr${l.block!.br}${l.block!.map === 'natural' ? 'n' : 'g'}` : l.format}`).join(' ');
    // One LSTM step on a stream (x projection as a gemv, R gemv, cell, the Gemm head).
    const st = s.createStream();
    const x1 = new RTensor('float32', (feeds[input.name].data as Float32Array).slice(0, dims[2]), [1, 1, dims[2]]);
    const stepMs = medianMs(() => { for (let i = 0; i < 10; i++) st.step({ [input.name]: x1 }); }, budget) / 10;
    const b = await breakdown(model, feeds, quick ? 100 : 400);
    results.push({ variant: label, ms, packs, streamStepUs: stepMs * 1e3, breakdown: b });
    rows.push([label, ...ENGINES.map((e) => ms[e].toFixed(3)), `${(ms['ort-node'] / ms['rampart-wasm']).toFixed(2)}x`, `${(ms['ort-web'] / ms['rampart-wasm']).toFixed(2)}x`, packs]);
    const ps = b.perStepUs;
    bRows.push([label, b.fullUs.toFixed(0), `${b.rGemvUs.toFixed(0)} (${ps.rGemv.toFixed(2)})`, ps.rGemvAlone.toFixed(2), `${b.cellUs.toFixed(0)} (${ps.cell.toFixed(2)})`,
      `${b.callOverheadUs.toFixed(1)} (${ps.call.toFixed(2)})`, ps.emptyGemvCall.toFixed(2), b.projectionGemmUs.toFixed(0), b.transposesUs.toFixed(0), b.restUs.toFixed(0), (stepMs * 1e3).toFixed(2)]);
  }
  console.log('Zoo LSTM, batch 1, one thread: median ms per run (28 steps)\n');
  console.log(table(['variant', ...ENGINES, 'vs ort-node', 'vs ort-web', 'rampart-wasm packs'], rows));
  console.log('\nWhere one rampart-wasm run goes (µs per run, per step in brackets; least times; each part = run minus the run without it)\n');
  console.log(table(['variant', 'run', 'R gemv', 'R gemv alone/step', 'cell', 'JS<->WASM calls (cell)', 'empty gemv call', 'W gemmT', 'transposes', 'rest', 'stream step'], bRows));
  writeJson(outPath, { conditions: cond, model: 'models/lstm/model.onnx', steps: 28, results });
  console.log(`\nwrote ${outPath}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
