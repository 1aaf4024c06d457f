// Decoding ONNX bytes into the IR. Every expected value here is written out by
// hand from the ONNX spec (bit patterns, little-endian bytes), not produced by
// the decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { RampartError } from '../../runtime/errors.ts';
import { f32raw, modelBytes, node, onnx, vi, withInits, type TP } from './build.ts';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const bytes = (xs: number[]) => new Uint8Array(xs);
const le = (arr: ArrayBufferView) => new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);

function init(tp: TP, opts = {}) {
  const m = decodeModel(withInits([{ name: 'w', ...tp }]), opts);
  return m.graph.initializers.w;
}

const cases: { what: string; tp: TP; dtype: string; ctor: string; want: number[] | string[] }[] = [
  { what: 'float32 raw', tp: { dataType: T.FLOAT, dims: [3], rawData: f32raw([1.5, -2, 3.25]) }, dtype: 'float32', ctor: 'Float32Array', want: [1.5, -2, 3.25] },
  { what: 'float32 float_data', tp: { dataType: T.FLOAT, dims: [3], floatData: [1.5, -2, 3.25] }, dtype: 'float32', ctor: 'Float32Array', want: [1.5, -2, 3.25] },
  { what: 'float64 raw', tp: { dataType: T.DOUBLE, dims: [2], rawData: le(Float64Array.of(1e300, -0.1)) }, dtype: 'float64', ctor: 'Float64Array', want: [1e300, -0.1] },
  { what: 'float64 double_data', tp: { dataType: T.DOUBLE, dims: [2], doubleData: [1e300, -0.1] }, dtype: 'float64', ctor: 'Float64Array', want: [1e300, -0.1] },
  { what: 'int8 raw', tp: { dataType: T.INT8, dims: [3], rawData: bytes([0xff, 0x7f, 0x80]) }, dtype: 'int8', ctor: 'Int8Array', want: [-1, 127, -128] },
  { what: 'int8 int32_data', tp: { dataType: T.INT8, dims: [3], int32Data: [-1, 127, -128] }, dtype: 'int8', ctor: 'Int8Array', want: [-1, 127, -128] },
  { what: 'uint8 raw', tp: { dataType: T.UINT8, dims: [3], rawData: bytes([255, 0, 7]) }, dtype: 'uint8', ctor: 'Uint8Array', want: [255, 0, 7] },
  { what: 'uint8 int32_data', tp: { dataType: T.UINT8, dims: [3], int32Data: [255, 0, 7] }, dtype: 'uint8', ctor: 'Uint8Array', want: [255, 0, 7] },
  { what: 'int16 raw', tp: { dataType: T.INT16, dims: [2], rawData: bytes([0xd4, 0xfe, 0x2c, 0x01]) }, dtype: 'int16', ctor: 'Int16Array', want: [-300, 300] },
  { what: 'int16 int32_data', tp: { dataType: T.INT16, dims: [2], int32Data: [-300, 300] }, dtype: 'int16', ctor: 'Int16Array', want: [-300, 300] },
  { what: 'uint16 raw', tp: { dataType: T.UINT16, dims: [2], rawData: bytes([0xff, 0xff, 0x01, 0x00]) }, dtype: 'uint16', ctor: 'Uint16Array', want: [65535, 1] },
  { what: 'uint16 int32_data', tp: { dataType: T.UINT16, dims: [2], int32Data: [65535, 1] }, dtype: 'uint16', ctor: 'Uint16Array', want: [65535, 1] },
  { what: 'int32 raw', tp: { dataType: T.INT32, dims: [2], rawData: bytes([0, 0, 0, 0x80, 5, 0, 0, 0]) }, dtype: 'int32', ctor: 'Int32Array', want: [-2147483648, 5] },
  { what: 'int32 int32_data', tp: { dataType: T.INT32, dims: [2], int32Data: [-2147483648, 5] }, dtype: 'int32', ctor: 'Int32Array', want: [-2147483648, 5] },
  { what: 'uint32 raw', tp: { dataType: T.UINT32, dims: [2], rawData: bytes([0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0]) }, dtype: 'uint32', ctor: 'Uint32Array', want: [4294967295, 1] },
  { what: 'uint32 uint64_data', tp: { dataType: T.UINT32, dims: [2], uint64Data: [4294967295, 1] }, dtype: 'uint32', ctor: 'Uint32Array', want: [4294967295, 1] },
  {
    what: 'int64 raw', dtype: 'int64', ctor: 'Float64Array', want: [-1, 2 ** 40 + 3, -(2 ** 33), 2 ** 63],
    tp: { dataType: T.INT64, dims: [4], rawData: le(BigInt64Array.of(-1n, 2n ** 40n + 3n, -(2n ** 33n), 2n ** 63n - 1n)) },
  },
  {
    // int64_data arrives as Long objects; INT64_MAX (Slice's "to the end") saturates to 2^63.
    what: 'int64 int64_data', dtype: 'int64', ctor: 'Float64Array', want: [-1, 2 ** 40 + 3, -(2 ** 33), 2 ** 63],
    tp: { dataType: T.INT64, dims: [4], int64Data: [-1, 2 ** 40 + 3, -(2 ** 33), { low: -1, high: 0x7fffffff, unsigned: false } as never] },
  },
  { what: 'uint64 raw', tp: { dataType: T.UINT64, dims: [2], rawData: le(BigUint64Array.of(2n ** 53n, 7n)) }, dtype: 'uint64', ctor: 'Float64Array', want: [2 ** 53, 7] },
  { what: 'uint64 uint64_data', tp: { dataType: T.UINT64, dims: [2], uint64Data: [2 ** 53, 7] }, dtype: 'uint64', ctor: 'Float64Array', want: [2 ** 53, 7] },
  { what: 'bool raw', tp: { dataType: T.BOOL, dims: [3], rawData: bytes([1, 0, 1]) }, dtype: 'bool', ctor: 'Uint8Array', want: [1, 0, 1] },
  { what: 'bool int32_data', tp: { dataType: T.BOOL, dims: [3], int32Data: [1, 0, 1] }, dtype: 'bool', ctor: 'Uint8Array', want: [1, 0, 1] },
  {
    // binary16 bit patterns: 1, -2, 65504 (max), 2^-24 (smallest subnormal), 0.333251953125.
    what: 'float16 raw', dtype: 'float16', ctor: 'Float32Array', want: [1, -2, 65504, 2 ** -24, 0.333251953125],
    tp: { dataType: T.FLOAT16, dims: [5], rawData: le(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555)) },
  },
  {
    what: 'float16 int32_data', dtype: 'float16', ctor: 'Float32Array', want: [1, -2, 65504, 2 ** -24, 0.333251953125],
    tp: { dataType: T.FLOAT16, dims: [5], int32Data: [0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555] },
  },
  { what: 'string', tp: { dataType: T.STRING, dims: [2], stringData: [new TextEncoder().encode('héllo'), new Uint8Array()] }, dtype: 'string', ctor: 'Array', want: ['héllo', ''] },
  { what: 'scalar', tp: { dataType: T.FLOAT, dims: [], floatData: [4] }, dtype: 'float32', ctor: 'Float32Array', want: [4] },
  { what: 'empty', tp: { dataType: T.FLOAT, dims: [0, 3] }, dtype: 'float32', ctor: 'Float32Array', want: [] },
];

