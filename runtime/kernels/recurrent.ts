// LSTM / GRU / RNN over the backend kernels: the input weight W multiplies all time
// steps at once (one gemm over T*B rows, dense or CSR by density), the recurrent
// weight R one step at a time (a gemv per batch row, dense or CSR), and the cell
// does the gate math in place. Attributes and input checks are the reference's
// (recurrent-spec.ts); directions, sequence_lens, initial states and layout follow the
// ONNX operators as the dense reference kernels (runtime/ops/recurrent/) run them,
// the oracle this is tested against.
//
// The time loop of a direction is a SequenceRun (linalg.ts): the WASM backend runs it
// in one call (runtime/wasm/assembly/sequence.ts), any other backend through
// stepSequence below, one gemv and one cell call per step. Both write Y straight into
// the node's layout, so nothing is copied per step.
import type { Node, Tensor } from '../ir.ts';
import { fail } from '../ops/attrs.ts';
import type { Kernel } from '../ops/types.ts';
import type { KernelEnv } from './env.ts';
import type { GemvOptions, Linalg, PackedMatrix, SequenceRun, WeightSource } from './linalg.ts';
import { swap01 } from '../ops/recurrent/layout.ts';
import { checkSpecInputs, directionBiases, recurrentSpec, type CellKind, type RecurrentSpec } from './recurrent-spec.ts';

type Lazy = PackedMatrix | (() => PackedMatrix);
const force = (p: Lazy): PackedMatrix => (typeof p === 'function' ? p() : p);

/** Backend buffers of one direction (all views of the backend's memory). */
export interface DirectionBuffers {
  rb: Float32Array | null;
  peep: Float32Array | null;
  /** GRU: R h + Rb (3H); GRU tmp = r * h (H). */
  rh: Float32Array;
  tmp: Float32Array;
  /** Prebuilt gemv options, so a step allocates nothing. */
  optsR: GemvOptions;
  optsRh: GemvOptions;
}

const ACCUMULATE: GemvOptions = Object.freeze({ accumulate: true });

export function directionBuffers(spec: RecurrentSpec, rb: Float32Array | null, peep: Float32Array | null,
  rh: Float32Array, tmp: Float32Array): DirectionBuffers {
  const H = spec.hidden, lbr = spec.linearBeforeReset;
  return {
    rb, peep, rh, tmp,
    optsR: spec.kind === 'GRU' ? { bias: rb, r0: 0, r1: lbr ? 3 * H : 2 * H } : ACCUMULATE,
    optsRh: { bias: rb, r0: 2 * H, r1: 3 * H },
  };
}

/**
 * One time step for one batch row: g holds x W^T + xb for this step (overwritten),
 * h / c the state (updated in place), y receives h (or null).
 */
export function cellStep(la: Linalg, spec: RecurrentSpec, d: number, R: PackedMatrix, buf: DirectionBuffers,
  g: Float32Array, h: Float32Array, c: Float32Array | null, y: Float32Array | null): void {
  const cell = spec.cells[d];
  if (spec.kind === 'LSTM') {
    la.gemv(R, h, g, buf.optsR);
    la.lstmCell(g, c!, h, y, buf.peep, cell, spec.inputForget);
  } else if (spec.kind === 'RNN') {
    la.gemv(R, h, g, buf.optsR);
    la.rnnCell(g, h, y, cell);
  } else {
    const lbr = spec.linearBeforeReset;
    la.gemv(R, h, buf.rh, buf.optsR);
    la.gruCell(0, g, buf.rh, h, buf.tmp, null, cell, lbr);
    if (!lbr) la.gemv(R, buf.tmp, buf.rh, buf.optsRh);
    la.gruCell(1, g, buf.rh, h, buf.tmp, y, cell, lbr);
  }
}

/**
 * A SequenceRun stepped from JS: the meaning of Linalg.sequence, and the path of any
 * backend without it (js). Views per step: this is not the fast path.
 */
