// `rampart inspect`: MACs against closed-form counts (docs/design/cli-data.md), params,
// sparsity of weights with known zeros, symbol binding, and the CLI surface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { f32 } from '../../runtime/tensor.ts';
import type { Model } from '../../runtime/ir.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { inspectModel, type InspectReport } from '../../src/inspect/report.ts';
import { cli, FIXTURES, int, ints, model, node, save, tmp } from './helpers.ts';
import { inspectCommand } from '../../src/cli/commands/inspect.ts';

const dir = tmp();
test.after(() => rmSync(dir, { recursive: true, force: true }));

const row = (r: InspectReport, op: string, k = 0) => r.layers.filter((l) => l.op === op)[k];
const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

test('cnn_bn fixture: Conv, BatchNorm, Gemm MACs and params in closed form (CLI --json)', async () => {
  const r = await cli(['inspect', join(FIXTURES, 'cnn_bn.onnx'), '--batch', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as InspectReport;
  // Conv 1→8, 3×3, pad 1 on 28×28; Conv 8→16 on 14×14 after MaxPool 2; Linear 784→10.
  assert.equal(row(rep, 'Conv', 0).macs, 2 * 8 * 1 * 9 * 28 * 28);
  assert.equal(row(rep, 'Conv', 1).macs, 2 * 16 * 8 * 9 * 14 * 14);
  assert.equal(row(rep, 'Gemm').macs, 2 * 784 * 10);
  assert.equal(row(rep, 'BatchNormalization').macs, 0);
  assert.equal(rep.totals.macs, 2 * (8 * 9 * 784 + 16 * 72 * 196 + 7840));
  // Conv 8·9+8, BN 4·8, Conv 16·72+16, BN 4·16, Linear 7840+10.
  assert.equal(rep.totals.params, 80 + 32 + 1168 + 64 + 7850);
  assert.equal(row(rep, 'Conv', 0).params, 80);
  assert.equal(row(rep, 'BatchNormalization').sparsity, null);
  assert.equal(rep.totals.prunable, 72 + 1152 + 7840);
  assert.deepEqual(rep.outputs[0].shape, [2, 10]);
  assert.deepEqual(rep.unsupported, []);
});

test('lstm fixture: 4H(I+H) per step, T fixed at 28 by the export (CLI text)', async () => {
  const r = await cli(['inspect', join(FIXTURES, 'lstm.onnx'), '--batch', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /input\s+input: float32 \[N,28,28\] -> \[3,28,28\]/);
  assert.match(r.stdout, /^\/rnn\/LSTM\s+LSTM\s+\[1,128,28\] \[1,128,32\] \[1,256\]\s+7936\s+0\.0%\s+645K/m);
  assert.match(r.stdout, /^TOTAL\s+\d+ nodes\s+8266/m);
  const rep = inspectModel(loadModel(join(FIXTURES, 'lstm.onnx')), { batch: 3, seqLen: 99 });
  assert.equal(row(rep, 'LSTM').macs, 3 * 28 * 4 * 32 * (28 + 32));
  assert.equal(row(rep, 'Gemm').macs, 3 * 32 * 10);
});

test('bidirectional and GRU fixtures', () => {
  const bi = inspectModel(loadModel(join(FIXTURES, 'lstm_bidir.onnx')), { batch: 1, seqLen: 1 });
  assert.equal(row(bi, 'LSTM').macs, 2 * 28 * 4 * 24 * (28 + 24));
  const gru = inspectModel(loadModel(join(FIXTURES, 'gru.onnx')), { batch: 5, seqLen: 1 });
  assert.equal(row(gru, 'GRU').macs, 5 * 28 * 3 * 32 * (28 + 32));
});

// A model with known zeros and a symbolic sequence: LSTM(8→5) over ['T','N',8], then
// MatMul on the last hidden state with batch dims, a grouped Conv on a second input.
function zoo(): Model {
  const H = 5, I = 8;
  const W = f32([1, 4 * H, I], seq(4 * H * I, (i) => (i % 2 ? 0 : 0.1 * (1 + (i % 7))))); // odd indices zero
  const R = f32([1, 4 * H, H], seq(4 * H * H, (i) => 0.01 * (i + 1)));
  const B = f32([4, 6], seq(24, (i) => (i < 6 ? 0 : 1))); // 6 zeros
  const Wc = f32([6, 2, 3, 3], seq(108, () => 0.5));
  return model({
    inputs: [{ name: 'x', shape: ['T', 'N', I] }, { name: 'm', shape: ['N', 3, 4] }, { name: 'img', shape: [null, 4, 10, 10] }],
    outputs: [{ name: 'h' }, { name: 'y' }, { name: 'c' }],
    initializers: { W, R, B, Wc },
    nodes: [
      node('LSTM', ['x', 'W', 'R'], ['', 'h'], { hidden_size: int(H) }, 'lstm'),
      node('MatMul', ['m', 'B'], ['y'], {}, 'mm'),
      node('Conv', ['img', 'Wc'], ['c'], { group: int(2), kernel_shape: ints([3, 3]) }, 'conv'),
    ],
  });
}

test('recurrent W and R shares, MatMul batch dims, grouped Conv, sparsity', () => {
  const rep = inspectModel(zoo(), { batch: 2, seqLen: 7 });
  const lstm = row(rep, 'LSTM');
  assert.equal(lstm.macs, 7 * 2 * 4 * 5 * (8 + 5));
  assert.equal(lstm.zeros, 80);
  assert.equal(lstm.sparsity, 80 / 260);
  // Half of W's share (T·B·4H·I) is skipped by a sparse kernel; R is dense.
  assert.equal(lstm.sparseMacs, 7 * 2 * 20 * 8 / 2 + 7 * 2 * 20 * 5);
  const mm = row(rep, 'MatMul');
  assert.equal(mm.macs, 2 * 3 * 6 * 4);
  assert.equal(mm.sparseMacs, 2 * 3 * 6 * 4 * (18 / 24));
  const conv = row(rep, 'Conv');
  assert.equal(conv.macs, 2 * 6 * 2 * 9 * 8 * 8);
  assert.equal(conv.sparsity, 0);
  assert.equal(rep.totals.zeros, 86);
  assert.equal(rep.totals.prunable, 160 + 100 + 24 + 108);
  assert.deepEqual(rep.bindings.map((b) => [b.input, b.axis, b.role, b.value]), [
    ['x', 0, 'seq', 7], ['x', 1, 'batch', 2], ['m', 0, 'batch', 2], ['img', 0, 'batch', 2],
  ]);
});

test('time-major detection for unnamed dims, --dim overrides, bad flags', () => {
  const m = zoo();
  m.graph.inputs[0].shape = [null, null, 8];
  // Unnamed [?, ?, 8] straight into an LSTM (layout 0) is [T, B, I].
  const rep = inspectModel(m, { batch: 3, seqLen: 4 });
  assert.equal(row(rep, 'LSTM').macs, 4 * 3 * 4 * 5 * 13);
  const p = save(dir, 'zoo.onnx', zoo());
  const rj = inspectCommand(p, { dim: ['T=10'], batch: '1' });
  assert.equal(row(rj, 'LSTM').macs, 10 * 1 * 4 * 5 * 13);
  assert.throws(() => inspectCommand(p, { dim: ['Q=3'] }), /--dim Q: no graph input has a dim named 'Q'.*T, N/);
  assert.throws(() => inspectCommand(p, { dim: ['T'] }), /--dim 'T'.*NAME=SIZE/);
  assert.throws(() => inspectCommand(p, { batch: '0' }), /--batch 0.*positive integer/);
  assert.throws(() => inspectCommand(p, { seqLen: 'x' }), /--seq-len x/);
});

test('an unknown op is flagged, its MACs and the total are unknown, and inspect succeeds', () => {
  const m = zoo();
  m.graph.nodes.push(node('Mystery', ['h'], ['z'], {}, 'mystery', 'com.example'));
  m.graph.outputs.push({ name: 'z', dtype: 'float32', shape: null });
  const rep = inspectModel(m, { batch: 1, seqLen: 1 });
  assert.deepEqual(rep.unsupported, [{ node: 'mystery', op: 'Mystery', domain: 'com.example' }]);
  assert.equal(row(rep, 'Mystery').status, 'unsupported');
  assert.equal(rep.totals.macs, null);
});

test('inspect --help', async () => {
  const r = await cli(['inspect', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--seq-len <T>/);
  assert.match(r.stdout, /Gemm\/MatMul M·K·N/);
});

test('compiled CSR calls count the same MACs, sparsity and MACs@sparsity as the pruned dense model', async () => {
  const { toCsrModel } = await import('../../targets/onnx-csr/transform.ts');
  const { prunableWeights, getMatrix, setMatrix } = await import('../../src/ir/layers.ts');
  for (const [name, batch] of [['cnn_bn', 2], ['lstm_bidir', 3]] as const) {
    const dense = loadModel(join(FIXTURES, `${name}.onnx`));
    for (const pw of prunableWeights(dense)) {
      for (let d = 0; d < pw.directions; d++) {
        const m = getMatrix(dense, pw, d);
        for (let i = 0; i < m.length; i++) if (i % 3 !== 0) m[i] = 0;
        setMatrix(dense, pw, d, m);
      }
    }
    const csr = toCsrModel(dense, 0.5).model;
    const a = inspectModel(dense, { batch, seqLen: 1 });
    const b = inspectModel(csr, { batch, seqLen: 1 });
    assert.equal(b.shapeWarning, null);
    assert.ok(b.layers.some((l) => l.status === 'csr'), name);
    for (const la of a.layers.filter((l) => l.prunable > 0)) {
      const lb = b.layers.find((l) => l.node === la.node)!;
      assert.equal(lb.status, 'csr', la.node);
      assert.equal(lb.macs, la.macs, la.node);
      assert.equal(lb.sparseMacs, la.sparseMacs, la.node);
      assert.equal(lb.zeros, la.zeros, la.node);
      assert.equal(lb.prunable, la.prunable, la.node);
    }
    assert.equal(b.totals.macs, a.totals.macs);
    assert.equal(b.totals.sparseMacs, a.totals.sparseMacs);
  }
});