for (const c of cases) {
  test(`decodes ${c.what}`, () => {
    const t = init(c.tp);
    assert.equal(t.dtype, c.dtype);
    assert.equal(t.data.constructor.name, c.ctor);
    assert.deepEqual(Array.from(t.data as ArrayLike<number>), c.want);
  });
}

test('raw data is copied out of the model buffer, aligned, even at an odd offset', () => {
  // A 1-byte name pushes raw_data to an odd offset inside the model bytes.
  const m = decodeModel(withInits([{ name: 'w', dataType: T.FLOAT, dims: [2], rawData: f32raw([0.5, 8]) }]));
  const d = m.graph.initializers.w.data as Float32Array;
  assert.deepEqual(Array.from(d), [0.5, 8]);
  assert.equal(d.byteOffset, 0);
  assert.equal(d.buffer.byteLength, 8, 'the tensor must not keep the whole model alive');
  // Decoding from a Node Buffer at an odd offset (how readFileSync data often arrives).
  const raw = modelBytes({ initializer: [{ name: 'w', dataType: T.FLOAT, dims: [2], rawData: f32raw([0.5, 8]) }] });
  const buf = Buffer.alloc(raw.length + 3);
  buf.set(raw, 3);
  assert.deepEqual(Array.from(decodeModel(buf.subarray(3)).graph.initializers.w.data as Float32Array), [0.5, 8]);
});

