// Differential tests against onnxruntime for what ONNX's node data leaves out: older
// opsets (Softmax < 13, Slice < 10, Squeeze attrs < 13, BatchNorm 9), 1-D and grouped
// convs, ceil_mode with pads, MaxPool indices over batches and channels, integer
// division, float -> int casts, Slice's INT64 sentinels. Each case is one node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, DType, Model, Tensor } from '../../runtime/ir.ts';
import { executeModel } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { runOrt } from '../onnx/ort.ts';
import { tensorMismatch } from './harness.ts';

// Deterministic inputs: mulberry32.
let seed = 0x5eed;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const f32 = (...dims: number[]): Tensor => ({ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rand() * 4 - 2) });
const of = (dtype: DType, dims: number[], v: number[]): Tensor => {
  const ctor = { int64: Float64Array, int32: Int32Array, float32: Float32Array, float64: Float64Array, bool: Uint8Array, uint8: Uint8Array, int8: Int8Array } as Record<string, new (a: number[]) => Tensor['data']>;
  return { dtype, dims, data: new ctor[dtype](v) };
};
const i64 = (...v: number[]) => of('int64', [v.length], v);
const INT64_MAX = 9223372036854775807; // saturates to 2^63 in float64, as the importer stores it
const INT64_MIN = -9223372036854775808;

const int = (value: number): Attr => ({ type: 'int', value });
const ints = (...value: number[]): Attr => ({ type: 'ints', value });
const flt = (value: number): Attr => ({ type: 'float', value });
const str = (value: string): Attr => ({ type: 'string', value });
const tns = (value: Tensor): Attr => ({ type: 'tensor', value });

interface Case {
  op: string;
  opset: number;
  /** Runtime inputs; `init` ones become initializers (constants ORT can fold, int64 sentinels). */
  inputs: (Tensor | { init: Tensor } | null)[];
  attrs?: Record<string, Attr>;
  /** Output dtypes (ORT checks them against its inference); default: the first input's. */
  out?: DType[];
}

function model(c: Case): { model: Model; feeds: Record<string, Tensor> } {
  const feeds: Record<string, Tensor> = {};
  const initializers: Record<string, Tensor> = {};
  const names = c.inputs.map((t, i) => {
    if (t === null) return '';
    if ('init' in t) initializers[`in${i}`] = t.init;
    else feeds[`in${i}`] = t;
    return `in${i}`;
  });
  const first = c.inputs[0];
  const dtypes = c.out ?? [first && 'init' in first ? first.init.dtype : first ? first.dtype : 'float32'];
  const outs = dtypes.map((_, k) => `out${k}`);
  return {
    feeds,
    model: {
      irVersion: 8, opsetImports: [{ domain: '', version: c.opset }], producerName: 'rampart-test', producerVersion: '0',
      functions: [], metadata: {},
      graph: {
        name: c.op, initializers, valueInfo: {},
        inputs: Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.dims })),
        outputs: outs.map((name, k) => ({ name, dtype: dtypes[k], shape: null })),
        nodes: [{ name: 'n', op: c.op, domain: '', inputs: names, outputs: outs, attrs: c.attrs ?? {} }],
      },
    },
  };
}

