// Block masks for the runtime's block-CSR tests, built here (not by Rampart's pruner,
// which is code under test elsewhere): every prunable weight of a model gets whole
// br x 1 blocks zeroed, with block rows of br consecutive rows inside a segment (a
// gate, a conv group, else the whole matrix) or, for gated weights, gate-fused rows
// {u + g*hidden} (one unit's rows of every gate in a block).
import type { Model } from '../../runtime/ir.ts';
import { prunableWeights } from '../../src/ir/layers.ts';
import { randomFloats } from './helpers.ts';

export type MaskLayout = 'natural' | 'gate-fused';

/** The block rows (matrix rows; -1 padding) of one direction's [rows, cols] matrix. */
export function blockRows(rows: number, br: number, layout: MaskLayout, gates: number, hidden: number, groups: number): number[][] {
  const out: number[][] = [];
  if (layout === 'gate-fused' && gates > 1 && br % gates === 0) {
    const per = br / gates;
    for (let u0 = 0; u0 < hidden; u0 += per) {
      const b: number[] = [];
      for (let u = u0; u < u0 + per; u++) for (let g = 0; g < gates; g++) b.push(u < hidden ? g * hidden + u : -1);
      out.push(b);
    }
    return out;
  }
  const seg = gates > 1 ? hidden : rows / groups;
  for (let s0 = 0; s0 < rows; s0 += seg) {
    for (let r = s0; r < s0 + seg; r += br) out.push(Array.from({ length: br }, (_, j) => (r + j < s0 + seg ? r + j : -1)));
  }
  return out;
}

/**
 * Zeroes whole blocks of every prunable weight, keeping each with probability `keep`
 * (so sparsity ~ 1 - keep); returns the model and the blocks kept per initializer.
 */
export function blockPrune(model: Model, br: number, layout: MaskLayout, keep: number, seed = 1): Model {
  const m: Model = structuredClone(model);
  const done = new Set<string>();
  let s = seed;
  for (const pw of prunableWeights(m)) {
    if (done.has(pw.initializer)) continue;
    done.add(pw.initializer);
    const data = m.graph.initializers[pw.initializer].data as Float32Array;
    const G = pw.gates?.length ?? 1, H = pw.hidden ?? pw.rows;
    const blocks = blockRows(pw.rows, br, layout, G, H, pw.groups);
    const pick = randomFloats(pw.directions * blocks.length * pw.cols, s++);
    let q = 0;
    for (let d = 0; d < pw.directions; d++) {
      for (const b of blocks) {
        for (let c = 0; c < pw.cols; c++, q++) {
          if ((pick[q] + 1) / 2 < keep) continue;
          for (const r of b) {
            if (r < 0) continue;
            const i = pw.transposed ? c * pw.rows + r : d * pw.rows * pw.cols + r * pw.cols + c;
            data[i] = 0;
          }
        }
      }
    }
  }
  return m;
}
