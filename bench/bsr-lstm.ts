// Batch-1 latency of recurrent layers on Rampart's wasm (and js) backend against
// onnxruntime-node and onnxruntime-web in the same run, one thread: the zoo LSTM
// (models/lstm: LSTM 28 -> 128, 28 steps, Linear 128 -> 10) dense, unstructured at 75%
// and pruned with whole-block masks (8x1 and 16x1 output-row blocks, natural within a
// gate or gate-fused; the blocks of least L2 norm zeroed per weight) at 75% and 90%,
// and bench/runtime.ts's LSTM and GRU with hidden 256 dense and at 90% in 16x1 blocks.
// Also one stream step against onnxruntime-node's one-step model, and, for the wasm
// backend, where one run goes (the fused time loop with its R gemv and cell, the input
// projection, the transposes, the rest), measured in place by ablation.
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
import { blockPrune, prune, recurrentModel } from './runtime.ts';

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

async function ortSession(engine: 'ort-node' | 'ort-web', m: Model) {
  const ort = (engine === 'ort-node' ? ortNode : ortWeb) as typeof ortNode;
  const s = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const feeds = (f: Record<string, Tensor>) => Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor('float32', t.data as Float32Array, t.dims)]));
  return { s, feeds };
}

async function latency(engine: (typeof ENGINES)[number], m: Model, feeds: Record<string, Tensor>, budget: number): Promise<number> {
  if (engine === 'ort-node' || engine === 'ort-web') {
    const { s, feeds: f } = await ortSession(engine, m);
    const of = f(feeds);
    const ms = await medianMsAsync(() => s.run(of), budget);
    await s.release();
    return ms;
  }
  const s = await InferenceSession.fromModel(m, { backend: engine === 'rampart-js' ? 'js' : 'wasm' });
  const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new RTensor('float32', t.data as Float32Array, t.dims)]));
  return medianMsAsync(() => s.run(f), budget);
}

/** The model's recurrent node and its sizes. */
function recurrentOf(m: Model) {
  const node = m.graph.nodes.find((n) => n.op === 'LSTM' || n.op === 'GRU') as Node;
  const op = node.op as 'LSTM' | 'GRU', G = op === 'LSTM' ? 4 : 3;
  const R = m.graph.initializers[node.inputs[2]], W = m.graph.initializers[node.inputs[1]];
  return { node, op, G, H: R.dims[2], I: W.dims[2], lbr: node.attrs.linear_before_reset?.value === 1 };
}

/**
 * One stream step on rampart's wasm backend (the whole model: projection, R gemv,
 * cell, any head) against onnxruntime-node running a one-step model of the recurrent
 * layer alone that takes and returns the state (µs, medians).
 */
async function streamStep(m: Model, feeds: Record<string, Tensor>, budget: number): Promise<{ wasmUs: number; ortNodeUs: number }> {
  const { node, op, H, I } = recurrentOf(m);
  const s = await InferenceSession.fromModel(m, { backend: 'wasm' });
  const st = s.createStream();
  const input = m.graph.inputs[0];
  const x1 = new RTensor('float32', (feeds[input.name].data as Float32Array).slice(0, I), [1, 1, I]);
  const wasmMs = medianMs(() => { for (let i = 0; i < 10; i++) st.step({ [input.name]: x1 }); }, budget) / 10;
  const one = recurrentModel(op, H, I, 1, true);
  one.graph.initializers.W = m.graph.initializers[node.inputs[1]];
  one.graph.initializers.R = m.graph.initializers[node.inputs[2]];
  one.graph.initializers.B = m.graph.initializers[node.inputs[3]];
  for (const n of one.graph.nodes) n.attrs = { ...node.attrs };
  const z = new Float32Array(H);
  const stateFeeds: Record<string, Tensor> = { X: x1, h0: { dtype: 'float32', dims: [1, 1, H], data: z } };
  if (op === 'LSTM') stateFeeds.c0 = { dtype: 'float32', dims: [1, 1, H], data: z };
  const { s: os, feeds: f } = await ortSession('ort-node', one);
  const of = f(stateFeeds);
  const ortMs = await medianMsAsync(() => os.run(of), budget);
  await os.release();
  return { wasmUs: wasmMs * 1e3, ortNodeUs: ortMs * 1e3 };
}

