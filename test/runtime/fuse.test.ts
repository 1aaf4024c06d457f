// Producer -> Relu [-> MaxPool] fusion (runtime/kernels/fuse.ts): every fused shape
// against onnxruntime-node, on both fused backends, plus the cases that must not fuse
// (a second consumer, a graph output in the middle, an Indices output, a fetch of a
// removed intermediate). Poisoning the WASM heap first makes a conv epilogue that
// reads uninitialised scratch show up as NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { maxAbsDiff, ortRun, randomFloats } from './helpers.ts';

const f32 = (dims: number[], data: Float32Array): Tensor => ({ dtype: 'float32', dims, data });
const ints = (value: number[]) => ({ type: 'ints' as const, value });
const node = (name: string, op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node =>
  ({ name, op, domain: '', inputs, outputs, attrs });

function model(nodes: Node[], outputs: string[], inits: Record<string, Tensor>, x: number[]): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '0', functions: [], metadata: {},
    graph: {
      name: 'fuse', nodes, initializers: inits, valueInfo: {},
      inputs: [{ name: 'X', dtype: 'float32', shape: x }],
      outputs: outputs.map((name) => ({ name, dtype: 'float32', shape: null })),
    },
  };
}

// Two convs with padding / stride / groups, pools with padding and ceil_mode, a Gemm -> Relu.
const convInits = {
  w1: f32([6, 2, 3, 3], randomFloats(108, 1)), b1: f32([6], randomFloats(6, 2)),
  w2: f32([4, 3, 3, 3], randomFloats(108, 3)), b2: f32([4], randomFloats(4, 4)),
  w3: f32([5, 48], randomFloats(240, 5)), b3: f32([5], randomFloats(5, 6)),
};
const chain = model([
  node('conv1', 'Conv', ['X', 'w1', 'b1'], ['c1'], { pads: ints([1, 1, 1, 1]) }),
  node('relu1', 'Relu', ['c1'], ['r1']),
  node('pool1', 'MaxPool', ['r1'], ['p1'], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }),
  node('conv2', 'Conv', ['p1', 'w2', 'b2'], ['c2'], { group: { type: 'int', value: 2 }, pads: ints([0, 1, 0, 1]) }),
  node('relu2', 'Relu', ['c2'], ['r2']),
  node('pool2', 'MaxPool', ['r2'], ['p2'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: { type: 'int', value: 1 } }),
  node('flat', 'Flatten', ['p2'], ['f']),
  node('fc', 'Gemm', ['f', 'w3', 'b3'], ['g'], { transB: { type: 'int', value: 1 } }),
  node('relu3', 'Relu', ['g'], ['Y']),
], ['Y'], convInits, [2, 2, 11, 21]);
// conv1 6x11x21 -> pool1 6x6x11 -> conv2 (2 groups of 3 channels) 4x4x11 -> pool2 (ceil) 4x2x6 -> fc over 48;
// pool2 runs the 2x2 SIMD path (4 outputs), the unchecked scalar one and a checked border output.

/** Checks both fused backends against onnxruntime; returns the values the wasm session's fusion removed. */
async function check(m: Model, x: Float32Array, fetches?: string[]): Promise<string[]> {
  let removed: string[] = [];
  const xt = f32(m.graph.inputs[0].shape as number[], x);
  const want = await ortRun(encodeModel(fetches ? { ...m, graph: { ...m.graph, outputs: fetches.map((name) => ({ name, dtype: 'float32', shape: null })) } } : m), { X: xt });
  for (const backend of ['wasm', 'js'] as const) {
    const s = await InferenceSession.fromModel(m, { backend });
    removed = [...((s as unknown as { fused: { removed: Set<string> } | null }).fused?.removed ?? [])].sort();
    s.runSync({ X: xt }, fetches);
    if (backend === 'wasm') {
      const la = (s as unknown as { backend: { env: { linalg: { buf: ArrayBuffer; top: number } } } }).backend.env.linalg;
      new Float32Array(la.buf, la.top).fill(NaN);
    }
    const got = s.runSync({ X: xt }, fetches);
    for (const [k, v] of Object.entries(want)) {
      assert.ok(got[k], `${backend}: output ${k}`);
      assert.ok(maxAbsDiff(got[k].data as Float32Array, v) < 1e-4, `${backend}: ${k} differs by ${maxAbsDiff(got[k].data as Float32Array, v)}`);
    }
  }
  return removed;
}


// Some inputs negative enough that Relu matters everywhere.
const x = randomFloats(2 * 2 * 11 * 21, 9).map((v) => v * 2 - 0.5);

test('Conv -> Relu -> MaxPool and Gemm -> Relu fuse and match onnxruntime (padding, stride, group, ceil_mode, batch 2)', async () => {
  assert.deepEqual(await check(chain, x), ['c1', 'c2', 'g', 'r1', 'r2']);
});

test('a fetch of a value the fusion removed runs the original graph', async () => {
  await check(chain, x, ['c1', 'r2', 'Y']);
});

test('a second consumer or a graph output in the middle blocks the fusion there', async () => {
  const m = structuredClone(chain);
  m.graph.outputs.push({ name: 'r1', dtype: 'float32', shape: null });
  m.graph.nodes.push(node('side', 'Sigmoid', ['c2'], ['side']));
  m.graph.outputs.push({ name: 'side', dtype: 'float32', shape: null });
  // conv1 -> relu1 still fuses (pool1 does not: r1 is an output); conv2 does not fuse at all.
  assert.deepEqual(await check(m, x), ['c1', 'g']);
});

test('a MaxPool with an Indices output is not fused (Conv -> Relu still is)', async () => {
  const m = structuredClone(chain);
  const pool = m.graph.nodes.find((n) => n.name === 'pool1')!;
  pool.outputs = ['p1', 'idx'];
  assert.deepEqual(await check(m, x), ['c1', 'c2', 'g', 'r2']);
});