test('unsupported and inconsistent tensors are named errors', () => {
  assert.throws(() => init({ dataType: T.BFLOAT16, dims: [1], rawData: bytes([0, 0]) }), (e: Error) =>
    e instanceof RampartError && /initializer 'w'.*BFLOAT16/.test(e.message));
  assert.throws(() => init({ dataType: T.FLOAT, dims: [3], rawData: f32raw([1, 2]) }), (e: Error) =>
    e instanceof RampartError && /initializer 'w' has 8 bytes of raw data.*needs 12/.test(e.message));
  assert.throws(() => init({ dataType: T.FLOAT, dims: [2, 2], floatData: [1, 2, 3] }), (e: Error) =>
    e instanceof RampartError && /holds 3 values but its dims \[2,2\] need 4/.test(e.message));
});

test('NaN and Inf weights are refused by name unless allowed', () => {
  assert.throws(() => init({ dataType: T.FLOAT, dims: [3], floatData: [1, NaN, 2] }), (e: Error) =>
    e instanceof RampartError && /initializer 'w' contains NaN at flat index 1/.test(e.message));
  assert.throws(() => init({ dataType: T.FLOAT16, dims: [1], int32Data: [0x7c00] }), /initializer 'w' contains Infinity/);
  assert.ok(Number.isNaN((init({ dataType: T.FLOAT, dims: [1], floatData: [NaN] }, { allowNonFinite: true }).data as Float32Array)[0]));
  assert.equal((init({ dataType: T.FLOAT16, dims: [1], int32Data: [0xfc00] }, { allowNonFinite: true }).data as Float32Array)[0], -Infinity);
});

test('sparse initializers are densified from linear and coordinate indices', () => {
  const values = { name: 's', dataType: T.FLOAT, dims: [3], floatData: [1, 2, 3] };
  const linear = { values, indices: { dataType: T.INT64, dims: [3], int64Data: [1, 6, 11] }, dims: [3, 4] };
  const coords = { values: { ...values, name: 'c' }, indices: { dataType: T.INT64, dims: [3, 2], int64Data: [0, 1, 1, 2, 2, 3] }, dims: [3, 4] };
  const m = decodeModel(modelBytes({ sparseInitializer: [linear, coords] }));
  const want = [0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3];
  for (const k of ['s', 'c']) {
    assert.deepEqual(m.graph.initializers[k].dims, [3, 4]);
    assert.deepEqual(Array.from(m.graph.initializers[k].data as Float32Array), want);
  }
  const bad = { values, indices: { dataType: T.INT64, dims: [3, 2], int64Data: [0, 1, 1, 2, 3, 0] }, dims: [3, 4] };
  assert.throws(() => decodeModel(modelBytes({ sparseInitializer: [bad] })), /index 3 out of range for axis 0 of size 3/);
});

