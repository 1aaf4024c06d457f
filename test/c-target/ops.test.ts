// The ops the C target used to refuse: Clip (PyTorch's ReLU6, hardtanh and clamp, in
// both of ONNX's forms) and 1-D convolutions and pools. PyTorch exports from
// test/targets/fixtures (test/targets/make_fixtures.py) and hand-built corner cases
// (models.ts), dense, pruned to 90% (CSR) and in 4x1 blocks (block CSR), are compiled
// into one host program and every batch-1 sample compared with onnxruntime-node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { readNpy } from '../../src/io/npy.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { compileC } from '../../targets/c/index.ts';
import { buildSuite, maxAbsDiff, needCc, removeSuite, runC, runOrt, samplesOf, type Case, type Suite } from './harness.ts';
import { blockPruneModel, clipAttrOps, clipInputOps, conv1dOps, pruneModel, rng } from './models.ts';

const TOL = 1e-5;
const FIX = join(import.meta.dirname, '..', 'targets', 'fixtures');

function random(n: number, seed: number, dims: number[]): Tensor[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => [{ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r(-1, 1)) }]);
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (name: string, model: Model, samples: Tensor[][]) => {
    out.push({ name: `${name}/dense`, model, opts: {}, samples });
    out.push({ name: `${name}/pruned90`, model: pruneModel(model, 0.9), opts: {}, samples });
    out.push({ name: `${name}/4x1`, model: blockPruneModel(model, 0.75, { br: 4, bc: 1, layout: 'natural' }).model, opts: {}, samples });
  };
  for (const f of ['mobile_relu6', 'mobile_relu6_opset10', 'conv1d']) {
    const model = loadModel(join(FIX, `${f}.onnx`));
    add(f, model, samplesOf(model, [readNpy(join(FIX, `${f}.input.npy`))]));
  }
  add('clip_attr_ops', clipAttrOps(), random(3, 1, [1, 6]));
  add('clip_input_ops', clipInputOps(), random(3, 2, [1, 6]));
  add('conv1d_ops', conv1dOps(), random(3, 3, [1, 5, 20]));
  return out;
}

let suite: Suite;
before(() => {
  suite = buildSuite(needCc(), cases());
}, { timeout: 120_000 });
after(() => removeSuite(suite));

test('the PyTorch exports hold the ops under test', () => {
  const ops = (f: string) => loadModel(join(FIX, `${f}.onnx`)).graph.nodes;
  const mobile = ops('mobile_relu6').filter((n) => n.op === 'Clip');
  assert.equal(mobile.length, 4);
  assert.ok(mobile.some((n) => n.inputs.length === 2 || n.inputs[2] === ''), 'a Clip with a min only');
  assert.ok(ops('mobile_relu6_opset10').filter((n) => n.op === 'Clip').every((n) => n.inputs.length === 1 && 'min' in n.attrs));
  const c1 = ops('conv1d');
  assert.ok(c1.some((n) => n.op === 'Clip') && c1.some((n) => n.op === 'MaxPool') && c1.some((n) => n.op === 'AveragePool'));
  assert.ok(c1.filter((n) => n.op === 'Conv').every((n) => n.attrs.kernel_shape?.type === 'ints' && n.attrs.kernel_shape.value.length === 1));
});

for (const c of cases()) {
  test(`${c.name}: C output matches onnxruntime within ${TOL}`, async (t) => {
    const b = suite.built.find((x) => x.name === c.name)!;
    const want = await runOrt(b.model, b.samples);
    const d = maxAbsDiff(runC(suite, b), want);
    t.diagnostic(`${b.samples.length} samples, max |C - ort| = ${d.toExponential(2)}; flash ${b.budget.flash.totalBytes} B`);
    assert.ok(d <= TOL, `max |C - ort| = ${d}`);
    assert.match(b.source, c.name.startsWith('conv1d') ? /rp_conv2d_/ : /rp_clip_v\(/);
    const convs = b.budget.layers.filter((l) => l.op === 'Conv');
    if (c.name.endsWith('/pruned90')) assert.ok(b.budget.layers.every((l) => l.action === 'csr' || l.denseBytes < 100), b.budget.layers.map((l) => `${l.layer}: ${l.action}`).join(', '));
    if (c.name.endsWith('/4x1') && c.name.startsWith('conv1d')) assert.ok(convs.some((l) => l.action === 'bsr'), convs.map((l) => `${l.layer}: ${l.action}`).join(', '));
  });
}

test('an unbounded Clip side is +-INFINITY in the C, a bound the shortest float literal', () => {
  const src = suite.built.find((x) => x.name === 'clip_attr_ops/dense')!.source;
  assert.match(src, /rp_clip_v\([^;]*, -0\.3f, 0\.6f\);/);
  assert.match(src, /rp_clip_v\([^;]*, -INFINITY, 0\.1f\);/);
  assert.match(src, /rp_clip_v\([^;]*, -INFINITY, INFINITY\);/);
});

test('a 3-D Conv and a Clip bound computed at run time are refused naming the node', () => {
  const m = conv1dOps();
  m.graph.inputs[0].shape = ['N', 5, 4, 4, 20];
  m.graph.initializers.k1 = { dtype: 'float32', dims: [6, 5, 1, 1, 3], data: new Float32Array(90) };
  m.graph.nodes = [{ ...m.graph.nodes[0], attrs: {} }];
  m.graph.outputs = [{ name: 'c1', dtype: 'float32', shape: null }];
  assert.throws(() => compileC(m), (e: Error) => e.name === 'RampartError' && /node 'Conv_0'/.test(e.message) && /a 2-D \[1, C, H, W\] or 1-D \[1, C, L\] input/.test(e.message));
  const c = clipInputOps();
  c.graph.nodes[1].inputs[1] = 'lo_in'; // a graph input: known only at run time
  c.graph.inputs.push({ name: 'lo_in', dtype: 'float32', shape: [] });
  assert.throws(() => compileC(c), /node 'Clip_1'.*min \(input 1\) is computed at run time/);
});
