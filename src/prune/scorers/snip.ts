// SNIP (Lee et al. 2019; reference SNIP pruner): |∂L/∂w ⊙ w| on a batch of real
// data — the gradient with respect to a multiplicative mask at 1 — normalised to
// sum 1 over all targets (ranking is unchanged; scores are comparable across runs).
import { RampartError } from '../../../runtime/errors.ts';
import { storageToMatrix } from '../targets.ts';
import type { Scorer, ScoreContext } from './types.ts';

export function requireGradients(ctx: ScoreContext, who: string, data: boolean): void {
  if (!ctx.gradients) throw new RampartError(`${who} needs gradients, and no autodiff backend was given`);
  if (data && !ctx.batch) throw new RampartError(`${who} needs a batch of real data`, { expected: 'a dataset (--data)' });
}

export function normalise(scores: Float32Array[], norm: number): Float32Array[] {
  if (norm > 0 && Number.isFinite(norm)) for (const s of scores) for (let i = 0; i < s.length; i++) s[i] /= norm;
  return scores;
}

export const snip: Scorer = {
  name: 'snip',
  summary: '|∂L/∂w ⊙ w| on a batch of --data',
  defaultRounds: 1,
  needsData: true,
  needsGradients: true,
  blockReduce: 'mean',
  async score(ctx) {
    requireGradients(ctx, 'SNIP', true);
    const g = await ctx.gradients!.lossGradient(ctx.model, ctx.batch!, ctx.targets.map((t) => t.name));
    let sum = 0;
    const scores = ctx.targets.map((t) => {
      const gm = storageToMatrix(ctx.model, t, g[t.name]);
      const s = new Float32Array(gm.length);
      for (let i = 0; i < s.length; i++) {
        s[i] = Math.abs(gm[i] * t.weights[i]);
        sum += s[i];
      }
      return s;
    });
    return normalise(scores, sum);
  },
};
