// From a model to prune targets and back: reading weights in matrix layout,
// writing masked weights, and converting arrays between the initializer's storage
// layout and matrix layout (gradients arrive in storage layout, masks leave in it).
import type { Model, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { getMatrix, prunableWeights, setMatrix, type PrunableWeight } from '../ir/layers.ts';
import { targetSize, type Mask, type PruneTarget } from './types.ts';

/** One target per prunable weight initializer (an initializer used twice is pruned once). */
export function pruneTargets(model: Model): PruneTarget[] {
  const seen = new Set<string>();
  const out: PruneTarget[] = [];
  for (const pw of prunableWeights(model)) {
    if (seen.has(pw.initializer)) continue;
    seen.add(pw.initializer);
    const t = model.graph.initializers[pw.initializer];
    out.push({ ...pw, name: pw.initializer, dims: t.dims.slice(), weights: readMatrices(model, pw) });
  }
  return out;
}

function readMatrices(model: Model, pw: PrunableWeight): Float32Array {
  const per = pw.rows * pw.cols;
  const out = new Float32Array(pw.directions * per);
  for (let d = 0; d < pw.directions; d++) out.set(getMatrix(model, pw, d), d * per);
  return out;
}

/** A copy of `model` whose pruned weights are exactly zero; initializers not pruned are shared. */
export function applyMasks(model: Model, targets: PruneTarget[], masks: Mask[]): Model {
  const out: Model = { ...model, graph: { ...model.graph, initializers: { ...model.graph.initializers } } };
  targets.forEach((t, i) => {
    const mask = masks[i];
    if (mask.length !== targetSize(t)) {
      throw new RampartError(`mask of '${t.name}' has ${mask.length} entries`, { node: t.layer, op: t.op, expected: `${targetSize(t)}` });
    }
    const per = t.rows * t.cols;
    const w = readMatrices(out, t);
    for (let d = 0; d < t.directions; d++) {
      const m = w.subarray(d * per, (d + 1) * per);
      for (let k = 0; k < per; k++) if (!mask[d * per + k]) m[k] = 0;
      setMatrix(out, t, d, m);
    }
  });
  return out;
}

/** A target's weights re-read from a model (e.g. after fine-tuning). */
export function refreshWeights(model: Model, targets: PruneTarget[]): PruneTarget[] {
  return targets.map((t) => ({ ...t, weights: readMatrices(model, t) }));
}

/** Converts an array in the initializer's storage layout to matrix layout. */
export function storageToMatrix(model: Model, t: PruneTarget, data: ArrayLike<number>): Float32Array {
  const scratch = scratchModel(model, t, Float32Array.from(data));
  return readMatrices(scratch, t);
}

/** Converts an array in matrix layout to the initializer's storage layout. */
export function matrixToStorage(model: Model, t: PruneTarget, data: ArrayLike<number>): Float32Array {
  const scratch = scratchModel(model, t, new Float32Array(targetSize(t)));
  const per = t.rows * t.cols;
  const src = Float32Array.from(data);
  for (let d = 0; d < t.directions; d++) setMatrix(scratch, t, d, src.subarray(d * per, (d + 1) * per));
  return scratch.graph.initializers[t.name].data as Float32Array;
}

// A shallow model whose only initializer is `t`'s, holding `data` — the layers.ts
// accessors then do the layout work for any array, not just the weights.
function scratchModel(model: Model, t: PruneTarget, data: Float32Array): Model {
  if (data.length !== targetSize(t)) {
    throw new RampartError(`array for '${t.name}' has ${data.length} values`, { node: t.layer, op: t.op, expected: `${targetSize(t)}` });
  }
  const tensor: Tensor = { dtype: 'float32', dims: t.dims.slice(), data };
  return { ...model, graph: { ...model.graph, initializers: { [t.name]: tensor } } };
}

/** Masks of the weights as they are: zero weights count as pruned. */
export function currentMasks(targets: PruneTarget[]): Mask[] {
  return targets.map((t) => Uint8Array.from(t.weights, (w) => (w !== 0 ? 1 : 0)));
}

export function prunedCount(mask: Mask): number {
  let kept = 0;
  for (const b of mask) kept += b;
  return mask.length - kept;
}
