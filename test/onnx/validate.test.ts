// The IR validator (runtime/onnx/validate.ts, which the compiler's loader and the
// runtime's InferenceSession.create both run): each test breaks one invariant of a
// small valid model and expects an error that names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Csr, Model, Node } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { validateCsr, validateModel } from '../../src/ir/validate.ts';
import { executeModel } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';

const n = (name: string, op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}, domain = ''): Node =>
  ({ name, op, domain, inputs, outputs, attrs });

function small(): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: '', producerVersion: '', functions: [], metadata: {},
    graph: {
      name: 'g', valueInfo: {},
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 4] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 2] }],
      initializers: { W: { dtype: 'float32', dims: [4, 2], data: new Float32Array(8) } },
      nodes: [n('mm', 'MatMul', ['x', 'W'], ['h']), n('act', 'Relu', ['h'], ['y'])],
    },
  };
}

const fails = (m: Model, re: RegExp) =>
  assert.throws(() => validateModel(m, 'model.onnx'), (e: Error) => e instanceof RampartError && e.message.startsWith('model.onnx') && re.test(e.message), String(re));

test('a well-formed model passes; unknown ops are not validation errors', () => {
  validateModel(small());
  const m = small();
  m.graph.nodes[1] = n('act', 'FancyNewOp', ['h', ''], ['y']);
  validateModel(m);
});

test('missing initializer / undefined input', () => {
  const m = small();
  delete m.graph.initializers.W;
  fails(m, /node 'mm', op MatMul: input 'W' is not produced by any node, initializer or graph input/);
});

test('duplicate node names and duplicate outputs', () => {
  const m = small();
  m.graph.nodes[1].name = 'mm';
  fails(m, /two nodes are named 'mm'/);
  const k = small();
  k.graph.nodes[1].outputs = ['h'];
  fails(k, /output 'h' is defined twice/);
  const j = small();
  j.graph.nodes[0].outputs = ['W'];
  fails(j, /'W' is defined twice/);
});

test('out-of-order nodes and cycles are told apart', () => {
  const m = small();
  m.graph.nodes.reverse();
  fails(m, /input 'h' is read before node 'mm' produces it \(nodes are not in topological order\)/);
  const c = small();
  c.graph.nodes = [n('a', 'Add', ['x', 'q'], ['p']), n('b', 'Relu', ['p'], ['q']), n('act', 'Relu', ['p'], ['y'])];
  fails(c, /has a cycle: (a -> b -> a|b -> a -> b)/);
});

