// The C target end to end: every model is compiled to C (dense, and magnitude-pruned to
// 90% so the CSR kernels run), all files are built into one host program with
// `cc -O2 -std=c99 -Wall -Werror`, and each batch-1 sample's outputs are compared with
// onnxruntime-node on the same model and sample. Recurrent models that get the
// streaming API are also fed step by step and must end on the same outputs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { readNpy } from '../../src/io/npy.ts';
import { buildSuite, CC_FLAGS, needCc, removeSuite, maxAbsDiff, nullCodes, runC, runOrt, samplesOf, streamC, type Case, type Suite } from './harness.ts';
import { cnnOps, groupPadOps, mlpOps, pruneModel, rng, rnnOps } from './models.ts';

const TOL = 1e-4;
const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures');
const ZOO = join(ROOT, 'models', 'lstm', 'model.onnx');
const FIXTURES = ['lstm', 'gru', 'rnn_tanh', 'lstm_stacked', 'lstm_bidir', 'cnn_bn', 'lstm_state'];
/** test/fixtures/extra: exports no case here was written for (opset 11 GRU, time-major LSTM, grouped stride-2 CNN with Pad). */
const EXTRA = ['gru_opset11', 'lstm_time_major', 'cnn_stride2'];
/** Which models must get rampart_stream_step (forward recurrent, last-step readout, one input). */
const STREAMABLE = new Set(['lstm', 'gru', 'rnn_tanh', 'lstm_stacked', 'zoo-lstm', 'gru_opset11', 'lstm_time_major']);


function randomInput(model: Model, n: number, seed: number, dims: number[]): Tensor[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => [{ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r(0, 1)) }]);
}

/** A wide layer pruned 50%: its CSR (smaller than dense) has > 65535 nonzeros, so int32 row pointers. */
function wide(): Model {
  const r = rng(44);
  const w = (dims: number[]) => ({ dtype: 'float32' as const, dims, data: Float32Array.from({ length: dims[0] * dims[1] }, () => r(-0.1, 0.1)) });
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'rampart-test', producerVersion: '1', functions: [], metadata: {},
    graph: {
      name: 'wide', valueInfo: {}, initializers: { W1: w([400, 400]), W2: w([400, 10]) },
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 400] }], outputs: [{ name: 'y', dtype: 'float32', shape: null }],
      nodes: [
        { name: 'fc1', op: 'MatMul', domain: '', inputs: ['x', 'W1'], outputs: ['h'], attrs: {} },
        { name: 'act', op: 'Tanh', domain: '', inputs: ['h'], outputs: ['t'], attrs: {} },
        { name: 'fc2', op: 'MatMul', domain: '', inputs: ['t', 'W2'], outputs: ['y'], attrs: {} },
      ],
    },
  };
}

function cases(): Case[] {
  const out: Case[] = [];
  const both = (name: string, model: Model, samples: Tensor[][], opts = {}) => {
    out.push({ name: `${name}/dense`, model, opts, samples });
    out.push({ name: `${name}/pruned90`, model: pruneModel(model, 0.9), opts, samples });
  };
  for (const f of FIXTURES) {
    const model = loadModel(join(FIX, `${f}.onnx`));
    const feeds = model.graph.inputs.map((i) => readNpy(join(FIX, `${f}.${i.name}.npy`)));
    both(f, model, samplesOf(model, feeds));
  }
  for (const f of EXTRA) {
    const model = loadModel(join(FIX, 'extra', `${f}.onnx`));
    both(f, model, samplesOf(model, [readNpy(join(FIX, 'extra', `${f}.input.npy`))]));
  }
  if (existsSync(ZOO)) {
    const zoo = loadModel(ZOO);
    both('zoo-lstm', zoo, randomInput(zoo, 2, 7, [1, 28, 28]));
  }
  both('mlp_ops', mlpOps(), randomInput(mlpOps(), 3, 1, [1, 12]));
  both('cnn_ops', cnnOps(), randomInput(cnnOps(), 2, 2, [1, 2, 9, 9]));
  both('group_pad_ops', groupPadOps(), randomInput(groupPadOps(), 2, 5, [1, 2, 9, 9]));
  both('rnn_ops', rnnOps(), randomInput(rnnOps(), 3, 3, [5, 1, 4]), { seqLen: 5 });
  out.push({ name: 'wide/pruned50', model: pruneModel(wide(), 0.5), opts: {}, samples: randomInput(wide(), 2, 4, [1, 400]) });
  return out;
}

