// Fine-tuning: masks hold (pruned weights exactly +0 after every step), the input
// model is untouched, weights written back give onnxruntime the accuracy tfjs
// reports, the backend is chosen from the kernels each model needs, and the
// lowering's gradients agree with finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../runtime/ir.ts';
import { loadDataset, toModelInput } from '../../src/data/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { buildModel } from '../../src/train/build.ts';
import { evaluate, finetune, logitsName, masksFromZeros, pickBackend, type Masks } from '../../src/train/index.ts';
import { lowerToTfjs } from '../../src/train/lower.ts';
import { matmul2d } from '../../src/train/matmul.ts';
import { conv2d, type Pads } from '../../src/train/conv2d.ts';
import { ortEvaluate } from '../../src/train/ort.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { useBackend } from '../../src/train/backend.ts';
import { modelPath } from '../../src/train/zoo.ts';
import { tf } from '../../src/train/tf.ts';
import { maxAbsDiff, ortRun, tfjsRun } from './helpers.ts';

const mnist = loadDataset('mnist', 'train', { limit: 96 });
const fashion = loadDataset('fashion-mnist', 'train', { limit: 32 });

function randomMasks(model: Model, names: string[], keep: number, seed: number): Masks {
  const r = mulberry32(seed);
  const out: Masks = {};
  for (const n of names) out[n] = Uint8Array.from({ length: model.graph.initializers[n].data.length }, () => (r() < keep ? 1 : 0));
  return out;
}

function checkMasked(before: Model, after: Model, masks: Masks): void {
  for (const [name, m] of Object.entries(masks)) {
    const w0 = before.graph.initializers[name].data as Float32Array;
    const w = after.graph.initializers[name].data as Float32Array;
    let moved = 0, kept = 0;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === 0) assert.ok(Object.is(w[i], 0), `${name}[${i}] = ${w[i]}, pruned weights must be exactly +0`);
      else {
        kept++;
        if (w[i] !== w0[i]) moved++;
      }
    }
    // Not all: weights reading always-black border pixels or dead ReLUs get no gradient.
    assert.ok(moved > 0.5 * kept, `${name}: only ${moved}/${kept} kept weights moved — training did not happen`);
  }
}

test('LSTM: masked weights stay exactly zero through 3 Adam steps; the input model is untouched', async () => {
  const model = buildModel({ kind: 'lstm', hidden: 16 }, 5);
  const snapshot = structuredClone(model);
  const masks = randomMasks(model, ['lstm.W', 'lstm.R', 'fc.weight'], 0.5, 7);
  const tensorsBefore = tf.memory().numTensors;
  const r = await finetune(model, mnist, { epochs: 1, batchSize: 32, lr: 1e-2, masks, seed: 1 });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'finetune releases every tensor it made');
  assert.equal(r.steps, 3);
  assert.equal(r.backend.backend, 'wasm');
  checkMasked(model, r.model, masks);
  assert.deepEqual(model, snapshot, 'finetune must not mutate its input');
  // Unmasked parameters train too.
  assert.ok(maxAbsDiff(r.model.graph.initializers['lstm.B'].data as Float32Array, model.graph.initializers['lstm.B'].data as Float32Array) > 0);
  // masksFromZeros of the result reproduces the pruning pattern (nothing else became 0).
  const again = masksFromZeros(r.model, Object.keys(masks));
  for (const n of Object.keys(masks)) assert.deepEqual(Array.from(again[n]), Array.from(masks[n]));
});

test('CNN: masks hold on both backends (wasm chosen; cpu forced)', async () => {
  const model = buildModel({ kind: 'cnn', channels: [4, 8], dense: 16 }, 6);
  const masks = randomMasks(model, ['conv2.weight', 'fc1.weight'], 0.3, 8);
  const r = await finetune(model, fashion, { epochs: 1, batchSize: 16, lr: 1e-2, masks, seed: 2 });
  assert.equal(r.backend.backend, 'wasm');
  checkMasked(model, r.model, masks);
  const c = await finetune(model, fashion, { epochs: 1, batchSize: 16, lr: 1e-2, masks, seed: 2, maxSteps: 1, backend: 'cpu' });
  assert.equal(c.steps, 1);
  for (const [n, m] of Object.entries(masks)) {
    const w = c.model.graph.initializers[n].data as Float32Array;
    for (let i = 0; i < m.length; i++) assert.ok(m[i] !== 0 || Object.is(w[i], 0), `${n}[${i}] pruned but ${w[i]} on cpu`);
  }
});

