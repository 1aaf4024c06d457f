// LSTM / GRU / RNN over the backend kernels: the input weight W multiplies all time
// steps at once (one gemm over T*B rows, dense or CSR by density), the recurrent
// weight R one step at a time (a gemv per batch row, dense or CSR), and the cell
// does the gate math in place. Attributes and input checks are the reference's
// (recurrent-spec.ts); directions, sequence_lens, initial states and layout follow the
// ONNX operators as the dense reference kernels (runtime/ops/recurrent/) run them,
// the oracle this is tested against.
import type { Node, Tensor } from '../ir.ts';
import { fail } from '../ops/attrs.ts';
import type { Kernel } from '../ops/types.ts';
import type { KernelEnv } from './env.ts';
import type { GemvOptions, Linalg, PackedMatrix, WeightSource } from './linalg.ts';
import { swap01 } from '../ops/recurrent/layout.ts';
import { checkSpecInputs, directionBiases, recurrentSpec, type CellKind, type RecurrentSpec } from './recurrent-spec.ts';

type Lazy = PackedMatrix | (() => PackedMatrix);
const force = (p: Lazy): PackedMatrix => (typeof p === 'function' ? p() : p);

/** Backend buffers of one direction (all views of the backend's memory). */
export interface DirectionBuffers {
  xb: Float32Array;
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

export function directionBuffers(spec: RecurrentSpec, xb: Float32Array, rb: Float32Array | null, peep: Float32Array | null,
  rh: Float32Array, tmp: Float32Array): DirectionBuffers {
  const H = spec.hidden, lbr = spec.linearBeforeReset;
  return {
    xb, rb, peep, rh, tmp,
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
  const gh = spec.gates * spec.hidden;
  const block = (t: Tensor, input: number, cols: number) => (d: number, batched = false): Lazy => {
    const src: WeightSource = { dense: t.data as Float32Array, offset: d * gh * cols, rows: gh, cols, hint: { segment: spec.hidden, gates: spec.gates, hidden: spec.hidden } };
    return env.persistent(t, `d${d}`, () => src, batched, { node: node.name, input: node.inputs[input] }) ?? (() => env.pack(src, batched));
  };
  return { W: block(W, 1, spec.input), R: block(R, 2, spec.hidden) };
}

/** Runs the whole sequence: returns [Y, Y_h, Y_c] shaped by spec.layout. */
export function runRecurrent(env: KernelEnv, node: Node, spec: RecurrentSpec, weights: RecurrentWeights,
  inputs: (Tensor | undefined)[]): (Tensor | undefined)[] {
  const [X, , , B, , h0, c0, P] = inputs;
  if (!X || X.dtype !== 'float32') fail(node, `X is ${X ? X.dtype : 'missing'}`, 'a float32 tensor');
  const { sizes, lens } = checkSpecInputs(spec, inputs);
  const { hidden: H, input: I, gates: G, directions: D, layout } = spec;
  const T = sizes.seqLength, Bn = sizes.batch;
  // Time-major copy of X: row (t, b) at (t*Bn + b)*I.
  const xs = X.data as Float32Array;
  const xtm = layout === 0 ? xs : swap01(xs, Bn, T, I, new Float32Array(xs.length));
  const stateIdx = (d: number, b: number) => (layout === 0 ? d * Bn + b : b * D + d) * H;
  const Y = new Float32Array(T * D * Bn * H);
  const Yh = new Float32Array(D * Bn * H), Yc = new Float32Array(D * Bn * H);
  const la = env.linalg;
  const packs = Array.from({ length: D }, (_, d) => ({ W: weights.W(d, T * Bn >= PROJECT_GEMM_ROWS), R: weights.R(d) }));
  env.scope(() => {
    const M = T * Bn, gh = G * H;
    const forced = packs.map((p) => ({ W: force(p.W), R: force(p.R) }));
    for (let d = 0; d < D; d++) {
      const Wd = forced[d].W, Rd = forced[d].R;
      const { xb, rb } = directionBiases(spec, B, d);
      // One scratch call per direction: WASM growth would detach earlier views.
      const gemm = M >= PROJECT_GEMM_ROWS;
      const [gx, xbv, rbv, pv, rh, tmp, h, c, yd, xin, pxt, pyt] = la.scratch([M * gh, gh, rb ? gh : 0, P ? 3 * H : 0, gh, H,
        Bn * H, Bn * H, M * H, M * I, gemm ? M * I : 0, gemm ? M * gh : 0]);
      xbv.set(xb);
      if (rb) rbv.set(rb);
      if (P) pv.set((P.data as Float32Array).subarray(d * 3 * H, (d + 1) * 3 * H));
      xin.set(xtm.subarray(0, M * I));
      project(la, Wd, xin, M, xbv, gx, pxt, pyt);
      for (let b = 0; b < Bn; b++) {
        if (h0) h.set((h0.data as Float32Array).subarray(stateIdx(d, b), stateIdx(d, b) + H), b * H);
        if (c0) c.set((c0.data as Float32Array).subarray(stateIdx(d, b), stateIdx(d, b) + H), b * H);
      }
      const buf = directionBuffers(spec, xbv, rb ? rbv : null, P ? pv : null, rh, tmp);
      for (let s = 0; s < T; s++) {
        for (let b = 0; b < Bn; b++) {
          if (s >= lens[b]) continue;
          const t = spec.reverse[d] ? lens[b] - 1 - s : s;
          const row = t * Bn + b;
          cellStep(la, spec, d, Rd, buf, gx.subarray(row * gh, (row + 1) * gh), h.subarray(b * H, (b + 1) * H),
            spec.kind === 'LSTM' ? c.subarray(b * H, (b + 1) * H) : null, yd.subarray(row * H, (row + 1) * H));
        }
      }
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < Bn; b++) {
          const dst = layout === 0 ? ((t * D + d) * Bn + b) * H : ((b * T + t) * D + d) * H;
          Y.set(yd.subarray((t * Bn + b) * H, (t * Bn + b + 1) * H), dst);
        }
      }
      for (let b = 0; b < Bn; b++) {
        Yh.set(h.subarray(b * H, (b + 1) * H), stateIdx(d, b));
        Yc.set(c.subarray(b * H, (b + 1) * H), stateIdx(d, b));
      }
    }
  });
  const yDims = layout === 0 ? [T, D, Bn, H] : [Bn, T, D, H];
  const sDims = layout === 0 ? [D, Bn, H] : [Bn, D, H];
  const out: (Tensor | undefined)[] = [
    { dtype: 'float32', dims: yDims, data: Y },
    { dtype: 'float32', dims: sDims, data: Yh },
  ];
  if (spec.kind === 'LSTM') out.push({ dtype: 'float32', dims: sDims.slice(), data: Yc });
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

export function recurrentKernel(env: KernelEnv, kind: CellKind): Kernel {
  return (inputs, node, ctx) => {
    const [X, W, R] = inputs;
    if (!X || !W || !R || X.dtype !== 'float32' || W.dtype !== 'float32' || R.dtype !== 'float32') {
      return env.base[kind](inputs, node, ctx);
    }
    const spec = recurrentSpec(node, kind, W, R);
    return runRecurrent(env, node, spec, denseRecurrentWeights(env, node, spec, W, R), inputs);
  };
}