let suite: Suite;
const diffs: string[] = [];

// A missing compiler fails every test here (the hook throws), naming the setup step.
before(() => {
  suite = buildSuite(needCc(), cases());
}, { timeout: 120_000 });
after(() => removeSuite(suite));

test(`all generated files compile with cc ${CC_FLAGS.join(' ')} into one program`, (t) => {
  t.diagnostic(`${suite.built.length} C files, one cc run: ${suite.compileMs} ms`);
  assert.ok(suite.built.length >= 20);
});

for (const name of [...[...FIXTURES, ...EXTRA].flatMap((f) => [`${f}/dense`, `${f}/pruned90`]), 'zoo-lstm/dense', 'zoo-lstm/pruned90',
  'mlp_ops/dense', 'mlp_ops/pruned90', 'cnn_ops/dense', 'cnn_ops/pruned90', 'group_pad_ops/dense', 'group_pad_ops/pruned90',
  'rnn_ops/dense', 'rnn_ops/pruned90', 'wide/pruned50']) {
  test(`${name}: C output matches onnxruntime within ${TOL}`, { skip: name.startsWith('zoo') && !existsSync(ZOO) ? `${ZOO} is absent` : false }, async (t) => {
    const b = suite.built.find((x) => x.name === name)!;
    assert.ok(b, `case ${name} was built`);
    const want = await runOrt(b.model, b.samples);
    const got = runC(suite, b);
    const d = maxAbsDiff(got, want);
    diffs.push(`${name}: ${d.toExponential(2)}`);
    t.diagnostic(`${b.samples.length} samples, max |C - ort| = ${d.toExponential(2)}; flash ${b.budget.flash.totalBytes} B, SRAM ${b.budget.sram.totalBytes} B`);
    assert.ok(d <= TOL, `max |C - ort| = ${d}`);

    if (name.endsWith('/pruned90') || name.endsWith('/pruned50')) {
      assert.ok(b.budget.layers.length > 0);
      for (const l of b.budget.layers) assert.equal(l.action, 'csr', `${l.layer} stored ${l.action} (density ${l.density})`);
      assert.match(b.source, /rp_(csr_mv|conv2d_csr)_/);
      assert.doesNotMatch(b.source, /rp_dense_mv\(|rp_conv2d_dense\(/);
    } else {
      for (const l of b.budget.layers) assert.equal(l.action, 'dense', l.layer);
    }

    const model = name.split('/')[0];
    assert.equal(b.budget.stream.emitted, STREAMABLE.has(model), `streaming for ${model}: ${b.budget.stream.note}`);
    if (b.budget.stream.emitted) {
      const streamed = streamC(suite, b, b.budget.stream.axis!);
      const ds = maxAbsDiff(streamed, want);
      t.diagnostic(`streamed step by step: max |C - ort| = ${ds.toExponential(2)}`);
      assert.ok(ds <= TOL, `stream: max |C - ort| = ${ds}`);
    }
  });
}

test('the int32 row-pointer CSR path is taken for > 65535 nonzeros', () => {
  const b = suite.built.find((x) => x.name === 'wide/pruned50')!;
  assert.match(b.source, /static const int32_t fc1_W_rowptr\[401\]/);
  assert.match(b.source, /rp_csr_mv_u16_i32\(/);
});

test('a grouped Conv is one call per group; Pad scatters, and an all-zero Pad (PyTorch\'s AvgPool2d) is a view', () => {
  const gp = suite.built.find((x) => x.name === 'group_pad_ops/dense')!;
  assert.equal(gp.source.match(/^  rp_conv2d_dense\(/gm)?.length, 2 + 4);
  assert.equal(gp.source.match(/^  rp_pad\(/gm)?.length, 2);
  const cnn = suite.built.find((x) => x.name === 'cnn_stride2/dense')!;
  assert.doesNotMatch(cnn.source, /rp_pad/);
  assert.match(cnn.source, /2 groups/);
});

test('rampart_run refuses NULL pointers with the error code', () => {
  assert.equal(nullCodes(suite, suite.built[0]), '-1 -1');
});

test('max |C - ort| per model', (t) => {
  for (const d of diffs) t.diagnostic(d);
});
