// The quotient graph of a block structure (src/prune/blocks.ts): one vertex per block
// row (output side) and per block column (input side), an edge per block that keeps
// at least one weight. A block mask's element graph is a blow-up of it — every
// block row is R twin outputs, every block column C twin inputs — so for whole
// full-size blocks the element biadjacency is Q ⊗ J(R×C) and its singular values
// are √(RC) times Q's. Edge blocks (smaller than R×C) are one vertex each all the
// same: the quotient ignores block sizes. `rampart analyze --block` shows its
// quantities beside the element graph's; the guard keeps judging the element graph
// (docs/design/spectral.md says why).
import type { PrunableWeight } from '../ir/layers.ts';
import type { BlockPartition } from '../prune/blocks.ts';
import type { LayerGraph } from './graphs.ts';
import type { MatrixView } from './sparse.ts';

/**
 * The quotient of one direction's [rows, cols] matrix. With `range`, only rows in
 * [start, end) count (a gate's rows): the block rows are then the row groups that meet
 * it. A grouped conv's quotient is block-diagonal like its element graph: block
 * columns of conv group g are their own vertices.
 */
export function quotientView(p: BlockPartition, matrix: Float32Array, range: [number, number] = [0, p.rows]): MatrixView {
  const local = new Int32Array(p.rowGroups.length).fill(-1);
  let rows = 0;
  for (let r = range[0]; r < range[1]; r++) {
    const g = p.rowGroupOf[r];
    if (local[g] < 0) local[g] = -2; // seen; numbered below in group order
  }
  for (let g = 0; g < local.length; g++) if (local[g] === -2) local[g] = rows++;
  const segment = p.rows / p.convGroups;
  const cols = p.colRuns * p.convGroups;
  const data = new Float32Array(rows * cols);
  for (let r = range[0]; r < range[1]; r++) {
    const q = local[p.rowGroupOf[r]];
    const off = q * cols + Math.floor(r / segment) * p.colRuns;
    for (let c = 0; c < p.cols; c++) if (matrix[r * p.cols + c] !== 0) data[off + Math.floor(c / p.shape.cols)] = 1;
  }
  return { rows, cols, data };
}

/** The quotient graphs matching graphsOfMatrix's: the stacked one, then one per gate. */
export function quotientGraphs(pw: PrunableWeight, p: BlockPartition, direction: number, matrix: Float32Array, perGate = true): LayerGraph[] {
  const out: LayerGraph[] = [{ graph: pw.graph, gate: null, direction, view: quotientView(p, matrix) }];
  if (perGate && pw.gates && pw.hidden !== null) {
    const h = pw.hidden;
    pw.gates.forEach((gate, k) => out.push({ graph: pw.graph, gate, direction, view: quotientView(p, matrix, [k * h, (k + 1) * h]) }));
  }
  return out;
}
