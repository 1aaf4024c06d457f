// loadModel: files, external data confined to the model's folder, validation and
// NaN refusal on the way in. onnxruntime reads the same external-data model as
// the oracle for the values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { RampartError } from '../../runtime/errors.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { modelBytes, node, onnx, vi } from './build.ts';

const T = onnx.TensorProto.DataType;

/** y = x + W with W stored externally at `location`. */
function externalModel(location: string, offset = 16, length = 12): Uint8Array {
  return modelBytes({
    initializer: [{
      name: 'W', dataType: T.FLOAT, dims: [3], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }],
    }],
    input: [vi('x', T.FLOAT, [3])],
    node: [node('Add', ['x', 'W'], ['y'])],
    output: [vi('y', T.FLOAT, [3])],
  });
}

function withTemp(fn: (dir: string) => Promise<void> | void) {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'rampart-ext-'));
    try {
      await fn(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

/** 16 bytes of padding, then the float32 weights [0.5, -1, 4]. */
const WEIGHTS = (() => {
  const b = new Uint8Array(16 + 12 + 5);
  b.set(new Uint8Array(Float32Array.of(0.5, -1, 4).buffer), 16);
  return b;
})();

test('external data next to the model (and below it) is read at its offset; ORT agrees', withTemp(async (root) => {
  const dir = join(root, 'model');
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), WEIGHTS);
  writeFileSync(join(dir, 'data', 'w.bin'), WEIGHTS);
  for (const location of ['weights.bin', 'data/w.bin', './data/../weights.bin']) {
    const file = join(dir, 'm.onnx');
    writeFileSync(file, externalModel(location));
    const m = loadModel(file);
    assert.deepEqual(Array.from(m.graph.initializers.W.data as Float32Array), [0.5, -1, 4], location);
    const s = await ort.InferenceSession.create(file, { logSeverityLevel: 4 });
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.of(0, 0, 0), [3]) });
    await s.release();
    assert.deepEqual(Array.from(out.y.data as Float32Array), [0.5, -1, 4]);
  }
}));

