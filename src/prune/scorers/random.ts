// Random: i.i.d. standard normal scores (the reference Rand pruner's randn_like),
// seeded per target and round so a run is reproducible.
import { randn, rng } from '../rank.ts';
import type { Scorer } from './types.ts';

export const random: Scorer = {
  name: 'random',
  summary: 'i.i.d. normal scores, seeded (--seed)',
  defaultRounds: 1,
  needsData: false,
  needsGradients: false,
  blockReduce: 'normal',
  score: async (ctx) => ctx.targets.map((t, i) => randn(t.weights.length, rng(ctx.seed * 7919 + ctx.round * 104729 + i))),
};
