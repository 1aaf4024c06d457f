import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { getMatrix, prunableWeights, setMatrix } from '../../src/ir/layers.ts';

function t(dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  // distinct values so a wrong index shows up
  return { dtype: 'float32', dims, data: Float32Array.from({ length: n }, (_, i) => i + 1) };
}
function node(name: string, op: string, inputs: string[], attrs: Node['attrs'] = {}): Node {
  return { name, op, domain: '', inputs, outputs: [name + '_y'], attrs };
}
function model(nodes: Node[], inits: Record<string, Tensor>): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 't', producerVersion: '',
    functions: [], metadata: {},
    graph: { name: 'g', inputs: [], outputs: [], initializers: inits, nodes, valueInfo: {} },
  };
}

const m = model(
  [
    node('gemm0', 'Gemm', ['x', 'B0', 'c']),
    node('gemm1', 'Gemm', ['x', 'B1'], { transB: { type: 'int', value: 1 } }),
    node('mm', 'MatMul', ['x', 'B2']),
    node('mmAct', 'MatMul', ['x', 'y']), // activation × activation: not prunable
    node('conv', 'Conv', ['x', 'Wc'], { group: { type: 'int', value: 2 } }),
    node('lstm', 'LSTM', ['x', 'Wl', 'Rl', 'Bl'], { hidden_size: { type: 'int', value: 2 } }),
    node('gru', 'GRU', ['x', 'Wg', 'Rg']),
    node('rnn', 'RNN', ['x', 'Wr', 'Rr']),
    node('relu', 'Relu', ['x']),
  ],
  {
    B0: t([3, 4]), c: t([4]), B1: t([5, 3]), B2: t([3, 2]), Wc: t([4, 3, 2, 2]),
    Wl: t([2, 8, 3]), Rl: t([2, 8, 2]), Bl: t([2, 16]), Wg: t([1, 6, 3]), Rg: t([1, 6, 2]),
    Wr: t([1, 2, 3]), Rr: t([1, 2, 2]),
  },
);

test('prunableWeights enumerates every prunable weight with outputs × inputs', () => {
  const pws = prunableWeights(m);
  const s = pws.map((p) => `${p.layer}:${p.graph}:${p.rows}x${p.cols}:d${p.directions}:g${p.groups}:${p.gates?.join('') ?? '-'}:${p.hidden}`);
  assert.deepEqual(s, [
    'gemm0:weight:4x3:d1:g1:-:null',
    'gemm1:weight:5x3:d1:g1:-:null',
    'mm:weight:2x3:d1:g1:-:null',
    'conv:weight:4x12:d1:g2:-:null',
    'lstm:W:8x3:d2:g1:iofc:2', 'lstm:R:8x2:d2:g1:iofc:2',
    'gru:W:6x3:d1:g1:zrh:2', 'gru:R:6x2:d1:g1:zrh:2',
    'rnn:W:2x3:d1:g1:-:2', 'rnn:R:2x2:d1:g1:-:2',
  ]);
});

test('getMatrix orients every layout as [outputs, inputs]', () => {
  const pws = prunableWeights(m);
  const by = (l: string, g = 'weight') => pws.find((p) => p.layer === l && p.graph === g)!;
  // Gemm transB=0: y_j = Σ_i x_i B[i, j]  → M[j, i] = B[i, j]
  const g0 = getMatrix(m, by('gemm0'));
  const B0 = m.graph.initializers.B0.data as Float32Array;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.equal(g0[j * 3 + i], B0[i * 4 + j]);
  // Gemm transB=1: B is [out, in] already
  assert.deepEqual(getMatrix(m, by('gemm1')), m.graph.initializers.B1.data);
  // MatMul B [in, out]
  const mm = getMatrix(m, by('mm'));
  assert.deepEqual(Array.from(mm), [1, 3, 5, 2, 4, 6]);
  // LSTM direction 1 is the second [8, 3] block
  const w1 = getMatrix(m, by('lstm', 'W'), 1);
  assert.equal(w1[0], 25);
  assert.equal(w1.length, 24);
  assert.throws(() => getMatrix(m, by('lstm', 'W'), 2), /direction 2/);
});

test('setMatrix round-trips and never writes through the old buffer', () => {
  const mc = structuredClone(m);
  const pws = prunableWeights(mc);
  for (const pw of pws) {
    for (let d = 0; d < pw.directions; d++) {
      const old = mc.graph.initializers[pw.initializer].data;
      const oldCopy = Float32Array.from(old as Float32Array);
      const w = getMatrix(mc, pw, d).map((v) => -v * 10);
      setMatrix(mc, pw, d, w);
      assert.deepEqual(getMatrix(mc, pw, d), w);
      assert.deepEqual(old, oldCopy);
    }
  }
  // MatMul storage got the transpose of what was set
  assert.deepEqual(Array.from(mc.graph.initializers.B2.data as Float32Array), [-10, -20, -30, -40, -50, -60]);
  assert.throws(() => setMatrix(mc, pws[0], 0, new Float32Array(3)), /expected 4×3/);
});
