// Batch-1 latency of Rampart's runtime (js and wasm backends) against onnxruntime-node
// and onnxruntime-web (wasm, SIMD, in node), on an LSTM (hidden 256, input 28, 28
// steps), a GRU (hidden 256), a 1024x1024 Gemm and a small CNN (the zoo's if there
// is one), magnitude-pruned to 0..98%; plus per-step streaming latency of the LSTM
// and, per sparse layer, how far the wasm kernels are from the memory-traffic limit.
//   npm run bench -- runtime [--quick] [--out bench/results/runtime.json]
// Charts and runtime.md go next to the JSON (bench/runtime-report.ts); --render-only
// redraws them from an existing JSON without measuring anything.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import type { Model, Node, Tensor } from '../runtime/ir.ts';
import { InferenceSession, Tensor as RTensor } from '../runtime/index.ts';
import { encodeModel } from '../src/onnx/export.ts';
import { loadModel } from '../src/onnx/import.ts';
import { prunableWeights } from '../src/ir/layers.ts';
import { blockMaskAt } from '../src/prune/blocks.ts';
import { applyMasks, pruneTargets } from '../src/prune/targets.ts';
import { conditions, medianMs, medianMsAsync, minMs, table, writeJson } from './common.ts';
import { WasmLinalg } from '../runtime/kernels/wasm-linalg.ts';
import { DENSE_LIMIT, SPEEDUP_TARGETS, STREAM_TARGETS, writeRuntimeReport, type RuntimeFile } from './runtime-report.ts';

const SPARSITIES = [0, 0.5, 0.8, 0.9, 0.95, 0.98];
const ENGINES = ['ort-node', 'ort-web', 'rampart-js', 'rampart-wasm'] as const;
type Engine = (typeof ENGINES)[number];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function uniform(n: number, scale: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

const f32 = (dims: number[], data: Float32Array): Tensor => ({ dtype: 'float32', dims, data });

function model(name: string, inputs: [string, number[]][], outputs: string[], nodes: Node[], inits: Record<string, Tensor>): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'rampart-bench', producerVersion: '0', functions: [], metadata: {},
    graph: {
      name, nodes, initializers: inits, valueInfo: {},
      inputs: inputs.map(([n, dims]) => ({ name: n, dtype: 'float32', shape: dims })),
      outputs: outputs.map((n) => ({ name: n, dtype: 'float32', shape: null })),
    },
  };
}

export function recurrentModel(op: 'LSTM' | 'GRU', H: number, I: number, T: number, state: boolean): Model {
  const G = op === 'LSTM' ? 4 : 3, s = 1 / Math.sqrt(H);
  const inits: Record<string, Tensor> = {
    W: f32([1, G * H, I], uniform(G * H * I, s, 1)), R: f32([1, G * H, H], uniform(G * H * H, s, 2)),
    B: f32([1, 2 * G * H], uniform(2 * G * H, s, 3)),
  };
  const attrs: Node['attrs'] = { hidden_size: { type: 'int', value: H } };
  if (op === 'GRU') attrs.linear_before_reset = { type: 'int', value: 1 };
  const ins = ['X', 'W', 'R', 'B', '', state ? 'h0' : '', ...(op === 'LSTM' && state ? ['c0'] : [])];
  const outs = ['', 'Y_h', ...(op === 'LSTM' ? ['Y_c'] : [])];
  const inputs: [string, number[]][] = [['X', [T, 1, I]]];
  if (state) inputs.push(['h0', [1, 1, H]], ...(op === 'LSTM' ? [['c0', [1, 1, H]] as [string, number[]]] : []));
  return model(op, inputs, state ? outs.filter((o) => o) : ['Y_h'], [{ name: op, op, domain: '', inputs: ins, outputs: outs, attrs }], inits);
}

export function gemmModel(n: number): Model {
  return model('gemm', [['X', [1, n]]], ['Y'], [{ name: 'gemm', op: 'Gemm', domain: '', inputs: ['X', 'W', 'C'], outputs: ['Y'], attrs: { transB: { type: 'int', value: 1 } } }],
    { W: f32([n, n], uniform(n * n, 1 / Math.sqrt(n), 4)), C: f32([n], uniform(n, 0.1, 5)) });
}

