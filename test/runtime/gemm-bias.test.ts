// Gemm's bias C broadcasts to [M, N] by its dims (ONNX's unidirectional rule), never by
// its element count: with M = N a C of [M,1] is a column, [1,N] a row. Every shape of C,
// against onnxruntime-node, on every backend, for the dense model and its onnx-csr
// compilation (native CSR kernels on js/wasm, the function body on the reference
// backend), for batch 3 (per-row gemv) and 5 (transposed gemm), with alpha/beta 1 and
// not, and in a stream step (stream-ops.ts linearStep) after an LSTM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { onnxCsrTarget } from '../../targets/onnx-csr/index.ts';
import { maxAbsDiff, ortRun, randomFloats } from './helpers.ts';

const f32 = (dims: number[], seed: number): Tensor => ({ dtype: 'float32', dims, data: randomFloats(dims.reduce((a, b) => a * b, 1), seed) });

/** Zeroes 3 of every 4 entries so the weight is stored as CSR (density 1/4 < 2/3). */
function sparse(t: Tensor): Tensor {
  const d = (t.data as Float32Array).map((v, i) => (i % 4 === 1 ? v : 0));
  return { ...t, data: d };
}

function gemmModel(M: number, N: number, K: number, cDims: number[], attrs: Node['attrs']): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', functions: [], metadata: {},
    graph: {
      name: 'gemm', valueInfo: {},
      nodes: [{ name: 'gemm', op: 'Gemm', domain: '', inputs: ['a', 'w', 'c'], outputs: ['y'], attrs: { transB: { type: 'int', value: 1 }, ...attrs } }],
      initializers: { w: sparse(f32([N, K], 2)), c: f32(cDims, 3) },
      inputs: [{ name: 'a', dtype: 'float32', shape: [M, K] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [M, N] }],
    },
  };
}

const BACKENDS = ['reference', 'js', 'wasm'] as const;

for (const M of [3, 5]) {
  const N = M, K = 8;
  for (const cDims of [[N], [1, N], [M, 1], [M, N], [1]]) {
    for (const [label, attrs] of [['alpha 1, beta 1', {}], ['alpha 0.5, beta 2', { alpha: { type: 'float', value: 0.5 }, beta: { type: 'float', value: 2 } }]] as const) {
      test(`Gemm M = N = ${M}, C [${cDims}], ${label}: dense and onnx-csr match onnxruntime on every backend`, async () => {
        const model = gemmModel(M, N, K, cDims, attrs as Node['attrs']);
        const feeds = { a: f32([M, K], 1) };
        const want = (await ortRun(encodeModel(model), feeds)).y;
        const csr = onnxCsrTarget.compile(model, {});
        assert.equal(csr.layers[0].action, 'csr');
        assert.deepEqual((await ortRun(csr.bytes, feeds)).y, want, 'onnxruntime runs the CSR body with the dense outputs');
        for (const backend of BACKENDS) {
          for (const [form, s] of [['dense', await InferenceSession.fromModel(model, { backend })], ['csr', await InferenceSession.create(csr.bytes, { backend })]] as const) {
            const got = (await s.run(feeds)).y;
            assert.deepEqual(got.dims, [M, N]);
            assert.ok(maxAbsDiff(got.data as Float32Array, want) <= 1e-5, `${backend} ${form}: ${maxAbsDiff(got.data as Float32Array, want)}`);
          }
        }
      });
    }
  }
}

test('a C that does not broadcast to [M, N] is refused naming the node, dense and CSR', async () => {
  const model = gemmModel(3, 3, 8, [2, 3], {});
  const csr = onnxCsrTarget.compile(model, {});
  for (const backend of ['js', 'wasm'] as const) {
    for (const s of [await InferenceSession.fromModel(model, { backend }), await InferenceSession.create(csr.bytes, { backend })]) {
      await assert.rejects(s.run({ a: f32([3, 8], 1) }), (e: Error) => /node 'gemm'/.test(e.message) && /C has shape \[2,3\]/.test(e.message));
    }
  }
});

test('a streamed Gemm after an LSTM adds a [B,1] bias as a column (B = N)', async () => {
  const B = 3, H = 4, I = 2, T = 4;
  const node = (name: string, op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name, op, domain: '', inputs, outputs, attrs });
  const model: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', functions: [], metadata: {},
    graph: {
      name: 'lstm-gemm', valueInfo: {},
      nodes: [
        node('lstm', 'LSTM', ['x', 'W', 'R'], ['', 'yh'], { hidden_size: { type: 'int', value: H } }),
        node('sq', 'Squeeze', ['yh', 'axes'], ['h']),
        node('fc', 'Gemm', ['h', 'w', 'c'], ['y'], { transB: { type: 'int', value: 1 } }),
      ],
      initializers: {
        W: f32([1, 4 * H, I], 4), R: f32([1, 4 * H, H], 5), w: f32([B, H], 6), c: f32([B, 1], 7),
        axes: { dtype: 'int64', dims: [1], data: Float64Array.from([0]) },
      },
      inputs: [{ name: 'x', dtype: 'float32', shape: [null, B, I] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [B, B] }],
    },
  };
  const x = f32([T, B, I], 8);
  const want = (await ortRun(encodeModel(model), { x })).y;
  for (const backend of ['js', 'wasm'] as const) {
    const st = (await InferenceSession.fromModel(model, { backend })).createStream();
    let y: Float32Array = new Float32Array();
    for (let t = 0; t < T; t++) {
      const step: Tensor = { dtype: 'float32', dims: [1, B, I], data: (x.data as Float32Array).slice(t * B * I, (t + 1) * B * I) };
      y = st.step({ x: step }).y.data as Float32Array;
    }
    assert.ok(maxAbsDiff(y, want) <= 1e-5, `${backend}: ${maxAbsDiff(y, want)}`);
  }
});
