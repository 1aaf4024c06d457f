// Non-recurrent lowerings against onnxruntime-node: convolution and pooling
// geometry (strides, asymmetric pads, dilation, groups, ceil_mode, count_include_pad,
// 1-D), Pad and Clip, BatchNorm, softmax axes across opsets, and the shape ops PyTorch heads use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { f32, i64 } from '../../runtime/tensor.ts';
import { useBackend } from '../../src/train/backend.ts';
import { lowerToTfjs } from '../../src/train/lower.ts';
import { tf } from '../../src/train/tf.ts';
import { float, graphModel, int, ints, maxAbsDiff, node, ortRun, randomTensor, tfjsRun } from './helpers.ts';

interface Case { label: string; x: number[]; nodes: Node[]; init?: Record<string, Tensor>; opset?: number }

const W = (dims: number[], seed: number) => randomTensor(dims, seed, 0.5);

const CASES: Case[] = [
  { label: 'Conv stride 2, asymmetric pads', x: [2, 3, 9, 8],
    nodes: [node('Conv', ['x', 'w', 'b'], ['y'], { kernel_shape: ints([3, 2]), strides: ints([2, 2]), pads: ints([1, 0, 2, 1]) })],
    init: { w: W([4, 3, 3, 2], 1), b: W([4], 2) } },
  { label: 'Conv dilation 2 (no bias)', x: [1, 2, 7, 7],
    nodes: [node('Conv', ['x', 'w'], ['y'], { dilations: ints([2, 2]), pads: ints([2, 1, 2, 1]) })],
    init: { w: W([3, 2, 3, 3], 3) } },
  { label: 'Conv SAME_LOWER stride 2', x: [1, 2, 8, 7],
    nodes: [node('Conv', ['x', 'w'], ['y'], { strides: ints([2, 2]), auto_pad: { type: 'string', value: 'SAME_LOWER' } })],
    init: { w: W([3, 2, 3, 3], 3) } },
  { label: 'Conv 1-D', x: [2, 3, 10], nodes: [node('Conv', ['x', 'w', 'b'], ['y'], { pads: ints([1, 1]) })],
    init: { w: W([5, 3, 3], 4), b: W([5], 5) } },
  { label: 'Conv group 2, stride 2', x: [2, 4, 7, 6],
    nodes: [node('Conv', ['x', 'w', 'b'], ['y'], { group: int(2), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) })],
    init: { w: W([6, 2, 3, 3], 14), b: W([6], 15) } },
  { label: 'Conv depthwise 1-D', x: [2, 3, 10], nodes: [node('Conv', ['x', 'w'], ['y'], { group: int(3) })],
    init: { w: W([3, 1, 3], 16) } },
  { label: 'Pad constant_value + negative pads; Clip (opset 13)', x: [2, 3, 5], opset: 13,
    nodes: [node('Pad', ['x', 'p', 'v'], ['pd']), node('Clip', ['pd', 'lo', 'hi'], ['y'])],
    init: { p: i64([6], [0, 1, -1, 0, -2, 2]), v: f32([], [0.25]), lo: f32([], [-0.3]), hi: f32([], [0.6]) } },
  { label: 'Pad pads attribute, value (opset 10); Clip attributes', x: [1, 2, 3, 3], opset: 10,
    nodes: [node('Pad', ['x'], ['pd'], { pads: ints([0, 0, 1, 2, 0, 0, 2, 0]), value: float(-1) }), node('Clip', ['pd'], ['y'], { min: float(-0.5) })] },
  { label: 'MaxPool ceil_mode + pads', x: [2, 3, 9, 9],
    nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 0, 0]), ceil_mode: int(1) })] },
  { label: 'AveragePool count_include_pad=0, ceil_mode', x: [1, 2, 8, 7],
    nodes: [node('AveragePool', ['x'], ['y'], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) })] },
  { label: 'AveragePool count_include_pad=1', x: [1, 2, 8, 7],
    nodes: [node('AveragePool', ['x'], ['y'], { kernel_shape: ints([3, 2]), strides: ints([2, 1]), pads: ints([1, 0, 1, 1]), count_include_pad: int(1) })] },
  { label: 'GlobalAveragePool + BatchNorm + LeakyRelu', x: [2, 3, 5, 5],
    nodes: [
      node('BatchNormalization', ['x', 's', 'bb', 'm', 'v'], ['bn'], { epsilon: float(1e-3) }),
      node('LeakyRelu', ['bn'], ['lr'], { alpha: float(0.2) }),
      node('GlobalAveragePool', ['lr'], ['y']),
    ],
    init: { s: W([3], 6), bb: W([3], 7), m: W([3], 8), v: f32([3], [0.5, 1.5, 2]) } },
  { label: 'Softmax axis 1 of a 3-D input (opset 13)', x: [2, 4, 3], opset: 13,
    nodes: [node('Softmax', ['x'], ['y'], { axis: int(1) })] },
  { label: 'LogSoftmax axis 1 coerced to 2-D (opset 11)', x: [2, 4, 3], opset: 11,
    nodes: [node('LogSoftmax', ['x'], ['y'], { axis: int(1) })] },
  { label: 'MatMul 3-D x 2-D + Add, Sigmoid, Tanh', x: [2, 3, 4],
    nodes: [node('MatMul', ['x', 'w'], ['mm']), node('Add', ['mm', 'b'], ['a']), node('Sigmoid', ['a'], ['s']), node('Tanh', ['s'], ['y'])],
    init: { w: W([4, 5], 9), b: W([5], 10) } },
  { label: 'Gemm transA, alpha, beta', x: [4, 3],
    nodes: [node('Gemm', ['x', 'w', 'c'], ['y'], { transA: int(1), alpha: float(0.5), beta: float(2) })],
    init: { w: W([4, 6], 11), c: W([1, 6], 12) } },
  { label: 'Gather vector indices, Slice negative step, Flatten, Unsqueeze, Concat', x: [3, 4, 5],
    nodes: [
      node('Gather', ['x', 'idx'], ['g'], { axis: int(1) }),
      node('Slice', ['g', 'st', 'en', 'ax', 'sp'], ['sl']),
      node('Flatten', ['sl'], ['fl'], { axis: int(2) }),
      node('Unsqueeze', ['fl', 'ua'], ['un']),
      node('Concat', ['un', 'un'], ['y'], { axis: int(0) }),
    ],
    init: { idx: i64([3], [3, -4, 1]), st: i64([1], [-1]), en: i64([1], [-100]), ax: i64([1], [2]), sp: i64([1], [-2]), ua: i64([1], [0]) } },
  { label: 'Slice negative step from a start before the axis (clamped to 0)', x: [2, 5],
    nodes: [node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['y'])],
    init: { st: i64([1], [-100]), en: i64([1], [-200]), ax: i64([1], [1]), sp: i64([1], [-1]) } },
  { label: 'Transpose, Reshape with 0 and -1, Squeeze, Relu', x: [2, 1, 3, 4],
    nodes: [
      node('Transpose', ['x'], ['t'], { perm: ints([0, 2, 1, 3]) }),
      node('Reshape', ['t', 'shape'], ['r']),
      node('Squeeze', ['r', 'sa'], ['s']),
      node('Relu', ['s'], ['y']),
    ],
    init: { shape: i64([4], [0, 0, -1, 1]), sa: i64([1], [3]) } },
];

