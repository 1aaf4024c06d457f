// GRU gate math (ONNX order z, r, h):
//   z = f(Wz x + Rz h + Wbz + Rbz)
//   r = f(Wr x + Rr h + Wbr + Rbr)
//   linear_before_reset = 0:  n = g(Wh x + Wbh + Rh (r ⊙ h) + Rbh)
//   linear_before_reset = 1:  n = g(Wh x + Wbh + r ⊙ (Rh h + Rbh))   (PyTorch's form)
//   h' = (1 - z) ⊙ n + z ⊙ h
// clip bounds each of the three pre-activations.
import type { Kernel } from '../types.ts';
import { clip, inputPart, recurrentPart, runRecurrent, type CellStep } from './common.ts';

const Z = 0, R = 1, N = 2;

export const gruStep: CellStep = (p, x, h, c) => {
  const H = p.hidden;
  const [f, g] = p.act;
  const z = new Float64Array(H);
  const r = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    z[j] = f.fn(clip(p, inputPart(p, Z, j, x) + recurrentPart(p, Z, j, h)));
    r[j] = f.fn(clip(p, inputPart(p, R, j, x) + recurrentPart(p, R, j, h)));
  }
  const rh = h.map((v, j) => r[j] * v);
  const hNew = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const rec = p.cfg.linearBeforeReset ? r[j] * recurrentPart(p, N, j, h) : recurrentPart(p, N, j, rh);
    const n = g.fn(clip(p, inputPart(p, N, j, x) + rec));
    hNew[j] = (1 - z[j]) * n + z[j] * h[j];
  }
  return { h: hNew, c };
};

export const gruKernel: Kernel = (inputs, node) => runRecurrent(inputs, node, 'GRU', gruStep);
