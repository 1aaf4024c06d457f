// Dataset folders (src/data/folder.ts, fit.ts, sample.ts): folders built here from
// real MNIST digits, read back and scored. The oracle is onnxruntime-node run in this
// file on tensors assembled here from the very numbers written to the .npy files, so
// the loader, the scaling, the sample layout and the batching under test share no
// code with it. Bad folders: each refusal names the file and what was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../runtime/ir.ts';
import { checkDatasetFits, loadDataset } from '../../src/data/index.ts';
import { evaluateAccuracy } from '../../src/eval/accuracy.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { assertCleanError, cli, FIXTURES, int, ints, model, node, ROOT, save, tmp } from '../cli/helpers.ts';
import { digitBytes, int64, ortAccuracy, pooledDigits, writeFolder } from './folders.ts';

const dir = tmp('rampart-folder-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const LSTM = join(ROOT, 'models/lstm/model.onnx');
const TIME_MAJOR = join(FIXTURES, 'extra/lstm_time_major.onnx');
/** A PyTorch export taking [N,1,8,8]: a non-784 input. */
const SMALL = join(FIXTURES, 'extra/edge_ops.onnx');

/** 120 digits as the bytes they were (the loader's pixels are k/255). */
const { bytes, labels } = digitBytes(120);

const folder = (name: string, files: Record<string, Tensor | string>) => writeFolder(dir, name, files);

// Digits 0..79 train, 80..119 test, as uint8 [N,28,28] (scaled by 1/255 by default).
const mnistFolder = folder('mnist-u8', {
  'x_train.npy': { dtype: 'uint8', dims: [80, 28, 28], data: bytes.slice(0, 80 * 784) },
  'y_train.npy': int64(labels.subarray(0, 80)),
  'x_test.npy': { dtype: 'uint8', dims: [40, 28, 28], data: bytes.slice(80 * 784) },
  'y_test.npy': int64(labels.subarray(80)),
});

test('a uint8 folder of real digits: the zoo LSTM scores what onnxruntime scores, on every runtime', async () => {
  const expected = await ortAccuracy(LSTM, Float32Array.from(bytes.subarray(80 * 784), (b) => b / 255), [40, 28, 28], labels.subarray(80));
  assert.ok(expected > 0.8, `the zoo LSTM reads these digits (${expected})`);
  const ds = loadDataset(mnistFolder, 'test');
  assert.equal(ds.n, 40);
  checkDatasetFits(loadModel(LSTM), ds, LSTM);
  for (const runtime of ['ort', 'wasm'] as const) {
    const r = await evaluateAccuracy(LSTM, mnistFolder, { runtime, batchSize: 16 });
    assert.equal(r.accuracy, expected, runtime);
  }
  const cliRun = await cli(['eval', LSTM, '--data', mnistFolder, '--runtime', 'ort']);
  assert.equal(cliRun.code, 0, cliRun.stderr);
  assert.match(cliRun.stdout, new RegExp(`accuracy: ${expected.toFixed(4)} \\(${Math.round(expected * 40)}/40`));
});

test('meta.json: scale and offset apply, batchAxis reads samples stored [T,N,F], classes bound the labels', async () => {
  // float32 pixels in [0,255], scaled by meta.json; stored time-major [28, N, 28].
  const n = 40;
  const tm = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) for (let t = 0; t < 28; t++) for (let f = 0; f < 28; f++) tm[(t * n + i) * 28 + f] = bytes[(80 + i) * 784 + t * 28 + f];
  const scale = 2 / 255, offset = -1;
  const d = folder('time-major', {
    'x_train.npy': { dtype: 'float32', dims: [28, n, 28], data: tm }, 'y_train.npy': int64(labels.subarray(80)),
    'x_test.npy': { dtype: 'float32', dims: [28, n, 28], data: tm }, 'y_test.npy': int64(labels.subarray(80)),
    'meta.json': JSON.stringify({ scale, offset, batchAxis: 1, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] }),
  });
  const ds = loadDataset(d, 'test');
  assert.equal(ds.n, n);
  const want = Float32Array.from(bytes.subarray(80 * 784), (b) => b * scale + offset);
  assert.deepEqual(ds.images, want, 'sample i of the [T,N,F] file is digit 80+i, scaled');
  // The batch-first zoo LSTM on it reads the digits as onnxruntime does on the same numbers.
  const expected = await ortAccuracy(LSTM, want, [n, 28, 28], labels.subarray(80));
  assert.equal((await evaluateAccuracy(LSTM, d, { runtime: 'ort', batchSize: 7 })).accuracy, expected);
  // A time-major model ([28,N,28]) is fed the file's own array.
  const expectedTm = await ortAccuracy(TIME_MAJOR, Float32Array.from(tm, (v) => v * scale + offset), [28, n, 28], labels.subarray(80));
  assert.equal((await evaluateAccuracy(TIME_MAJOR, d, { runtime: 'ort', batchSize: 7 })).accuracy, expectedTm);
});