export function stepSequence(la: Linalg, r: SequenceRun, spec: RecurrentSpec, d: number): void {
  const H = r.hidden, G = spec.gates * H, Bn = r.batch;
  const buf = directionBuffers(spec, r.rb, r.peep, r.rh, r.tmp);
  for (let s = 0; s < r.steps; s++) {
    for (let b = 0; b < Bn; b++) {
      const len = r.lens[b];
      if (s >= len) continue;
      const t = r.reverse ? len - 1 - s : s, row = t * Bn + b, yo = t * r.yStep + b * r.yBatch;
      cellStep(la, spec, d, r.R, buf, r.gx.subarray(row * G, (row + 1) * G), r.h.subarray(b * H, (b + 1) * H),
        r.c ? r.c.subarray(b * H, (b + 1) * H) : null, r.y ? r.y.subarray(yo, yo + H) : null);
    }
  }
}

export function runSequence(la: Linalg, r: SequenceRun, spec: RecurrentSpec, d: number): void {
  if (la.sequence) la.sequence(r);
  else stepSequence(la, r, spec, d);
}

/** The weight blocks of a recurrent node, by direction (persistent when pinned). */
export interface RecurrentWeights {
  /** batched: the projection runs as one gemm (PROJECT_GEMM_ROWS or more rows), else as gemvs. */
  W: (d: number, batched: boolean) => Lazy;
  R: (d: number) => Lazy;
}

/**
 * Below this many (step, batch) rows the input projection runs one gemv per row.
 * Was 64 while transpose2d thrashed L1 (37 us for the [1024, 28] output of an
 * LSTM h256, 28 steps); with that fixed (~3 us), transpose + gemmT + transpose beats
 * per-row gemvs from 16 rows on for every shape and density measured (1024x28,
 * 768x64, 1024x256 at density 1 / 0.5 / 0.1; least times, this machine): 28 rows of
 * 1024x28 take 52 us against 63 dense and 19 against 56 at 90% sparsity. At 8 rows
 * it wins too except half-dense weights, at 2-4 rows mostly not (gemmT's lanes run
 * along the rows, 16 at a time).
 */
export const PROJECT_GEMM_ROWS = 16;

export function denseRecurrentWeights(env: KernelEnv, node: Node, spec: RecurrentSpec, W: Tensor, R: Tensor): RecurrentWeights {
  return new DenseWeights(env, node, spec, W, R);
}

/** W and R blocks of a dense node's weights (a class: a run makes no closures for them). */
class DenseWeights implements RecurrentWeights {
  constructor(private readonly env: KernelEnv, private readonly node: Node, private readonly spec: RecurrentSpec,
    private readonly w: Tensor, private readonly r: Tensor) {}

  W(d: number, batched: boolean): Lazy { return this.block(this.w, 1, this.spec.input, d, batched); }

  R(d: number): Lazy { return this.block(this.r, 2, this.spec.hidden, d, false); }

  private block(t: Tensor, input: number, cols: number, d: number, batched: boolean): Lazy {
    const { env, spec } = this, gh = spec.gates * spec.hidden;
    const src: WeightSource = { dense: t.data as Float32Array, offset: d * gh * cols, rows: gh, cols, hint: { segment: spec.hidden, gates: spec.gates, hidden: spec.hidden } };
    return env.persistent(t, `d${d}`, () => src, batched, { node: this.node.name, input: this.node.inputs[input] }) ?? (() => env.pack(src, batched));
  }
}

/**
 * recurrent-spec.ts's directionBiases, kept per pinned B (a session's initializer,
 * immutable), so a run copies the summed biases instead of summing them.
 */
function directionBias(env: KernelEnv, spec: RecurrentSpec, B: Tensor | undefined, d: number): { xb: Float32Array; rb: Float32Array | null } {
  if (!B || !env.isPinned(B)) return directionBiases(spec, B, d);
  let per = biasCache.get(B.data);
  if (!per) biasCache.set(B.data, (per = []));
  const hit = per[d];
  if (hit && hit.xb.length === spec.gates * spec.hidden) return hit;
  return (per[d] = directionBiases(spec, B, d));
}

const biasCache = new WeakMap<object, { xb: Float32Array; rb: Float32Array | null }[]>();

/**
 * An initial state [D, Bn, H] (layout 0) or [Bn, D, H] (layout 1) into `dst` in
 * direction-major order, or zeros when absent.
 */
function writeState(t: Tensor | undefined, layout: 0 | 1, D: number, Bn: number, H: number, dst: Float32Array): void {
  if (!t) dst.fill(0);
  else if (layout === 0 || D === 1 || Bn === 1) dst.set(t.data as Float32Array);
  else swap01(t.data as Float32Array, Bn, D, H, dst);
}

