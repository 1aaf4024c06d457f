// In-place stream steps for the non-recurrent nodes of a streamed model. Movement
// ops and broadcasting binary ops run through index maps computed once by feeding
// the reference kernel an iota (exact in float32 up to 2^24 elements), so one
// generic loop serves Transpose, Squeeze, Gather, Slice, Concat, Add with any
// broadcast, and so on; Gemm/MatMul with a static weight (the op, or a CSR call of it)
// reuse the packed weight.
import type { Node, Tensor } from '../ir.ts';
import { attrFloat, attrInt } from '../ops/attrs.ts';
import { csrOpOfNode, readWeight } from '../csr-format.ts';
import { csrCall, csrFunctionInfo, lazyCsr } from './csr-ops.ts';
import { rowBias, weightOf } from './gemm.ts';
import type { GemvOptions, PackedMatrix } from './linalg.ts';
import { Views, type StepContext, type StepFn } from './stream-recurrent.ts';

const MOVEMENT = new Set(['Transpose', 'Squeeze', 'Unsqueeze', 'Reshape', 'Flatten', 'Identity', 'Dropout', 'Slice', 'Gather', 'Expand', 'Concat', 'Tile']);
const BINARY: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b,
};

/** out[i] = in[map[i]] for ops that only move elements of their one dynamic input. */
export function movementStep(sc: StepContext, node: Node, ins: (Tensor | undefined)[], outs: (Tensor | undefined)[], dyn: boolean[]): StepFn | null {
  if (!MOVEMENT.has(node.op) || dyn.filter(Boolean).length !== 1 || !dyn[0] || outs.length !== 1) return null;
  const src = ins[0]!, n = src.data.length;
  if (n >= 1 << 24) return null;
  const iota = new Float32Array(n);
  for (let i = 0; i < n; i++) iota[i] = i;
  const probe = [{ ...src, data: iota }, ...ins.slice(1)];
  const mapped = sc.backend.env!.base[node.op](probe, node, sc.ctx)[0]!;
  const map = Int32Array.from(mapped.data as Float32Array);
  const out = outs[0]!;
  const o = out.data as Float32Array;
  return () => {
    const x = sc.values.get(node.inputs[0])!.data as Float32Array;
    for (let i = 0; i < map.length; i++) o[i] = x[map[i]];
  };
}

export function elementwiseStep(sc: StepContext, node: Node, ins: (Tensor | undefined)[], outs: (Tensor | undefined)[], _dyn: boolean[]): StepFn | null {
  const out = outs[0];
  if (!out) return null;
  const o = out.data as Float32Array;
  const bin = BINARY[node.op];
  if (bin && ins[0] && ins[1]) {
    const maps = [0, 1].map((side) => {
      const probe = ins.map((t, i) => {
        const d = new Float32Array(t!.data.length);
        if (i === side) for (let k = 0; k < d.length; k++) d[k] = k;
        return { ...t!, data: d };
      });
      return Int32Array.from(sc.backend.env!.base.Add(probe, node, sc.ctx)[0]!.data as Float32Array);
    });
    const [ia, ib] = maps;
    const [na, nb] = node.inputs;
    const op = node.op;
    return () => {
      const a = sc.values.get(na)!.data as Float32Array, b = sc.values.get(nb)!.data as Float32Array;
      if (op === 'Add') for (let i = 0; i < o.length; i++) o[i] = a[ia[i]] + b[ib[i]];
      else if (op === 'Mul') for (let i = 0; i < o.length; i++) o[i] = a[ia[i]] * b[ib[i]];
      else for (let i = 0; i < o.length; i++) o[i] = bin(a[ia[i]], b[ib[i]]);
    };
  }
  const name = node.inputs[0];
  const unary = (f: (x: number) => number): StepFn => () => {
    const x = sc.values.get(name)!.data as Float32Array;
    for (let i = 0; i < o.length; i++) o[i] = f(x[i]);
  };
  switch (node.op) {
    case 'Relu': return unary((x) => (x < 0 ? 0 : x));
    case 'Sigmoid': return unary((x) => 1 / (1 + Math.exp(-x)));
    case 'Tanh': return unary(Math.tanh);
    case 'LeakyRelu': { const a = attrFloat(node, 'alpha', 0.01); return unary((x) => (x >= 0 ? x : a * x)); }
  }
  return null;
}

