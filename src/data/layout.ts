// From a dataset to a model's input tensor. The layout is read off the model's graph
// input shape (docs/design/cli-data.md "Input layouts"):
//
//   rank 2  [B,784]                flat (MLPs)
//   rank 4  [B,1,28,28]            NCHW (PyTorch CNNs)   [B,28,28,1] NHWC (tfjs/Keras)
//   rank 3  [B,T,F] batch-first    or [T,B,F] time-major, sequential MNIST: the image
//           read row-major as T steps of F pixels, T*F = 784 (28x28 rows by default;
//           [B,784,1] is pixel-by-pixel MNIST).
//
// Symbolic or unknown dims (string/null) are free; a numeric dim must match. For rank
// 3 the batch axis is the one that is free while the other leading axis is numeric;
// when both or neither are free, the names decide by runtime/dims.ts's rule ('batch',
// 'N' are the batch; 'seq', 'T' a sequence), and failing that the layout is
// batch-first (PyTorch's batch_first=True export, the zoo's choice).
import type { Dim, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { dimRoleOfName } from '../../runtime/dims.ts';
import { shapeString } from '../../runtime/tensor.ts';
import { IMAGE_SIZE, PIXELS, type Dataset } from './types.ts';

export type LayoutKind = 'flat' | 'nchw' | 'nhwc' | 'batch-first' | 'time-major';

export interface Layout {
  kind: LayoutKind;
  /** Which axis of the input is the batch. */
  batchAxis: number;
  /** The batch size the model fixes, or null when the batch dim is free. */
  fixedBatch: number | null;
  /** Sequence layouts: steps and features per step (steps * features = 784). */
  steps?: number;
  features?: number;
}

const free = (d: Dim): boolean => d === null || typeof d === 'string';
const fits = (d: Dim, n: number): boolean => free(d) || d === n;
const fixed = (d: Dim): number | null => (typeof d === 'number' ? d : null);
const named = (d: Dim, role: 'batch' | 'seq'): boolean => typeof d === 'string' && dimRoleOfName(d) === role;

export function modelInputLayout(shape: Dim[] | null, forced?: LayoutKind): Layout {
  const what = `an image input [B,784], [B,1,28,28], [B,28,28,1], [B,T,F] or [T,B,F] with T*F=784`;
  if (shape === null) {
    throw new RampartError('the model input has an unknown rank', { expected: what });
  }
  const bad = (): never => {
    throw new RampartError(`the model input ${shapeString(shape)} does not take 28x28 images${forced ? ` in layout ${forced}` : ''}`, { expected: what });
  };
  const r = shape.length;
  const is = (k: LayoutKind): boolean => forced === undefined || forced === k;
  if (r === 2 && is('flat') && fits(shape[1], PIXELS)) return { kind: 'flat', batchAxis: 0, fixedBatch: fixed(shape[0]) };
  if (r === 4) {
    if (is('nchw') && fits(shape[1], 1) && fits(shape[2], IMAGE_SIZE) && fits(shape[3], IMAGE_SIZE)) {
      return { kind: 'nchw', batchAxis: 0, fixedBatch: fixed(shape[0]) };
    }
    if (is('nhwc') && fits(shape[1], IMAGE_SIZE) && fits(shape[2], IMAGE_SIZE) && fits(shape[3], 1)) {
      return { kind: 'nhwc', batchAxis: 0, fixedBatch: fixed(shape[0]) };
    }
  }
  if (r === 3) {
    const feat = seqSplit(shape[2]);
    const cands: Layout[] = [];
    const tryLayout = (kind: 'batch-first' | 'time-major', b: number, t: number): void => {
      if (!is(kind) || feat === null) return;
      // A dim named as the batch is never the time axis (nor a sequence's the batch):
      // [B,40,98] is not 8 steps of 98 pixels at a fixed batch of 40.
      if (named(shape[t], 'batch') || named(shape[b], 'seq')) return;
      const steps = PIXELS / feat;
      if (fits(shape[t], steps)) cands.push({ kind, batchAxis: b, fixedBatch: fixed(shape[b]), steps, features: feat });
    };
    tryLayout('batch-first', 0, 1);
    tryLayout('time-major', 1, 0);
    if (cands.length === 1) return cands[0];
    if (cands.length === 2) return pickRank3(shape, cands);
  }
  return bad();
}

/** Features per step from the last dim: a numeric divisor of 784, or 28 when free. */
function seqSplit(d: Dim): number | null {
  if (free(d)) return IMAGE_SIZE;
  return typeof d === 'number' && d > 0 && PIXELS % d === 0 ? d : null;
}

function pickRank3(shape: Dim[], cands: Layout[]): Layout {
  const [bf, tm] = cands; // batch-first, time-major
  const score = (l: Layout): number => {
    const b = shape[l.batchAxis];
    const t = shape[1 - l.batchAxis];
    let s = 0;
    if (free(b) && !free(t)) s += 4;
    if (typeof b === 'string' && dimRoleOfName(b) === 'batch') s += 2;
    if (typeof t === 'string' && dimRoleOfName(t) === 'seq') s += 1;
    return s;
  };
  return score(tm) > score(bf) ? tm : bf;
}

/** The dataset's images as one input tensor of the model's layout (batch = ds.n). */
export function toModelInput(ds: Dataset, inputShape: Dim[] | null, forced?: LayoutKind): Tensor {
  return toLayout(ds, modelInputLayout(inputShape, forced));
}

export function toLayout(ds: Dataset, l: Layout): Tensor {
  const n = ds.n;
  switch (l.kind) {
    case 'flat': return { dtype: 'float32', dims: [n, PIXELS], data: ds.images.slice(0, n * PIXELS) };
    case 'nchw': return { dtype: 'float32', dims: [n, 1, IMAGE_SIZE, IMAGE_SIZE], data: ds.images.slice(0, n * PIXELS) };
    case 'nhwc': return { dtype: 'float32', dims: [n, IMAGE_SIZE, IMAGE_SIZE, 1], data: ds.images.slice(0, n * PIXELS) };
    case 'batch-first': return { dtype: 'float32', dims: [n, l.steps!, l.features!], data: ds.images.slice(0, n * PIXELS) };
    case 'time-major': {
      const T = l.steps!;
      const F = l.features!;
      const out = new Float32Array(n * PIXELS);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < T; t++) {
          out.set(ds.images.subarray(i * PIXELS + t * F, i * PIXELS + (t + 1) * F), (t * n + i) * F);
        }
      }
      return { dtype: 'float32', dims: [T, n, F], data: out };
    }
  }
}

/** Consecutive batches of `size` (the last may be smaller); views share the dataset's memory. */
export function* batches(ds: Dataset, size: number): Generator<Dataset & { start: number }> {
  if (!Number.isInteger(size) || size < 1) throw new RampartError(`batch size ${size}`, { expected: 'a positive integer' });
  // Values per sample: 784 for images, any size for a dataset folder (src/data/folder.ts).
  const per = ds.n > 0 ? ds.images.length / ds.n : PIXELS;
  for (let start = 0; start < ds.n; start += size) {
    const n = Math.min(size, ds.n - start);
    yield {
      images: ds.images.subarray(start * per, (start + n) * per),
      labels: ds.labels.subarray(start, start + n),
      n, start, name: ds.name, split: ds.split,
    };
  }
}
