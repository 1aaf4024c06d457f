// The recurrent helper shared by RNN, GRU and LSTM: directions, sequence_lens,
// initial states and the Y / Y_h / Y_c outputs, on top of config.ts (attributes),
// inputs.ts (validated inputs) and layout.ts (batch-first tensors). A cell (rnn.ts,
// gru.ts, lstm.ts) supplies only its gate math, as one step for one batch row.
// Reference form: plain loops, float64 accumulation.
//
// The js/wasm kernels do not run this loop; they build their spec from
// parseRecurrentConfig and check their inputs with weightSizes, checkRecurrentShapes
// and readSequenceLens (runtime/kernels/recurrent-spec.ts), so a node means the same
// thing, and is refused for the same reasons, on every backend.
import type { Node, Tensor } from '../../ir.ts';
import { tensor } from '../../tensor.ts';
import { checkAllocation } from '../../limits.ts';
import type { Activation } from './activations.ts';
import { parseRecurrentConfig, type RecurrentConfig, type RecurrentKind } from './config.ts';
import { readRecurrentInputs, type RecurrentInputs } from './inputs.ts';
import { swap01 } from './layout.ts';

export { parseRecurrentConfig, GATES, RECURRENT_OPS, isRecurrentKind } from './config.ts';
export type { RecurrentConfig, RecurrentKind, Direction } from './config.ts';
export { readRecurrentInputs, weightSizes, checkRecurrentShapes, readSequenceLens } from './inputs.ts';
export type { RecurrentInputs, RecurrentSizes, WeightSizes } from './inputs.ts';

/** Everything a cell needs for one direction. W, R, B, P are views of that direction's slice. */
export interface DirectionParams {
  cfg: RecurrentConfig;
  hidden: number;
  inputSize: number;
  /** [gates*hidden, inputSize] row-major. */
  W: ArrayLike<number>;
  /** [gates*hidden, hidden] row-major. */
  R: ArrayLike<number>;
  Wb: Float64Array;
  Rb: Float64Array;
  /** [3*hidden] peepholes i, o, f; null when absent. */
  P: Float64Array | null;
  act: Activation[];
}

/** One time step for one batch row: reads x, h (and c), returns the new h (and c). */
export type CellStep = (p: DirectionParams, x: Float64Array, h: Float64Array, c: Float64Array) => { h: Float64Array; c: Float64Array };

/** Σ_k M[row, k] v[k] for a row-major [*, cols] matrix. */
export function dotRow(M: ArrayLike<number>, row: number, cols: number, v: ArrayLike<number>): number {
  let s = 0;
  const base = row * cols;
  for (let k = 0; k < cols; k++) s += M[base + k] * v[k];
  return s;
}

/** W_gate[j] · x + Wb_gate[j]: the input half of gate `gate`, unit j. */
export function inputPart(p: DirectionParams, gate: number, j: number, x: ArrayLike<number>): number {
  const row = gate * p.hidden + j;
  return dotRow(p.W, row, p.inputSize, x) + p.Wb[row];
}

/** R_gate[j] · h + Rb_gate[j]: the recurrent half of gate `gate`, unit j. */
export function recurrentPart(p: DirectionParams, gate: number, j: number, h: ArrayLike<number>): number {
  const row = gate * p.hidden + j;
  return dotRow(p.R, row, p.hidden, h) + p.Rb[row];
}

/** The clip attribute bounds each activation's input to [-clip, clip]. */
export function clip(p: DirectionParams, v: number): number {
  const t = p.cfg.clip;
  return t === null ? v : Math.min(t, Math.max(-t, v));
}

function slice(a: ArrayLike<number>, start: number, n: number): ArrayLike<number> {
  return ArrayBuffer.isView(a) ? (a as Float32Array).subarray(start, start + n) : Array.prototype.slice.call(a, start, start + n);
}

/** The per-direction parameter views of validated inputs. */
export function directionParams(cfg: RecurrentConfig, ins: RecurrentInputs, d: number): DirectionParams {
  const { hidden: H, inputSize: I } = ins;
  const GH = cfg.gates * H;
  return {
    cfg, hidden: H, inputSize: I,
    W: slice(ins.W, d * GH * I, GH * I),
    R: slice(ins.R, d * GH * H, GH * H),
    Wb: ins.B.slice(d * 2 * GH, d * 2 * GH + GH),
    Rb: ins.B.slice(d * 2 * GH + GH, (d + 1) * 2 * GH),
    P: ins.P ? Float64Array.from(slice(ins.P, d * 3 * H, 3 * H)) : null,
    act: cfg.activations[d],
  };
}

/**
 * Runs a cell over every direction and batch row. Semantics (matching onnxruntime):
 * row b has seqLens[b] valid steps; forward runs t = 0..len-1, reverse runs
 * t = len-1..0 and writes each output at its own time index; steps t >= len are zero
 * in Y and leave the state alone, so Y_h / Y_c hold the state after the last valid
 * step. A zero-length row yields zeros in Y_h and Y_c. Layout 1 outputs are the
 * layout-0 ones with the batch axis moved to the front.
 */
export function runRecurrent(inputs: (Tensor | undefined)[], node: Node, kind: RecurrentKind, step: CellStep): Tensor[] {
  const cfg = parseRecurrentConfig(node, kind);
  const ins = readRecurrentInputs(inputs, cfg);
  const { seqLength: S, batch: N, inputSize: I, hidden: H } = ins;
  const D = cfg.numDirections;
  const dtype = inputs[0]!.dtype;
  checkAllocation('float64', S * D * N * H, 'the output Y'); // before the time loop, not after it
  const Y = new Float64Array(S * D * N * H);
  const Yh = new Float64Array(D * N * H);
  const Yc = new Float64Array(D * N * H);
  for (let d = 0; d < D; d++) {
    const p = directionParams(cfg, ins, d);
    const reverse = cfg.reverse[d];
    for (let b = 0; b < N; b++) {
      const len = ins.seqLens[b];
      if (len === 0) continue;
      let h: Float64Array = ins.initialH.slice((d * N + b) * H, (d * N + b + 1) * H);
      let c: Float64Array = ins.initialC.slice((d * N + b) * H, (d * N + b + 1) * H);
      for (let k = 0; k < len; k++) {
        const t = reverse ? len - 1 - k : k;
        const x = Float64Array.from(slice(ins.X, (t * N + b) * I, I));
        ({ h, c } = step(p, x, h, c));
        Y.set(h, ((t * D + d) * N + b) * H);
      }
      Yh.set(h, (d * N + b) * H);
      Yc.set(c, (d * N + b) * H);
    }
  }
  // Layout 1: the same tensors with the batch axis moved to the front.
  const first = cfg.layout === 1;
  const y = first ? swap01(Y, S * D, N, H) : Y;
  const state = (v: Float64Array) => tensor(dtype, first ? [N, D, H] : [D, N, H], toDtype(first ? swap01(v, D, N, H) : v, dtype));
  const out = [tensor(dtype, first ? [N, S, D, H] : [S, D, N, H], toDtype(y, dtype)), state(Yh)];
  if (kind === 'LSTM') out.push(state(Yc));
  return out;
}

function toDtype(a: Float64Array, dtype: string): Float32Array | Float64Array {
  return dtype === 'float64' ? a : Float32Array.from(a);
}