test('backend choice: wasm when it has every kernel the model needs, else cpu, with the reason', () => {
  const cnn = buildModel({ kind: 'cnn', channels: [4, 8], dense: 16 }, 1);
  for (const kind of ['lstm', 'gru', 'rnn'] as const) assert.equal(pickBackend(buildModel({ kind, hidden: 8 }, 1), 'train').backend, 'wasm');
  assert.equal(pickBackend(cnn, 'train').backend, 'wasm');
  // tfjs's stock conv gradient needs Conv2DBackpropFilter, which wasm lacks: cpu is picked.
  const stock = { Conv: { forward: ['Conv2D'], backward: ['Conv2DBackpropInput', 'Conv2DBackpropFilter'] } };
  const c = pickBackend(cnn, 'train', stock);
  assert.equal(c.backend, 'cpu');
  assert.match(c.reason, /wasm lacks Conv2DBackpropFilter/);
  assert.equal(pickBackend(cnn, 'infer', stock).backend, 'wasm', 'inference needs no gradient kernel');
});

test('fine-tuned weights written back give onnxruntime the accuracy tfjs reports (zoo lstm, 50% pruned)', async () => {
  const model = loadModel(modelPath('lstm'));
  const masks: Masks = {};
  for (const n of ['lstm.W', 'lstm.R']) {
    const d = model.graph.initializers[n].data as Float32Array;
    const sorted = Float32Array.from(d, Math.abs).sort();
    const cut = sorted[Math.floor(d.length / 2)];
    masks[n] = Uint8Array.from(d, (x) => (Math.abs(x) >= cut ? 1 : 0));
  }
  const r = await finetune(model, mnist, { epochs: 1, batchSize: 48, lr: 1e-3, masks, seed: 3 });
  const test200 = loadDataset('mnist', 'test', { limit: 200 });
  const tfjs = await evaluate(r.model, test200);
  const ort = await ortEvaluate(r.model, test200);
  assert.equal(tfjs.n, 200);
  assert.equal(tfjs.accuracy, ort.accuracy, `tfjs ${tfjs.accuracy} vs onnxruntime ${ort.accuracy}`);
  assert.ok(ort.accuracy > 0.5, `a 50%-pruned zoo LSTM after 2 steps still classifies (${ort.accuracy})`);
  const feeds = { input: toModelInput(loadDataset('mnist', 'test', { limit: 20 }), model.graph.inputs[0].shape) };
  assert.ok(maxAbsDiff(tfjsRun(r.model, feeds).logits, (await ortRun(r.model, feeds)).logits) < 1e-4);
});

test('matmul2d gradient equals tfjs\'s own MatMul gradient', async () => {
  await useBackend('wasm');
  const a = tf.randomNormal([5, 7], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal([7, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
  const w = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
  const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => matmul2d(x as tf.Tensor2D, y as tf.Tensor2D).mul(w).sum())([a, b]);
  const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D).mul(w).sum())([a, b]);
  for (let k = 0; k < 2; k++) assert.ok(maxAbsDiff(ours[k].dataSync(), theirs[k].dataSync()) < 1e-5);
  tf.dispose([a, b, w, ...ours, ...theirs]);
});