/**
 * Where one rampart-wasm run goes, measured in place by ablation (least time of many
 * runSync calls each): the run as is; with the fused time loop (Linalg.sequence: R
 * gemv and cell for every step, one WASM call per direction) made a no-op, and the
 * projection's gemmT or the transposes around it reduced to zeroing their output. A part's time is the run's minus the run
 * without it; rest is what none of them explains (executor, the other nodes,
 * runRecurrent's set-up and copies). Also the run stepped from JS (the per-step path:
 * a gemv and a cell call per step) and, alone, one step's R gemv and cell as packed
 * for the session, so the loop's own overhead is loop - T x (gemv + cell) (the calls
 * alone include a JS -> WASM call each, ~0.05 µs, which the loop does not pay).
 */
async function breakdown(m: Model, feeds: Record<string, Tensor>, T: number, budget: number) {
  const { op, G, H, lbr, node } = recurrentOf(m);
  const s = await InferenceSession.fromModel(m, { backend: 'wasm' });
  const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new RTensor('float32', t.data as Float32Array, t.dims)]));
  const P = WasmLinalg.prototype as unknown as Record<string, unknown>;
  const orig = { sequence: P.sequence, gemmT: P.gemmT, transpose: P.transpose };
  const us = () => minMs(() => s.runSync(f), budget) * 1e3;
  // Scratch is not zeroed between runs: a projection or transpose left out entirely
  // would leave stale, growing pre-activations (denormal gates, a slower cell), so
  // those two are replaced by zeroing their output (~0.3 µs for the largest).
  const full = us();
  P.sequence = () => {};
  const noLoop = us();
  P.sequence = undefined;
  const stepped = us();
  P.sequence = orig.sequence;
  P.gemmT = (_w: unknown, _xt: unknown, _p: unknown, yt: Float32Array) => { yt.fill(0); };
  const noProj = us();
  P.gemmT = orig.gemmT;
  P.transpose = (_src: unknown, _r: unknown, _c: unknown, dst: Float32Array) => { dst.fill(0); };
  const noTranspose = us();
  P.transpose = orig.transpose;
  // One step's R gemv and cell alone, packed as the session packs R (20 calls a sample:
  // one call is near the timer's resolution).
  const la = await WasmLinalg.create();
  const Rt = m.graph.initializers[node.inputs[2]];
  const R = la.pack({ dense: Rt.data as Float32Array, rows: G * H, cols: H, hint: { segment: H, gates: G, hidden: H } }, { persistent: true });
  const [h, g, g0, c, rh, tmp] = la.scratch([H, G * H, G * H, H, G * H, H]);
  h.fill(0.1);
  g0.forEach((_, i) => { g0[i] = 2 * Math.sin(i); });
  const gemvUs = minMs(() => { for (let i = 0; i < 20; i++) la.gemv(R, h, g, op === 'LSTM' ? { accumulate: true } : { r0: 0, r1: G * H }); }, budget) * 1e3 / 20;
  // The default activations (LSTM sigmoid, tanh, tanh; GRU sigmoid, tanh). The LSTM cell
  // leaves g as it is; the GRU's overwrites its gates with values in range, so repeating
  // it stays representative.
  const cell = { acts: (op === 'LSTM' ? [0, 1, 1] : [0, 1]).map((id) => ({ id, alpha: 0, beta: 0 })), clip: 0 };
  g.set(g0);
  const cellUs = minMs(() => {
    for (let i = 0; i < 20; i++) {
      if (op === 'LSTM') la.lstmCell(g, c, h, null, null, cell, false);
      else { la.gruCell(0, g, rh, h, tmp, null, cell, lbr); la.gruCell(1, g, rh, h, tmp, null, cell, lbr); }
    }
  }, budget) * 1e3 / 20;
  const loop = full - noLoop, projection = full - noProj, transposes = full - noTranspose;
  return {
    steps: T, fullUs: full, loopUs: loop, projectionGemmUs: projection, transposesUs: transposes, restUs: full - loop - projection - transposes,
    steppedUs: stepped,
    perStepUs: { loop: loop / T, rGemvAlone: gemvUs, cellAlone: cellUs, loopOverhead: loop / T - gemvUs - cellUs },
  };
}

