// Block masks for tests, made here rather than by Rampart's pruner or runtime/bsr.ts:
// each prunable matrix (rows = outputs, per direction) is cut into blocks of br rows x
// bc consecutive columns and the fraction `sparsity` of blocks with the least energy
// is zeroed whole. Rows of a block are consecutive inside a segment (a gate of a
// recurrent weight, a conv group) or, gate-fused, units u..u+br/gates-1 of every gate
// (rows u + g*H). A segment that br does not divide ends in a shorter block.
import type { Model } from '../../runtime/ir.ts';
import { getMatrix, prunableWeights, setMatrix, type PrunableWeight } from '../../src/ir/layers.ts';

export type BlockMap = 'natural' | 'gate-fused';

function blockRows(rows: number, br: number, segment: number, map: BlockMap, gates: number, hidden: number): number[][] {
  const out: number[][] = [];
  if (map === 'gate-fused') {
    const per = br / gates;
    for (let u0 = 0; u0 < hidden; u0 += per) {
      const b: number[] = [];
      for (let u = u0; u < Math.min(hidden, u0 + per); u++) for (let g = 0; g < gates; g++) b.push(g * hidden + u);
      out.push(b);
    }
    return out;
  }
  for (let s0 = 0; s0 < rows; s0 += segment) {
    for (let r = s0; r < Math.min(rows, s0 + segment); r += br) {
      out.push(Array.from({ length: Math.min(br, s0 + segment - r, rows - r) }, (_, j) => r + j));
    }
  }
  return out;
}

/** `model` with whole br x bc blocks of every prunable weight zeroed (least energy first). */
export function blockPrune(model: Model, sparsity: number, br: number, bc: number, map: BlockMap = 'natural',
  only: (pw: PrunableWeight) => boolean = () => true): Model {
  const m: Model = structuredClone(model);
  for (const pw of prunableWeights(m).filter(only)) {
    const gates = pw.gates?.length ?? 1, hidden = pw.hidden ?? pw.rows;
    const fused = map === 'gate-fused' && pw.gates !== null && br % gates === 0;
    const segment = pw.hidden ?? pw.rows / pw.groups;
    for (let d = 0; d < pw.directions; d++) {
      const w = getMatrix(m, pw, d);
      const blocks: { rows: number[]; c0: number; e: number }[] = [];
      for (const rows of blockRows(pw.rows, br, segment, fused ? 'gate-fused' : 'natural', gates, hidden)) {
        for (let c0 = 0; c0 < pw.cols; c0 += bc) {
          let e = 0;
          for (const r of rows) for (let c = c0; c < Math.min(pw.cols, c0 + bc); c++) e += w[r * pw.cols + c] ** 2;
          blocks.push({ rows, c0, e });
        }
      }
      const order = blocks.map((_, i) => i).sort((a, b) => blocks[a].e - blocks[b].e || a - b);
      for (const i of order.slice(0, Math.floor(blocks.length * sparsity))) {
        const b = blocks[i];
        for (const r of b.rows) for (let c = b.c0; c < Math.min(pw.cols, b.c0 + bc); c++) w[r * pw.cols + c] = 0;
      }
      setMatrix(m, pw, d, w);
    }
  }
  return m;
}