test('a non-784 sample with the batch inside the input ([T,N,5], T free) is fed in the model\'s own layout', async () => {
  // Scores = the mean over time of 5 features: 5 classes, T sized by the data (12 steps).
  const m = model({
    inputs: [{ name: 'x', shape: ['T', 'N', 5] }], outputs: [{ name: 'y', shape: ['N', 5] }],
    nodes: [node('ReduceMean', ['x'], ['y'], { axes: ints([0]), keepdims: int(0) })],
  });
  const path = save(dir, 'tmean.onnx', m);
  const n = 30, T = 12;
  const x = new Float32Array(n * T * 5);
  // Digit pixels as noise, and the label's feature raised on every third step: the class
  // is in the time mean of the sample's own steps only.
  const y = Array.from({ length: n }, (_, i) => (i * 3) % 5);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) for (let f = 0; f < 5; f++) {
    const k = (i * T + t) * 5 + f;
    x[k] = 0.3 * (bytes[300 + k * 7] / 255) + (f === y[i] && (i + t) % 3 === 0 ? 0.5 : 0);
  }
  const d = folder('tmean', { 'x_train.npy': { dtype: 'float32', dims: [n, T, 5], data: x }, 'y_train.npy': int64(y), 'x_test.npy': { dtype: 'float32', dims: [n, T, 5], data: x }, 'y_test.npy': int64(y) });
  const tmOrder = new Float32Array(x.length);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) for (let f = 0; f < 5; f++) tmOrder[(t * n + i) * 5 + f] = x[(i * T + t) * 5 + f];
  const expected = await ortAccuracy(path, tmOrder, [T, n, 5], y);
  assert.ok(expected > 0.8, `the time means carry the class (${expected}); samples mixed up would not`);
  checkDatasetFits(m, loadDataset(d, 'test'), path);
  for (const runtime of ['ort', 'reference'] as const) assert.equal((await evaluateAccuracy(path, d, { runtime, batchSize: 8 })).accuracy, expected, runtime);
});

test('a folder of non-784 samples (8x8 digits) feeds a model whose input takes them', async () => {
  // Real digits pooled 28 → 8 (the central 24x24, 3x3 means), float32 [N,1,8,8].
  const n = 40;
  const x = pooledDigits(bytes, 80, n);
  const d = folder('pooled', {
    'x_train.npy': { dtype: 'float32', dims: [n, 1, 8, 8], data: x }, 'y_train.npy': int64(labels.subarray(80)),
    'x_test.npy': { dtype: 'float32', dims: [n, 1, 8, 8], data: x }, 'y_test.npy': int64(labels.subarray(80)),
  });
  const expected = await ortAccuracy(SMALL, x, [n, 1, 8, 8], labels.subarray(80));
  for (const runtime of ['ort', 'js'] as const) {
    const r = await evaluateAccuracy(SMALL, d, { runtime, batchSize: 16 });
    assert.equal(r.accuracy, expected, runtime);
  }
  // These samples do not fit the 28x28 LSTM: refused naming the x file and the shape it takes.
  assert.throws(() => checkDatasetFits(loadModel(LSTM), loadDataset(d, 'test'), LSTM), /x_test\.npy: input 'input'.*64 values.*\[N,28,28\]/);
});

