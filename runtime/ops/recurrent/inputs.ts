// Validating a recurrent node's inputs (X, W, R, B, sequence_lens, initial_h,
// initial_c, P) against its config: every shape mismatch names the node and the
// expected shape; absent optional inputs become zeros. The shape rules and the
// sequence_lens rule are exported on their own so the js/wasm kernels (which hold W
// and R packed, or as CSR with only their dims) check exactly the same things.
import type { Tensor } from '../../ir.ts';
import { RampartError } from '../../errors.ts';
import { toNumbers, shapeString } from '../../tensor.ts';
import type { RecurrentConfig } from './config.ts';
import { swap01 } from './layout.ts';

/** Sizes read off the weights: W [dirs, gates*hidden, input], R [dirs, gates*hidden, hidden]. */
export interface WeightSizes {
  hidden: number;
  inputSize: number;
}

export interface RecurrentSizes extends WeightSizes {
  seqLength: number;
  batch: number;
}

/** Validated inputs of a recurrent node, time-major whatever the layout; W/R/P data in their original typed arrays. */
export interface RecurrentInputs extends RecurrentSizes {
  /** [seq, batch, input] (layout 1 inputs are transposed to this). */
  X: ArrayLike<number>;
  W: ArrayLike<number>;
  R: ArrayLike<number>;
  /** [dirs, 2*gates*hidden] (Wb then Rb), zeros when B is absent. */
  B: Float64Array;
  /** Per batch row, the number of valid steps (seqLength when sequence_lens is absent). */
  seqLens: number[];
  /** [dirs, batch, hidden], zeros when absent (layout 1 states are transposed to this). */
  initialH: Float64Array;
  initialC: Float64Array;
  /** [dirs, 3*hidden] peepholes (i, o, f), or null. */
  P: ArrayLike<number> | null;
}

type Dims = readonly number[];

function ctx(cfg: RecurrentConfig) {
  return { node: cfg.node, op: cfg.kind };
}

function expectDims(dims: Dims, want: number[], what: string, cfg: RecurrentConfig): void {
  if (dims.length !== want.length || dims.some((d, i) => d !== want[i])) {
    throw new RampartError(`${what} has shape ${shapeString(dims)}`, { ...ctx(cfg), expected: shapeString(want) });
  }
}

/** W and R checked against each other and hidden_size; W's last dim is the input size. */
export function weightSizes(cfg: RecurrentConfig, W: Dims, R: Dims): WeightSizes {
  const dirs = cfg.numDirections, G = cfg.gates;
  if (R.length !== 3) throw new RampartError(`R has shape ${shapeString(R)}`, { ...ctx(cfg), expected: '[dirs, gates*hidden, hidden]' });
  if (W.length !== 3) throw new RampartError(`W has shape ${shapeString(W)}`, { ...ctx(cfg), expected: '[dirs, gates*hidden, input]' });
  const hidden = cfg.hiddenSize ?? R[2];
  expectDims(W, [dirs, G * hidden, W[2]], 'W', cfg);
  expectDims(R, [dirs, G * hidden, hidden], 'R', cfg);
  return { hidden, inputSize: W[2] };
}

/**
 * Every other input's shape against the weights' sizes, in ONNX input order (X, W, R,
 * B, sequence_lens, initial_h, initial_c, P; W and R are not read, undefined = absent).
 * Layout 1 puts the batch first in X and the states.
 */