/** The zoo's CNN when there is one, else a comparable two-conv MNIST CNN. */
export function cnnModel(): { model: Model; name: string } {
  const root = new URL('../models/', import.meta.url).pathname;
  if (existsSync(root)) {
    for (const d of readdirSync(root).sort()) {
      const f = `${root}${d}/model.onnx`;
      if (existsSync(f)) {
        const m = loadModel(f);
        if (m.graph.nodes.some((n) => n.op === 'Conv')) return { model: m, name: `zoo ${d}` };
      }
    }
  }
  const conv = (name: string, x: string, w: string, b: string, y: string): Node => ({
    name, op: 'Conv', domain: '', inputs: [x, w, b], outputs: [y], attrs: { pads: { type: 'ints', value: [1, 1, 1, 1] }, kernel_shape: { type: 'ints', value: [3, 3] } },
  });
  const simple = (op: string, x: string, y: string, attrs: Node['attrs'] = {}): Node => ({ name: `${op}_${y}`, op, domain: '', inputs: [x], outputs: [y], attrs });
  const pool: Node['attrs'] = { kernel_shape: { type: 'ints', value: [2, 2] }, strides: { type: 'ints', value: [2, 2] } };
  return {
    name: 'cnn (built-in: conv32-conv64-fc128-fc10)',
    model: model('cnn', [['X', [1, 1, 28, 28]]], ['Y'], [
      conv('conv1', 'X', 'w1', 'b1', 'c1'), simple('Relu', 'c1', 'r1'), simple('MaxPool', 'r1', 'p1', pool),
      conv('conv2', 'p1', 'w2', 'b2', 'c2'), simple('Relu', 'c2', 'r2'), simple('MaxPool', 'r2', 'p2', pool),
      simple('Flatten', 'p2', 'f'),
      { name: 'fc1', op: 'Gemm', domain: '', inputs: ['f', 'w3', 'b3'], outputs: ['h'], attrs: { transB: { type: 'int', value: 1 } } },
      simple('Relu', 'h', 'hr'),
      { name: 'fc2', op: 'Gemm', domain: '', inputs: ['hr', 'w4', 'b4'], outputs: ['Y'], attrs: { transB: { type: 'int', value: 1 } } },
    ], {
      w1: f32([32, 1, 3, 3], uniform(288, 0.3, 6)), b1: f32([32], uniform(32, 0.1, 7)),
      w2: f32([64, 32, 3, 3], uniform(18432, 0.06, 8)), b2: f32([64], uniform(64, 0.1, 9)),
      w3: f32([128, 3136], uniform(128 * 3136, 0.02, 10)), b3: f32([128], uniform(128, 0.1, 11)),
      w4: f32([10, 128], uniform(1280, 0.1, 12)), b4: f32([10], uniform(10, 0.1, 13)),
    }),
  };
}

/** Zeroes the smallest-magnitude fraction of every prunable weight. */
export function prune(m: Model, sparsity: number): Model {
  if (sparsity === 0) return m;
  const out: Model = structuredClone(m);
  for (const pw of new Set(prunableWeights(out).map((p) => p.initializer))) {
    const d = out.graph.initializers[pw].data as Float32Array;
    const mags = d.map(Math.abs).sort();
    const thr = mags[Math.floor(d.length * sparsity)];
    for (let i = 0; i < d.length; i++) if (Math.abs(d[i]) < thr) d[i] = 0;
  }
  return out;
}

/**
 * Zeroes whole br×1 blocks (br consecutive output rows of one input column, never
 * straddling a gate or conv group) with the least L2 norm in every prunable weight:
 * the masks `rampart prune --block <br>x1` makes (src/prune/blocks.ts).
 */
export function blockPrune(m: Model, sparsity: number, br: number): Model {
  if (sparsity === 0) return m;
  const targets = pruneTargets(m);
  return applyMasks(m, targets, targets.map((t) => blockMaskAt(t, sparsity, { rows: br, cols: 1, layout: 'contiguous' })));
}

