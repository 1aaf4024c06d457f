// The bipartite graphs of a prunable weight (SPECTRAL.md §1): per direction, the
// stacked graph (all gate rows together) and, for gated recurrent ops, one graph
// per gate (its contiguous block of H rows). Views are [rows = outputs, cols = inputs].
//
// Grouped convolution: the stored weight is compact, [Cout, Cin/group·kh·kw], and
// output channel o of group g = ⌊o / (Cout/group)⌋ reads only input channels of
// group g. Reading the compact matrix as the graph would merge the k-th input of
// every group into one vertex, which the layer never does. So the graph is the
// block-diagonal [Cout, Cin·kh·kw] expansion: block g connects input block g to
// output block g, and nothing else. For group = 1 both coincide. A grouped layer
// is then a disjoint union of `group` graphs, with σ2 = σ1 when two blocks match:
// that is the layer's real (poor) expansion, reported as is.
import type { Model } from '../../runtime/ir.ts';
import { getMatrix, type PrunableWeight, type WeightGraph } from '../ir/layers.ts';
import type { MatrixView } from './sparse.ts';

export interface LayerGraph {
  graph: WeightGraph;
  /** null for the stacked graph, else the gate name (LSTM i,o,f,c; GRU z,r,h). */
  gate: string | null;
  direction: number;
  view: MatrixView;
}

/** The block-diagonal graph of a grouped conv weight (identity for group = 1). */
export function expandGroups(pw: PrunableWeight, matrix: Float32Array): MatrixView {
  const g = pw.groups;
  if (g <= 1) return { rows: pw.rows, cols: pw.cols, data: matrix };
  const cols = pw.cols * g;
  const perGroup = pw.rows / g;
  const data = new Float32Array(pw.rows * cols);
  for (let o = 0; o < pw.rows; o++) {
    const off = Math.floor(o / perGroup) * pw.cols;
    data.set(matrix.subarray(o * pw.cols, (o + 1) * pw.cols), o * cols + off);
  }
  return { rows: pw.rows, cols, data };
}

/** The graphs of one direction's [rows, cols] matrix (as getMatrix returns it). */
export function graphsOfMatrix(pw: PrunableWeight, direction: number, matrix: Float32Array, perGate = true): LayerGraph[] {
  const out: LayerGraph[] = [{ graph: pw.graph, gate: null, direction, view: expandGroups(pw, matrix) }];
  if (perGate && pw.gates && pw.hidden !== null) {
    const h = pw.hidden, c = pw.cols;
    pw.gates.forEach((gate, k) => {
      out.push({ graph: pw.graph, gate, direction, view: { rows: h, cols: c, data: matrix.slice(k * h * c, (k + 1) * h * c) } });
    });
  }
  return out;
}

/** Stacked and per-gate graphs of every direction of a prunable weight. */
export function layerGraphs(model: Model, pw: PrunableWeight, opts: { perGate?: boolean; transform?: (m: Float32Array) => Float32Array } = {}): LayerGraph[] {
  const out: LayerGraph[] = [];
  for (let d = 0; d < pw.directions; d++) {
    let m = getMatrix(model, pw, d);
    if (opts.transform) m = opts.transform(m);
    out.push(...graphsOfMatrix(pw, d, m, opts.perGate ?? true));
  }
  return out;
}