test('conv2d gradients (im2col filter gradient) equal tfjs\'s stock Conv2D gradients on the cpu backend', async () => {
  await useBackend('cpu');
  const geoms = [
    { strides: [1, 1], pads: [[0, 0], [1, 1], [1, 1], [0, 0]] },
    { strides: [2, 2], pads: [[0, 0], [0, 2], [1, 0], [0, 0]] },
    { strides: [2, 1], pads: [[0, 0], [0, 0], [0, 0], [0, 0]] },
  ] as const;
  for (const g of geoms) {
    const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const f = tf.randomNormal([3, 2, 3, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
    const geom = { strides: [g.strides[0], g.strides[1]] as [number, number], dilations: [1, 1] as [number, number], pads: g.pads as unknown as Pads, node: 't' };
    const y0 = conv2d(x, f, geom);
    const w = tf.randomNormal(y0.shape, 0, 1, 'float32', 7);
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D, geom).mul(w).sum())([x, f]);
    const stock = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, geom.strides, geom.pads, 'NHWC').mul(w).sum())([x, f]);
    for (let k = 0; k < 2; k++) assert.ok(maxAbsDiff(ours[k].dataSync(), stock[k].dataSync()) < 1e-4, `strides ${g.strides}: gradient ${k} differs`);
    tf.dispose([x, f, y0, w, ...ours, ...stock]);
  }
});

const EXTRA_CNN = new URL('../fixtures/extra/cnn_stride2.onnx', import.meta.url).pathname;

for (const kind of ['lstm', 'gru', 'rnn', 'cnn', 'cnn_stride2'] as const) {
  test(`${kind}: loss gradients match central finite differences`, async () => {
    // cnn_stride2: a PyTorch export with a grouped stride-2 Conv and a Pad before the AveragePool.
    const model = kind === 'cnn_stride2' ? loadModel(EXTRA_CNN)
      : kind === 'cnn' ? buildModel({ kind, channels: [2, 3], dense: 4 }, 9) : buildModel({ kind, hidden: 5, steps: 4, features: 196 }, 9);
    await useBackend('wasm');
    const ds = loadDataset('mnist', 'train', { limit: 4 });
    const x = toModelInput(ds, model.graph.inputs[0].shape);
    const y = tf.oneHot(tf.tensor1d(Int32Array.from(ds.labels), 'int32'), 10);
    const low = lowerToTfjs(model);
    try {
      const z = logitsName(model);
      const loss = () => tf.losses.softmaxCrossEntropy(y, low.forward({ input: x }, { outputs: [z] })[z]) as tf.Scalar;
      const names = kind === 'cnn_stride2' ? ['c1.weight', 'c2.weight'] : kind === 'cnn' ? ['conv1.weight', 'fc1.weight'] : [`${kind}.W`, `${kind}.R`, `${kind}.B`];
      const { grads } = tf.variableGrads(loss, names.map((n) => low.variables[n]));
      const r = mulberry32(4);
      for (const n of names) {
        const v = low.variables[n];
        const g = grads[v.name].dataSync();
        const w = v.dataSync().slice() as Float32Array;
        // Most entries of a big W carry ~1e-4 (pixels that are always black, saturated
        // units): random picks under a fixed tolerance would pass a zero gradient. So: the
        // two entries autodiff calls steepest plus two random ones, a tolerance scaled to
        // the weight's largest gradient (ReLU / MaxPool kinks move a difference quotient
        // by a few % of it), and a check that the steep entries are real.
        const steep = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, 2);
        const scale = Math.abs(g[steep[0]]);
        let maxFd = 0;
        for (const i of [...steep, Math.floor(r() * w.length), Math.floor(r() * w.length)]) {
          const h = 1e-2;
          const at = (delta: number) => {
            const w2 = w.slice();
            w2[i] += delta;
            tf.tidy(() => v.assign(tf.tensor(w2, v.shape)));
            return tf.tidy(() => loss().dataSync()[0]);
          };
          const fd = (at(h) - at(-h)) / (2 * h);
          tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
          maxFd = Math.max(maxFd, Math.abs(fd));
          assert.ok(Math.abs(fd - g[i]) <= 0.05 * (scale + Math.abs(fd)), `${kind} ${n}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`);
        }
        assert.ok(maxFd > 1e-3, `${kind} ${n}: the sampled entries carry no gradient (max |fd| ${maxFd})`);
      }
      tf.dispose(Object.values(grads));
    } finally {
      low.dispose();
      y.dispose();
    }
  });
}
