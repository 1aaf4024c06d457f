// toModelInput / modelInputLayout: which layout each model input shape gets, and the
// element order of each layout (closed form: pixel (row r, col c) of image i).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelInputLayout, toModelInput, type Dataset } from '../../src/data/index.ts';
import type { Dim } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';

// A synthetic dataset whose pixel values encode (image, pixel index).
const N = 3;
const ds: Dataset = {
  n: N,
  labels: Uint8Array.from([1, 2, 3]),
  images: Float32Array.from({ length: N * 784 }, (_, k) => k),
};
const px = (i: number, p: number): number => i * 784 + p;

test('layouts are read off the graph input shape', () => {
  const cases: [Dim[], string, number | null, number?][] = [
    [['N', 784], 'flat', null],
    [[null, 784], 'flat', null],
    [[1, 784], 'flat', 1],
    [['batch', 1, 28, 28], 'nchw', null],
    [[4, 1, 28, 28], 'nchw', 4],
    [['N', 28, 28, 1], 'nhwc', null],
    [['N', 28, 28], 'batch-first', null, 28],
    [[null, null, 28], 'batch-first', null, 28],
    [['N', 'T', 28], 'batch-first', null, 28],
    [[28, 'N', 28], 'time-major', null, 28],
    [[28, null, 28], 'time-major', null, 28],
    [['seq', 'batch', 28], 'time-major', null, 28],
    [[28, 1, 28], 'time-major', 1, 28],
    [[1, 28, 28], 'batch-first', 1, 28],
    [['N', 784, 1], 'batch-first', null, 784],
    [[784, 'N', 1], 'time-major', null, 784],
    [['N', 49, 16], 'batch-first', null, 49],
  ];
  for (const [shape, kind, fixedBatch, steps] of cases) {
    const l = modelInputLayout(shape);
    assert.equal(l.kind, kind, JSON.stringify(shape));
    assert.equal(l.fixedBatch, fixedBatch, JSON.stringify(shape));
    if (steps !== undefined) assert.equal(l.steps, steps, JSON.stringify(shape));
  }
});

test('a forced layout overrides the guess, and must fit', () => {
  assert.equal(modelInputLayout(['a', 'b', 28], 'time-major').kind, 'time-major');
  assert.throws(() => modelInputLayout(['N', 784], 'nchw'), /in layout nchw/);
});

test('shapes that do not take 28x28 images are refused with the expected layouts', () => {
  // Refused when images meet them (src/data/sample.ts: a dataset folder may fit them).
  for (const shape of [['N', 10], ['N', 3, 32, 32], ['N', 28, 27], [3, 5, 28], ['N']] as Dim[][]) {
    assert.throws(() => toModelInput(ds, shape), (e: unknown) => {
      assert.ok(e instanceof RampartError);
      assert.match(e.message, /does not take 28x28 images.*expected an image input/);
      return true;
    }, JSON.stringify(shape));
  }
  assert.throws(() => modelInputLayout(null), /unknown rank/);
  // 784 values in the input's own shape are no longer refused: a sample is fed as the input takes it.
  assert.deepEqual(toModelInput(ds, ['N', 1, 1, 28, 28]).dims, [N, 1, 1, 28, 28]);
});

test('image layouts keep row-major pixel order', () => {
  for (const [shape, dims] of [
    [['N', 784], [N, 784]], [['N', 1, 28, 28], [N, 1, 28, 28]], [['N', 28, 28, 1], [N, 28, 28, 1]], [['N', 28, 28], [N, 28, 28]],
  ] as [Dim[], number[]][]) {
    const t = toModelInput(ds, shape);
    assert.deepEqual(t.dims, dims);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.data, ds.images);
    assert.notEqual(t.data, ds.images); // a copy: callers may keep it past the dataset
  }
});

test('time-major puts step t of image i at [t, i, :]', () => {
  const t = toModelInput(ds, [28, 'N', 28]);
  assert.deepEqual(t.dims, [28, N, 28]);
  const d = t.data as Float32Array;
  for (let step = 0; step < 28; step++) {
    for (let i = 0; i < N; i++) {
      for (let f = 0; f < 28; f++) assert.equal(d[(step * N + i) * 28 + f], px(i, step * 28 + f));
    }
  }
  const pixelwise = toModelInput(ds, [784, 'N', 1]);
  assert.deepEqual(pixelwise.dims, [784, N, 1]);
  assert.equal((pixelwise.data as Float32Array)[5 * N + 2], px(2, 5));
});
