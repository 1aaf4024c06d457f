// Multiply-accumulates per inference of the ops with weights (docs/design/cli-data.md
// "MAC counting"). Only the linear algebra pruning can remove is counted:
//   Gemm, MatMul      prod(output dims) · K            (= M·K·N, times any batch dims)
//   Conv              prod(output dims) · (Cin/g) · prod(kernel)  (= N·Cout·(Cin/g)·kh·kw·Hout·Wout)
//   LSTM / GRU / RNN  dirs · T · B · G·H·(I+H), G = 4 / 3 / 1   (+ 3H per step for LSTM peepholes)
// Elementwise ops, BatchNormalization, pooling, softmax and shape ops count 0: their
// cost is O(activations), unaffected by pruning, and small next to the weighted ops.
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { attrInt } from '../../runtime/ops/attrs.ts';
import { RECURRENT_OPS } from '../../runtime/ops/recurrent/config.ts';

export type ShapeOf = (name: string) => number[] | null;

export interface MacCount {
  /** Dense MACs, or null when a needed shape is unknown. */
  macs: number | null;
  /**
   * How the MACs split over the node's weight initializers (initializer name → MACs),
   * so a pruned weight's density can scale its own share.
   */
  perWeight: Record<string, number>;
}

const prod = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

export function countMacs(model: Model, node: Node, shapeOf: ShapeOf): MacCount {
  const init = (i: number): Tensor | undefined => (node.inputs[i] ? model.graph.initializers[node.inputs[i]] : undefined);
  const none: MacCount = { macs: 0, perWeight: {} };
  const unknown: MacCount = { macs: null, perWeight: {} };
  const weightShare = (macs: number, i: number): MacCount =>
    ({ macs, perWeight: init(i) ? { [node.inputs[i]]: macs } : {} });

  if (node.domain !== '' && node.domain !== 'ai.onnx') return unknown;
  switch (node.op) {
    case 'Gemm': case 'MatMul': {
      const out = shapeOf(node.outputs[0]);
      const a = shapeOf(node.inputs[0]);
      if (!out || !a || a.length === 0) return unknown;
      // Gemm's A is [M,K] or, with transA, [K,M]; MatMul's K is A's last dim (1-D A: its only dim).
      const k = node.op === 'Gemm' && attrInt(node, 'transA', 0) ? a[0] : a[a.length - 1];
      return weightShare(prod(out) * k, 1);
    }
    case 'Conv': {
      const out = shapeOf(node.outputs[0]);
      const w = shapeOf(node.inputs[1]);
      if (!out || !w || w.length < 3) return unknown;
      return weightShare(prod(out) * prod(w.slice(1)), 1);
    }
    case 'LSTM': case 'GRU': case 'RNN': {
      const x = shapeOf(node.inputs[0]);
      const w = shapeOf(node.inputs[1]);
      const r = shapeOf(node.inputs[2]);
      if (!x || !w || x.length !== 3 || w.length !== 3) return unknown;
      const g = RECURRENT_OPS[node.op].gates.length;
      const dirs = w[0];
      const hidden = attrInt(node, 'hidden_size', r ? r[2] : w[1] / g);
      const input = w[2];
      const batchFirst = attrInt(node, 'layout', 0) === 1;
      const [t, b] = batchFirst ? [x[1], x[0]] : [x[0], x[1]];
      const steps = dirs * t * b;
      const perWeight: Record<string, number> = {};
      const wMacs = steps * g * hidden * input;
      const rMacs = steps * g * hidden * hidden;
      if (init(1)) perWeight[node.inputs[1]] = wMacs;
      if (init(2)) perWeight[node.inputs[2]] = rMacs;
      let macs = wMacs + rMacs;
      // Peepholes (LSTM input 7): one multiply-add per cell for i, o, f.
      if (node.op === 'LSTM' && node.inputs[7]) macs += steps * 3 * hidden;
      return { macs, perWeight };
    }
    default:
      return none;
  }
}

