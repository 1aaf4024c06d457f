// Kernel behaviour the conformance data cannot show: errors that name node/op/expected,
// refusals of training-only modes, Constant (the importer folds it away before the
// conformance cases run), Dropout masks, float16 rounding, and that the harness fails
// on a wrong kernel. Goldens are closed-form or numpy-computed constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { roundToFloat16 } from '../../runtime/ops/cast.ts';
import { checkCase } from './harness.ts';

const node = (op: string, attrs: Record<string, Attr> = {}, outputs = ['y']): Node =>
  ({ name: 'n1', op, domain: '', inputs: [], outputs, attrs });
const f32 = (dims: number[], v?: number[]): Tensor =>
  ({ dtype: 'float32', dims, data: Float32Array.from(v ?? Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i)) });
const i64 = (v: number[]): Tensor => ({ dtype: 'int64', dims: [v.length], data: Float64Array.from(v) });
const run = (n: Node, inputs: (Tensor | undefined)[], opset = 17) => referenceKernels[n.op](inputs, n, { opset });

function throwsNamed(fn: () => unknown, op: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RampartError, `expected a RampartError, got ${String(e)}`);
    assert.equal(e.context.node, 'n1');
    assert.equal(e.context.op, op);
    assert.ok(e.context.expected, 'the error says what was expected');
    assert.match(e.message, message);
    return true;
  });
}

test('bad shapes and attributes throw RampartErrors naming node, op and expectation', () => {
  throwsNamed(() => run(node('Add'), [f32([2, 3]), f32([4])]), 'Add', /do not broadcast/);
  throwsNamed(() => run(node('Gemm'), [f32([2, 3]), f32([4, 2])]), 'Gemm', /inner dimensions differ/);
  throwsNamed(() => run(node('MatMul'), [f32([2, 3]), f32([2, 3])]), 'MatMul', /inner dimensions/);
  throwsNamed(() => run(node('Conv', { group: { type: 'int', value: 2 } }), [f32([1, 3, 4, 4]), f32([2, 1, 2, 2])]), 'Conv', /group=2/);
  throwsNamed(() => run(node('Conv', { pads: { type: 'ints', value: [1, 1] } }), [f32([1, 1, 4, 4]), f32([1, 1, 2, 2])]), 'Conv', /pads/);
  throwsNamed(() => run(node('MaxPool'), [f32([1, 1, 4, 4])]), 'MaxPool', /kernel_shape is missing/);
  throwsNamed(() => run(node('Reshape'), [f32([2, 3]), i64([-1, -1])]), 'Reshape', /more than one -1/);
  throwsNamed(() => run(node('Reshape'), [f32([2, 3]), i64([4, 2])]), 'Reshape', /has 8 elements/);
  throwsNamed(() => run(node('Gather'), [f32([3, 2]), i64([3])]), 'Gather', /index 3 is out of range/);
  throwsNamed(() => run(node('Slice'), [f32([4]), i64([0]), i64([4]), i64([0]), i64([0])]), 'Slice', /step 0/);
  throwsNamed(() => run(node('Transpose', { perm: { type: 'ints', value: [0, 0] } }), [f32([2, 2])]), 'Transpose', /perm/);
  throwsNamed(() => run(node('Squeeze'), [f32([2, 3]), i64([0])]), 'Squeeze', /cannot squeeze axis 0/);
  throwsNamed(() => run(node('Concat', { axis: { type: 'int', value: 0 } }), [f32([2, 3]), f32([2, 4])]), 'Concat', /cannot concatenate/);
  throwsNamed(() => run(node('Softmax', { axis: { type: 'int', value: 3 } }), [f32([2, 3])]), 'Softmax', /axis 3/);
  throwsNamed(() => run(node('Cast', { to: { type: 'int', value: 16 } }), [f32([2])]), 'Cast', /type code 16/);
  throwsNamed(() => run(node('Gemm'), [f32([2, 3])]), 'Gemm', /missing required input 1/);
});

test('training-only modes are refused, not approximated', () => {
  const bn = [f32([1, 2, 2]), f32([2]), f32([2]), f32([2]), f32([2], [1, 1])];
  throwsNamed(() => run(node('BatchNormalization', { training_mode: { type: 'int', value: 1 } }), bn, 15), 'BatchNormalization', /training_mode=1/);
  throwsNamed(() => run(node('BatchNormalization', {}, ['y', 'mean']), bn, 9), 'BatchNormalization', /running mean/);
  const on: Tensor = { dtype: 'bool', dims: [], data: Uint8Array.of(1) };
  throwsNamed(() => run(node('Dropout'), [f32([3]), undefined, on], 13), 'Dropout', /training_mode=true with ratio 0.5/);
});

test('Constant builds every attribute form', () => {
  const c = (name: string, a: Attr) => run(node('Constant', { [name]: a }), [])[0]!;
  assert.deepEqual(c('value_floats', { type: 'floats', value: [1.5, -2] }), { dtype: 'float32', dims: [2], data: Float32Array.of(1.5, -2) });
  assert.deepEqual(c('value_int', { type: 'int', value: 7 }), { dtype: 'int64', dims: [], data: Float64Array.of(7) });
  assert.deepEqual(c('value_ints', { type: 'ints', value: [1, 2, 3] }), { dtype: 'int64', dims: [3], data: Float64Array.of(1, 2, 3) });
  const t = f32([2, 2], [1, 2, 3, 4]);
  const out = c('value', { type: 'tensor', value: t });
  assert.deepEqual(out, t);
  assert.notEqual(out.data, t.data, 'the attribute tensor is copied, not shared');
});

