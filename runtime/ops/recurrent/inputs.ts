// Validating a recurrent node's inputs (X, W, R, B, sequence_lens, initial_h,
// initial_c, P) against its config: every shape mismatch names the node and the
// expected shape; absent optional inputs become zeros.
import type { Tensor } from '../../ir.ts';
import { RampartError } from '../../errors.ts';
import { toNumbers, shapeString } from '../../tensor.ts';
import type { RecurrentConfig } from './config.ts';

/** Validated inputs of a recurrent node; W/R/P data in their original typed arrays. */
export interface RecurrentInputs {
  seqLength: number;
  batch: number;
  inputSize: number;
  hidden: number;
  X: ArrayLike<number>;
  W: ArrayLike<number>;
  R: ArrayLike<number>;
  /** [dirs, 2*gates*hidden] (Wb then Rb), zeros when B is absent. */
  B: Float64Array;
  /** Per batch row, the number of valid steps (seqLength when sequence_lens is absent). */
  seqLens: number[];
  /** [dirs, batch, hidden], zeros when absent. */
  initialH: Float64Array;
  initialC: Float64Array;
  /** [dirs, 3*hidden] peepholes (i, o, f), or null. */
  P: ArrayLike<number> | null;
}

function numeric(t: Tensor, what: string, cfg: RecurrentConfig): ArrayLike<number> {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new RampartError(`${what} has dtype ${t.dtype}`, { node: cfg.node, op: cfg.kind, expected: 'float32 or float64' });
  }
  return t.data as ArrayLike<number>;
}

function expectDims(t: Tensor, dims: number[], what: string, cfg: RecurrentConfig): void {
  if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
    throw new RampartError(`${what} has shape ${shapeString(t.dims)}`, { node: cfg.node, op: cfg.kind, expected: shapeString(dims) });
  }
}

/** inputs in ONNX order: X, W, R, B, sequence_lens, initial_h, initial_c (LSTM), P (LSTM). */
export function readRecurrentInputs(inputs: (Tensor | undefined)[], cfg: RecurrentConfig): RecurrentInputs {
  const [x, w, r, b, lens, h0, c0, p] = inputs;
  const ctx = { node: cfg.node, op: cfg.kind };
  if (!x || !w || !r) throw new RampartError('X, W and R are required inputs', ctx);
  if (x.dims.length !== 3) throw new RampartError(`X has shape ${shapeString(x.dims)}`, { ...ctx, expected: '[seq, batch, input]' });
  const [seqLength, batch, inputSize] = x.dims;
  const dirs = cfg.numDirections;
  const G = cfg.gates;
  if (r.dims.length !== 3) throw new RampartError(`R has shape ${shapeString(r.dims)}`, { ...ctx, expected: '[dirs, gates*hidden, hidden]' });
  const hidden = cfg.hiddenSize ?? r.dims[2];
  expectDims(w, [dirs, G * hidden, inputSize], 'W', cfg);
  expectDims(r, [dirs, G * hidden, hidden], 'R', cfg);
  const B = new Float64Array(dirs * 2 * G * hidden);
  if (b) {
    expectDims(b, [dirs, 2 * G * hidden], 'B', cfg);
    B.set(numeric(b, 'B', cfg));
  }
  let seqLens = new Array<number>(batch).fill(seqLength);
  if (lens) {
    expectDims(lens, [batch], 'sequence_lens', cfg);
    seqLens = toNumbers(lens);
    const bad = seqLens.find((n) => !Number.isInteger(n) || n < 0 || n > seqLength);
    if (bad !== undefined) {
      throw new RampartError(`sequence_lens holds ${bad}`, { ...ctx, expected: `integers in [0, ${seqLength}]` });
    }
  }
  const initialH = new Float64Array(dirs * batch * hidden);
  if (h0) {
    expectDims(h0, [dirs, batch, hidden], 'initial_h', cfg);
    initialH.set(numeric(h0, 'initial_h', cfg));
  }
  const initialC = new Float64Array(dirs * batch * hidden);
  if (cfg.kind === 'LSTM' && c0) {
    expectDims(c0, [dirs, batch, hidden], 'initial_c', cfg);
    initialC.set(numeric(c0, 'initial_c', cfg));
  }
  let P: ArrayLike<number> | null = null;
  if (cfg.kind === 'LSTM' && p) {
    expectDims(p, [dirs, 3 * hidden], 'P', cfg);
    P = numeric(p, 'P', cfg);
  }
  return {
    seqLength, batch, inputSize, hidden,
    X: numeric(x, 'X', cfg), W: numeric(w, 'W', cfg), R: numeric(r, 'R', cfg),
    B, seqLens, initialH, initialC, P,
  };
}