const cases: Record<string, Case> = {
  'Clip opset 6 attributes (ReLU6)': { op: 'Clip', opset: 6, inputs: [f32(2, 3, 4)], attrs: { min: flt(0), max: flt(1.5) } },
  'Clip opset 6 min only': { op: 'Clip', opset: 6, inputs: [f32(2, 3, 4)], attrs: { min: flt(-0.5) } },
  'Clip opset 13 max input only': { op: 'Clip', opset: 13, inputs: [f32(2, 3, 4), null, { init: of('float32', [], [0.25]) }] },
  'Softmax opset 11 axis 1 coerces to 2-D': { op: 'Softmax', opset: 11, inputs: [f32(2, 3, 4)] },
  'Softmax opset 11 axis 0': { op: 'Softmax', opset: 11, inputs: [f32(2, 3, 4)], attrs: { axis: int(0) } },
  'Softmax opset 11 axis -1': { op: 'Softmax', opset: 11, inputs: [f32(2, 3, 4)], attrs: { axis: int(-1) } },
  'LogSoftmax opset 11 axis 2': { op: 'LogSoftmax', opset: 11, inputs: [f32(2, 3, 4)], attrs: { axis: int(2) } },
  'LogSoftmax opset 13 axis 1': { op: 'LogSoftmax', opset: 13, inputs: [f32(2, 3, 4)], attrs: { axis: int(1) } },
  'Slice opset 9 attributes': { op: 'Slice', opset: 9, inputs: [f32(3, 4, 5)], attrs: { starts: ints(1, -3), ends: ints(100, -1), axes: ints(0, 2) } },
  'Slice reversal with INT64 sentinels': { op: 'Slice', opset: 13, inputs: [f32(3, 4), { init: i64(INT64_MAX, -1) }, { init: i64(INT64_MIN, INT64_MIN) }, { init: i64(0, 1) }, { init: i64(-1, -2) }] },
  'Slice to end with INT64_MAX, step 2': { op: 'Slice', opset: 13, inputs: [f32(7, 2), { init: i64(1) }, { init: i64(INT64_MAX) }, { init: i64(0) }, { init: i64(2) }] },
  'Squeeze opset 11 axes attribute': { op: 'Squeeze', opset: 11, inputs: [f32(1, 3, 1, 2)], attrs: { axes: ints(-2) } },
  'Squeeze without axes': { op: 'Squeeze', opset: 13, inputs: [f32(1, 3, 1, 2)] },
  'Unsqueeze opset 11 axes attribute': { op: 'Unsqueeze', opset: 11, inputs: [f32(3, 2)], attrs: { axes: ints(0, 3) } },
  'Conv 1-D pads, stride, dilation, bias': { op: 'Conv', opset: 11, inputs: [f32(2, 3, 11), f32(4, 3, 3), f32(4)], attrs: { pads: ints(2, 1), strides: ints(2), dilations: ints(2) } },
  'Conv 2-D group 2, SAME_LOWER, stride 2': { op: 'Conv', opset: 11, inputs: [f32(1, 4, 7, 6), f32(6, 2, 3, 2), f32(6)], attrs: { group: int(2), auto_pad: str('SAME_LOWER'), strides: ints(2, 2) } },
  'Conv 2-D depthwise, dilations, asymmetric pads': { op: 'Conv', opset: 11, inputs: [f32(2, 3, 6, 6), f32(3, 1, 2, 3)], attrs: { group: int(3), dilations: ints(2, 1), pads: ints(1, 0, 0, 2) } },
  'Conv 2-D VALID with kernel_shape': { op: 'Conv', opset: 11, inputs: [f32(1, 2, 5, 5), f32(3, 2, 3, 3)], attrs: { auto_pad: str('VALID'), kernel_shape: ints(3, 3), strides: ints(1, 2) } },
  'Conv 3-D': { op: 'Conv', opset: 11, inputs: [f32(1, 2, 4, 4, 4), f32(2, 2, 2, 2, 2), f32(2)], attrs: { pads: ints(1, 0, 1, 0, 1, 0) } },
  'MaxPool ceil_mode with pads and stride': { op: 'MaxPool', opset: 12, inputs: [f32(1, 2, 6, 7)], attrs: { kernel_shape: ints(3, 3), strides: ints(2, 2), pads: ints(1, 1, 1, 1), ceil_mode: int(1) } },
  'MaxPool indices over batch and channels': { op: 'MaxPool', opset: 12, inputs: [f32(2, 3, 5, 4)], attrs: { kernel_shape: ints(2, 2), strides: ints(1, 2) }, out: ['float32', 'int64'] },
  // Not SAME with dilations: onnxruntime sizes that padding from the undilated kernel
  // (its legacy rule); Rampart follows the spec (docs/design/ref-ops.md).
  'MaxPool 1-D SAME_LOWER stride 2': { op: 'MaxPool', opset: 12, inputs: [f32(1, 2, 9)], attrs: { kernel_shape: ints(4), strides: ints(2), auto_pad: str('SAME_LOWER') } },
  'MaxPool 1-D dilations with pads': { op: 'MaxPool', opset: 12, inputs: [f32(1, 2, 9)], attrs: { kernel_shape: ints(3), dilations: ints(2), pads: ints(2, 1) } },
  'AveragePool ceil_mode count_include_pad': { op: 'AveragePool', opset: 11, inputs: [f32(1, 1, 6, 6)], attrs: { kernel_shape: ints(3, 3), strides: ints(2, 2), pads: ints(1, 1, 1, 1), ceil_mode: int(1), count_include_pad: int(1) } },
  'AveragePool ceil_mode without pads counted': { op: 'AveragePool', opset: 11, inputs: [f32(1, 2, 7, 5)], attrs: { kernel_shape: ints(3, 2), strides: ints(2, 2), pads: ints(1, 0, 1, 1), ceil_mode: int(1) } },
  'AveragePool 1-D SAME_LOWER': { op: 'AveragePool', opset: 11, inputs: [f32(2, 2, 7)], attrs: { kernel_shape: ints(4), auto_pad: str('SAME_LOWER'), strides: ints(2) } },
  'GlobalAveragePool 1-D spatial': { op: 'GlobalAveragePool', opset: 11, inputs: [f32(2, 3, 5)] },
  'BatchNormalization opset 9 on [N, C]': { op: 'BatchNormalization', opset: 9, inputs: [f32(4, 3), f32(3), f32(3), f32(3), { init: of('float32', [3], [0.5, 1.5, 2]) }], attrs: { epsilon: flt(1e-3) } },
  'BatchNormalization opset 14 training_mode=0': { op: 'BatchNormalization', opset: 14, inputs: [f32(2, 3, 2, 2), f32(3), f32(3), f32(3), { init: of('float32', [3], [0.5, 1.5, 2]) }], attrs: { training_mode: int(0) } },
  'Gemm transA transB, C [N]': { op: 'Gemm', opset: 13, inputs: [f32(4, 3), f32(5, 4), f32(5)], attrs: { transA: int(1), transB: int(1), alpha: flt(0.5), beta: flt(2) } },
  'Gemm C [M, 1]': { op: 'Gemm', opset: 13, inputs: [f32(3, 4), f32(4, 2), f32(3, 1)] },
  'Gemm without C, opset 11': { op: 'Gemm', opset: 11, inputs: [f32(2, 3), f32(3, 4)], attrs: { alpha: flt(-1.5) } },
  'MatMul 1-D x 2-D': { op: 'MatMul', opset: 13, inputs: [f32(4), f32(4, 3)] },
  'MatMul 3-D x 1-D': { op: 'MatMul', opset: 13, inputs: [f32(2, 3, 4), f32(4)] },
  'MatMul broadcast batch [2,1,3,4] x [5,4,2]': { op: 'MatMul', opset: 13, inputs: [f32(2, 1, 3, 4), f32(5, 4, 2)] },
  'Add broadcast [3,1] + [4]': { op: 'Add', opset: 14, inputs: [f32(3, 1), f32(4)] },
  'Sub scalar broadcast': { op: 'Sub', opset: 14, inputs: [f32(2, 3), f32()] },
  'Div int32 truncates toward zero': { op: 'Div', opset: 14, inputs: [of('int32', [2, 3], [-7, 7, -8, 9, -1, 5]), of('int32', [3], [2, -2, 3])] },
  'Div int64 broadcast': { op: 'Div', opset: 14, inputs: [of('int64', [4], [-9, 9, 100, -3]), of('int64', [1], [4])] },
  'Mul int32': { op: 'Mul', opset: 14, inputs: [of('int32', [3], [-3, 40000, 7]), of('int32', [3], [5, 40000, -2])] },
  'LeakyRelu alpha 0.3': { op: 'LeakyRelu', opset: 16, inputs: [f32(3, 4)], attrs: { alpha: flt(0.3) } },
  'HardSigmoid alpha 0.3 beta 0.4': { op: 'HardSigmoid', opset: 6, inputs: [f32(3, 4)], attrs: { alpha: flt(0.3), beta: flt(0.4) } },
  'Sigmoid large magnitudes': { op: 'Sigmoid', opset: 13, inputs: [of('float32', [4], [-800, -20, 20, 800])] },
  'Relu float64': { op: 'Relu', opset: 14, inputs: [of('float64', [4], [-1.5, 0, 2.25, -0])] },
  'Gather axis 1, int32 negative indices': { op: 'Gather', opset: 13, inputs: [f32(3, 4, 2), of('int32', [2, 2], [-1, 0, 2, -3])], attrs: { axis: int(1) } },
  'Gather scalar index drops the axis': { op: 'Gather', opset: 13, inputs: [f32(3, 4), { init: of('int64', [], [-2]) }], attrs: { axis: int(-1) } },
  'Cast float -> int32 truncates': { op: 'Cast', opset: 13, inputs: [of('float32', [6], [-2.7, 2.7, -0.5, 0.5, 1e3, -1e3])], attrs: { to: int(6) }, out: ['int32'] },
  'Cast float -> int8': { op: 'Cast', opset: 13, inputs: [of('float32', [4], [-2.7, 2.7, 127.9, -128.2])], attrs: { to: int(3) }, out: ['int8'] },
  'Cast float -> int64': { op: 'Cast', opset: 13, inputs: [of('float32', [4], [-2.7, 2.7, 3e9, -3e9])], attrs: { to: int(7) }, out: ['int64'] },
  'Cast float -> bool': { op: 'Cast', opset: 13, inputs: [of('float32', [4], [0, -0, 0.1, -3])], attrs: { to: int(9) }, out: ['bool'] },
  'Cast bool -> float': { op: 'Cast', opset: 13, inputs: [of('bool', [3], [1, 0, 1])], attrs: { to: int(1) }, out: ['float32'] },
  'Cast int64 -> float32': { op: 'Cast', opset: 13, inputs: [of('int64', [3], [-5, 16777217, 3])], attrs: { to: int(1) }, out: ['float32'] },
  // Opset 10's mask is checked in kernels.test.ts: onnxruntime fills it with false there.
  'Dropout opset 10': { op: 'Dropout', opset: 10, inputs: [f32(2, 3)], attrs: { ratio: flt(0.3) } },
  'Dropout opset 13 mask': { op: 'Dropout', opset: 13, inputs: [f32(2, 3), { init: of('float32', [], [0.3]) }], out: ['float32', 'bool'] },
  'Concat three int64 on axis -1': { op: 'Concat', opset: 13, inputs: [of('int64', [2, 1], [1, 2]), of('int64', [2, 2], [3, 4, 5, 6]), of('int64', [2, 0], [])], attrs: { axis: int(-1) } },
  'Transpose rank 4 perm': { op: 'Transpose', opset: 13, inputs: [f32(2, 3, 4, 5)], attrs: { perm: ints(2, 0, 3, 1) } },
  'Reshape opset 13 with 0 and -1': { op: 'Reshape', opset: 13, inputs: [f32(2, 3, 4), { init: i64(0, -1, 2) }] },
  'Flatten axis 3 of rank 3': { op: 'Flatten', opset: 13, inputs: [f32(2, 3, 4)], attrs: { axis: int(3) } },
  'Shape opset 13': { op: 'Shape', opset: 13, inputs: [f32(2, 3, 4)], out: ['int64'] },
  'ConstantOfShape int64 value': { op: 'ConstantOfShape', opset: 9, inputs: [i64(2, 3)], attrs: { value: tns(of('int64', [1], [7])) } },
};

for (const [title, c] of Object.entries(cases)) {
  test(`matches onnxruntime: ${title}`, async () => {
    const { model: m, feeds } = model(c);
    const ours = executeModel(m, feeds, referenceKernels, { opset: c.opset });
    const theirs = await runOrt(encodeModel(m), feeds);
    for (const name of m.graph.outputs.map((o) => o.name)) {
      assert.ok(theirs[name] && ours[name], `output ${name} missing`);
      assert.equal(tensorMismatch(ours[name], theirs[name]), null, `output ${name}`);
    }
  });
}