test('graph outputs must be produced; domains must be imported', () => {
  const m = small();
  m.graph.outputs.push({ name: 'zz', dtype: 'float32', shape: null });
  fails(m, /graph output 'zz' is never produced/);
  const d = small();
  d.graph.nodes[1] = n('act', 'Swish', ['h'], ['y'], {}, 'com.example');
  fails(d, /op domain 'com.example' is not in the model's opset imports/);
  d.opsetImports.push({ domain: 'com.example', version: 1 });
  validateModel(d);
});

test('attribute sanity', () => {
  const conv = (attrs: Node['attrs']) => {
    const m = small();
    m.graph.nodes[0] = n('mm', 'Conv', ['x', 'W'], ['h'], attrs);
    return m;
  };
  fails(conv({ strides: { type: 'ints', value: [1, 0] } }), /attribute 'strides' must be positive/);
  fails(conv({ pads: { type: 'ints', value: [0, -1, 0, 0] } }), /'pads' must be non-negative/);
  fails(conv({ kernel_shape: { type: 'ints', value: [3, 3] }, pads: { type: 'ints', value: [1, 1] } }), /'pads' has 2 entries for a 2-D kernel \(expected 4\)/);
  fails(conv({ auto_pad: { type: 'string', value: 'SOMETIMES' } }), /auto_pad' is 'SOMETIMES'/);
  fails(conv({ group: { type: 'int', value: 1.5 } }), /attribute 'group' should be an integer/);
  const rnn = small();
  rnn.graph.nodes[0] = n('mm', 'LSTM', ['x', 'W'], ['h'], { direction: { type: 'string', value: 'sideways' } });
  fails(rnn, /'direction' is 'sideways' \(expected one of forward, reverse, bidirectional\)/);
  const tr = small();
  tr.graph.nodes[1] = n('act', 'Transpose', ['h'], ['y'], { perm: { type: 'ints', value: [0, 0] } });
  fails(tr, /'perm' \[0,0\] is not a permutation/);
  const cat = small();
  cat.graph.nodes[1] = n('act', 'Concat', ['h', 'h'], ['y']);
  fails(cat, /Concat needs an integer 'axis'/);
});

test('initializer storage must match dtype and dims', () => {
  const m = small();
  m.graph.initializers.W = { dtype: 'float32', dims: [4, 2], data: new Float32Array(7) };
  fails(m, /initializer 'W' has 7 values but dims \[4,2\] need 8/);
  const k = small();
  k.graph.initializers.W = { dtype: 'int64', dims: [4, 2], data: new Int32Array(8) };
  fails(k, /initializer 'W' \(int64\) is stored in a Int32Array \(expected a Float64Array\)/);
  const j = small();
  j.graph.initializers.W = { dtype: 'float32', dims: [4, -2], data: new Float32Array(8) };
  fails(j, /initializer 'W' has invalid dims/);
});

test('subgraphs see outer-scope values and are validated too', () => {
  const m = small();
  const body = {
    name: 'then', inputs: [], initializers: {}, valueInfo: {},
    outputs: [{ name: 'r', dtype: 'float32' as const, shape: null }],
    nodes: [n('inner', 'Relu', ['h'], ['r'])],
  };
  m.graph.nodes[1] = n('act', 'If', ['x'], ['y'], { then_branch: { type: 'graph', value: body }, else_branch: { type: 'graph', value: body } });
  validateModel(m);
  body.nodes[0].inputs = ['nowhere'];
  fails(m, /node 'inner', op Relu: input 'nowhere' is not produced/);
});

test('functions: bodies are checked against their own inputs', () => {
  const m = small();
  m.functions.push({ name: 'F', domain: 'f', inputs: ['a'], outputs: ['b'], attributes: [], opsetImports: [{ domain: '', version: 17 }], nodes: [n('', 'Neg', ['c'], ['b'])] });
  fails(m, /input 'c' is not produced/);
  m.functions[0].nodes[0].inputs = ['a'];
  validateModel(m);
});

const csr = (rowPtr: number[], colIdx: number[], cols = 4): Csr => ({
  rows: rowPtr.length - 1, cols, rowPtr: Int32Array.from(rowPtr), colIdx: Uint16Array.from(colIdx), values: new Float32Array(colIdx.length),
});

test('CSR invariants', () => {
  validateCsr(csr([0, 2, 2, 3], [0, 3, 1]), 'ok');
  validateCsr(csr([0, 0], []), 'empty row');
  const bad = (c: Csr, re: RegExp) => assert.throws(() => validateCsr(c, 'fc.W'), (e: Error) => e instanceof RampartError && /CSR 'fc\.W'/.test(e.message) && re.test(e.message));
  bad(csr([1, 2, 2, 3], [0, 3, 1]), /start at 1/);
  bad(csr([0, 2, 1, 3], [0, 3, 1]), /decrease/);
  bad(csr([0, 2, 2, 4], [0, 3, 1]), /values but row pointers end at 4|column indices but nnz is 4/);
  bad(csr([0, 2, 2, 3], [0, 4, 1]), /column index 4 out of range/);
  bad(csr([0, 2, 2, 3], [3, 0, 1]), /not sorted and unique/);
  bad(csr([0, 2, 2, 3], [1, 1, 1]), /not sorted and unique/);
});

test('CSR weights of ai.rampart Csr* function calls are checked by validateModel', () => {
  const m = small();
  m.opsetImports.push({ domain: 'ai.rampart', version: 1 });
  // The targets/onnx-csr naming rule: <slot>_values, <slot>_col_indices, <slot>_row_ptr, <slot>_shape.
  m.functions.push({
    name: 'CsrMatMul', domain: 'ai.rampart', inputs: ['A', 'B_values', 'B_col_indices', 'B_row_ptr', 'B_shape'], outputs: ['Y'],
    attributes: [], opsetImports: [{ domain: '', version: 17 }], nodes: [n('core', 'MatMul', ['A', 'B_values'], ['Y'])],
  });
  m.graph.initializers = {
    vals: { dtype: 'float32', dims: [3], data: Float32Array.of(1, 2, 3) },
    cols: { dtype: 'uint16', dims: [3], data: Uint16Array.of(0, 1, 1) },
    rows: { dtype: 'int32', dims: [5], data: Int32Array.of(0, 2, 2, 3, 3) },
    shape: { dtype: 'int64', dims: [2], data: Float64Array.of(4, 2) },
  };
  m.graph.nodes[0] = n('mm', 'CsrMatMul', ['x', 'vals', 'cols', 'rows', 'shape'], ['h'], {}, 'ai.rampart');
  validateModel(m);
  m.graph.initializers.cols.data = Uint16Array.of(1, 0, 1);
  fails(m, /node 'mm', op CsrMatMul: CSR 'vals': .*not sorted and unique in row 0/);
  m.graph.initializers.cols.data = Uint16Array.of(0, 1, 2);
  fails(m, /CSR 'vals': .*column index 2 out of range/);
});

/** A model whose graph calls local function `f`; `bodies` are the functions, each a list of the ops it calls. */
function calling(bodies: Record<string, string[]>): Model {
  const m = small();
  m.opsetImports.push({ domain: 'local', version: 1 });
  m.graph.nodes[1] = n('act', 'f', ['h'], ['y'], {}, 'local');
  for (const [name, calls] of Object.entries(bodies)) {
    m.functions.push({
      name, domain: 'local', inputs: ['a'], outputs: ['b'], attributes: [],
      opsetImports: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }],
      nodes: calls.length ? calls.map((c, i) => n(`${name}_${i}`, c, ['a'], ['b'], {}, 'local')) : [n('', 'Relu', ['a'], ['b'])],
    });
  }
  return m;
}