/** The final states out of direction-major `src`, in the node's layout; a zero-length row gives zeros (ONNX, onnxruntime). */
function readState(src: Float32Array, layout: 0 | 1, D: number, Bn: number, H: number, lens: readonly number[]): Float32Array {
  const out = layout === 0 || D === 1 || Bn === 1 ? src.slice() : swap01(src, D, Bn, H, new Float32Array(src.length));
  for (let b = 0; b < Bn; b++) {
    if (lens[b] > 0) continue;
    for (let d = 0; d < D; d++) {
      const at = (layout === 0 ? d * Bn + b : b * D + d) * H;
      out.fill(0, at, at + H);
    }
  }
  return out;
}

/** Runs the whole sequence: returns [Y, Y_h, Y_c] shaped by spec.layout (each only when the node names it). */
export function runRecurrent(env: KernelEnv, node: Node, spec: RecurrentSpec, weights: RecurrentWeights,
  inputs: (Tensor | undefined)[]): (Tensor | undefined)[] {
  const [X, , , B, , h0, c0, P] = inputs;
  if (!X || X.dtype !== 'float32') fail(node, `X is ${X ? X.dtype : 'missing'}`, 'a float32 tensor');
  if (B && B.dtype !== 'float32') fail(node, `B is ${B.dtype}`, 'a float32 tensor');
  if (h0 && h0.dtype !== 'float32') fail(node, `initial_h is ${h0.dtype}`, 'a float32 tensor');
  if (c0 && c0.dtype !== 'float32') fail(node, `initial_c is ${c0.dtype}`, 'a float32 tensor');
  if (P && P.dtype !== 'float32') fail(node, `P is ${P.dtype}`, 'a float32 tensor');
  const { sizes, lens } = checkSpecInputs(spec, inputs);
  const { hidden: H, input: I, gates: G, directions: D, layout } = spec;
  const T = sizes.seqLength, Bn = sizes.batch, M = T * Bn, gh = G * H;
  const lstm = spec.kind === 'LSTM', gru = spec.kind === 'GRU';
  const [yName, hName, cName] = node.outputs;
  const la = env.linalg;
  const gemm = M >= PROJECT_GEMM_ROWS;
  // Outside the scratch scope: a pinned weight's first pack is persistent.
  const lazy: { W: Lazy; R: Lazy }[] = [];
  for (let d = 0; d < D; d++) lazy.push({ W: weights.W(d, gemm), R: weights.R(d) });
  const Y = yName ? new Float32Array(T * D * Bn * H) : null;
  let Yh: Float32Array | null = null, Yc: Float32Array | null = null;
  const mark = la.mark();
  try {
    const packs: { W: PackedMatrix; R: PackedMatrix }[] = [];
    for (const p of lazy) packs.push({ W: force(p.W), R: force(p.R) });
    // All scratch in one call (WASM memory growth would detach earlier views), not
    // zeroed: each buffer is written whole below before it is read.
    const [gx, xb, rb, pv, rh, tmp, hs, cs, ys, xin, pxt, pyt, lensF] = la.scratch([M * gh, gh, gru ? gh : 0,
      P ? 3 * H : 0, gh, H, D * Bn * H, lstm ? D * Bn * H : 0, Y ? Y.length : 0, M * I, gemm ? M * I : 0, gemm ? M * gh : 0, Bn], true);
    const lensV = new Int32Array(lensF.buffer, lensF.byteOffset, Bn);
    lensV.set(lens);
    // X time-major, straight into backend memory.
    const xs = X.data as Float32Array;
    if (layout === 0 || Bn === 1) xin.set(xs.subarray(0, M * I));
    else swap01(xs, Bn, T, I, xin);
    writeState(h0, layout, D, Bn, H, hs);
    if (lstm) writeState(c0, layout, D, Bn, H, cs);
    // Steps past a row's length stay zero in Y.
    ys.fill(0);
    for (let d = 0; d < D; d++) {
      const bias = directionBias(env, spec, B, d);
      xb.set(bias.xb);
      if (bias.rb) rb.set(bias.rb);
      if (P) pv.set((P.data as Float32Array).subarray(d * 3 * H, (d + 1) * 3 * H));
      project(la, packs[d].W, xin, M, xb, gx, pxt, pyt);
      // Y row (t, b) of direction d: ((t * D + d) * Bn + b) * H (layout 0), ((b * T + t) * D + d) * H (layout 1).
      const run: SequenceRun = {
        kind: spec.kind, R: packs[d].R, hidden: H, steps: T, batch: Bn, lens: lensV, reverse: spec.reverse[d], gx,
        h: hs.subarray(d * Bn * H, (d + 1) * Bn * H), c: lstm ? cs.subarray(d * Bn * H, (d + 1) * Bn * H) : null,
        y: Y ? ys.subarray(layout === 0 ? d * Bn * H : d * H) : null,
        yStep: layout === 0 ? D * Bn * H : D * H, yBatch: layout === 0 ? H : T * D * H,
        cell: spec.cells[d], peep: P ? pv : null, inputForget: spec.inputForget,
        rb: gru ? rb : null, linearBeforeReset: spec.linearBeforeReset, rh, tmp,
      };
      runSequence(la, run, spec, d);
    }
    if (Y) Y.set(ys);
    if (hName) Yh = readState(hs, layout, D, Bn, H, lens);
    if (lstm && cName) Yc = readState(cs, layout, D, Bn, H, lens);
  } finally {
    la.release(mark);
  }
  const yDims = layout === 0 ? [T, D, Bn, H] : [Bn, T, D, H];
  const sDims = layout === 0 ? [D, Bn, H] : [Bn, D, H];
  const out: (Tensor | undefined)[] = [
    Y ? { dtype: 'float32', dims: yDims, data: Y } : undefined,
    Yh ? { dtype: 'float32', dims: sDims, data: Yh } : undefined,
  ];
  if (lstm) out.push(Yc ? { dtype: 'float32', dims: sDims.slice(), data: Yc } : undefined);
  return out.slice(0, Math.max(1, node.outputs.length));
}

