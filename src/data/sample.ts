// From any dataset to a model's input: the rule that lets a folder of the user's
// (folder.ts) feed models that do not take 28x28 images. src/data/index.ts exports
// these in place of layout.ts's, so evaluation, fine-tuning and pruning all use them.
//
// A sample is fed in the model's own shape: the input's dims without the batch axis,
// in C order, the batch axis inserted where the model has it (axis 0, or the axis
// whose name says batch by runtime/dims.ts's rule). A free dim other than the batch
// takes its size from the data (one free dim at most). The image layouts of layout.ts
// are this rule's special cases for 784-value samples, so for those (MNIST,
// Fashion-MNIST, and any folder of 28x28 images) layout.ts does the work, time-major
// and fixed-batch choices included, exactly as before.
import type { Dim, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { isBatchName } from '../../runtime/dims.ts';
import { shapeString } from '../../runtime/tensor.ts';
import {
  modelInputLayout as imageLayout, toLayout as imageToLayout,
  type Layout as ImageLayout, type LayoutKind as ImageLayoutKind,
} from './layout.ts';
import { PIXELS, type Dataset } from './types.ts';

/** A model input that takes samples in its own shape (not 28x28 images). */
export interface SampleLayout {
  kind: 'sample';
  batchAxis: number;
  fixedBatch: number | null;
  /** The model input's dims, batch included. */
  shape: Dim[];
  /** Image layouts only (the sequence split of a 28x28 image). */
  steps?: never;
  features?: never;
}

/** Image layouts carry the input's dims too, so non-image data can still be fed to them. */
export type Layout = (ImageLayout & { shape?: Dim[] }) | SampleLayout;
export type LayoutKind = ImageLayoutKind | 'sample';

/** Values per sample of a dataset (784 for the built-in image datasets). */
export function sampleSize(ds: Pick<Dataset, 'images' | 'n'>): number {
  return ds.n > 0 ? ds.images.length / ds.n : PIXELS;
}

function sampleLayout(shape: Dim[]): SampleLayout {
  const named = shape.findIndex((d) => typeof d === 'string' && isBatchName(d));
  const batchAxis = named >= 0 ? named : 0;
  const b = shape[batchAxis];
  return { kind: 'sample', batchAxis, fixedBatch: typeof b === 'number' ? b : null, shape };
}

/**
 * The layout of a model input: an image layout when the input takes 28x28 images
 * (layout.ts), else the sample layout. `forced` (eval --layout) never falls back.
 */
export function modelInputLayout(shape: Dim[] | null, forced?: LayoutKind): Layout {
  if (forced === 'sample') {
    if (shape === null) return imageLayout(shape);
    return sampleLayout(shape);
  }
  try {
    return { ...imageLayout(shape, forced), shape: shape ?? undefined };
  } catch (e) {
    if (!(e instanceof RampartError) || forced !== undefined || shape === null || shape.length === 0) throw e;
    return sampleLayout(shape);
  }
}

/** The dims of one sample of `per` values for this input (free non-batch dims sized from the data). */
export function sampleDimsFor(shape: Dim[], batchAxis: number, per: number): number[] {
  const dims = shape.filter((_, k) => k !== batchAxis);
  const known = dims.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
  const free = dims.filter((d) => typeof d !== 'number').length;
  const expectedShape = `samples of shape [${dims.map((d) => (typeof d === 'number' ? d : '?')).join(',')}]`;
  const fail = (what: string): never => {
    // 784 values are 28x28 images: say what an image model looks like, as layout.ts does.
    if (per === PIXELS && shape.length > 0) imageLayout(shape);
    throw new RampartError(`the dataset's samples have ${per} values; the model input ${shapeString(shape)} ${what}`, { expected: expectedShape });
  };
  if (free === 0 && known !== per) return fail(`takes ${known} per sample`);
  if (free > 1) return fail(`has ${free} free dims besides the batch, which one sample's size cannot fix`);
  if (free === 1 && (known === 0 || per % known !== 0 || per === 0)) return fail(`takes a multiple of ${known} per sample`);
  const rest = free === 1 ? per / known : 0;
  return dims.map((d) => (typeof d === 'number' ? d : rest));
}

/** The dataset's samples as one input tensor (batch = ds.n). */
export function toLayout(ds: Dataset, l: Layout): Tensor {
  const per = sampleSize(ds);
  if (l.kind !== 'sample' && (per === PIXELS || l.shape === undefined)) return imageToLayout(ds, l);
  const shape = l.shape!;
  const sample = sampleDimsFor(shape, l.batchAxis, per);
  const n = ds.n;
  const dims = [...sample.slice(0, l.batchAxis), n, ...sample.slice(l.batchAxis)];
  if (l.batchAxis === 0) return { dtype: 'float32', dims, data: ds.images.slice(0, n * per) };
  // The batch inside the input (time-major [T,B,F]): sample i's row p goes to [p, i, :].
  const pre = sample.slice(0, l.batchAxis).reduce((a, b) => a * b, 1);
  const post = per / pre;
  const out = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < pre; p++) out.set(ds.images.subarray(i * per + p * post, i * per + (p + 1) * post), (p * n + i) * post);
  }
  return { dtype: 'float32', dims, data: out };
}

export function toModelInput(ds: Dataset, inputShape: Dim[] | null, forced?: LayoutKind): Tensor {
  return toLayout(ds, modelInputLayout(inputShape, forced));
}

