// Simple RNN gate math: h' = f(Wi x + Ri h + Wbi + Rbi), clip bounding the pre-activation.
import type { Kernel } from '../types.ts';
import { clip, inputPart, recurrentPart, runRecurrent, type CellStep } from './common.ts';

export const rnnStep: CellStep = (p, x, h, c) => {
  const [f] = p.act;
  const hNew = new Float64Array(p.hidden);
  for (let j = 0; j < p.hidden; j++) hNew[j] = f.fn(clip(p, inputPart(p, 0, j, x) + recurrentPart(p, 0, j, h)));
  return { h: hNew, c };
};

export const rnnKernel: Kernel = (inputs, node) => runRecurrent(inputs, node, 'RNN', rnnStep);