test('Constant nodes of every value kind become initializers', () => {
  const attr = (name: string, a: object) => ({ name, ...a });
  const nodes = [
    node('Constant', [], ['t'], [attr('value', { type: A.TENSOR, t: { dataType: T.FLOAT, dims: [2], floatData: [1, 2] } })]),
    node('Constant', [], ['f'], [attr('value_float', { type: A.FLOAT, f: 2.5 })]),
    node('Constant', [], ['fs'], [attr('value_floats', { type: A.FLOATS, floats: [1, -1] })]),
    node('Constant', [], ['i'], [attr('value_int', { type: A.INT, i: -7 })]),
    node('Constant', [], ['is'], [attr('value_ints', { type: A.INTS, ints: [0, -1, 2 ** 40] })]),
    node('Constant', [], ['s'], [attr('value_string', { type: A.STRING, s: new TextEncoder().encode('hi') })]),
    node('Constant', [], ['ss'], [attr('value_strings', { type: A.STRINGS, strings: [new TextEncoder().encode('a'), new TextEncoder().encode('b')] })]),
    node('Constant', [], ['sp'], [attr('sparse_value', {
      type: A.SPARSE_TENSOR,
      sparseTensor: { values: { dataType: T.FLOAT, dims: [1], floatData: [9] }, indices: { dataType: T.INT64, dims: [1], int64Data: [2] }, dims: [4] },
    })]),
    node('Add', ['x', 't'], ['y']),
  ];
  const m = decodeModel(modelBytes({ node: nodes, input: [vi('x', T.FLOAT, [2])], output: [vi('y', T.FLOAT, [2])] }));
  const g = m.graph;
  assert.deepEqual(g.nodes.map((n) => n.op), ['Add']);
  assert.deepEqual(g.nodes[0].inputs, ['x', 't']);
  const plain = (k: string) => ({ dtype: g.initializers[k].dtype, dims: g.initializers[k].dims, data: Array.from(g.initializers[k].data as ArrayLike<number>) });
  assert.deepEqual(plain('t'), { dtype: 'float32', dims: [2], data: [1, 2] });
  assert.deepEqual(plain('f'), { dtype: 'float32', dims: [], data: [2.5] });
  assert.deepEqual(plain('fs'), { dtype: 'float32', dims: [2], data: [1, -1] });
  assert.deepEqual(plain('i'), { dtype: 'int64', dims: [], data: [-7] });
  assert.deepEqual(plain('is'), { dtype: 'int64', dims: [3], data: [0, -1, 2 ** 40] });
  assert.deepEqual(plain('s'), { dtype: 'string', dims: [], data: ['hi'] });
  assert.deepEqual(plain('ss'), { dtype: 'string', dims: [2], data: ['a', 'b'] });
  assert.deepEqual(plain('sp'), { dtype: 'float32', dims: [4], data: [0, 0, 9, 0] });
});

test('a Constant that is a graph output stays produced by a node', () => {
  const c = node('Constant', [], ['y'], [{ name: 'value_float', type: A.FLOAT, f: 3 }]);
  const m = decodeModel(modelBytes({ node: [c, node('Relu', ['y'], ['z'])], output: [vi('y', T.FLOAT, []), vi('z', T.FLOAT, [])] }));
  const [id, relu] = m.graph.nodes;
  assert.equal(id.op, 'Identity');
  assert.deepEqual(id.outputs, ['y']);
  assert.deepEqual(Array.from(m.graph.initializers[id.inputs[0]].data as Float32Array), [3]);
  assert.deepEqual(relu.inputs, [id.inputs[0]]);
});