test('bad folders are refused naming the file and what was expected', async () => {
  const ok = {
    'x_train.npy': { dtype: 'uint8', dims: [10, 28, 28], data: bytes.slice(0, 7840) } as Tensor, 'y_train.npy': int64(labels.subarray(0, 10)),
    'x_test.npy': { dtype: 'uint8', dims: [10, 28, 28], data: bytes.slice(0, 7840) } as Tensor, 'y_test.npy': int64(labels.subarray(0, 10)),
  };
  const cases: [string, Record<string, Tensor | string>, 'train' | 'test', RegExp][] = [
    ['float64', { ...ok, 'x_test.npy': { dtype: 'float64', dims: [10, 784], data: new Float64Array(7840) } }, 'test', /x_test\.npy: inputs are float64.*astype\(np\.float32\).*expected float32 or uint8/],
    ['count', { ...ok, 'y_test.npy': int64(labels.subarray(0, 9)) }, 'test', /x_test\.npy: 10 samples on axis 0.*but 9 labels/],
    ['float-labels', { ...ok, 'y_train.npy': { dtype: 'float32', dims: [10], data: new Float32Array(10) } }, 'train', /y_train\.npy: labels are float32.*integer class labels/],
    ['label-shape', { ...ok, 'y_test.npy': int64(new Array(20).fill(0), [10, 2]) }, 'test', /y_test\.npy: labels have shape \[10,2\]/],
    ['negative', { ...ok, 'y_test.npy': int64([0, 1, -1, 3, 4, 5, 6, 7, 8, 9]) }, 'test', /y_test\.npy: label -1 at index 2/],
    ['meta-key', { ...ok, 'meta.json': '{"scal": 1}' }, 'test', /meta\.json: unknown key 'scal'/],
    ['meta-json', { ...ok, 'meta.json': '{scale: 1}' }, 'test', /meta\.json: not valid JSON/],
    ['meta-classes', { ...ok, 'meta.json': '{"classes": ["a", "b"]}' }, 'test', /y_test\.npy: label \d+ at index \d+ \(expected class indices 0\.\.1 \(meta\.json lists 2 classes\)\)/],
  ];
  for (const [name, files, split, pattern] of cases) {
    assert.throws(() => loadDataset(folder(`bad-${name}`, files), split), pattern, name);
  }
  const missing = folder('missing', { 'x_train.npy': ok['x_train.npy'], 'y_train.npy': ok['y_train.npy'], 'x_test.npy': ok['x_test.npy'] });
  assert.throws(() => loadDataset(missing, 'test'), /missing\/y_test\.npy: the dataset folder has no y_test\.npy/);
  assert.throws(() => loadDataset(join(dir, 'nowhere'), 'test'), /unknown dataset .*nowhere.*expected mnist, fashion-mnist, or a folder/);

  // Against a model: the sample shape, and labels past the output width (10 scores).
  const wide = folder('wide', { ...ok, 'x_test.npy': { dtype: 'uint8', dims: [10, 784], data: bytes.slice(0, 7840) } });
  assert.throws(() => checkDatasetFits(loadModel(LSTM), loadDataset(wide, 'test'), LSTM), /x_test\.npy: samples are \[784\], but the model input 'input' \[N,28,28\] takes \[28,28\]/);
  const eleven = folder('eleven', { ...ok, 'y_test.npy': int64([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]) });
  assert.throws(() => checkDatasetFits(loadModel(LSTM), loadDataset(eleven, 'test'), LSTM), /y_test\.npy: label 10 at index 9, but the model's output 'logits' \[N,10\] scores 10 classes \(expected labels 0\.\.9\)/);
  // The CLI prints it on one line, exit 1.
  assertCleanError(await cli(['eval', LSTM, '--data', eleven]), /y_test\.npy: label 10/);
  assertCleanError(await cli(['prune', LSTM, '--finetune', wide, '--epochs', '0', '-o', join(dir, 'never.onnx')]), /x_test\.npy: samples are \[784\]/);
});
