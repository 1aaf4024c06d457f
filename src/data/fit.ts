// Does a dataset fit a model? Checked once, before any work, by every command that
// takes a dataset (eval, prune, bench, main), so that a folder of the wrong shape is
// refused naming its file and what the model expects, not after minutes of pruning.
//
// - The model has one float32 input, and a sample fits it (sample.ts's rule).
// - A folder's samples have the input's shape without its batch axis; size-1 axes
//   aside ([28,28] fits [1,28,28]), and a free dim takes any size.
// - A folder's labels index the model's output: below its last dim, when that is fixed.
import type { Dim, Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { shapeString } from '../../runtime/tensor.ts';
import { isFolderDataset } from './folder.ts';
import { modelInputLayout, sampleDimsFor, sampleSize } from './sample.ts';
import { PIXELS, type Dataset } from './types.ts';

const squeeze = (ds: Dim[]): Dim[] => ds.filter((d) => d !== 1);

function sameShape(model: Dim[], data: number[]): boolean {
  const fits = (a: Dim[], b: number[]) => a.length === b.length && a.every((d, k) => typeof d !== 'number' || d === b[k]);
  return fits(model, data) || fits(squeeze(model), squeeze(data) as number[]);
}

/** Throws a RampartError naming the file at fault when `ds` cannot be fed to `model`. */
export function checkDatasetFits(model: Model, ds: Dataset, modelFile?: string): void {
  const inputs = model.graph.inputs.filter((i) => !(i.name in model.graph.initializers));
  if (inputs.length !== 1) {
    throw new RampartError(`the model has ${inputs.length} graph inputs (${inputs.map((i) => i.name).join(', ')})`, { file: modelFile, expected: 'a classifier with one input' });
  }
  const input = inputs[0];
  if (input.dtype !== 'float32') throw new RampartError(`input '${input.name}' is ${input.dtype}`, { file: modelFile, expected: 'a float32 input' });
  const shape = input.shape;
  const folder = isFolderDataset(ds) ? ds : null;
  let modelSample: Dim[];
  try {
    const layout = modelInputLayout(shape);
    modelSample = shape!.filter((_, k) => k !== layout.batchAxis);
    sampleDimsFor(shape!, layout.batchAxis, sampleSize(ds));
  } catch (e) {
    if (!(e instanceof RampartError)) throw e;
    throw new RampartError(`input '${input.name}': ${e.detail}`, { file: folder?.files.x ?? modelFile, expected: e.context.expected }, { cause: e });
  }
  if (!folder) return;
  if (!sameShape(modelSample, folder.sample)) {
    throw new RampartError(`samples are ${shapeString(folder.sample)}, but the model input '${input.name}' ${shapeString(shape!)} takes ${shapeString(modelSample)}`, {
      file: folder.files.x, expected: `x shaped [N,${modelSample.map((d) => String(d)).join(',')}] (the input without its batch axis)`,
    });
  }
  const out = model.graph.outputs[0];
  const width = out?.shape?.[out.shape.length - 1];
  if (typeof width !== 'number') return;
  let top = 0, at = 0;
  for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] > top) { top = ds.labels[i]; at = i; }
  if (top >= width) {
    throw new RampartError(`label ${top} at index ${at}, but the model's output '${out.name}' ${shapeString(out.shape!)} scores ${width} classes`, {
      file: folder.files.y, expected: `labels 0..${width - 1}`,
    });
  }
}

/**
 * src/prune's SNIP/GraSP scoring batch and its --max-drop split still cut samples of
 * 784 values (28x28 images): until they take the sample size, refuse other folders
 * there rather than score garbage. `what` names the option, `data` the folder.
 */
export function checkScoringSamples(ds: Dataset, what: string, data: string): void {
  const per = sampleSize(ds);
  if (per !== PIXELS) {
    throw new RampartError(`${what} on a dataset folder needs 28x28 (784-value) samples; this folder's have ${per}`, {
      file: data, expected: 'magnitude, random, erk, synflow or imp, without --max-drop, on this folder',
    });
  }
}