test('Identity chains over initializers are resolved; consumers rewired; output Identity kept', () => {
  const W = { name: 'W', dataType: T.FLOAT, dims: [2, 2], floatData: [1, 2, 3, 4] };
  const nodes = [
    node('Identity', ['W'], ['W1']),
    node('Identity', ['W1'], ['W2']),
    node('MatMul', ['x', 'W2'], ['a']),
    node('MatMul', ['a', 'W1'], ['b']),
    node('Identity', ['W2'], ['wout']),
    node('Identity', ['x'], ['xcopy']), // input, not an initializer: stays
  ];
  const m = decodeModel(modelBytes({
    initializer: [W], node: nodes,
    input: [vi('x', T.FLOAT, [1, 2])],
    output: [vi('b', T.FLOAT, [1, 2]), vi('wout', T.FLOAT, [2, 2]), vi('xcopy', T.FLOAT, [1, 2])],
    valueInfo: [vi('W1', T.FLOAT, [2, 2])],
  }));
  const g = m.graph;
  assert.deepEqual(g.nodes.map((n) => `${n.op}(${n.inputs})->${n.outputs}`), [
    'MatMul(x,W)->a', 'MatMul(a,W)->b', 'Identity(W)->wout', 'Identity(x)->xcopy',
  ]);
  assert.deepEqual(Object.keys(g.initializers), ['W']);
  assert.equal(g.valueInfo.W1, undefined);
});

test('graph inputs that are initializers are not runtime inputs; dims decode to number/symbol/null', () => {
  const m = decodeModel(modelBytes({
    initializer: [{ name: 'W', dataType: T.FLOAT, dims: [1], floatData: [1] }],
    input: [vi('x', T.FLOAT, ['N', 3, null]), vi('W', T.FLOAT, [1]), vi('r', T.INT64, null)],
    node: [node('Mul', ['x', 'W'], ['y'])],
    output: [vi('y', T.FLOAT, ['N', 3, null])],
  }, { irVersion: 3 }));
  assert.deepEqual(m.graph.inputs, [
    { name: 'x', dtype: 'float32', shape: ['N', 3, null] },
    { name: 'r', dtype: 'int64', shape: null },
  ]);
  assert.equal(m.irVersion, 3);
});

test('attributes of every kind, subgraphs, functions, metadata and opsets are kept', () => {
  const sub = { name: 'body', node: [node('Relu', ['x'], ['r'])], output: [vi('r', T.FLOAT, [1])] };
  const attrs = [
    { name: 'f', type: A.FLOAT, f: 0.25 },
    { name: 'i', type: A.INT, i: -(2 ** 40) },
    { name: 's', type: A.STRING, s: new TextEncoder().encode('same') },
    { name: 'fs', type: A.FLOATS, floats: [0.5, 1] },
    { name: 'is', type: A.INTS, ints: [1, -2] },
    { name: 'ss', type: A.STRINGS, strings: [new TextEncoder().encode('a')] },
    { name: 't', type: A.TENSOR, t: { dataType: T.INT32, dims: [1], int32Data: [5] } },
    { name: 'g', type: A.GRAPH, g: sub },
    { name: 'untyped', i: 3 }, // pre-IR-2 writers left out the type
  ];
  const fn = {
    name: 'Twice', domain: 'test.fn', input: ['a'], output: ['b'], attribute: ['k'],
    opsetImport: [{ domain: '', version: 17 }], node: [node('Add', ['a', 'a'], ['b'])],
  };
  const m = decodeModel(modelBytes(
    { input: [vi('x', T.FLOAT, [1])], node: [{ ...node('Foo', ['x'], ['y'], attrs), domain: 'test.custom' }], output: [vi('y', T.FLOAT, [1])] },
    {
      opsetImport: [{ domain: '', version: 13 }, { domain: 'test.custom', version: 1 }],
      functions: [fn], metadataProps: [{ key: 'author', value: 'me' }], producerVersion: '1.2',
    },
  ));
  const n = m.graph.nodes[0];
  assert.equal(n.domain, 'test.custom');
  assert.deepEqual(n.attrs.f, { type: 'float', value: 0.25 });
  assert.deepEqual(n.attrs.i, { type: 'int', value: -(2 ** 40) });
  assert.deepEqual(n.attrs.s, { type: 'string', value: 'same' });
  assert.deepEqual(n.attrs.fs, { type: 'floats', value: [0.5, 1] });
  assert.deepEqual(n.attrs.is, { type: 'ints', value: [1, -2] });
  assert.deepEqual(n.attrs.ss, { type: 'strings', value: ['a'] });
  assert.deepEqual(n.attrs.untyped, { type: 'int', value: 3 });
  const t = n.attrs.t;
  assert.ok(t.type === 'tensor' && t.value.dtype === 'int32' && t.value.data[0] === 5);
  const g = n.attrs.g;
  assert.ok(g.type === 'graph');
  assert.equal(g.value.name, 'body');
  assert.deepEqual(g.value.nodes.map((x) => [x.name, x.op, x.inputs]), [['Relu_0', 'Relu', ['x']]]);
  assert.deepEqual(m.functions, [{
    name: 'Twice', domain: 'test.fn', inputs: ['a'], outputs: ['b'], attributes: ['k'],
    opsetImports: [{ domain: '', version: 17 }],
    nodes: [{ name: '', op: 'Add', domain: '', inputs: ['a', 'a'], outputs: ['b'], attrs: {} }],
  }]);
  assert.deepEqual(m.metadata, { author: 'me' });
  assert.deepEqual(m.opsetImports, [{ domain: '', version: 13 }, { domain: 'test.custom', version: 1 }]);
  assert.equal(m.producerName, 'rampart-test');
  assert.equal(m.producerVersion, '1.2');
});

