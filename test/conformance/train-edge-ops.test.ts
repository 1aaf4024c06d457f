// The tfjs lowering of the edge-export ops (src/train/ops/edge.ts, resize.ts): on the
// PyTorch edge_ops fixture (Resize nearest / bilinear / align_corners, LayerNorm, Erf,
// HardSwish, HardSigmoid, Where, ReduceMean) and the batch-1 GRU (Expand), the gradient
// of a loss with respect to every weight, on both tfjs backends, against central
// differences of the reference interpreter. (The forward pass is checked against
// onnxruntime and PyTorch by test/train/lower.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { executeModel } from '../../runtime/executor.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { readNpy } from '../../src/io/npy.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { useBackend } from '../../src/train/backend.ts';
import { lowerToTfjs } from '../../src/train/lower.ts';
import { tf } from '../../src/train/tf.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'extra');
/** Central differences with step 1e-2 through LayerNorm, GELU and HardSwish's knees: O(h²) ≈ 1e-3. */
const REL = 5e-3;

for (const name of ['edge_ops', 'gru_batch1']) {
  test(`tfjs gradients of ${name} match central differences of the reference, on wasm and cpu`, async () => {
    const m = loadModel(join(DIR, `${name}.onnx`));
    const x = readNpy(join(DIR, `${name}.input.npy`));
    const weights = Object.keys(m.graph.initializers).filter((k) => m.graph.initializers[k].dtype === 'float32' && m.graph.initializers[k].data.length > 4);
    const loss = () => {
      const y = executeModel(m, { input: x }, referenceKernels, { opset: onnxOpset(m) }).output.data as Float32Array;
      return y.reduce((s, v) => s + v * v, 0);
    };
    const numeric = new Map<string, number[]>();
    for (const k of weights) {
      const w = m.graph.initializers[k].data as Float32Array;
      numeric.set(k, [0, 1, 2].map((i) => {
        const o = w[i], h = 1e-2;
        w[i] = o + h; const up = loss();
        w[i] = o - h; const down = loss();
        w[i] = o;
        return (up - down) / (2 * h);
      }));
    }
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      const low = lowerToTfjs(m);
      try {
        const { value, grads } = tf.variableGrads(() => (low.forward({ input: x }).output as tf.Tensor).square().sum() as tf.Scalar);
        assert.ok(Math.abs(value.dataSync()[0] - loss()) <= 1e-4 * loss(), `${backend}: loss`);
        for (const k of weights) {
          const g = grads[low.variables[k].name].dataSync();
          numeric.get(k)!.forEach((want, i) => {
            assert.ok(Math.abs(g[i] - want) <= REL * Math.max(1, Math.abs(want)), `${backend} d/d${k}[${i}] = ${g[i]}, central difference ${want}`);
          });
        }
      } finally {
        low.dispose();
      }
    }
  });
}