test('model-local functions that call themselves, or each other, are refused by name', () => {
  validateModel(calling({ f: ['g'], g: [] }));
  fails(calling({ f: ['f'] }), /model-local function 'local::f' calls itself/);
  fails(calling({ f: ['g'], g: ['f'] }), /model-local functions call each other in a cycle: local::(f -> local::g -> local::f|g -> local::f -> local::g)/);
  // A longer chain that is not a cycle is fine, and the search does not recurse (a 20,000-long chain).
  const chain: Record<string, string[]> = {};
  for (let i = 0; i < 20_000; i++) chain[i === 0 ? 'f' : `f${i}`] = i < 19_999 ? [`f${i + 1}`] : [];
  validateModel(calling(chain));
});

test('the executor refuses recursion and over-deep calls of a model it is handed unvalidated', () => {
  const x = { x: { dtype: 'float32' as const, dims: [1, 4], data: new Float32Array(4) } };
  assert.throws(() => executeModel(calling({ f: ['f'] }), x, referenceKernels, { opset: 17 }),
    (e: unknown) => e instanceof RampartError && /node 'f_0', op f: function local::f calls itself \(local::f -> local::f\)/.test(e.message));
  const chain: Record<string, string[]> = {};
  for (let i = 0; i < 100; i++) chain[i === 0 ? 'f' : `f${i}`] = i < 99 ? [`f${i + 1}`] : [];
  assert.throws(() => executeModel(calling(chain), x, referenceKernels, { opset: 17 }), /function calls nest deeper than 64/);
});

test('float attributes must be finite, except where infinity means something', () => {
  const gemm = small();
  gemm.graph.nodes[0] = n('mm', 'Gemm', ['x', 'W'], ['h'], { alpha: { type: 'float', value: -Infinity } });
  fails(gemm, /node 'mm', op Gemm: attribute 'alpha' is -Infinity \(expected a finite number\)/);
  const lstm = small();
  lstm.graph.nodes[0] = n('mm', 'LSTM', ['x', 'W'], ['h'], { activation_alpha: { type: 'floats', value: [1, NaN] } });
  fails(lstm, /attribute 'activation_alpha' \[1,NaN\] holds a non-finite number/);
  const clip = small();
  clip.graph.nodes[1] = n('act', 'Clip', ['h'], ['y'], { min: { type: 'float', value: -Infinity }, max: { type: 'float', value: 6 } });
  validateModel(clip);
});

test('a string weight feeding an op that computes on numbers is refused', () => {
  const m = small();
  m.graph.initializers.W = { dtype: 'string', dims: [4, 2], data: new Array<string>(8).fill('w') };
  fails(m, /node 'mm', op MatMul: input 'W' is a string tensor \(expected numeric weights and inputs\)/);
  m.graph.nodes[0] = n('mm', 'Identity', ['W'], ['h']);
  validateModel(m);
});
