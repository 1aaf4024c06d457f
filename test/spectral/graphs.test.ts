import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { prunableWeights } from '../../src/ir/layers.ts';
import { graphMetrics, layerGraphs, magnitudeMask } from '../../src/spectral/index.ts';
import { analyzeModel } from '../../src/spectral/analyze.ts';
import { lcg } from './helpers.ts';

function model(nodes: Node[], inits: Record<string, Tensor>): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 't', producerVersion: '', functions: [], metadata: {},
    graph: { name: 'g', inputs: [], outputs: [], initializers: inits, nodes, valueInfo: {} },
  };
}
function rand(dims: number[], seed: number): Tensor {
  const r = lcg(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', dims, data: Float32Array.from({ length: n }, () => r() * 2 - 1) };
}

test('magnitudeMask keeps exactly the round((1−s)·n) largest |w|, ties by index', () => {
  const r = lcg(4);
  for (const n of [1, 10, 1000, 33333]) {
    const w = Float32Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 50) / 10); // many ties, some zeros
    for (const s of [0, 0.3, 0.5, 0.9, 0.99, 1]) {
      const m = magnitudeMask(w, s);
      const k = Math.round((1 - s) * n);
      const order = [...w.keys()].sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
      const keep = new Set(order.slice(0, k));
      for (let i = 0; i < n; i++) assert.equal(m[i], keep.has(i) ? w[i] : 0, `n=${n} s=${s} i=${i}`);
    }
  }
  assert.throws(() => magnitudeMask(new Float32Array(4), 1.5), /sparsity/);
  assert.throws(() => magnitudeMask(Float32Array.of(1, NaN), 0.5), /NaN/);
});

test('layerGraphs: stacked + per-gate graphs per direction of an LSTM, gates as row blocks', () => {
  const H = 5, I = 7;
  const m = model([{ name: 'lstm', op: 'LSTM', domain: '', inputs: ['x', 'W', 'R'], outputs: ['y'], attrs: { direction: { type: 'string', value: 'bidirectional' } } }],
    { W: rand([2, 4 * H, I], 1), R: rand([2, 4 * H, H], 2) });
  const [pw, pr] = prunableWeights(m);
  const gs = layerGraphs(m, pw);
  assert.deepEqual(gs.map((g) => `${g.graph}${g.direction}${g.gate ?? '*'}:${g.view.rows}x${g.view.cols}`),
    ['W0*:20x7', 'W0i:5x7', 'W0o:5x7', 'W0f:5x7', 'W0c:5x7', 'W1*:20x7', 'W1i:5x7', 'W1o:5x7', 'W1f:5x7', 'W1c:5x7']);
  const W = m.graph.initializers.W.data as Float32Array;
  // gate f of direction 1 = rows 2H..3H of W[1]
  assert.deepEqual(gs[8].view.data, W.slice(4 * H * I + 2 * H * I, 4 * H * I + 3 * H * I));
  assert.equal(layerGraphs(m, pr, { perGate: false }).length, 2);
});

test('grouped conv: the graph is block-diagonal over Cin·kh·kw; identical blocks give σ2 = σ1', () => {
  // Cout = 4, group = 2, Cin = 4 → weight [4, 2, 1, 1]; both groups carry the same 2×2 block
  const w: Tensor = { dtype: 'float32', dims: [4, 2, 1, 1], data: Float32Array.of(1, 1, 0, 1, 1, 1, 0, 1) };
  const m = model([{ name: 'c', op: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: { type: 'int', value: 2 } } }], { w });
  const [pw] = prunableWeights(m);
  assert.equal(pw.groups, 2);
  const [g] = layerGraphs(m, pw);
  assert.equal(g.view.rows, 4); assert.equal(g.view.cols, 4);
  assert.deepEqual(Array.from(g.view.data), [1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1]);
  const gm = graphMetrics(g.view);
  assert.ok(Math.abs(gm.mu0! - gm.muHat!) < 1e-12);
  assert.ok(Math.abs(gm.mu0! - (1 + Math.sqrt(5)) / 2) < 1e-12); // σ1 of [[1,1],[0,1]] is the golden ratio
});

test('analyzeModel: one record per (layer, graph, gate, direction, level), mask levels in memory', () => {
  const m = model([
    { name: 'gru', op: 'GRU', domain: '', inputs: ['x', 'W', 'R'], outputs: ['y'], attrs: {} },
    { name: 'fc', op: 'MatMul', domain: '', inputs: ['y', 'B'], outputs: ['z'], attrs: {} },
  ], { W: rand([1, 3 * 16, 40], 5), R: rand([1, 3 * 16, 16], 6), B: rand([16, 30], 7) });
  const before = Float32Array.from(m.graph.initializers.W.data as Float32Array);
  const a = analyzeModel(m, { levels: [0.5, 0.9] });
  assert.equal(a.records.length, 3 * (4 + 4 + 1));
  assert.deepEqual(m.graph.initializers.W.data, before, 'the model is not modified');
  const w90 = a.records.find((r) => r.layer === 'gru' && r.graph === 'W' && r.gate === null && r.level === 0.9)!;
  assert.ok(Math.abs(w90.sparsity - 0.9) < 1e-9);
  const asIs = a.records.find((r) => r.layer === 'fc' && r.level === null)!;
  assert.equal(asIs.edges, 16 * 30); assert.equal(asIs.nL, 16); assert.equal(asIs.nR, 30);
  // the as-is dense graph is complete bipartite: Δr = √(30−1) + √(16−1)
  assert.ok(Math.abs(asIs.deltaR! - (Math.sqrt(29) + Math.sqrt(15))) < 1e-9);
  assert.equal(asIs.ramanujan, true);
  const layer = a.layers.find((l) => l.layer === 'gru' && l.level === null)!;
  assert.equal(layer.ramanujan, true);
  // at 90% the GRU's R graph (16×48, ~77 edges) has an average degree under 3 on one side
  const r90 = a.records.find((r) => r.layer === 'gru' && r.graph === 'R' && r.gate === null && r.level === 0.9)!;
  assert.equal(r90.deltaR, null);
  const w90v = w90.ramanujan;
  // false wins over undefined, undefined over true
  assert.equal(a.layers.find((l) => l.layer === 'gru' && l.level === 0.9)!.ramanujan, w90v === false ? false : null);
});

test('a non-finite weight is a RampartError naming the node and op', () => {
  const B = rand([16, 30], 7);
  (B.data as Float32Array)[5] = Infinity;
  const m = model([{ name: 'fc', op: 'MatMul', domain: '', inputs: ['y', 'B'], outputs: ['z'], attrs: {} }], { B });
  assert.throws(() => analyzeModel(m), (e: Error) => e.name === 'RampartError' && /node 'fc', op MatMul/.test(e.message));
  (B.data as Float32Array)[5] = NaN;
  assert.throws(() => analyzeModel(m), /node 'fc'.*NaN/);
});
