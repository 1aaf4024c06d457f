// LSTM gate math (ONNX order i, o, f, c; peepholes P = [Pi, Po, Pf]):
//   i = f(Wi x + Ri h + Pi ⊙ C + Wbi + Rbi)
//   f = f(Wf x + Rf h + Pf ⊙ C + Wbf + Rbf)        (1 - i with input_forget)
//   g = g(Wc x + Rc h + Wbc + Rbc)
//   C' = f ⊙ C + i ⊙ g
//   o = f(Wo x + Ro h + Po ⊙ C' + Wbo + Rbo)        (the output gate peeks at the new cell)
//   h' = o ⊙ h(C')
// clip bounds every gate's pre-activation, not the cell state fed to h().
import type { Kernel } from '../types.ts';
import { clip, inputPart, recurrentPart, runRecurrent, type CellStep } from './common.ts';

const I = 0, O = 1, F = 2, C = 3;

export const lstmStep: CellStep = (p, x, h, c) => {
  const H = p.hidden;
  const [f, g, hAct] = p.act;
  const peep = (k: number, j: number, cell: Float64Array) => (p.P ? p.P[k * H + j] * cell[j] : 0);
  const pre = (gate: number, j: number) => inputPart(p, gate, j, x) + recurrentPart(p, gate, j, h);
  const cNew = new Float64Array(H);
  const hNew = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const i = f.fn(clip(p, pre(I, j) + peep(0, j, c)));
    const fg = p.cfg.inputForget ? 1 - i : f.fn(clip(p, pre(F, j) + peep(2, j, c)));
    const gg = g.fn(clip(p, pre(C, j)));
    cNew[j] = fg * c[j] + i * gg;
    const o = f.fn(clip(p, pre(O, j) + peep(1, j, cNew)));
    hNew[j] = o * hAct.fn(cNew[j]);
  }
  return { h: hNew, c: cNew };
};

export const lstmKernel: Kernel = (inputs, node) => runRecurrent(inputs, node, 'LSTM', lstmStep);
