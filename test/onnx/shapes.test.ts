// Shape inference. Oracles: onnxruntime's actual tensor shapes (every intermediate
// of the PyTorch fixtures is exposed as an output and run), the conformance
// suite's expected output tensors, and hand-computed conv/pool arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dim, Graph, Model, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { checkFeeds, checkInputShape, inferShapes, SHAPE_RULES } from '../../src/ir/shapes.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { readTestDataSet } from '../../src/onnx/tensorpb.ts';
import { SUPPORTED_OPS } from '../../runtime/ops/groups.ts';
import { readNpy } from '../../src/io/npy.ts';
import { runOrt } from './ort.ts';

const n = (name: string, op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node =>
  ({ name, op, domain: '', inputs, outputs, attrs });
const ints = (value: number[]) => ({ type: 'ints' as const, value });
const int = (value: number) => ({ type: 'int' as const, value });
const str = (value: string) => ({ type: 'string' as const, value });
const f32 = (dims: number[]): Tensor => ({ dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
const i64 = (v: number[]): Tensor => ({ dtype: 'int64', dims: [v.length], data: Float64Array.from(v) });

function model(inputs: Record<string, Dim[]>, inits: Record<string, Tensor>, nodes: Node[], opset = 17): Model {
  const last = nodes[nodes.length - 1].outputs[0];
  const graph: Graph = {
    name: 'g', valueInfo: {}, initializers: inits, nodes,
    inputs: Object.entries(inputs).map(([name, shape]) => ({ name, dtype: 'float32', shape })),
    outputs: [{ name: last, dtype: 'float32', shape: null }],
  };
  return { irVersion: 8, opsetImports: [{ domain: '', version: opset }], producerName: '', producerVersion: '', graph, functions: [], metadata: {} };
}

function shapeOf(m: Model, name: string): Dim[] | null | undefined {
  return (m.graph.valueInfo[name] ?? m.graph.outputs.find((o) => o.name === name))?.shape;
}

test('every supported op has a shape rule', () => {
  for (const op of SUPPORTED_OPS) assert.ok(SHAPE_RULES[op], `no shape rule for ${op}`);
});

test('conv and pool arithmetic (pads, strides, dilations, groups, auto_pad, ceil_mode)', () => {
  const m = model({ x: ['N', 4, 11, 9] }, { W: f32([6, 2, 3, 3]), B: f32([6]) }, [
    // pads 1,2 / 0,1; strides 2,1; dilations 1,2; group 2:
    // H: (11+1+0-3)/2+1 = 5; W: (9+2+1-5)/1+1 = 8
    n('c1', 'Conv', ['x', 'W', 'B'], ['a'], { pads: ints([1, 2, 0, 1]), strides: ints([2, 1]), dilations: ints([1, 2]), group: int(2) }),
    // SAME_UPPER stride 2: ceil(5/2)=3, ceil(8/2)=4
    n('p1', 'MaxPool', ['a'], ['b'], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), auto_pad: str('SAME_UPPER') }),
    // ceil_mode: H (3-2)/2 -> ceil(0.5)+1 = 2; W (4-2)/2+1 = 2
    n('p2', 'AveragePool', ['b'], ['c'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }),
    n('g', 'GlobalAveragePool', ['c'], ['d']),
    n('f', 'Flatten', ['d'], ['e']),
  ]);
  inferShapes(m);
  assert.deepEqual(shapeOf(m, 'a'), ['N', 6, 5, 8]);
  assert.deepEqual(shapeOf(m, 'b'), ['N', 6, 3, 4]);
  assert.deepEqual(shapeOf(m, 'c'), ['N', 6, 2, 2]);
  assert.deepEqual(shapeOf(m, 'd'), ['N', 6, 1, 1]);
  assert.deepEqual(shapeOf(m, 'e'), ['N', 6]);
});

test('the PyTorch dynamic-batch reshape pattern keeps the symbolic batch', () => {
  // Shape -> Gather(0) -> Unsqueeze -> Concat([N], [-1]) -> Reshape, as torch.onnx writes x.view(x.size(0), -1).
  const m = model({ x: ['N', 64, 7, 7] }, { zero: { dtype: 'int64', dims: [], data: Float64Array.of(0) }, minus1: i64([-1]), ax: i64([0]) }, [
    n('s', 'Shape', ['x'], ['shape']),
    n('g', 'Gather', ['shape', 'zero'], ['batch']),
    n('u', 'Unsqueeze', ['batch', 'ax'], ['b1']),
    n('c', 'Concat', ['b1', 'minus1'], ['target'], { axis: int(0) }),
    n('r', 'Reshape', ['x', 'target'], ['flat']),
    n('r2', 'Reshape', ['flat', 'keep'], ['same']),
  ]);
  m.graph.initializers.keep = i64([0, 49, -1]);
  inferShapes(m);
  assert.deepEqual(shapeOf(m, 'shape'), [4]);
  assert.deepEqual(shapeOf(m, 'batch'), []);
  assert.deepEqual(shapeOf(m, 'target'), [2]);
  assert.deepEqual(shapeOf(m, 'flat'), ['N', 3136]);
  assert.deepEqual(shapeOf(m, 'same'), ['N', 49, 64]);
});

test('squeeze/unsqueeze axes as attributes (opset 11) and as inputs (opset 13+); slice, gather, cast, softmax, constantofshape', () => {
  const old = model({ x: ['N', 1, 5] }, {}, [
    n('sq', 'Squeeze', ['x'], ['a'], { axes: ints([1]) }),
    n('us', 'Unsqueeze', ['a'], ['b'], { axes: ints([0, -1]) }),
  ], 11);
  inferShapes(old);
  assert.deepEqual(shapeOf(old, 'a'), ['N', 5]);
  assert.deepEqual(shapeOf(old, 'b'), [1, 'N', 5, 1]);
  const m = model({ x: ['N', 1, 10] }, { ax: i64([1]), st: i64([2]), en: i64([2 ** 63]), idx: i64([0, 2]), dims: i64([2, 3]) }, [
    n('sq', 'Squeeze', ['x', 'ax'], ['a']),
    n('sl', 'Slice', ['a', 'st', 'en', 'ax'], ['b']),
    n('ga', 'Gather', ['b', 'idx'], ['c'], { axis: int(1) }),
    n('ca', 'Cast', ['c'], ['d'], { to: int(11) }),
    n('co', 'ConstantOfShape', ['dims'], ['f'], { value: { type: 'tensor', value: { dtype: 'int32', dims: [1], data: Int32Array.of(7) } } }),
    n('sm', 'Softmax', ['d'], ['e'], { axis: int(-1) }),
  ]);
  inferShapes(m);
  assert.deepEqual(shapeOf(m, 'a'), ['N', 10]);
  assert.deepEqual(shapeOf(m, 'b'), ['N', 8]);
  assert.deepEqual(shapeOf(m, 'c'), ['N', 2]);
  assert.equal(m.graph.valueInfo.d.dtype, 'float64');
  assert.deepEqual(shapeOf(m, 'e'), ['N', 2]);
  assert.deepEqual(m.graph.valueInfo.f, { name: 'f', dtype: 'int32', shape: [2, 3] });
});

test('recurrent outputs, both layouts and bidirectional', () => {
  const lstm = model({ x: ['T', 'N', 5] }, { W: f32([2, 12, 5]), R: f32([2, 12, 3]) }, [
    n('l', 'LSTM', ['x', 'W', 'R'], ['Y', 'Yh', 'Yc'], { hidden_size: int(3), direction: str('bidirectional') }),
  ]);
  inferShapes(lstm);
  assert.deepEqual(shapeOf(lstm, 'Y'), ['T', 2, 'N', 3]);
  assert.deepEqual(shapeOf(lstm, 'Yh'), [2, 'N', 3]);
  assert.deepEqual(shapeOf(lstm, 'Yc'), [2, 'N', 3]);
  const gru = model({ x: ['N', 'T', 5] }, { W: f32([1, 12, 5]), R: f32([1, 12, 4]) }, [
    n('g', 'GRU', ['x', 'W', 'R'], ['Y', 'Yh'], { hidden_size: int(4), layout: int(1) }),
  ]);
  inferShapes(gru);
  assert.deepEqual(shapeOf(gru, 'Y'), ['N', 'T', 1, 4]);
  assert.deepEqual(shapeOf(gru, 'Yh'), ['N', 1, 4]);
  const rnn = model({ x: [7, 2, 5] }, { W: f32([1, 6, 5]), R: f32([1, 6, 6]) }, [n('r', 'RNN', ['x', 'W', 'R'], ['', 'Yh'])]);
  inferShapes(rnn);
  assert.deepEqual(shapeOf(rnn, 'Yh'), [1, 2, 6], 'hidden size read from W when the attribute is absent');
});

const mismatch = (m: Model, node: string, op: string, re: RegExp) =>
  assert.throws(() => inferShapes(m, 'm.onnx'), (e: Error) =>
    e instanceof RampartError && e.message.startsWith(`m.onnx, node '${node}', op ${op}: shape mismatch`) && re.test(e.message), String(re));

test('provable mismatches name node, op and the expected shape', () => {
  mismatch(model({ x: ['N', 4] }, { W: f32([3, 5]) }, [n('fc', 'Gemm', ['x', 'W'], ['y'], { transB: int(1) })]), 'fc', 'Gemm',
    /inner dimensions differ.*\(expected B \(transB=1\) of shape \[3,4\]\)/);
  mismatch(model({ x: ['N', 4] }, { W: f32([3, 5]) }, [n('mm', 'MatMul', ['x', 'W'], ['y'])]), 'mm', 'MatMul', /inner dimensions differ: \[N,4\] × \[3,5\]/);
  mismatch(model({ x: ['N', 3, 8, 8] }, { W: f32([6, 2, 3, 3]) }, [n('conv', 'Conv', ['x', 'W'], ['y'])]), 'conv', 'Conv',
    /X has 3 channels but W \[6,2,3,3\] with group=1 takes 2 \(expected X of shape \[N, 2, \.\.\.\]/);
  mismatch(model({ x: ['N', 6, 8, 8] }, { W: f32([6, 2, 3, 3]) }, [n('conv', 'Conv', ['x', 'W'], ['y'], { group: int(2) })]), 'conv', 'Conv', /takes 4/);
  mismatch(model({ x: [2, 3] }, { s: i64([4, 2]) }, [n('r', 'Reshape', ['x', 's'], ['y'])]), 'r', 'Reshape', /6 elements.*\(8\)/);
  mismatch(model({ x: [2, 3] }, { s: i64([4, -1]) }, [n('r', 'Reshape', ['x', 's'], ['y'])]), 'r', 'Reshape', /cannot reshape \[2,3\] into \[4,-1\]/);
  mismatch(model({ x: ['N', 3], y: ['N', 4] }, {}, [n('add', 'Add', ['x', 'y'], ['z'])]), 'add', 'Add', /do not broadcast \(axis 1: 3 vs 4\)/);
  mismatch(model({ x: [7, 'N', 6] }, { W: f32([1, 12, 5]), R: f32([1, 12, 3]) }, [n('l', 'LSTM', ['x', 'W', 'R'], ['Y'], { hidden_size: int(3) })]), 'l', 'LSTM',
    /W is \[1,12,5\] \(expected W of shape \[1,12,6\]\)/);
  mismatch(model({ x: ['N', 4, 2, 2] }, { s: f32([3]), b: f32([4]), m: f32([4]), v: f32([4]) }, [n('bn', 'BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'])]), 'bn', 'BatchNormalization',
    /scale is \[3\]/);
  mismatch(model({ x: ['N', 3], y: ['N', 4, 1] }, {}, [n('cat', 'Concat', ['x', 'y'], ['z'], { axis: int(1) })]), 'cat', 'Concat', /ranks 2, 3/);
});

test('unknown ops leave their outputs unknown and do not fail', () => {
  const m = model({ x: ['N', 4] }, {}, [n('w', 'Wobble', ['x'], ['a']), n('r', 'Relu', ['a'], ['b']), n('t', 'Tanh', ['x'], ['c'])]);
  inferShapes(m);
  assert.equal(m.graph.valueInfo.a, undefined);
  assert.equal(m.graph.valueInfo.b, undefined);
  assert.deepEqual(m.graph.outputs[0], { name: 'c', dtype: 'float32', shape: ['N', 4] });
});

test('checkInputShape / checkFeeds give clear errors for wrong rank, size, dtype and name', () => {
  const m = model({ x: ['N', 1, 28, 28], h: [1, 'N', 16] }, {}, [n('r', 'Relu', ['x'], ['y'])]);
  checkInputShape(m, 'x', [5, 1, 28, 28]);
  checkInputShape(m, 'x', [5, 1, 28, 28], 'float32');
  assert.throws(() => checkInputShape(m, 'x', [5, 28, 28]), /input 'x' is float32 \[5,28,28\], rank 3 instead of 4 \(expected a float32 tensor of shape \[N,1,28,28\]\)/);
  assert.throws(() => checkInputShape(m, 'x', [5, 3, 28, 28]), /axis 1 has size 3, not 1/);
  assert.throws(() => checkInputShape(m, 'x', [5, 1, 28, 28], 'float64'), /input 'x' is float64/);
  assert.throws(() => checkInputShape(m, 'img', [1]), /the model has no input 'img' \(expected one of 'x', 'h'\)/);
  checkFeeds(m, { x: { dtype: 'float32', dims: [2, 1, 28, 28] }, h: { dtype: 'float32', dims: [1, 2, 16] } });
  assert.throws(() => checkFeeds(m, { x: { dtype: 'float32', dims: [2, 1, 28, 28] }, h: { dtype: 'float32', dims: [1, 3, 16] } }),
    /input 'h' sets 'N' = 3 on axis 1, but input 'x' set it to 2/);
  assert.throws(() => checkFeeds(m, { x: { dtype: 'float32', dims: [2, 1, 28, 28] } }), /input 'h' was not given/);
});

test('conformance models: inferred output shapes match the expected output tensors', () => {
  const root = '/usr/share/libonnx-testdata/data';
  let models = 0, exact = 0;
  for (const suite of ['node', 'pytorch-converted', 'pytorch-operator', 'simple']) {
    for (const name of readdirSync(join(root, suite))) {
      const dir = join(root, suite, name);
      if (!existsSync(join(dir, 'model.onnx'))) continue;
      let m: Model;
      try {
        m = decodeModel(readFileSync(join(dir, 'model.onnx')), { allowNonFinite: true });
      } catch {
        continue; // unsupported types: covered by the round-trip test
      }
      if (!m.graph.nodes.every((x) => x.domain === '' && x.op in SHAPE_RULES)) continue;
      const ds = readTestDataSet(join(dir, 'test_data_set_0'), m);
      // Inputs get the data's concrete shapes; declared output shapes and value_info are wiped.
      for (const i of m.graph.inputs) if (ds.inputs[i.name]) i.shape = ds.inputs[i.name].dims.slice();
      m.graph.outputs.forEach((o) => (o.shape = null));
      m.graph.valueInfo = {};
      inferShapes(m, name);
      models++;
      for (const o of m.graph.outputs) {
        const want = ds.outputs[o.name]?.dims;
        if (!want || !o.shape) continue;
        assert.equal(o.shape.length, want.length, `${name}: rank of '${o.name}'`);
        o.shape.forEach((d, i) => assert.ok(d === null || d === want[i], `${name}: '${o.name}' inferred ${JSON.stringify(o.shape)}, actual [${want}]`));
        if (o.shape.every((d) => d !== null)) exact++;
      }
    }
  }
  assert.ok(models >= 250, `only ${models} models checked`);
  assert.ok(exact >= 250, `only ${exact} outputs fully inferred`);
});

test('PyTorch fixtures: every inferred intermediate shape matches what onnxruntime computes', async () => {
  const dir = join(import.meta.dirname, '../fixtures');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    fixtures: Record<string, { model: string; inputs: Record<string, string> }>;
  };
  for (const [key, fx] of Object.entries(manifest.fixtures)) {
    const m = loadModel(join(dir, fx.model));
    const feeds: Record<string, Tensor> = {};
    for (const [name, npy] of Object.entries(fx.inputs)) feeds[name] = readNpy(join(dir, npy));
    const names = m.graph.nodes.flatMap((x) => x.outputs).filter((o) => o);
    const inferred = new Map(names.map((o) => [o, m.graph.valueInfo[o] ?? m.graph.outputs.find((v) => v.name === o)]));
    for (const o of names) assert.ok(inferred.get(o)?.shape, `${key}: no shape inferred for '${o}'`);
    // Expose every intermediate as an output (no shapes declared) and let ORT compute them.
    const probe: Model = structuredClone(m);
    probe.graph.outputs = names.map((o) => ({ name: o, dtype: inferred.get(o)!.dtype, shape: null }));
    probe.graph.valueInfo = {};
    const got = await runOrt(encodeModel(probe), feeds);
    const bound = new Map<string, number>();
    for (const o of names) {
      const want = got[o].dims, shape = inferred.get(o)!.shape!;
      assert.equal(shape.length, want.length, `${key}: rank of '${o}'`);
      shape.forEach((d, i) => {
        if (typeof d === 'string') {
          if (!bound.has(d)) bound.set(d, want[i]);
          assert.equal(bound.get(d), want[i], `${key}: symbol ${d} of '${o}'`);
        } else assert.ok(d === null || d === want[i], `${key}: '${o}' inferred ${JSON.stringify(shape)}, ORT [${want}]`);
      });
      assert.equal(got[o].dtype, inferred.get(o)!.dtype, `${key}: dtype of '${o}'`);
    }
  }
});
