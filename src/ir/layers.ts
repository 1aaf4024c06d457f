// Prunable-weight enumeration: every weight initializer that a pruning pass may
// sparsify, seen as one matrix per direction in a single orientation —
// row-major [rows, cols] with rows = outputs and cols = inputs — whatever the
// storage layout (MatMul B is [in, out], Gemm B depends on transB, recurrent
// weights are [dirs, gates·H, in]). Spectral analysis, pruning and training all
// read and write weights through getMatrix/setMatrix so none of them repeats the
// per-op layout rules.
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { attrInt } from '../../runtime/ops/attrs.ts';
import { isPrunable } from '../../runtime/ops/groups.ts';
import { isRecurrentKind, RECURRENT_OPS } from '../../runtime/ops/recurrent/config.ts';

export type WeightGraph = 'weight' | 'W' | 'R';

export interface PrunableWeight {
  /** The node's name. */
  layer: string;
  op: string;
  /** 'weight' for Gemm/MatMul/Conv; 'W' (input) or 'R' (recurrent) for RNN/GRU/LSTM. */
  graph: WeightGraph;
  initializer: string;
  /** 2 for bidirectional recurrent layers, else 1. */
  directions: number;
  /** Outputs per direction (Cout, gates·H, out features). */
  rows: number;
  /** Inputs: in features; Cin/group·kh·kw for Conv; I (W) or H (R) for recurrent ops. */
  cols: number;
  /** Gate names in ONNX row-block order (LSTM i,o,f,c; GRU z,r,h); null when the rows are not gates. */
  gates: string[] | null;
  /** Hidden size of a recurrent layer, else null. */
  hidden: number | null;
  /**
   * Conv `group` attribute (1 elsewhere). The matrix is the compact [Cout, Cin/group·kh·kw]
   * storage; output channel o belongs to group floor(o / (Cout/group)) and its columns
   * address that group's input channels only (see src/spectral/graphs.ts).
   */
  groups: number;
  /** True when the storage is [in, out] (MatMul B; Gemm B with transB=0) and is transposed on access. */
  transposed: boolean;
}

function floatInit(model: Model, node: Node, name: string | undefined): Tensor | undefined {
  if (!name) return undefined;
  const t = model.graph.initializers[name];
  if (t === undefined) return undefined;
  if (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'float16') return undefined;
  if (t.data.length !== t.dims.reduce((a, b) => a * b, 1)) {
    throw new RampartError(`initializer '${name}' has ${t.data.length} values for dims [${t.dims.join(',')}]`, {
      node: node.name, op: node.op,
    });
  }
  return t;
}

function describe(model: Model, node: Node): PrunableWeight[] {
  const base = { layer: node.name, op: node.op, directions: 1, gates: null, hidden: null, groups: 1, transposed: false };
  if (node.op === 'Gemm' || node.op === 'MatMul') {
    const t = floatInit(model, node, node.inputs[1]);
    if (!t || t.dims.length !== 2) return [];
    // Gemm computes A·B (transB=0, B is [in, out]) or A·Bᵀ (transB=1, B is [out, in]); MatMul is A·B.
    const transB = node.op === 'Gemm' ? attrInt(node, 'transB', 0) : 0;
    const [d0, d1] = t.dims;
    return [{
      ...base, graph: 'weight', initializer: node.inputs[1],
      rows: transB ? d0 : d1, cols: transB ? d1 : d0, transposed: !transB,
    }];
  }
  if (node.op === 'Conv') {
    const t = floatInit(model, node, node.inputs[1]);
    if (!t || t.dims.length < 3) return [];
    const groups = attrInt(node, 'group', 1);
    if (groups < 1 || t.dims[0] % groups !== 0) {
      throw new RampartError(`Conv weight has ${t.dims[0]} output channels, not a multiple of group=${groups}`, {
        node: node.name, op: node.op,
      });
    }
    const cols = t.dims.slice(1).reduce((a, b) => a * b, 1);
    return [{ ...base, graph: 'weight', initializer: node.inputs[1], rows: t.dims[0], cols, groups }];
  }
  if (isRecurrentKind(node.op)) {
    // RNN's single block is not a gate split worth reporting: gates stays null.
    const nGates = RECURRENT_OPS[node.op].gates.length;
    const gates = nGates > 1 ? RECURRENT_OPS[node.op].gates : null;
    const out: PrunableWeight[] = [];
    for (const [graph, idx] of [['W', 1], ['R', 2]] as const) {
      const t = floatInit(model, node, node.inputs[idx]);
      if (!t) continue;
      if (t.dims.length !== 3 || t.dims[1] % nGates !== 0) {
        throw new RampartError(`${graph} has dims [${t.dims.join(',')}]`, {
          node: node.name, op: node.op, expected: `[directions, ${nGates}·hidden, inputs]`,
        });
      }
      const hidden = t.dims[1] / nGates;
      out.push({
        ...base, graph, initializer: node.inputs[idx], directions: t.dims[0],
        rows: t.dims[1], cols: t.dims[2], gates: gates ? gates.slice() : null, hidden,
      });
    }
    return out;
  }
  return [];
}