export function checkRecurrentShapes(cfg: RecurrentConfig, w: WeightSizes, dims: (Dims | undefined)[]): RecurrentSizes {
  const [x, , , b, lens, h0, c0, p] = dims;
  const { hidden, inputSize } = w;
  const dirs = cfg.numDirections, G = cfg.gates;
  if (!x) throw new RampartError('X is a required input', ctx(cfg));
  const xWant = cfg.layout === 0 ? '[seq, batch, input]' : '[batch, seq, input]';
  if (x.length !== 3) throw new RampartError(`X has shape ${shapeString(x)}`, { ...ctx(cfg), expected: xWant });
  const [seqLength, batch] = cfg.layout === 0 ? [x[0], x[1]] : [x[1], x[0]];
  if (x[2] !== inputSize) {
    throw new RampartError(`X has shape ${shapeString(x)} but W has input size ${inputSize}`, {
      ...ctx(cfg), expected: `${xWant} with input = W's last dimension`,
    });
  }
  if (b) expectDims(b, [dirs, 2 * G * hidden], 'B', cfg);
  if (lens) expectDims(lens, [batch], 'sequence_lens', cfg);
  const state = cfg.layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  if (h0) expectDims(h0, state, 'initial_h', cfg);
  if (cfg.kind === 'LSTM' && c0) expectDims(c0, state, 'initial_c', cfg);
  if (cfg.kind === 'LSTM' && p) expectDims(p, [dirs, 3 * hidden], 'P', cfg);
  return { seqLength, batch, hidden, inputSize };
}

/** Valid steps per batch row: 0 <= len <= seqLength, all of X when sequence_lens is absent. */
export function readSequenceLens(cfg: RecurrentConfig, lens: Tensor | undefined, sizes: RecurrentSizes): number[] {
  if (!lens) return new Array<number>(sizes.batch).fill(sizes.seqLength);
  const out = toNumbers(lens);
  const bad = out.find((n) => !Number.isInteger(n) || n < 0 || n > sizes.seqLength);
  if (bad !== undefined) {
    throw new RampartError(`sequence_lens holds ${bad}`, { ...ctx(cfg), expected: `integers in [0, ${sizes.seqLength}]` });
  }
  return out;
}

function numeric(t: Tensor, what: string, cfg: RecurrentConfig): ArrayLike<number> {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new RampartError(`${what} has dtype ${t.dtype}`, { ...ctx(cfg), expected: 'float32 or float64' });
  }
  return t.data as ArrayLike<number>;
}

/** inputs in ONNX order: X, W, R, B, sequence_lens, initial_h, initial_c (LSTM), P (LSTM). */
export function readRecurrentInputs(inputs: (Tensor | undefined)[], cfg: RecurrentConfig): RecurrentInputs {
  const [x, w, r, b, lens, h0, c0, p] = inputs;
  if (!x || !w || !r) throw new RampartError('X, W and R are required inputs', ctx(cfg));
  const sizes = checkRecurrentShapes(cfg, weightSizes(cfg, w.dims, r.dims), inputs.map((t) => t?.dims));
  const { seqLength: S, batch: N, inputSize: I, hidden: H } = sizes;
  const D = cfg.numDirections;
  const B = new Float64Array(D * 2 * cfg.gates * H);
  if (b) B.set(numeric(b, 'B', cfg));
  // Layout 1 is the same computation on batch-major tensors: transpose in here and
  // the outputs back in common.ts, so the cells only ever see time-major data.
  const timeMajor = (t: Tensor, what: string, a: number, bb: number, inner: number) =>
    (cfg.layout === 0 ? numeric(t, what, cfg) : swap01(numeric(t, what, cfg), a, bb, inner));
  const state = (t: Tensor | undefined, what: string) =>
    (t ? Float64Array.from(timeMajor(t, what, N, D, H)) : new Float64Array(D * N * H));
  return {
    ...sizes,
    X: timeMajor(x, 'X', N, S, I),
    W: numeric(w, 'W', cfg), R: numeric(r, 'R', cfg),
    B,
    seqLens: readSequenceLens(cfg, lens, sizes),
    initialH: state(h0, 'initial_h'),
    initialC: cfg.kind === 'LSTM' ? state(c0, 'initial_c') : new Float64Array(D * N * H),
    P: cfg.kind === 'LSTM' && p ? numeric(p, 'P', cfg) : null,
  };
}
