// `rampart eval` and evaluateAccuracy on nearest-centroid classifiers built in the
// test: scores x·μ_c − |μ_c|²/2, whose argmax is the nearest class mean. The expected
// accuracy is computed here directly from the pixels (float64 distances), so the
// pipeline under test — layouts, batching, padding, limits, argmax, runtimes — is
// checked against arithmetic that shares none of its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Dim, Model, Node } from '../../runtime/ir.ts';
import { f32, i64 } from '../../runtime/tensor.ts';
import { loadDataset, type Dataset } from '../../src/data/index.ts';
import { evaluateAccuracy } from '../../src/eval/accuracy.ts';
import { assertCleanError, cli, FIXTURES, int, ints, model, node, save, tmp } from './helpers.ts';

const dir = tmp();
test.after(() => rmSync(dir, { recursive: true, force: true }));

function centroids(ds: Dataset): Float64Array[] {
  const mu = Array.from({ length: 10 }, () => new Float64Array(784));
  const n = new Array<number>(10).fill(0);
  for (let i = 0; i < ds.n; i++) {
    const c = ds.labels[i];
    n[c]++;
    for (let p = 0; p < 784; p++) mu[c][p] += ds.images[i * 784 + p];
  }
  mu.forEach((m, c) => m.forEach((_, p) => (m[p] /= n[c])));
  return mu;
}

function expectedCorrect(mu: Float64Array[], ds: Dataset, n: number): number {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let c = 0; c < 10; c++) {
      let d = 0;
      for (let p = 0; p < 784; p++) d += (ds.images[i * 784 + p] - mu[c][p]) ** 2;
      if (d < bestD) { bestD = d; best = c; }
    }
    if (best === ds.labels[i]) correct++;
  }
  return correct;
}

/** Gemm head on a [B,784] value; `pre` nodes bring the graph input there. */
function centroidModel(mu: Float64Array[], input: Dim[], pre: Node[], inits: Model['graph']['initializers'] = {}): Model {
  const B = f32([784, 10], Array.from({ length: 7840 }, (_, k) => mu[k % 10][Math.floor(k / 10)]));
  const bias = f32([10], mu.map((m) => -m.reduce((a, v) => a + v * v, 0) / 2));
  const flatName = pre.length ? pre[pre.length - 1].outputs[0] : 'image';
  return model({
    inputs: [{ name: 'image', shape: input }],
    outputs: [{ name: 'scores', shape: [input[0] === 28 ? input[1] : input[0], 10] }],
    initializers: { ...inits, B, bias },
    nodes: [...pre, node('Gemm', [flatName, 'B', 'bias'], ['scores'], {}, 'head')],
  });
}

const mnistMu = centroids(loadDataset('mnist', 'train'));
const mnistTest = loadDataset('mnist', 'test');
const flat = save(dir, 'flat.onnx', centroidModel(mnistMu, ['N', 784], []));