/**
 * gx[M, GH] = x[M, I] W^T + xb over every (step, batch) row: one gemm, or a gemv per
 * row below PROJECT_GEMM_ROWS. xt [I*M] and yt [GH*M] are scratch for the gemm's
 * transposed operands.
 */
export function project(la: Linalg, W: PackedMatrix, x: Float32Array, M: number, xb: Float32Array, gx: Float32Array,
  xt: Float32Array, yt: Float32Array): void {
  const I = W.cols, N = W.rows;
  if (M < PROJECT_GEMM_ROWS) {
    for (let m = 0; m < M; m++) la.gemv(W, x.subarray(m * I, (m + 1) * I), gx.subarray(m * N, (m + 1) * N), { bias: xb });
    return;
  }
  la.transpose(x, M, I, xt);
  la.gemmT(W, xt, M, yt, xb, false);
  la.transpose(yt, N, M, gx);
}

/** The spec of a node, parsed once per node and weight shape (a run would otherwise re-read every attribute). */
const specs = new WeakMap<Node, { W: readonly number[]; R: readonly number[]; spec: RecurrentSpec }>();

function specOf(node: Node, kind: CellKind, W: Tensor, R: Tensor): RecurrentSpec {
  const hit = specs.get(node);
  if (hit && sameDims(hit.W, W.dims) && sameDims(hit.R, R.dims)) return hit.spec;
  const spec = recurrentSpec(node, kind, W, R);
  specs.set(node, { W: W.dims.slice(), R: R.dims.slice(), spec });
  return spec;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function float32Inputs(inputs: (Tensor | undefined)[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (i !== 4 && inputs[i] && inputs[i]!.dtype !== 'float32') return false;
  return true;
}

export function recurrentKernel(env: KernelEnv, kind: CellKind): Kernel {
  return (inputs, node, ctx) => {
    const [X, W, R] = inputs;
    // Any input but sequence_lens (4) not float32: the reference runs it or refuses it.
    if (!X || !W || !R || !float32Inputs(inputs)) return env.base[kind](inputs, node, ctx);
    const spec = specOf(node, kind, W, R);
    return runRecurrent(env, node, spec, denseRecurrentWeights(env, node, spec, W, R), inputs);
  };
}