test('inference Dropout is the identity with an all-ones mask (bool from opset 10, the input type before)', () => {
  const x = f32([2, 2], [1, -2, 3, -4]);
  const [y, m10] = run(node('Dropout', { ratio: { type: 'float', value: 0.5 } }, ['y', 'mask']), [x], 10);
  assert.deepEqual(y, x);
  assert.deepEqual(m10, { dtype: 'bool', dims: [2, 2], data: Uint8Array.of(1, 1, 1, 1) });
  const [, m7] = run(node('Dropout', {}, ['y', 'mask']), [x], 7);
  assert.deepEqual(m7, { dtype: 'float32', dims: [2, 2], data: Float32Array.of(1, 1, 1, 1) });
});

test('casts to float16 round to nearest even like numpy.float16', () => {
  // [input, numpy.float16(input)] pairs.
  const cases: [number, number][] = [
    [0.1, 0.0999755859375], [65504, 65504], [65519.99, 65504], [65520, Infinity], [1e-8, 0],
    [3e-8, 5.960464477539063e-8], [1 + 2 ** -11, 1], [1 + 3 * 2 ** -11, 1.001953125],
    [-2.5e-5, -2.4974346160888672e-5], [0.333333, 0.333251953125], [-0, -0],
  ];
  for (const [x, want] of cases) assert.equal(roundToFloat16(x), want, `float16(${x})`);
});

test('the conformance harness fails a wrong kernel', () => {
  assert.doesNotThrow(() => checkCase('test_add', referenceKernels));
  assert.throws(() => checkCase('test_add', { ...referenceKernels, Add: referenceKernels.Sub }), /elements differ/);
  assert.throws(() => checkCase('test_add', { ...referenceKernels, Add: referenceKernels.Mul }), /elements differ/);
  // A kernel that is off by a little more than the tolerance is caught too.
  const sloppy = { ...referenceKernels, Sigmoid: (i: (Tensor | undefined)[], n: Node) => {
    const y = referenceKernels.Sigmoid(i, n, { opset: 13 })[0]!;
    return [{ ...y, data: (y.data as Float32Array).map((v) => v * 1.002) }];
  } };
  assert.throws(() => checkCase('test_sigmoid', sloppy), /elements differ/);
});

// Pad's ONNX cases are in the manifest; these are the forms they do not reach.
// Hand cases: numpy.pad results.
test('Pad: the opset 2 attribute form, crops, axes (18), wrap (19), reflect past the edge', () => {
  const x = f32([2, 3]);
  const S = (value: string): Attr => ({ type: 'string', value });
  const pad = (attrs: Record<string, Attr>, inputs: (Tensor | undefined)[], opset: number) =>
    run(node('Pad', attrs), [x, ...inputs], opset)[0]!;
  const is = (t: Tensor, dims: number[], rows: number[][]) => {
    assert.deepEqual(t.dims, dims);
    assert.deepEqual(Array.from(t.data as Float32Array), rows.flat());
  };
  // np.pad(x, ((0,0),(4,5)), 'reflect')
  is(pad({ mode: S('reflect') }, [i64([0, 4, 0, 5])], 13), [2, 12], [[0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1], [3, 4, 5, 4, 3, 4, 5, 4, 3, 4, 5, 4]]);
  // np.pad(x, ((1,0),(2,1)), 'wrap')
  is(pad({ mode: S('wrap') }, [i64([1, 2, 0, 1])], 19), [3, 6], [[4, 5, 3, 4, 5, 3], [1, 2, 0, 1, 2, 0], [4, 5, 3, 4, 5, 3]]);
  // np.pad(x, ((1,0),(0,0)), constant_values=7)[:, 1:]: a negative pad crops.
  is(pad({}, [i64([1, -1, 0, 0]), f32([], [7])], 13), [3, 2], [[7, 7], [1, 2], [4, 5]]);
  is(pad({ pads: { type: 'ints', value: [1, -1, 0, 0] }, value: { type: 'float', value: 7 } }, [], 2), [3, 2], [[7, 7], [1, 2], [4, 5]]);
  // np.pad(x, ((0,0),(1,2)), 'edge') through axes = [-1]
  is(pad({ mode: S('edge') }, [i64([1, 2]), undefined, i64([-1])], 18), [2, 6], [[0, 0, 1, 2, 2, 2], [3, 3, 4, 5, 5, 5]]);
  throwsNamed(() => pad({}, [i64([1, 1])], 13), 'Pad', /pads has 2 values for 2 padded axes/);
  throwsNamed(() => pad({ mode: S('wrap') }, [i64([0, 0, 0, 0])], 13), 'Pad', /mode 'wrap'/);
  throwsNamed(() => pad({}, [i64([0, -4, 0, 0])], 13), 'Pad', /below size 0/);
});

test('before opset 7, broadcast=1 with an axis aligns B at that axis, not at the end', () => {
  const x = f32([2, 3, 3]);
  const b = f32([3], [10, 20, 30]);
  const attrs: Record<string, Attr> = { broadcast: { type: 'int', value: 1 }, axis: { type: 'int', value: 1 } };
  // x + b.reshape(1, 3, 1): row k of each 3x3 block gains b[k].
  const want = Array.from({ length: 18 }, (_, i) => i + [10, 20, 30][Math.floor(i / 3) % 3]);
  assert.deepEqual(Array.from(run(node('Add', attrs), [x, b], 6)[0]!.data as Float32Array), want);
  // From opset 7 the same attributes are gone from the op and numpy rules apply (b against the last axis).
  const numpy = Array.from({ length: 18 }, (_, i) => i + [10, 20, 30][i % 3]);
  assert.deepEqual(Array.from(run(node('Add'), [x, b], 7)[0]!.data as Float32Array), numpy);
  throwsNamed(() => run(node('Mul', { ...attrs, axis: { type: 'int', value: 2 } }), [x, f32([3, 3])], 6), 'Mul', /axis 2 places B/);
});