const parse = (stdout: string): { accuracy: number; correct: number; n: number } => {
  const m = /^accuracy: (\d\.\d{4}) \((\d+)\/(\d+) /m.exec(stdout);
  assert.ok(m, stdout);
  return { accuracy: Number(m[1]), correct: Number(m[2]), n: Number(m[3]) };
};
const near = (got: number, want: number, what: string): void =>
  // float32 inference vs float64 here may flip a near-tie; one sample at most.
  assert.ok(Math.abs(got - want) <= 1, `${what}: ${got} correct, expected ${want}`);

test('CLI: eval [N,784] with --limit', async () => {
  const want = expectedCorrect(mnistMu, mnistTest, 300);
  assert.ok(want > 200, `the centroid classifier should be far above chance (${want}/300)`);
  const r = await cli(['eval', flat, '--data', 'mnist', '--limit', '300', '--runtime', 'ort']);
  assert.equal(r.code, 0, r.stderr);
  const got = parse(r.stdout);
  assert.equal(got.n, 300);
  near(got.correct, want, 'ort');
  assert.equal(got.accuracy, Number((got.correct / 300).toFixed(4)));
  assert.equal(r.stderr, ''); // no progress bar when stderr is not a TTY
});

test('evaluateAccuracy on every runtime', async () => {
  const want = expectedCorrect(mnistMu, mnistTest, 100);
  for (const runtime of ['reference', 'ort', 'js', 'wasm'] as const) {
    const r = await evaluateAccuracy(flat, 'mnist', { limit: 100, runtime });
    assert.equal(r.n, 100);
    near(r.correct, want, runtime);
  }
});

test('time-major [28,N,28] input with a partial last batch', async () => {
  const m = centroidModel(mnistMu, [28, 'N', 28], [
    node('Transpose', ['image'], ['bt'], { perm: ints([1, 0, 2]) }),
    node('Reshape', ['bt', 'shape'], ['flat']),
  ], { shape: i64([2], [-1, 784]) });
  const got = await evaluateAccuracy(m, 'mnist', { limit: 130, batchSize: 50 });
  assert.equal(got.n, 130);
  near(got.correct, expectedCorrect(mnistMu, mnistTest, 130), 'time-major');
});

test('a fixed-batch [7,1,28,28] model is fed at its batch, the last batch padded', async () => {
  const m = save(dir, 'fixed.onnx', centroidModel(mnistMu, [7, 1, 28, 28], [node('Flatten', ['image'], ['flat'], { axis: int(1) })]));
  const calls: number[] = [];
  const r = await evaluateAccuracy(m, 'mnist', { limit: 20, runtime: 'ort', batchSize: 64, onProgress: (d) => calls.push(d) });
  assert.deepEqual(calls, [0, 7, 14, 20]);
  assert.equal(r.n, 20);
  near(r.correct, expectedCorrect(mnistMu, mnistTest, 20), 'fixed batch');
});

test('Fashion-MNIST, [B,28,28,1] input', async () => {
  const mu = centroids(loadDataset('fashion-mnist', 'train', { limit: 3000 }));
  const m = centroidModel(mu, ['batch', 28, 28, 1], [node('Flatten', ['image'], ['flat'], { axis: int(1) })]);
  const r = await evaluateAccuracy(m, 'fashion-mnist', { limit: 100 });
  near(r.correct, expectedCorrect(mu, loadDataset('fashion-mnist', 'test', { limit: 100 }), 100), 'fashion');
});

test('evaluateAccuracy takes a Model and a Dataset in-process', async () => {
  const ds = loadDataset('mnist', 'test', { limit: 64 });
  const mdl = centroidModel(mnistMu, ['N', 1, 28, 28], [node('Flatten', ['image'], ['flat'], { axis: int(1) })]);
  const calls: number[][] = [];
  const r = await evaluateAccuracy(mdl, ds, { batchSize: 30, onProgress: (done, total) => calls.push([done, total]) });
  assert.equal(r.n, 64);
  assert.deepEqual(calls, [[0, 64], [30, 64], [60, 64], [64, 64]]);
  near(r.correct, expectedCorrect(mnistMu, ds, 64), 'in-process');
  const byName = await evaluateAccuracy(flat, 'mnist', { limit: 64, runtime: 'ort' });
  assert.equal(byName.n, 64);
  near(byName.correct, r.correct, 'by path on ort');
});

test('CLI: eval of a model that is not an image classifier; --help', async () => {
  const notImage = save(dir, 'vec.onnx', model({
    inputs: [{ name: 'x', shape: ['N', 10] }], outputs: [{ name: 'y' }], nodes: [node('Relu', ['x'], ['y'])],
  }));
  assertCleanError(await cli(['eval', notImage, '--data', 'mnist', '--limit', '5']), /vec\.onnx/, /input 'x'/, /28x28/);
  const help = await cli(['eval', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--limit <N>/);
});

test('scores that are not [B, >=10 classes], and models with several inputs, are refused', async () => {
  const fewClasses = model({
    inputs: [{ name: 'x', shape: ['N', 784] }], outputs: [{ name: 'y' }],
    initializers: { s: i64([2], [0, 3]), e: i64([2], [1000, 5]), a: i64([2], [0, 1]) },
    nodes: [node('Slice', ['x', 's', 'e', 'a'], ['y'])],
  });
  await assert.rejects(evaluateAccuracy(fewClasses, 'mnist', { limit: 5 }), /output 'y' is float32 \[5,2\].*at least 10 classes/);
  await assert.rejects(evaluateAccuracy(join(FIXTURES, 'lstm_state.onnx'), 'mnist', { limit: 5 }), /3 graph inputs \(input, h0, c0\)/);
});

test('eval of a [B,40,98] model (a keyword spotter) says the input is not an image, not that the scores are wrong', async () => {
  // 40·98 is 5·784, and 98 divides 784: read as time-major, B would be 8 steps and 40 a fixed batch.
  const kws = save(dir, 'kws.onnx', model({
    inputs: [{ name: 'mfcc', shape: ['B', 40, 98] }], outputs: [{ name: 'y' }], nodes: [node('Relu', ['mfcc'], ['y'])],
  }));
  const r = await cli(['eval', kws, '--data', 'mnist', '--limit', '5']);
  assertCleanError(r, /input 'mfcc': the model input \[B,40,98\] does not take 28x28 images/);
  assert.doesNotMatch(r.stderr, /classes/);
});

test('a fixed batch too large to feed is refused by name, not allocated', async () => {
  const huge = save(dir, 'huge-batch.onnx', centroidModel(mnistMu, [2 ** 31 - 1, 784], []));
  assertCleanError(await cli(['eval', huge, '--data', 'mnist', '--limit', '5']),
    /huge-batch\.onnx: input 'image' at its fixed batch of 2147483647 of .* float32 values would take .* past the memory limit/);
});
