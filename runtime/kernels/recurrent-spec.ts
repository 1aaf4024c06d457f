// Parsing of an LSTM / GRU / RNN node into the plain description the sparse
// recurrent kernels run: sizes, directions, activations and the per-direction weight
// blocks. Shared by the sequence kernel (recurrent.ts), the CSR ops (csr-ops.ts) and
// the streaming plan (stream.ts).
import type { Node, Tensor } from '../ir.ts';
import { attrFloat, attrInt, attrString, fail } from '../ops/attrs.ts';
import { recurrentActivations } from './activations.ts';
import type { CellOptions } from './linalg.ts';

export type CellKind = 'LSTM' | 'GRU' | 'RNN';

export const GATES: Record<CellKind, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTS: Record<CellKind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

export interface RecurrentSpec {
  kind: CellKind;
  hidden: number;
  input: number;
  gates: number;
  directions: number;
  /** Per direction: runs time backwards. */
  reverse: boolean[];
  cells: CellOptions[];
  inputForget: boolean;
  linearBeforeReset: boolean;
  /** 1: batch-major X / Y / states (ONNX `layout`). */
  layout: number;
}

export function recurrentSpec(node: Node, kind: CellKind, W: { dims: number[] }, R: { dims: number[] }): RecurrentSpec {
  const direction = attrString(node, 'direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) fail(node, `direction '${direction}'`, 'forward, reverse or bidirectional');
  const gates = GATES[kind];
  const hidden = attrInt(node, 'hidden_size') ?? R.dims[R.dims.length - 1];
  if (W.dims.length !== 3 || W.dims[0] !== dirs || W.dims[1] !== gates * hidden) {
    fail(node, `W has shape [${W.dims}]`, `[${dirs},${gates * hidden},input_size]`);
  }
  if (R.dims.length !== 3 || R.dims[0] !== dirs || R.dims[1] !== gates * hidden || R.dims[2] !== hidden) {
    fail(node, `R has shape [${R.dims}]`, `[${dirs},${gates * hidden},${hidden}]`);
  }
  const acts = recurrentActivations(node, DEFAULT_ACTS[kind], dirs);
  const clip = attrFloat(node, 'clip', 0);
  return {
    kind, hidden, input: W.dims[2], gates, directions: dirs,
    reverse: dirs === 2 ? [false, true] : [direction === 'reverse'],
    cells: acts.map((a) => ({ acts: a, clip: clip > 0 ? clip : 0 })),
    inputForget: kind === 'LSTM' && attrInt(node, 'input_forget', 0) !== 0,
    linearBeforeReset: kind === 'GRU' && attrInt(node, 'linear_before_reset', 0) !== 0,
    layout: attrInt(node, 'layout', 0),
  };
}

/**
 * Per-direction bias vectors in the form the cells want: xb is added to x W^T (for
 * LSTM/RNN it already holds Wb + Rb), rb to R h (GRU only, where the reset gate
 * sits between R h and its bias when linear_before_reset is set).
 */
export function directionBiases(spec: RecurrentSpec, B: Tensor | undefined, d: number): { xb: Float32Array; rb: Float32Array | null } {
  const gh = spec.gates * spec.hidden;
  const xb = new Float32Array(gh);
  const rb = spec.kind === 'GRU' ? new Float32Array(gh) : null;
  if (B) {
    const b = B.data as Float32Array, o = d * 2 * gh;
    for (let i = 0; i < gh; i++) {
      xb[i] = b[o + i];
      if (rb) rb[i] = b[o + gh + i];
      else xb[i] += b[o + gh + i];
    }
  }
  return { xb, rb };
}