interface Variant { label: string; model: Model; feeds: Record<string, Tensor> }

/** Every variant runs 28 time steps (the zoo's sequential MNIST rows; bench/runtime.ts's T). */
const STEPS = 28;

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
  const zooFeeds = { [input.name]: { dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 7919) % 255) / 255) } as Tensor };
  const variants: Variant[] = [
    { label: 'zoo dense', model: base, feeds: zooFeeds },
    { label: 'zoo unstructured 75%', model: prune(base, 0.75), feeds: zooFeeds },
  ];
  for (const sp of [0.75, 0.9]) {
    for (const br of [8, 16]) for (const layout of ['natural', 'gate-fused'] as const) variants.push({ label: `zoo ${br}x1 ${layout} ${sp * 100}%`, model: blockMagnitudePrune(base, br, layout, sp), feeds: zooFeeds });
  }
  // bench/runtime.ts's synthetic layers (hidden 256, input 28, 28 steps; the GRU with linear_before_reset).
  const xFeeds = { X: { dtype: 'float32', dims: [28, 1, 28], data: new Float32Array(28 * 28).map((_, i) => ((i * 7919) % 255) / 255) } as Tensor };
  for (const op of ['LSTM', 'GRU'] as const) {
    const m = recurrentModel(op, 256, 28, 28, false);
    variants.push({ label: `${op} h256 dense`, model: m, feeds: xFeeds }, { label: `${op} h256 16x1 90%`, model: blockPrune(m, 0.9, 16), feeds: xFeeds });
  }
  const results: Record<string, unknown>[] = [];
  const rows: string[][] = [];
  const bRows: string[][] = [];
  for (const { label, model, feeds } of variants) {
    const ms: Record<string, number> = {};
    for (const e of ENGINES) ms[e] = await latency(e, model, feeds, budget);
    const s = await InferenceSession.fromModel(model, { backend: 'wasm' });
    await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new RTensor('float32', t.data as Float32Array, t.dims)])));
    const packs = s.layers().map((l) => `${l.input}:${l.format === 'bsr' ? `bsr${l.block!.br}${l.block!.map === 'natural' ? 'n' : 'g'}` : l.format}`).join(' ');
    const stream = await streamStep(model, feeds, budget);
    const b = await breakdown(model, feeds, STEPS, quick ? 100 : 400);
    results.push({ variant: label, ms, packs, stream, breakdown: b });
    rows.push([label, ...ENGINES.map((e) => ms[e].toFixed(3)), `${(ms['ort-node'] / ms['rampart-wasm']).toFixed(2)}x`, `${(ms['ort-web'] / ms['rampart-wasm']).toFixed(2)}x`,
      `${stream.wasmUs.toFixed(1)} / ${stream.ortNodeUs.toFixed(1)}`, packs]);
    const ps = b.perStepUs;
    bRows.push([label, b.fullUs.toFixed(0), `${b.loopUs.toFixed(0)} (${ps.loop.toFixed(2)})`, ps.rGemvAlone.toFixed(2), ps.cellAlone.toFixed(2), ps.loopOverhead.toFixed(2),
      b.projectionGemmUs.toFixed(0), b.transposesUs.toFixed(0), b.restUs.toFixed(0), b.steppedUs.toFixed(0)]);
  }
  console.log('Batch 1, one thread: median ms per run (28 steps); one stream step, rampart wasm / ort-node one-step model (µs)\n');
  console.log(table(['variant', ...ENGINES, 'vs ort-node', 'vs ort-web', 'stream step µs', 'rampart-wasm packs'], rows));
  console.log('\nWhere one rampart-wasm run goes (µs per run, per step in brackets; least times; each part = run minus the run without it)\n');
  console.log(table(['variant', 'run', 'time loop', 'R gemv alone/step', 'cell alone/step', 'loop overhead/step', 'W gemmT', 'transposes', 'rest', 'run stepped from JS'], bRows));
  writeJson(outPath, { conditions: cond, budgetMs: budget, models: 'models/lstm/model.onnx (zoo: LSTM 28->128, 28 steps, Linear 128->10); bench/runtime.ts recurrentModel (h256)', results });
  console.log(`\nwrote ${outPath}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
