// SynFlow (Tanaka et al. 2020; reference SynFlow pruner), data-free: every float
// initializer is replaced by its absolute value (the reference's `linearize` takes
// |·| of the whole state dict, biases included), the network runs on one all-ones
// input, R = Σ output, and the score is |∂R/∂w ⊙ w|. Iterated (100 rounds by
// default, exponential schedule) by the driver, re-scoring the masked network.
import type { Model, Tensor } from '../../../runtime/ir.ts';
import { RampartError } from '../../../runtime/errors.ts';
import { storageToMatrix } from '../targets.ts';
import { requireGradients } from './snip.ts';
import type { Scorer } from './types.ts';

export function linearize(model: Model): Model {
  const inits: Model['graph']['initializers'] = {};
  for (const [k, t] of Object.entries(model.graph.initializers)) {
    inits[k] = t.dtype === 'float32' || t.dtype === 'float64' || t.dtype === 'float16'
      ? { ...t, data: (t.data as Float32Array).map(Math.abs) }
      : t;
  }
  return { ...model, graph: { ...model.graph, initializers: inits } };
}

export const synflow: Scorer = {
  name: 'synflow',
  summary: 'data-free synaptic flow |∂R/∂w ⊙ w|, 100 rounds',
  defaultRounds: 100,
  needsData: false,
  needsGradients: true,
  needsInputShape: true,
  blockReduce: 'mean',
  async score(ctx) {
    requireGradients(ctx, 'SynFlow', false);
    if (!ctx.onesShape) throw new RampartError('SynFlow needs the shape of one input sample');
    const n = ctx.onesShape.reduce((a, b) => a * b, 1);
    const ones: Tensor = { dtype: 'float32', dims: ctx.onesShape.slice(), data: new Float32Array(n).fill(1) };
    const lin = linearize(ctx.model);
    const g = await ctx.gradients!.outputSumGradient(lin, ones, ctx.targets.map((t) => t.name));
    return ctx.targets.map((t) => {
      const gm = storageToMatrix(ctx.model, t, g[t.name]);
      const s = new Float32Array(gm.length);
      for (let i = 0; i < s.length; i++) s[i] = Math.abs(gm[i] * t.weights[i]);
      return s;
    });
  },
};
