// The C target's refusals and budget: models too big for a device, ops and attributes
// it cannot emit, the device table, the flash / SRAM arithmetic, determinism.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Attr, Model, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { budget, cTarget, compileC, DEVICES, renderBudget, type CTargetOptions } from '../../targets/c/index.ts';
import { blockPruneModel, pruneModel, recurrentModel, rng } from './models.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures');
const ZOO = join(ROOT, 'models', 'lstm', 'model.onnx');

function tensor(dims: number[], seed = 1): Tensor {
  const r = rng(seed);
  return { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r()) };
}

function graph(name: string, input: (number | string)[], nodes: Node[], inits: Record<string, Tensor>, out = 'y'): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'rampart-test', producerVersion: '1', functions: [], metadata: {},
    graph: {
      name, valueInfo: {}, initializers: inits, nodes,
      inputs: [{ name: 'x', dtype: 'float32', shape: input }], outputs: [{ name: out, dtype: 'float32', shape: null }],
    },
  };
}

const n = (name: string, op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): Node =>
  ({ name, op, domain: '', inputs, outputs, attrs });

/** x [N, k] -> MatMul [k, m]: k*m*4 bytes of flash, dense. */
function matmul(k: number, m: number): Model {
  return graph('big_fc', ['N', k], [n('fc', 'MatMul', ['x', 'W'], ['y'])], { W: tensor([k, m]) });
}

/** The descriptor's compile with the C target's own options. */
const compile = (m: Model, o: CTargetOptions) => cTarget.compile(m, o);

