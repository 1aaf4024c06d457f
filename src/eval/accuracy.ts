// Top-1 accuracy of a classifier on MNIST / Fashion-MNIST, on any runtime. Used by
// `rampart eval` and callable from pruning, training and benches.
import type { Model, Tensor } from '../../runtime/ir.ts';
import { RampartError, withContext } from '../../runtime/errors.ts';
import { checkAllocation } from '../../runtime/limits.ts';
import { allocData, shapeString } from '../../runtime/tensor.ts';
import {
  batches, CLASSES, isFolderDataset, loadDataset, modelInputLayout, sampleSize, toLayout,
  type Dataset, type DatasetName, type LayoutKind,
} from '../data/index.ts';
import { loadModel } from '../onnx/import.ts';
import { createRunner, type RuntimeName } from './runner.ts';

export interface EvalOptions {
  runtime?: RuntimeName;
  /** Evaluate the first `limit` test samples only. */
  limit?: number;
  /** Samples per inference (default 64; a model with a fixed batch dim dictates its own). */
  batchSize?: number;
  /** Override the input layout read off the model's input shape. */
  layout?: LayoutKind;
  /** Called with (0, n) before the first batch, then after each batch. */
  onProgress?: (done: number, total: number) => void;
}

export interface EvalResult {
  accuracy: number;
  n: number;
  correct: number;
}

export const DEFAULT_BATCH_SIZE = 64;

export async function evaluateAccuracy(
  modelOrPath: Model | string,
  dataset: Dataset | DatasetName,
  opts: EvalOptions = {},
): Promise<EvalResult> {
  const path = typeof modelOrPath === 'string' ? modelOrPath : undefined;
  const model = typeof modelOrPath === 'string' ? loadModel(modelOrPath) : modelOrPath;
  const ctx = { file: path };
  let ds = typeof dataset === 'string' ? loadDataset(dataset, 'test', { limit: opts.limit }) : dataset;
  if (opts.limit !== undefined) {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) throw new RampartError(`limit ${opts.limit}`, { expected: 'a positive integer' });
    if (opts.limit < ds.n) ds = prefix(ds, opts.limit);
  }
  const inputs = model.graph.inputs;
  if (inputs.length !== 1) {
    throw new RampartError(`the model has ${inputs.length} graph inputs (${inputs.map((i) => i.name).join(', ')})`, {
      ...ctx, expected: 'a classifier with one image input',
    });
  }
  const input = inputs[0];
  if (input.dtype !== 'float32') {
    throw new RampartError(`input '${input.name}' is ${input.dtype}`, { ...ctx, expected: 'a float32 image input' });
  }
  let layout;
  try {
    layout = modelInputLayout(input.shape, opts.layout);
    // Does a sample fit the input? Said here, naming the input, not in the first batch.
    if (ds.n > 0) toLayout(prefix(ds, 1), layout);
  } catch (e) {
    if (!(e instanceof RampartError)) throw e;
    throw new RampartError(`input '${input.name}': ${e.message}`, ctx, { cause: e });
  }
  let batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RampartError(`batch size ${batchSize}`, { expected: 'a positive integer' });
  // A model exported with a fixed batch runs only at that batch: the last batch is padded with blank images.
  if (layout.fixedBatch !== null) {
    // The batch comes from the file: [2147483647,784] must be refused, not allocated.
    try {
      checkAllocation('float32', layout.fixedBatch * sampleSize(ds), `input '${input.name}' at its fixed batch of ${layout.fixedBatch}`);
    } catch (e) {
      throw withContext(e, ctx);
    }
    batchSize = layout.fixedBatch;
  }
  const outName = model.graph.outputs[0]?.name;
  if (outName === undefined) throw new RampartError('the model has no outputs', ctx);

  // A dataset folder may have any number of classes (its labels are checked against the output there).
  const minClasses = isFolderDataset(ds) ? 1 : CLASSES;
  const runner = await createRunner({ model, path }, opts.runtime ?? 'reference');
  let correct = 0;
  try {
    opts.onProgress?.(0, ds.n);
    for (const b of batches(ds, batchSize)) {
      const padded = layout.fixedBatch !== null && b.n < batchSize ? pad(b, batchSize) : b;
      const out = await runner.run({ [input.name]: toLayout(padded, layout) });
      const y = out[outName];
      if (!y) throw new RampartError(`the runtime returned no output '${outName}'`, ctx);
      correct += countCorrect(y, padded.n, b.labels, outName, path, minClasses);
      opts.onProgress?.(b.start + b.n, ds.n);
    }
  } finally {
    await runner.close();
  }
  return { accuracy: ds.n === 0 ? 0 : correct / ds.n, n: ds.n, correct };
}

function prefix(ds: Dataset, n: number): Dataset {
  const per = sampleSize(ds);
  return { ...ds, n, images: ds.images.subarray(0, n * per), labels: ds.labels.subarray(0, n) };
}

function pad(ds: Dataset, n: number): Dataset {
  const per = sampleSize(ds);
  const images = allocData('float32', n * per) as Float32Array;
  images.set(ds.images.subarray(0, ds.n * per));
  const labels = new Uint8Array(n);
  labels.set(ds.labels.subarray(0, ds.n));
  return { ...ds, n, images, labels };
}

/**
 * Counts argmax hits over the first labels.length rows of a [B, classes] output.
 * Leading size-1 axes are allowed ([1, B, C] from a time-major head): the element
 * order is the same.
 */
export function countCorrect(y: Tensor, batch: number, labels: Uint8Array, name: string, file?: string, minClasses = CLASSES): number {
  const dims = y.dims;
  let axis = 0;
  while (axis < dims.length - 1 && dims[axis] === 1 && dims[axis] !== batch) axis++;
  const classes = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  if (dims[axis] !== batch || dims.length - axis < 2 || classes < minClasses || !(y.data instanceof Float32Array || y.data instanceof Float64Array)) {
    throw new RampartError(`output '${name}' is ${y.dtype} ${shapeString(dims)}`, {
      file, expected: `float scores of shape [${batch},classes] with at least ${minClasses} classes`,
    });
  }
  const d = y.data;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = d[i * classes + c];
      if (v > bestV) { bestV = v; best = c; }
    }
    // NaN scores never win: an all-NaN row counts as wrong.
    if (bestV > -Infinity && best === labels[i]) correct++;
  }
  return correct;
}