/**
 * Gemm (alpha = 1, transA = 0, C absent or broadcast as one row: gemm.ts's rowBias) and
 * MatMul with a static 2-D weight.
 */
export function linearStep(sc: StepContext, node: Node, ins: (Tensor | undefined)[], outs: (Tensor | undefined)[], dyn: boolean[]): StepFn | null {
  const env = sc.backend.env!;
  const [A, B, C] = ins;
  if ((node.op !== 'Gemm' && node.op !== 'MatMul') || !A || !B || B.dims.length !== 2 || dyn[1] || (C && dyn[2])) return null;
  const isGemm = node.op === 'Gemm';
  if (isGemm && (attrFloat(node, 'alpha', 1) !== 1 || attrInt(node, 'transA', 0) !== 0 || A.dims.length !== 2)) return null;
  const transB = isGemm && attrInt(node, 'transB', 0) !== 0;
  const [K, N] = transB ? [B.dims[1], B.dims[0]] : B.dims;
  const M = A.data.length / K, beta = attrFloat(node, 'beta', 1);
  const bias = isGemm && C && beta !== 0 ? rowBias(node, C, M, N, beta) : null;
  if (isGemm && C && beta !== 0 && !bias) return null;
  const W = weightOf(env, node, 1, B, { dense: B.data as Float32Array, rows: N, cols: K, transposed: !transB }, false);
  if (typeof W === 'function') return null;
  return gemvRows(sc, node.inputs[0], W, bias, outs[0]!.data as Float32Array, M);
}

/** The same for a CsrGemm / CsrMatMul call (weight in any form runtime/csr-format.ts reads). */
export function csrLinearStep(sc: StepContext, node: Node, ins: (Tensor | undefined)[], outs: (Tensor | undefined)[], dyn: boolean[]): StepFn | null {
  const op = csrOpOfNode(node)?.op;
  const fn = sc.model.functions.find((f) => f.name === node.op && f.domain === node.domain);
  if ((op !== 'Gemm' && op !== 'MatMul') || !fn) return null;
  const fi = csrFunctionInfo(fn);
  const a = fi.index.get('A');
  if (a === undefined || dyn.some((d, i) => d && i !== a)) return null;
  const { get, callNode } = csrCall(fi, ins, node);
  const A = get('A'), C = get('C'), env = sc.backend.env!;
  if (!A || (op === 'Gemm' && (attrFloat(callNode, 'alpha', 1) !== 1 || attrInt(callNode, 'transA', 0) !== 0 || A.dims.length !== 2))) return null;
  const w = readWeight(get, 'B', callNode);
  const M = A.data.length / w.cols, beta = attrFloat(callNode, 'beta', 1);
  const bias = C && beta !== 0 ? rowBias(callNode, C, M, w.rows, beta) : null;
  if (C && beta !== 0 && !bias) return null;
  env.pin(w.key);
  const W = lazyCsr(env, callNode, w.key, 'B', w.csr, false, 'B');
  if (typeof W === 'function') return null;
  return gemvRows(sc, node.inputs[a], W, bias, outs[0]!.data as Float32Array, M);
}

function gemvRows(sc: StepContext, input: string, W: PackedMatrix, bias: Float32Array | null, o: Float32Array, M: number): StepFn {
  const la = sc.backend.env!.linalg, K = W.cols, N = W.rows;
  const hx = la.alloc(K), hy = la.alloc(N), hb = bias ? la.alloc(N) : null;
  if (hb && bias) la.view(hb).set(bias);
  const v = new Views(la, [hx, hy, ...(hb ? [hb] : [])]);
  const opts: GemvOptions = {};
  return () => {
    v.refresh();
    const xs = v.views[0], ys = v.views[1];
    opts.bias = hb ? v.views[2] : null;
    const a = sc.values.get(input)!.data as Float32Array;
    for (let m = 0; m < M; m++) {
      for (let k = 0; k < K; k++) xs[k] = a[m * K + k];
      la.gemv(W, xs, ys, opts);
      for (let n = 0; n < N; n++) o[m * N + n] = ys[n];
    }
  };
}
