// Magnitude: |w| (the reference Mag pruner; also IMP's score between fine-tunes).
import type { Scorer } from './types.ts';

export const magnitude: Scorer = {
  name: 'magnitude',
  summary: '|w|; blocks by RMS (their L2 norm over √size)',
  defaultRounds: 1,
  needsData: false,
  needsGradients: false,
  blockReduce: 'rms',
  score: async (ctx) => ctx.targets.map((t) => Float32Array.from(t.weights, Math.abs)),
};
