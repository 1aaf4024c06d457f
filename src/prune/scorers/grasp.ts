// GraSP (Wang et al. 2020; reference GraSP pruner). The paper scores S = −w ⊙ Hg and
// removes the highest; equivalently this scorer returns the importance w ⊙ Hg and
// the mask keeps the highest, as the Synaptic-Flow code does. g is the loss
// gradient with the logits divided by a temperature of 200 (the reference's), held
// fixed; Hg is the gradient of ⟨g, ∂L/∂w⟩. Scores are divided by |Σ scores| + 1e-10
// as in the reference.
import { storageToMatrix } from '../targets.ts';
import { normalise, requireGradients } from './snip.ts';
import type { Scorer } from './types.ts';

export const GRASP_TEMPERATURE = 200;

export const grasp: Scorer = {
  name: 'grasp',
  summary: 'w ⊙ Hg (gradient-flow preserving) on a batch of --data',
  defaultRounds: 1,
  needsData: true,
  needsGradients: true,
  blockReduce: 'mean',
  async score(ctx) {
    requireGradients(ctx, 'GraSP', true);
    const names = ctx.targets.map((t) => t.name);
    const opts = { temperature: GRASP_TEMPERATURE };
    const g = await ctx.gradients!.lossGradient(ctx.model, ctx.batch!, names, opts);
    const { hv } = await ctx.gradients!.hessianVector(ctx.model, ctx.batch!, names, g, opts);
    let sum = 0;
    const scores = ctx.targets.map((t) => {
      const h = storageToMatrix(ctx.model, t, hv[t.name]);
      const s = new Float32Array(h.length);
      for (let i = 0; i < s.length; i++) {
        s[i] = t.weights[i] * h[i];
        sum += s[i];
      }
      return s;
    });
    return normalise(scores, Math.abs(sum) + 1e-10);
  },
};
