// Fashion-MNIST from Debian's dataset-fashion-mnist (gzipped IDX files, 60,000 train
// + 10,000 test, the official split in the official order).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RampartError } from '../../runtime/errors.ts';
import { parseIdx } from './idx.ts';
import { IMAGE_SIZE, PIXELS, type Dataset, type Split } from './types.ts';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FILES: Record<Split, [string, string]> = {
  train: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'],
  test: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
};

const cache = new Map<string, { images: Uint8Array; labels: Uint8Array }>();

function readGz(file: string): Uint8Array {
  if (!existsSync(file)) {
    throw new RampartError('Fashion-MNIST is not installed', {
      file, expected: 'the Debian package: apt-get install dataset-fashion-mnist',
    });
  }
  try {
    return gunzipSync(readFileSync(file));
  } catch (e) {
    throw new RampartError(`cannot read gzipped IDX file: ${(e as Error).message}`, { file });
  }
}

function loadRaw(split: Split, dir: string): { images: Uint8Array; labels: Uint8Array } {
  const key = `${dir}\0${split}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const [imgFile, lblFile] = FILES[split].map((f) => join(dir, f));
  const img = parseIdx(readGz(imgFile), imgFile, 3);
  const lbl = parseIdx(readGz(lblFile), lblFile, 1);
  if (img.dims[1] !== IMAGE_SIZE || img.dims[2] !== IMAGE_SIZE) {
    throw new RampartError(`images are ${img.dims[1]}x${img.dims[2]}`, { file: imgFile, expected: '28x28 images' });
  }
  if (img.dims[0] !== lbl.dims[0]) {
    throw new RampartError(`${img.dims[0]} images but ${lbl.dims[0]} labels`, { file: lblFile, expected: 'one label per image' });
  }
  const out = { images: img.data, labels: lbl.data };
  cache.set(key, out);
  return out;
}

export function loadFashionMnist(split: Split, limit: number | undefined, dir = FASHION_MNIST_DIR): Dataset {
  const raw = loadRaw(split, dir);
  const total = raw.labels.length;
  const n = limit === undefined ? total : Math.min(limit, total);
  const images = new Float32Array(n * PIXELS);
  for (let i = 0; i < n * PIXELS; i++) images[i] = raw.images[i] / 255;
  for (let i = 0; i < n; i++) {
    if (raw.labels[i] > 9) throw new RampartError(`label ${raw.labels[i]} at index ${i}`, { file: join(dir, FILES[split][1]), expected: 'labels 0..9' });
  }
  return { images, labels: raw.labels.slice(0, n), n, name: 'fashion-mnist', split };
}
