// An LSTM / GRU / RNN node as the sparse recurrent kernels run it: the reference's
// parseRecurrentConfig (the one reading of the attributes) plus the sizes its
// weightSizes reads off W and R, with the activations in backend form. Shared by the
// sequence kernel (recurrent.ts), the CSR ops (csr-ops.ts) and the streaming plan.
import type { Tensor } from '../ir.ts';
import type { Node } from '../ir.ts';
import { parseRecurrentConfig, type RecurrentConfig, type RecurrentKind } from '../ops/recurrent/config.ts';
import { checkRecurrentShapes, readSequenceLens, weightSizes, type RecurrentSizes } from '../ops/recurrent/inputs.ts';
import { activationSpec } from './activations.ts';
import type { CellOptions } from './linalg.ts';

export type CellKind = RecurrentKind;

export interface RecurrentSpec {
  /** The parsed attributes, as the reference kernels read them. */
  config: RecurrentConfig;
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
  layout: 0 | 1;
}

/** W and R are given by their dims only: a CSR call knows them from W_dims / R_dims. */
export function recurrentSpec(node: Node, kind: CellKind, W: { dims: readonly number[] }, R: { dims: readonly number[] }): RecurrentSpec {
  const config = parseRecurrentConfig(node, kind);
  const { hidden, inputSize } = weightSizes(config, W.dims, R.dims);
  return {
    config, kind, hidden, input: inputSize, gates: config.gates, directions: config.numDirections,
    reverse: config.reverse,
    cells: config.activations.map((list) => ({ acts: list.map(activationSpec), clip: config.clip ?? 0 })),
    inputForget: config.inputForget,
    linearBeforeReset: config.linearBeforeReset,
    layout: config.layout,
  };
}

/**
 * The reference's checks of X, B, sequence_lens, initial states and P (inputs in ONNX
 * order; W and R are not read, the spec holds their sizes): the sizes and, per batch
 * row, the number of valid steps.
 */
export function checkSpecInputs(spec: RecurrentSpec, inputs: (Tensor | undefined)[]): { sizes: RecurrentSizes; lens: number[] } {
  const sizes = checkRecurrentShapes(spec.config, { hidden: spec.hidden, inputSize: spec.input }, inputs.map((t) => t?.dims));
  return { sizes, lens: readSequenceLens(spec.config, inputs[4], sizes) };
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