function feedsFor(m: Model): Record<string, Tensor> {
  return Object.fromEntries(m.graph.inputs.map((inp, i) => {
    const dims = (inp.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    return [inp.name, f32(dims, uniform(dims.reduce((a, b) => a * b, 1), 1, 50 + i).map((v) => (v + 1) / 2))];
  }));
}

async function timeEngine(engine: Engine, m: Model, bytes: Uint8Array, feeds: Record<string, Tensor>, budget: number): Promise<{ ms: number; bytesPerRun?: number }> {
  if (engine === 'ort-node' || engine === 'ort-web') {
    const ort = (engine === 'ort-node' ? ortNode : ortWeb) as typeof ortNode;
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', t.data as Float32Array, t.dims)]));
    const ms = await medianMsAsync(() => s.run(f), budget);
    await s.release();
    return { ms };
  }
  const s = await InferenceSession.fromModel(m, { backend: engine === 'rampart-js' ? 'js' : 'wasm' });
  const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new RTensor('float32', t.data as Float32Array, t.dims)]));
  const ms = await medianMsAsync(() => s.run(f), budget);
  // Weight bytes one run reads: R once per time step, everything else once.
  const T = m.graph.nodes.some((n) => n.op === 'LSTM' || n.op === 'GRU') ? feeds.X.dims[0] : 1;
  const bytesPerRun = s.layers().reduce((a, l) => a + l.bytes * (l.input === 'R' ? T : 1), 0);
  return { ms, bytesPerRun };
}

/** Copy bandwidth (read + write) in GB/s over `bytes`, best of a few. */
export function bandwidth(bytes: number, reps: number): number {
  const a = new Float32Array(bytes / 4).fill(1), b = new Float32Array(bytes / 4);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    b.set(a);
    best = Math.min(best, performance.now() - t);
  }
  return (2 * bytes) / (best * 1e6);
}