/** One entry per prunable weight initializer use, in node order (W before R for recurrent ops). */
export function prunableWeights(model: Model): PrunableWeight[] {
  const out: PrunableWeight[] = [];
  for (const node of model.graph.nodes) {
    if ((node.domain === '' || node.domain === 'ai.onnx') && isPrunable(node.op)) out.push(...describe(model, node));
  }
  return out;
}

function tensorOf(model: Model, pw: PrunableWeight, direction: number): Tensor {
  const t = model.graph.initializers[pw.initializer];
  if (t === undefined) {
    throw new RampartError(`initializer '${pw.initializer}' is missing`, { node: pw.layer, op: pw.op });
  }
  if (!Number.isInteger(direction) || direction < 0 || direction >= pw.directions) {
    throw new RampartError(`direction ${direction} out of range`, {
      node: pw.layer, op: pw.op, expected: `0..${pw.directions - 1}`,
    });
  }
  if (t.data.length !== pw.directions * pw.rows * pw.cols) {
    throw new RampartError(`initializer '${pw.initializer}' has ${t.data.length} values`, {
      node: pw.layer, op: pw.op, expected: `${pw.directions}·${pw.rows}·${pw.cols}`,
    });
  }
  return t;
}

/** The weight of one direction as a fresh row-major [rows = outputs, cols = inputs] Float32Array. */
export function getMatrix(model: Model, pw: PrunableWeight, direction = 0): Float32Array {
  const t = tensorOf(model, pw, direction);
  const data = t.data as Float32Array | Float64Array;
  const { rows, cols } = pw;
  const off = direction * rows * cols;
  if (!pw.transposed) return Float32Array.from(data.subarray(off, off + rows * cols));
  const m = new Float32Array(rows * cols);
  // storage [cols, rows] → [rows, cols]
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < rows; j++) m[j * cols + i] = data[i * rows + j];
  }
  return m;
}

/**
 * Writes a [rows, cols] matrix back into the weight of one direction. The
 * initializer's record is replaced by a new tensor with a new data array, so a
 * model that shares tensor records or buffers with this one (a shallow copy) is
 * never written through.
 */
export function setMatrix(model: Model, pw: PrunableWeight, direction: number, m: ArrayLike<number>): void {
  const t = tensorOf(model, pw, direction);
  const { rows, cols } = pw;
  if (m.length !== rows * cols) {
    throw new RampartError(`setMatrix got ${m.length} values`, {
      node: pw.layer, op: pw.op, expected: `${rows}×${cols} = ${rows * cols}`,
    });
  }
  const data = (t.data as Float32Array | Float64Array).slice();
  const off = direction * rows * cols;
  if (!pw.transposed) data.set(m, off);
  else {
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < rows; j++) data[i * rows + j] = m[j * cols + i];
    }
  }
  model.graph.initializers[pw.initializer] = { dtype: t.dtype, dims: t.dims.slice(), data };
}
