// 2-D Conv as im2col + one gemm per image and group: W_g [M/g, C/g*kh*kw] (dense or
// CSR by density) times the im2col matrix [C/g*kh*kw, OH*OW] gives the output rows
// [M/g, OH*OW] directly in NCHW order. Other ranks go to the base kernel.
import type { Node, Tensor } from '../ir.ts';
import { attrInt, attrInts, attrString, fail } from '../ops/attrs.ts';
import type { Kernel } from '../ops/types.ts';
import type { KernelEnv } from './env.ts';
import type { PackedMatrix } from './linalg.ts';
import { windowGeometry, type Window } from '../ops/window.ts';

export interface ConvGeometry {
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  pt: number; pl: number; oh: number; ow: number;
}

export function convGeometry(node: Node, H: number, W: number, kdims: number[]): ConvGeometry {
  const k = attrInts(node, 'kernel_shape') ?? kdims;
  const [sh, sw] = attrInts(node, 'strides', [1, 1]);
  const [dh, dw] = attrInts(node, 'dilations', [1, 1]);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const [kh, kw] = k;
  const ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
  let pt: number, pl: number, oh: number, ow: number;
  if (autoPad === 'NOTSET') {
    const [t, l, b, r] = attrInts(node, 'pads', [0, 0, 0, 0]);
    pt = t; pl = l;
    oh = Math.floor((H + t + b - ekh) / sh) + 1;
    ow = Math.floor((W + l + r - ekw) / sw) + 1;
  } else if (autoPad === 'VALID') {
    pt = 0; pl = 0;
    oh = Math.floor((H - ekh) / sh) + 1;
    ow = Math.floor((W - ekw) / sw) + 1;
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    oh = Math.ceil(H / sh); ow = Math.ceil(W / sw);
    const th = Math.max(0, (oh - 1) * sh + ekh - H), tw = Math.max(0, (ow - 1) * sw + ekw - W);
    pt = autoPad === 'SAME_UPPER' ? Math.floor(th / 2) : Math.ceil(th / 2);
    pl = autoPad === 'SAME_UPPER' ? Math.floor(tw / 2) : Math.ceil(tw / 2);
  } else {
    fail(node, `auto_pad '${autoPad}'`, 'NOTSET, VALID, SAME_UPPER or SAME_LOWER');
  }
  if (oh < 1 || ow < 1) fail(node, `output would be ${oh}x${ow}`, 'a kernel no larger than the padded input');
  return { kh, kw, sh, sw, dh, dw, pt, pl, oh, ow };
}

/**
 * Runs the conv given a packer for group g's weight block. A pending epilogue
 * (env.epilogue, set by a fused Conv -> Relu [-> MaxPool] node, runtime/kernels/fuse.ts)
 * is applied while the output is still in backend memory, so the intermediate maps
 * are never copied out, allocated as JS arrays or re-copied in.
 */
export function conv2d(env: KernelEnv, node: Node, X: Tensor, M: number, kdims: number[], group: number,
  weight: (g: number) => PackedMatrix | (() => PackedMatrix), bias: Float32Array | null): Tensor {
  const epi = env.takeEpilogue(node);
  const [N, C, H, W] = X.dims;
  const geo = convGeometry(node, H, W, kdims);
  const cg = C / group, mg = M / group, P = geo.oh * geo.ow, K = cg * geo.kh * geo.kw;
  if (!Number.isInteger(cg) || !Number.isInteger(mg)) fail(node, `group ${group} does not divide C=${C} and M=${M}`);
  const relu = epi?.relu ?? false;
  const win = epi?.pool ? fusablePool(epi.pool, geo.oh, geo.ow) : null;
  const [oh, ow] = win ? win.out : [geo.oh, geo.ow];
  const Q = oh * ow;
  const weights = Array.from({ length: group }, (_, g) => weight(g));
  const la = env.linalg;
  const out = new Float32Array(N * M * Q);
  const x = X.data as Float32Array;
  env.scope(() => {
    const ws = weights.map((w) => (typeof w === 'function' ? w() : w));
    for (const w of ws) if (w.cols !== K || w.rows !== mg) fail(node, `weight block is [${w.rows},${w.cols}]`, `[${mg},${K}]`);
    // Every buffer is overwritten whole (copy, im2col incl. padding, gemmT with accumulate off, pool).
    const [xs, cols, ys, ps, bs] = la.scratch([cg * H * W, K * P, M * P, win ? M * Q : 0, bias ? M : 0], true);
    if (bias) bs.set(bias);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < group; g++) {
        const x0 = (n * C + g * cg) * H * W;
        xs.set(x.subarray(x0, x0 + cg * H * W));
        la.im2col(xs, cg, H, W, [geo.kh, geo.kw], [geo.sh, geo.sw], [geo.pt, geo.pl], [geo.dh, geo.dw], geo.oh, geo.ow, cols);
        la.gemmT(ws[g], cols, P, ys.subarray(g * mg * P, (g + 1) * mg * P), bias ? bs.subarray(g * mg, (g + 1) * mg) : null, false);
      }
      if (relu) la.relu(ys);
      if (win) {
        la.maxPool2d(ys, M, geo.oh, geo.ow, win.kernel, win.strides, win.padBegin, win.dilations, oh, ow, ps);
        out.set(ps, n * M * Q);
      } else {
        out.set(ys, n * M * P);
      }
    }
  });
  if (epi) { epi.reluDone = relu; epi.poolDone = win !== null; }
  return { dtype: 'float32', dims: [N, M, oh, ow], data: out };
}

/** The pool's window over the conv output when it is the 2-D, values-only MaxPool the overlay runs in the backend. */
function fusablePool(pool: Node, h: number, w: number): Window | null {
  const kernel = attrInts(pool, 'kernel_shape');
  if (!kernel || kernel.length !== 2 || (pool.outputs.length > 1 && pool.outputs[1])) return null;
  return windowGeometry(pool, [h, w], kernel, true);
}

export function convKernel(env: KernelEnv): Kernel {
  return (inputs, node, ctx) => {
    const [X, Wt, B] = inputs;
    // Anything but the float32 2-D case with a [M] bias is the reference's to run or refuse.
    if (!X || !Wt || X.dtype !== 'float32' || Wt.dtype !== 'float32' || X.dims.length !== 4 || Wt.dims.length !== 4 ||
        (B && (B.dtype !== 'float32' || B.data.length !== Wt.dims[0]))) {
      return env.base.Conv(inputs, node, ctx);
    }
    const group = attrInt(node, 'group', 1);
    const [M, cg, kh, kw] = Wt.dims;
    if (cg * group !== X.dims[1]) fail(node, `W is [${Wt.dims}] for input [${X.dims}] and group ${group}`, 'W.dims[1] * group == C');
    const mg = M / group, K = cg * kh * kw;
    const data = Wt.data as Float32Array;
    const weight = (g: number) => {
      const src = { dense: data, offset: g * mg * K, rows: mg, cols: K };
      const p = env.persistent(Wt, `g${g}`, () => src, true, { node: node.name, input: node.inputs[1] });
      return p ?? (() => env.pack(src, true));
    };
    return [conv2d(env, node, X, M, [kh, kw], group, weight, B ? (B.data as Float32Array) : null)];
  };
}