export async function run(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const outIdx = args.indexOf('--out');
  const outPath = outIdx >= 0 ? args[outIdx + 1] : new URL('./results/runtime.json', import.meta.url).pathname;
  if (args.includes('--render-only')) {
    if (!existsSync(outPath)) throw new Error(`--render-only: no ${outPath} to render (run the bench first)`);
    const files = await writeRuntimeReport(JSON.parse(readFileSync(outPath, 'utf8')) as RuntimeFile, dirname(outPath));
    console.log(`rendered ${outPath} → ${files.join(', ')}`);
    return;
  }
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.logLevel = 'error';
  const budget = quick ? 60 : 300;
  const sparsities = quick ? [0, 0.9] : SPARSITIES;
  const cond = conditions();
  const dram = bandwidth(256 << 20, 4), l2 = bandwidth(512 << 10, 200);
  console.log(`${cond.cpu}, ${cond.cores} cores, ${cond.arch} [${cond.isa.join(' ')}], wasm SIMD ${cond.wasmSimd}, 1 thread, batch 1, node ${cond.node}, load average ${cond.loadAverage.toFixed(1)}`);
  console.log(`copy bandwidth: ${dram.toFixed(1)} GB/s (256 MiB, DRAM), ${l2.toFixed(1)} GB/s (512 KiB, cache)\n`);
  const cnn = cnnModel();
  // Each model twice: magnitude-pruned element by element, and in whole 16x1 blocks
  // (8x1 for the CNN, whose first conv has 16 output channels).
  const bases: { key: string; label: string; model: Model; block: number }[] = [
    { key: 'lstm', label: 'LSTM h256 i28 T28', model: recurrentModel('LSTM', 256, 28, 28, false), block: 16 },
    { key: 'gru', label: 'GRU h256 i28 T28', model: recurrentModel('GRU', 256, 28, 28, false), block: 16 },
    { key: 'gemm', label: 'Gemm 1024x1024', model: gemmModel(1024), block: 16 },
    { key: 'cnn', label: cnn.name, model: cnn.model, block: 8 },
  ];
  const models: { key: string; label: string; model: Model; mask: (m: Model, sp: number) => Model }[] = bases.flatMap((b) => [
    { key: b.key, label: `${b.label}, unstructured`, model: b.model, mask: prune },
    { key: `${b.key}-${b.block}x1`, label: `${b.label}, ${b.block}x1 blocks`, model: b.model, mask: (m: Model, sp: number) => blockPrune(m, sp, b.block) },
  ]);
  const results: Record<string, unknown>[] = [];
  const rows: string[][] = [];
  const ms: Record<string, number> = {};
  for (const { key, label, model: base, mask } of models) {
    for (const sp of sparsities) {
      const m = mask(base, sp);
      const bytes = encodeModel(m);
      const feeds = feedsFor(m);
      const r: Partial<Record<Engine, number>> = {};
      let moved = 0;
      for (const e of ENGINES) {
        const t = await timeEngine(e, m, bytes, feeds, budget);
        r[e] = t.ms;
        ms[`${key}/${sp}/${e}`] = t.ms;
        if (e === 'rampart-wasm') moved = t.bytesPerRun ?? 0;
      }
      const limitDram = (moved / (dram * 1e9)) * 1e3, limitL2 = (moved / (l2 * 1e9)) * 1e3;
      results.push({ model: key, label, sparsity: sp, ms: r, wasmWeightBytesPerRun: moved, limitMsDram: limitDram, limitMsCache: limitL2 });
      rows.push([label, `${sp * 100}%`, ...ENGINES.map((e) => fmt(r[e]!)), `${(r['ort-node']! / r['rampart-wasm']!).toFixed(2)}x`,
        `${(r['ort-web']! / r['rampart-wasm']!).toFixed(2)}x`, `${(moved / 1024).toFixed(0)}`, `${(r['rampart-wasm']! / limitL2).toFixed(1)}x`]);
    }
  }
  console.log(table(['model', 'sparsity', ...ENGINES.map((e) => `${e} ms`), 'vs ort-node', 'vs ort-web', 'weights KiB/run', 'wasm/cache-limit'], rows));

  // Streaming: one LSTM step with the state kept, against onnxruntime running a
  // one-step model that takes and returns the state.
  const stream: { sparsity: number; mask: string; msPerStep: Record<string, number> }[] = [];
  const srows: string[][] = [];
  const lstm = bases[0].model;
  for (const [maskName, maskFn] of [['unstructured', prune], ['16x1', (m: Model, sp: number) => blockPrune(m, sp, 16)]] as const) for (const sp of sparsities) {
    const m = maskFn(lstm, sp);
    const step = recurrentModel('LSTM', 256, 28, 1, true);
    for (const k of ['W', 'R', 'B']) step.graph.initializers[k] = m.graph.initializers[k];
    const x = f32([1, 1, 28], uniform(28, 1, 77));
    const per: Record<string, number> = {};
    for (const backend of ['js', 'wasm'] as const) {
      const s = await InferenceSession.fromModel(m, { backend });
      const st = s.createStream();
      const feeds = { X: x };
      per[`rampart-${backend}`] = medianMs(() => { for (let i = 0; i < 10; i++) st.step(feeds); }, budget) / 10;
    }
    const os = await ortNode.InferenceSession.create(encodeModel(step), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const z = new Float32Array(256);
    const of = { X: new ortNode.Tensor('float32', x.data as Float32Array, [1, 1, 28]), h0: new ortNode.Tensor('float32', z, [1, 1, 256]), c0: new ortNode.Tensor('float32', z, [1, 1, 256]) };
    per['ort-node (1-step model)'] = await medianMsAsync(() => os.run(of), budget);
    await os.release();
    stream.push({ sparsity: sp, mask: maskName, msPerStep: per });
    srows.push([maskName, `${sp * 100}%`, ...Object.values(per).map((v) => (v * 1000).toFixed(1))]);
  }
  console.log('\nLSTM h256 streaming, one time step (µs)\n');
  console.log(table(['mask', 'sparsity', 'rampart-js', 'rampart-wasm', 'ort-node (1-step model)'], srows));

  const kernels = kernelLimits(await WasmLinalg.create(), sparsities.filter((x) => x >= 0.8), dram, l2, budget);

  const targets = evaluateTargets(ms, sparsities, stream, models.map((m) => m.key));
  console.log("\nTargets (wasm backend)\n");
  for (const t of targets) console.log(`${t.met ? 'met ' : 'MISS'}  ${t.what}: ${t.value}`);
  const data = { conditions: { ...cond, bandwidthGBs: { dram, cache: l2 } }, results, stream, kernels, targets };
  writeJson(outPath, data);
  console.log(`\nwrote ${outPath}`);
  const files = await writeRuntimeReport(data as unknown as RuntimeFile, dirname(outPath));
  console.log(`wrote ${files.join(', ')}`);
}

/**
 * Each sparse WASM kernel alone against its memory-traffic limit: the bytes of
 * weights one call reads (values, indices, row pointers as packed) over the measured
 * DRAM and cache bandwidths. A ratio near 1 would mean bandwidth-bound; far above 1,
 * bound by instructions (the weights of these shapes fit in L2).
 */
function kernelLimits(la: WasmLinalg, sparsities: number[], dram: number, cache: number, budget: number) {
  const shapes: [string, number, number, number][] = [['gemv 1024x256 (LSTM R)', 1024, 256, 1], ['gemv 1024x1024', 1024, 1024, 1], ['gemmT 1024x1024, batch 32', 1024, 1024, 32]];
  const out: Record<string, unknown>[] = [];
  const rows: string[][] = [];
  for (const [label, n, k, batch] of shapes) {
    for (const sp of sparsities) {
      const w = uniform(n * k, 1, n + k);
      const mags = w.map(Math.abs).sort();
      const thr = mags[Math.floor(w.length * sp)];
      for (let i = 0; i < w.length; i++) if (Math.abs(w[i]) < thr) w[i] = 0;
      const mark = la.mark();
      try {
        const W = la.pack({ dense: w, rows: n, cols: k }, { persistent: false, format: 'csr', batched: batch > 1 });
        const [x, y] = la.scratch([k * batch, n * batch]);
        x.fill(0.5);
        const t = batch === 1 ? minMs(() => la.gemv(W, x, y), budget / 3) : minMs(() => la.gemmT(W, x, batch, y, null, false), budget / 3);
        const limD = (W.bytes / (dram * 1e9)) * 1e3, limC = (W.bytes / (cache * 1e9)) * 1e3;
        out.push({ kernel: label, sparsity: sp, ms: t, weightBytes: W.bytes, limitMsDram: limD, limitMsCache: limC, nnzStored: W.nnz });
        rows.push([label, `${sp * 100}%`, (t * 1000).toFixed(1), (W.bytes / 1024).toFixed(0), (limD * 1000).toFixed(1), (limC * 1000).toFixed(2),
          `${(t / limD).toFixed(1)}x`, `${(t / limC).toFixed(1)}x`]);
      } finally {
        la.release(mark);
      }
    }
  }
  console.log('\nSparse WASM kernels against the memory-traffic limit (least time of many calls)\n');
  console.log(table(['kernel', 'sparsity', 'us', 'weights KiB', 'DRAM limit us', 'cache limit us', 'x DRAM limit', 'x cache limit'], rows));
  return out;
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(3);
}

function evaluateTargets(ms: Record<string, number>, sparsities: number[], stream: { sparsity: number; mask: string; msPerStep: Record<string, number> }[], keys: string[]) {
  const out: { what: string; value: string; met: boolean }[] = [];
  for (const t of SPEEDUP_TARGETS) {
    if (!sparsities.includes(t.sparsity)) continue;
    const r = ms[`${t.model}/${t.sparsity}/${t.vs}`] / ms[`${t.model}/${t.sparsity}/rampart-wasm`];
    out.push({ what: `${t.model} at ${t.sparsity * 100}%: >= ${t.speedup}x faster than ${t.vs}`, value: `${r.toFixed(2)}x`, met: r >= t.speedup });
  }
  for (const t of STREAM_TARGETS) {
    const s = stream.find((x) => x.mask === t.mask && x.sparsity === t.sparsity);
    if (!s) continue;
    const r = s.msPerStep['ort-node (1-step model)'] / s.msPerStep['rampart-wasm'];
    out.push({ what: `LSTM h256 streaming, ${t.mask} at ${t.sparsity * 100}%: one step >= ${t.speedup}x faster than ort-node's one-step model`, value: `${r.toFixed(2)}x`, met: r >= t.speedup });
  }
  // The dense path (sparsity 0: no block structure to use) against the same instruction set.
  for (const key of keys.filter((k) => !k.includes('x1'))) {
    const slower = ms[`${key}/0/rampart-wasm`] / ms[`${key}/0/${DENSE_LIMIT.vs}`];
    if (!Number.isFinite(slower)) continue;
    out.push({ what: `${key} dense: no more than ${DENSE_LIMIT.slowdown}x slower than ${DENSE_LIMIT.vs}`, value: `${slower.toFixed(2)}x its time`, met: slower <= DENSE_LIMIT.slowdown });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