test('unnamed nodes are named <op>_<index>, uniquely', () => {
  const m = decodeModel(modelBytes({
    input: [vi('x', T.FLOAT, [1])],
    node: [node('Relu', ['x'], ['a']), node('Relu', ['a'], ['b'], [], 'Relu_0'), node('Relu', ['b'], ['c']), node('Tanh', ['c'], ['d'], [], 'Relu_0')],
    output: [vi('d', T.FLOAT, [1])],
  }));
  const names = m.graph.nodes.map((n) => n.name);
  assert.deepEqual(names, ['Relu_0_1', 'Relu_0', 'Relu_2', 'Relu_0_2']);
});

test('truncated, garbage and empty bytes are RampartErrors naming the file', () => {
  const file = '/usr/share/libonnx-testdata/data/node/test_lstm_with_initial_bias/model.onnx';
  const good = readFileSync(file);
  assert.ok(decodeModel(good, { file }).graph.nodes.length === 1);
  let checked = 0;
  for (let n = 0; n < good.length; n += 3) {
    assert.throws(() => decodeModel(good.subarray(0, n), { file: 'cut.onnx' }), (e: Error) =>
      e instanceof RampartError && e.message.startsWith('cut.onnx: ') && /not a valid ONNX model|raw data|holds|has no/.test(e.message),
    `truncated at ${n} of ${good.length}`);
    checked++;
  }
  assert.ok(checked > 50);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let k = 0; k < 20; k++) {
    const junk = Uint8Array.from({ length: 64 + k * 13 }, rand);
    assert.throws(() => decodeModel(junk, { file: 'junk.onnx' }), (e: Error) =>
      e instanceof RampartError && /^junk\.onnx: not a valid ONNX model/.test(e.message));
  }
  assert.throws(() => decodeModel(new Uint8Array(), { file: 'empty.onnx' }), /empty\.onnx: not a valid ONNX model: it has no graph/);
  assert.throws(() => decodeModel(new TextEncoder().encode('{"not": "onnx"}'), { file: 'a.json' }), /a\.json: not a valid ONNX model/);
});

test('opset imports are recorded as given (11 to 21 and beyond)', () => {
  for (const version of [11, 13, 17, 21, 23]) {
    const m = decodeModel(modelBytes({ input: [vi('x', T.FLOAT, [1])], node: [node('Relu', ['x'], ['y'])], output: [vi('y', T.FLOAT, [1])] },
      { opsetImport: [{ domain: '', version }] }));
    assert.deepEqual(m.opsetImports, [{ domain: '', version }]);
  }
});