for (const backend of ['wasm', 'cpu'] as const) {
  test(`op lowerings on tfjs-${backend} equal onnxruntime within 1e-5`, async () => {
    await useBackend(backend);
    let seed = 100;
    for (const c of CASES) {
      const model = graphModel([{ name: 'x', shape: c.x }], ['y'], c.nodes, c.init ?? {}, c.opset);
      const feeds = { x: randomTensor(c.x, seed++) };
      const got = tfjsRun(model, feeds).y;
      const ref = (await ortRun(model, feeds)).y;
      const d = maxAbsDiff(got, ref);
      assert.ok(d < 1e-5, `${c.label}: differs by ${d} (${got.length} vs ${ref.length} values)`);
    }
  });
}

test('Pad in reflect or edge mode is refused with the node and mode named', async () => {
  for (const mode of ['reflect', 'edge']) {
    const m = graphModel([{ name: 'x', shape: [1, 2, 4] }], ['y'],
      [node('Pad', ['x', 'p'], ['y'], { mode: { type: 'string', value: mode } }, 'pad_m')], { p: i64([6], [0, 0, 1, 0, 0, 1]) });
    const low = lowerToTfjs(m);
    try {
      assert.throws(() => tf.tidy(() => low.forward({ x: randomTensor([1, 2, 4], 1) })),
        (e: unknown) => e instanceof RampartError && new RegExp(`mode '${mode}'`).test(e.message) && /pad_m/.test(e.message));
    } finally {
      low.dispose();
    }
  }
});

test('an op without a lowering is refused at lowering time, naming it', () => {
  const m = graphModel([{ name: 'x', shape: [2] }], ['y'], [node('Sqrt', ['x'], ['y'], {}, 'sqrt0')], {});
  assert.throws(() => lowerToTfjs(m), (e: unknown) => e instanceof RampartError && /Sqrt/.test(e.message) && /sqrt0/.test(e.message));
});

test('BatchNorm statistics are variables but not trainable; weights are', () => {
  const c = CASES.find((x) => x.label.startsWith('GlobalAveragePool'))!;
  const low = lowerToTfjs(graphModel([{ name: 'x', shape: c.x }], ['y'], c.nodes, c.init!));
  try {
    assert.deepEqual(Object.keys(low.variables).sort(), ['bb', 'm', 's', 'v']);
    assert.deepEqual(low.trainable.sort(), ['bb', 's']);
  } finally {
    low.dispose();
  }
});
