// Small IR models built in code for the op variants the fixtures do not exercise:
// grouped and strided Conv, Gemm with transA / alpha / beta / a matrix C, MatMul with
// a batched A, a bidirectional GRU with linear_before_reset = 0 and an initial state,
// an RNN with Relu, a reverse LSTM with peepholes and sequence_lens.
import type { Attr, Model, Node, Tensor } from '../../runtime/ir.ts';
import { randomFloats } from './helpers.ts';

const f32 = (dims: number[], seed: number, scale = 0.5): Tensor => ({
  dtype: 'float32', dims, data: randomFloats(dims.reduce((a, b) => a * b, 1), seed).map((v) => v * scale),
});

function model(name: string, node: Node, inputs: Record<string, Tensor>, inits: Record<string, Tensor>, outputs: string[]): { name: string; model: Model; feeds: Record<string, Tensor> } {
  return {
    name,
    feeds: inputs,
    model: {
      irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', functions: [], metadata: {},
      graph: {
        name, nodes: [node], initializers: inits, valueInfo: {},
        inputs: Object.entries(inputs).map(([n, t]) => ({ name: n, dtype: t.dtype, shape: t.dims })),
        outputs: outputs.map((n) => ({ name: n, dtype: 'float32', shape: null })),
      },
    },
  };
}

const ints = (value: number[]): Attr => ({ type: 'ints', value });
const int = (value: number): Attr => ({ type: 'int', value });
const float = (value: number): Attr => ({ type: 'float', value });

export function syntheticModels() {
  const H = 6;
  return [
    model('conv group 2, stride 2, pads', {
      name: 'conv', op: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'],
      attrs: { group: int(2), strides: ints([2, 2]), pads: ints([1, 0, 1, 2]), kernel_shape: ints([3, 3]) },
    }, { x: f32([2, 4, 9, 8], 1, 1) }, { w: f32([6, 2, 3, 3], 2), b: f32([6], 3) }, ['y']),
    model('gemm transA alpha beta matrix C', {
      name: 'gemm', op: 'Gemm', domain: '', inputs: ['a', 'w', 'c'], outputs: ['y'],
      attrs: { transA: int(1), alpha: float(0.5), beta: float(2) },
    }, { a: f32([7, 5], 4, 1) }, { w: f32([7, 9], 5), c: f32([5, 9], 6) }, ['y']),
    model('matmul batched A', {
      name: 'mm', op: 'MatMul', domain: '', inputs: ['a', 'w'], outputs: ['y'], attrs: {},
    }, { a: f32([2, 3, 10], 7, 1) }, { w: f32([10, 4], 8) }, ['y']),
    model('bidirectional GRU, linear_before_reset 0, initial_h', {
      name: 'gru', op: 'GRU', domain: '', inputs: ['x', 'W', 'R', 'B', '', 'h0'], outputs: ['y', 'yh'],
      attrs: { hidden_size: int(H), direction: { type: 'string', value: 'bidirectional' } },
    }, { x: f32([5, 2, 3], 9, 1), h0: f32([2, 2, H], 10) }, { W: f32([2, 3 * H, 3], 11), R: f32([2, 3 * H, H], 12), B: f32([2, 6 * H], 13) }, ['y', 'yh']),
    model('RNN with Relu', {
      name: 'rnn', op: 'RNN', domain: '', inputs: ['x', 'W', 'R', 'B'], outputs: ['y', 'yh'],
      attrs: { hidden_size: int(H), activations: { type: 'strings', value: ['Relu'] } },
    }, { x: f32([4, 3, 5], 14, 1) }, { W: f32([1, H, 5], 15), R: f32([1, H, H], 16), B: f32([1, 2 * H], 17) }, ['y', 'yh']),
    model('reverse LSTM, peepholes, sequence_lens', {
      name: 'lstm', op: 'LSTM', domain: '', inputs: ['x', 'W', 'R', 'B', 'lens', '', '', 'P'], outputs: ['y', 'yh', 'yc'],
      attrs: { hidden_size: int(H), direction: { type: 'string', value: 'reverse' } },
    }, { x: f32([5, 3, 4], 18, 1), lens: { dtype: 'int32', dims: [3], data: Int32Array.from([5, 2, 4]) } },
    { W: f32([1, 4 * H, 4], 19), R: f32([1, 4 * H, H], 20), B: f32([1, 8 * H], 21), P: f32([1, 3 * H], 22) }, ['y', 'yh', 'yc']),
  ];
}