function throwsRampart(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RampartError, `expected a RampartError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

test('a model over the flash of its device is refused with model, device, needed and available bytes', () => {
  const m = matmul(400, 400); // 640,000 bytes of weights
  throwsRampart(() => compile(m, { device: 'cortex-m0plus', file: 'models/big_fc.onnx' }),
    /model 'big_fc' does not fit device 'cortex-m0plus'/, /flash: needs 6\d\d,\d{3} bytes, 262,144 available/);
  // The same model fits a cortex-m4 (1 MiB), and pruned to 90% it fits the m0+.
  assert.ok(compile(m, { device: 'cortex-m4' }).bytes.length > 0);
  assert.ok(compile(pruneModel(m, 0.9), { device: 'cortex-m0plus' }).bytes.length > 0);
});

test('a model over the SRAM of its device is refused naming SRAM', () => {
  // Conv to 8 channels of 64x64: a 131,072-byte activation, over the m0+'s 32 KiB.
  const m = graph('wide_conv', ['N', 1, 64, 64], [n('conv', 'Conv', ['x', 'W'], ['y'], { pads: { type: 'ints', value: [1, 1, 1, 1] } })], { W: tensor([8, 1, 3, 3]) });
  throwsRampart(() => compile(m, { device: 'cortex-m0plus' }), /model 'wide_conv' does not fit device 'cortex-m0plus'/, /SRAM: needs 278,528 bytes, 32,768 available/);
  const b = budget(m, { device: 'cortex-m0plus' });
  // The conv output in the arena, the caller's input and its copy of the output.
  assert.equal(b.sram.arenaBytes, 8 * 64 * 64 * 4);
  assert.equal(b.sram.totalBytes, 2 * 8 * 64 * 64 * 4 + 64 * 64 * 4);
  assert.deepEqual(b.fits['cortex-m0plus'], { flash: true, sram: false });
  assert.deepEqual(b.fits['cortex-m4'], { flash: true, sram: false });
  assert.deepEqual(b.fits['cortex-m7'], { flash: true, sram: true });
});

test('a custom device budget is checked the same way; an unknown device name is refused', () => {
  const m = matmul(64, 64);
  throwsRampart(() => compile(m, { device: { name: 'tiny', flashBytes: 8192, sramBytes: 4096 } }), /does not fit device 'tiny'/, /flash: needs 1\d,\d{3} bytes, 8,192 available/);
  throwsRampart(() => compile(m, { device: 'pdp-11' }), /unknown device 'pdp-11'/, /cortex-m4/);
});

test('an op the C target cannot run is refused naming the node and the op', () => {
  const m = graph('sin', ['N', 4], [n('the_sine', 'Sin', ['x'], ['y'])], {});
  throwsRampart(() => compile(m, {}), /node 'the_sine'/, /op Sin is not supported by the C target/);
  // An op the reference interpreter knows but the C code does not emit at run time.
  const pow = graph('cast', ['N', 4], [n('to_int', 'Cast', ['x'], ['y'], { to: { type: 'int', value: 7 } })], {});
  throwsRampart(() => compile(pow, {}), /node 'to_int'/, /Cast/);
  // A CSR-compiled (onnx-csr) model: its ai.rampart ops are not for this target.
  const csr = graph('csr', ['N', 4], [{ ...n('csr_fc', 'CsrMatMul', ['x'], ['y']), domain: 'ai.rampart' }], {});
  throwsRampart(() => compile(csr, {}), /node 'csr_fc'/, /op ai\.rampart::CsrMatMul is not supported by the C target/, /not an onnx-csr one/);
});

test('attributes outside the supported set are refused clearly', () => {
  const grouped = graph('grouped', ['N', 4, 8, 8], [n('dw', 'Conv', ['x', 'W'], ['y'], { group: { type: 'int', value: 3 } })], { W: tensor([3, 2, 3, 3]) });
  throwsRampart(() => compile(grouped, {}), /node 'dw'/, /group=3/);
  const pads = { P: { dtype: 'int64' as const, dims: [6], data: Float64Array.from([0, 0, 1, 0, 0, 1]) } };
  const reflect = graph('reflect', ['N', 3, 5], [n('pad', 'Pad', ['x', 'P'], ['y'], { mode: { type: 'string', value: 'reflect' } })], pads);
  throwsRampart(() => compile(reflect, {}), /node 'pad'/, /mode 'reflect'/, /mode 'constant'/);
  const crop = graph('crop', ['N', 3, 5], [n('crop', 'Pad', ['x', 'P'], ['y'])], { P: { ...pads.P, data: Float64Array.from([0, 0, -1, 0, 0, 2]) } });
  throwsRampart(() => compile(crop, {}), /node 'crop'/, /negative pads/, /pads >= 0/);
  const acts = graph('hs_lstm', [28, 'N', 4], [n('lstm', 'LSTM', ['x', 'W', 'R'], ['y'], {
    hidden_size: { type: 'int', value: 3 }, activations: { type: 'strings', value: ['HardSigmoid', 'Tanh', 'Tanh'] },
  })], { W: tensor([1, 12, 4]), R: tensor([1, 12, 3]) });
  throwsRampart(() => compile(acts, {}), /node 'lstm'/, /activations \[HardSigmoid, Tanh, Tanh\] are not supported/, /Sigmoid, Tanh, Tanh/);
  // layout=1 is supported (test/recurrent/c-target.test.ts); its batch is X's first dim, and must be 1.
  const batchFirst = graph('layout1', [2, 28, 4], [n('gru', 'GRU', ['x', 'W', 'R'], ['y'], {
    hidden_size: { type: 'int', value: 3 }, layout: { type: 'int', value: 1 },
  })], { W: tensor([1, 9, 4]), R: tensor([1, 9, 3]) });
  throwsRampart(() => compile(batchFirst, {}), /node 'gru'/, /X is \[2,28,4\]/, /\[1, seq, input\]/);
});

test('the output is deterministic and names every node in a comment', () => {
  const m = loadModel(join(FIX, 'lstm_stacked.onnx'));
  const a = compileC(m, { file: 'lstm_stacked.onnx' }).source;
  const b = compileC(structuredClone(m), { file: 'lstm_stacked.onnx' }).source;
  assert.equal(a, b);
  for (const node of ['/rnn/LSTM', '/rnn/LSTM_1', '/head/Gemm']) assert.ok(a.includes(`node '${node}'`), node);
  assert.doesNotMatch(a, /\b(malloc|calloc|free|printf)\s*\(/);
  assert.deepEqual(a.match(/#include <[^>]+>/g), ['#include <math.h>', '#include <stdint.h>', '#include <string.h>']);
});

test('budget: flash is the bytes of the arrays plus code; CSR at 90% is smaller; seqLen binds the sequence', () => {
  const m = loadModel(join(FIX, 'lstm.onnx'));
  const dense = budget(m);
  // LSTM W [128,28] + R [128,32] + bias 128 + Gemm [10,32] + bias 10, float32.
  assert.equal(dense.flash.weightBytes, 4 * (128 * 28 + 128 * 32 + 128 + 320 + 10));
  assert.equal(dense.flash.indexBytes, 0);
  assert.equal(dense.flash.totalBytes, dense.flash.objectBytes + dense.flash.libmBytes);
  const sparse = budget(pruneModel(m, 0.9));
  const lstm = sparse.layers.find((l) => l.op === 'LSTM')!;
  assert.equal(lstm.action, 'csr');
  // 10% kept of 3584 + 4096: values and uint16 columns, uint16 row pointers of 129 entries each.
  const nnz = Math.ceil(3584 * 0.1) + Math.ceil(4096 * 0.1);
  assert.equal(lstm.storedBytes, nnz * 6 + 2 * 129 * 2);
  assert.ok(sparse.flash.totalBytes < dense.flash.totalBytes / 2);
  assert.equal(sparse.sram.totalBytes, dense.sram.totalBytes, 'pruning does not change activations');
  assert.deepEqual(dense.bound, { N: 1 });
  assert.equal(dense.sram.inputBytes, 28 * 28 * 4);
  assert.ok(renderBudget(dense).some((l) => l.startsWith('cortex-m0plus')));
});

test('symbolic sequence dims take seqLen; the batch takes 1', () => {
  const m = graph('seq', ['batch', 'T', 6], [n('fc', 'MatMul', ['x', 'W'], ['y'])], { W: tensor([6, 2]) });
  assert.deepEqual(budget(m).bound, { batch: 1, T: 28 });
  const b = budget(m, { seqLen: 50 });
  assert.deepEqual(b.bound, { batch: 1, T: 50 });
  assert.equal(b.sram.inputBytes, 50 * 6 * 4);
});

test('a model that breaks with its symbolic dims bound to seqLen says so', () => {
  const m = graph('dyn_img', ['N', 1, 'H', 'W'], [
    n('flat', 'Flatten', ['x'], ['f']), n('fc', 'Gemm', ['f', 'W'], ['y'], { transB: { type: 'int', value: 1 } }),
  ], { W: tensor([10, 784]) });
  assert.deepEqual(budget(m).bound, { N: 1, H: 28, W: 28 });
  throwsRampart(() => budget(m, { seqLen: 20 }), /node 'fc'/, /symbolic dims H, W were bound to 20 \(seqLen/);
  assert.deepEqual(budget(m, { seqLen: 20, dims: { H: 28, W: 28 } }).bound, { N: 1, H: 28, W: 28 });
});

test('the device table lists the documented parts', () => {
  assert.deepEqual(DEVICES['cortex-m4'], { name: 'cortex-m4', flashBytes: 1 << 20, sramBytes: 192 << 10, part: 'STM32F407VG', fpu: true, board: 'mps2-an386' });
  assert.equal(DEVICES['cortex-m0plus'].flashBytes, 256 << 10);
  assert.equal(DEVICES['cortex-m0plus'].sramBytes, 32 << 10);
  assert.equal(DEVICES.esp32.flashBytes, 4 << 20);
  assert.equal(DEVICES.esp32.sramBytes, 320 << 10);
});

test('zoo LSTM: dense does not fit a cortex-m0plus, 90% pruned does', { skip: existsSync(ZOO) ? false : `${ZOO} is absent` }, (t) => {
  const zoo = loadModel(ZOO);
  throwsRampart(() => compile(zoo, { device: 'cortex-m0plus', file: ZOO }), /model 'lstm' does not fit device 'cortex-m0plus' \(flash: needs 3\d\d,\d{3} bytes, 262,144 available\)/);
  const b = budget(pruneModel(zoo, 0.9), { device: 'cortex-m0plus' });
  assert.ok(b.fits['cortex-m0plus'].flash && b.fits['cortex-m0plus'].sram);
  t.diagnostic(renderBudget(b).slice(0, 2).join(' | '));
});

test('memory plan: Y read at its last step is not stored; activations run in place; buffers share the arena', () => {
  // LSTM(28->32) -> Gather(last step) -> Gemm: h 32 + c 32 + gate scratch 128 floats; the
  // Gemm output reuses the scratch. Storing Y would add 28*32 floats.
  const lstm = compileC(loadModel(join(FIX, 'lstm.onnx')));
  assert.equal(lstm.budget.sram.arenaBytes, (32 + 32 + 128) * 4);
  assert.match(lstm.source, /Y read at its last step only/);
  // A bidirectional LSTM's Y is needed whole (the backward half of the last step is not h).
  const bidir = compileC(loadModel(join(FIX, 'lstm_bidir.onnx')));
  assert.doesNotMatch(bidir.source, /Y read at its last step only/);
  // Conv 8x28x28 (Relu in place over it) and the MaxPool output [8,14,14] are live together;
  // everything later fits in the space they free.
  const cnn = compileC(loadModel(join(FIX, 'cnn_bn.onnx')));
  assert.equal(cnn.budget.sram.arenaBytes, (8 * 28 * 28 + 8 * 14 * 14) * 4);
  assert.match(cnn.source, /rp_relu\(rp_arena, rp_arena, 6272\)/);
  assert.match(cnn.source, /BatchNormalization folded into the Conv before it/);
});

test('streaming is emitted only where stepping equals the whole-sequence run, else a note says why', () => {
  const lstm = loadModel(join(FIX, 'lstm.onnx'));
  const ok = budget(lstm);
  assert.equal(ok.stream.emitted, true);
  assert.equal(ok.stream.axis, 1, 'batch-first input [N, 28, 28]: time is axis 1');
  // Reading the FIRST step (Gather index 0) runs at seq 1 too, but is not causal-last.
  const first: Model = structuredClone(lstm);
  const gather = first.graph.nodes.find((x) => x.op === 'Gather' && x.name === '/Gather')!;
  first.graph.initializers[gather.inputs[1]] = { dtype: 'int64', dims: [], data: Float64Array.from([0]) };
  const b = budget(first);
  assert.equal(b.stream.emitted, false);
  assert.match(b.stream.note, /differs from the whole-sequence run/);
  assert.match(budget(loadModel(join(FIX, 'lstm_bidir.onnx'))).stream.note, /bidirectional/);
  assert.match(budget(loadModel(join(FIX, 'lstm_state.onnx'))).stream.note, /3 graph inputs/);
  assert.equal(budget(lstm, { stream: false }).stream.emitted, false);
  assert.doesNotMatch(compileC(lstm, { stream: false }).source, /stream_step/);
});

test('a weight with no block structure stays CSR (unstructured 75%: blocks would store mostly zeros)', () => {
  const m: Model = structuredClone(recurrentModel('LSTM', 16, 32, 11));
  const w = m.graph.initializers.W.data as Float32Array;
  const r = rng(12);
  for (let i = 0; i < w.length; i++) if (r() < 0.75) w[i] = 0;
  const l = budget(m, { seqLen: 9 }).layers[0];
  assert.match(l.note ?? '', /W0: csr/);
  assert.match(l.note ?? '', /R0: dense/);
});

test('maxDensity caps the sparse storages; formats restricts them', () => {
  const { model } = blockPruneModel(recurrentModel('RNN', 9, 21, 6), 0.75, { br: 4, bc: 1, layout: 'natural' });
  assert.equal(budget(model, { seqLen: 9, maxDensity: 0.2 }).layers[0].action, 'dense');
  assert.equal(budget(model, { seqLen: 9, formats: ['dense'] }).layers[0].action, 'dense');
  assert.equal(budget(model, { seqLen: 9, formats: ['dense', 'csr'] }).layers[0].action, 'csr');
  assert.throws(() => budget(model, { formats: ['coo' as 'csr'] }), /storage format 'coo'/);
});

test('storage rule: fewest flash bytes (closed forms); within 2% of them, fewer operations', () => {
  const m = matmul(64, 64); // W [64 in, 64 out]: dense 16,384 bytes, every entry nonzero
  const layer = (fraction: number) => budget(pruneModel(m, fraction)).layers[0];
  // Half pruned: CSR 2,048 x (4 + 2) + 65 row pointers x 2.
  assert.equal(layer(0.5).action, 'csr');
  assert.equal(layer(0.5).storedBytes, 2048 * 6 + 65 * 2);
  // 30% pruned: CSR would take 2,868 x 6 + 130 > 16,384.
  assert.equal(layer(0.3).action, 'dense');
  // 34% pruned: CSR 2,704 x 6 + 130 = 16,354 B, 0.2% under dense, but 5,472 operations against
  // 4,096 (a load per index and row pointer): dense.
  assert.equal(layer(0.34).action, 'dense');
  assert.equal(layer(0.34).storedBytes, 16384);
});

test('block CSR counts in the device check: a block-pruned zoo LSTM fits a flash budget its CSR form does not', { skip: existsSync(ZOO) ? false : `${ZOO} is absent` }, () => {
  const { model } = blockPruneModel(loadModel(ZOO), 0.75, { br: 8, bc: 1, layout: 'natural' });
  const device = { name: 'app-slot', flashBytes: 110 * 1024, sramBytes: 64 * 1024 };
  const b = budget(model, { device });
  assert.ok(b.flash.indexBytes > 0 && b.layers.every((l) => l.action === 'bsr'));
  assert.ok(compile(model, { device }).bytes.length > 0);
  throwsRampart(() => compile(model, { device, formats: ['dense', 'csr'] }), /does not fit device 'app-slot' \(flash: needs 1\d\d,\d{3} bytes, 112,640 available\)/);
});