test('external data locations that escape the model folder are refused, naming file and location', withTemp((root) => {
  const dir = join(root, 'model');
  mkdirSync(dir);
  writeFileSync(join(root, 'escape.bin'), WEIGHTS); // exists, but outside
  const file = join(dir, 'm.onnx');
  const refused = (location: string, why: RegExp) => {
    writeFileSync(file, externalModel(location));
    assert.throws(() => loadModel(file), (e: Error) =>
      e instanceof RampartError && e.message.startsWith(file) && e.message.includes(`'${location}'`) && why.test(e.message), location);
  };
  refused('../escape.bin', /escapes the model's folder/);
  refused('data/../../escape.bin', /escapes the model's folder/);
  refused(join(root, 'escape.bin'), /is absolute/);
  refused('/etc/passwd', /is absolute/);
  symlinkSync(join(root, 'escape.bin'), join(dir, 'link.bin'));
  refused('link.bin', /symlink/);
  refused('missing.bin', /does not exist/);
  writeFileSync(join(dir, 'short.bin'), new Uint8Array(20));
  writeFileSync(file, externalModel('short.bin'));
  assert.throws(() => loadModel(file), /external data range offset 16, length 12 lies outside 'short.bin' \(20 bytes\)/);
}));

test('the runtime loader (InferenceSession.create from a path) refuses the same escapes', withTemp(async (root) => {
  const dir = join(root, 'model');
  mkdirSync(dir);
  writeFileSync(join(root, 'escape.bin'), WEIGHTS);
  const file = join(dir, 'm.onnx');
  for (const [location, why] of [['../escape.bin', /escapes the model's folder/], ['/etc/passwd', /is absolute/], ['link.bin', /symlink/]] as const) {
    if (location === 'link.bin') symlinkSync(join(root, 'escape.bin'), join(dir, 'link.bin'));
    writeFileSync(file, externalModel(location));
    await assert.rejects(InferenceSession.create(file, { backend: 'reference' }), (e: Error) =>
      e instanceof RampartError && e.message.includes(`'${location}'`) && why.test(e.message), location);
  }
}));

test('a missing or unreadable model file is a clear error', withTemp((root) => {
  assert.throws(() => loadModel(join(root, 'nope.onnx')), (e: Error) =>
    e instanceof RampartError && /nope\.onnx: model file not found/.test(e.message));
  assert.throws(() => loadModel(root), /is a folder, not a model file/);
  writeFileSync(join(root, 'bad.onnx'), 'this is not protobuf');
  assert.throws(() => loadModel(join(root, 'bad.onnx')), /bad\.onnx: not a valid ONNX model/);
}));

test('loadModel refuses NaN weights by name, and accepts them when asked', withTemp((root) => {
  const file = join(root, 'nan.onnx');
  writeFileSync(file, modelBytes({
    initializer: [{ name: 'fc.weight', dataType: T.FLOAT, dims: [2], floatData: [1, NaN] }],
    input: [vi('x', T.FLOAT, [2])], node: [node('Mul', ['x', 'fc.weight'], ['y'])], output: [vi('y', T.FLOAT, [2])],
  }));
  assert.throws(() => loadModel(file), (e: Error) => e instanceof RampartError && e.message.includes(file) && /initializer 'fc\.weight' contains NaN/.test(e.message));
  assert.equal(loadModel(file, { allowNonFinite: true }).graph.initializers['fc.weight'].dims[0], 2);
}));

test('loadModel validates: a missing initializer is a validation error naming the node', withTemp((root) => {
  const file = join(root, 'm.onnx');
  writeFileSync(file, modelBytes({
    input: [vi('x', T.FLOAT, [1, 4])], node: [node('MatMul', ['x', 'fc.weight'], ['y'], [], 'fc')], output: [vi('y', T.FLOAT, [1, 2])],
  }));
  assert.throws(() => loadModel(file), (e: Error) =>
    e instanceof RampartError && e.message.includes(file) && /node 'fc', op MatMul: input 'fc\.weight' is not produced/.test(e.message));
}));

test('loadModel infers shapes and rejects a provable mismatch', withTemp((root) => {
  const file = join(root, 'm.onnx');
  const W = { name: 'W', dataType: T.FLOAT, dims: [5, 3], floatData: new Array(15).fill(0.1) };
  writeFileSync(file, modelBytes({
    initializer: [W], input: [vi('x', T.FLOAT, ['N', 4])], node: [node('Gemm', ['x', 'W'], ['y'], [], 'fc')], output: [vi('y', T.FLOAT, ['N', 3])],
  }));
  assert.throws(() => loadModel(file), (e: Error) =>
    e instanceof RampartError && /node 'fc', op Gemm: shape mismatch: inner dimensions differ/.test(e.message) && /expected B of shape \[4,3\]/.test(e.message));
}));

test('one validation: what the compiler\'s loader refuses, InferenceSession.create refuses with the same message', withTemp(async (root) => {
  const A = onnx.AttributeProto.AttributeType;
  const x = vi('x', T.FLOAT, [1, 4]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a value defined twice', modelBytes({
      input: [x], node: [node('Relu', ['x'], ['h'], [], 'a'), node('Relu', ['x'], ['h'], [], 'b'), node('Relu', ['h'], ['y'], [], 'c')], output: [vi('y', T.FLOAT, [1, 4])],
    }), /output 'h' is defined twice/],
    ['a bad enum value', modelBytes({
      input: [x], node: [node('Relu', ['x'], ['h'], [], 'a'), node('Transpose', ['h'], ['y'], [{ name: 'perm', type: A.INTS, ints: [0, 0] }], 't')], output: [vi('y', T.FLOAT, [4, 1])],
    }), /node 't', op Transpose: attribute 'perm' \[0,0\] is not a permutation/],
    ['an undeclared domain', modelBytes({
      input: [x], node: [{ ...node('Swish', ['x'], ['y'], [], 's'), domain: 'com.example' }], output: [vi('y', T.FLOAT, [1, 4])],
    }), /op domain 'com.example' is not in the model's opset imports/],
    ['a function calling itself', modelBytes({
      input: [x], node: [{ ...node('f', ['x'], ['y'], [], 'call'), domain: 'local' }], output: [vi('y', T.FLOAT, [1, 4])],
    }, {
      opsetImport: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }],
      functions: [{ name: 'f', domain: 'local', input: ['a'], output: ['b'], opsetImport: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }], node: [{ ...node('f', ['a'], ['b']), domain: 'local' }] }],
    }), /model-local function 'local::f' calls itself/],
    ['an op named after an Object member', modelBytes({
      input: [x], node: [node('constructor', ['x'], ['y'], [], 'n')], output: [vi('y', T.FLOAT, [1, 4])],
    }), /an op type is named 'constructor', a name JavaScript objects reserve/],
  ];
  for (const [what, bytes, why] of cases) {
    const file = join(root, 'm.onnx');
    writeFileSync(file, bytes);
    assert.throws(() => loadModel(file), (e: Error) => e instanceof RampartError && why.test(e.message), `loader: ${what}`);
    await assert.rejects(InferenceSession.create(file, { backend: 'reference' }), (e: Error) => e instanceof RampartError && why.test(e.message), `runtime, path: ${what}`);
    await assert.rejects(InferenceSession.create(bytes, { backend: 'wasm' }), (e: Error) => e instanceof RampartError && why.test(e.message), `runtime, bytes: ${what}`);
  }
}));
