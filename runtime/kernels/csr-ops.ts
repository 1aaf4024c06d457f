// Native kernels for Rampart's CSR ops (domain ai.rampart): CsrMatMul, CsrGemm,
// CsrConv, CsrLSTM, CsrGRU, CsrRNN. In a file they are model-local functions whose
// bodies rebuild the dense weight with standard ops and call the dense op (so
// onnxruntime runs them too; see targets/onnx-csr/). Here the body is not run: the
// kernel reads the CSR inputs directly and takes the op's attributes from the body's
// core node, the one source of truth for them. Formal inputs follow a naming rule:
// `<slot>_values`, `<slot>_col_indices`, `<slot>_row_ptr`, `<slot>_shape` for a CSR
// weight in input slot <slot>, and the ONNX input name for everything else.
import type { Csr, FunctionDef, Node, Tensor } from '../ir.ts';
import { RampartError } from '../errors.ts';
import { validateCsr, csrRowSlice } from '../csr.ts';
import { attrFloat, attrInt, fail } from '../ops/attrs.ts';
import type { Kernel } from '../ops/types.ts';
import { conv2d } from './conv.ts';
import type { KernelEnv } from './env.ts';
import { linear } from './gemm.ts';
import type { PackedMatrix } from './linalg.ts';
import { recurrentSpec, type CellKind } from './recurrent-spec.ts';
import { runRecurrent, type RecurrentWeights } from './recurrent.ts';

/** CSR op -> the dense op of its body and that op's input slot names. */
export const CSR_OPS: Record<string, { op: string; slots: string[]; sparse: string[] }> = {
  CsrMatMul: { op: 'MatMul', slots: ['A', 'B'], sparse: ['B'] },
  CsrGemm: { op: 'Gemm', slots: ['A', 'B', 'C'], sparse: ['B'] },
  CsrConv: { op: 'Conv', slots: ['X', 'W', 'B'], sparse: ['W'] },
  CsrLSTM: { op: 'LSTM', slots: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'], sparse: ['W', 'R'] },
  CsrGRU: { op: 'GRU', slots: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'], sparse: ['W', 'R'] },
  CsrRNN: { op: 'RNN', slots: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'], sparse: ['W', 'R'] },
};

/** 'CsrConv' for a function named 'CsrConv' or 'CsrConv_<suffix>', else null. */
export function csrBaseOp(name: string): string | null {
  const base = name.split('_')[0];
  return base in CSR_OPS ? base : null;
}

const validated = new WeakSet<object>();

/** The CSR weight in `slot` of a call, checked against the invariants of runtime/ir.ts. */
export function csrInput(get: (n: string) => Tensor | undefined, slot: string, node: Node): { csr: Csr; key: Tensor } {
  const v = get(`${slot}_values`), c = get(`${slot}_col_indices`), r = get(`${slot}_row_ptr`), s = get(`${slot}_shape`);
  if (!v || !c || !r || !s) fail(node, `CSR weight '${slot}' is missing one of its tensors`, `${slot}_values, ${slot}_col_indices, ${slot}_row_ptr, ${slot}_shape`);
  if (v.dtype !== 'float32' || r.dtype !== 'int32' || (c.dtype !== 'uint16' && c.dtype !== 'int32')) {
    fail(node, `CSR weight '${slot}' has types ${v.dtype}/${c.dtype}/${r.dtype}`, 'float32 values, uint16 or int32 column indices, int32 row pointers');
  }
  const [rows, cols] = Array.from(s.data as Float64Array);
  const csr: Csr = { rows, cols, rowPtr: r.data as Int32Array, colIdx: c.data as Uint16Array | Int32Array, values: v.data as Float32Array };
  if (!validated.has(v.data)) {
    validateCsr(csr, { node: node.name, op: node.op });
    validated.add(v.data);
  }
  return { csr, key: v };
}

export interface CsrFunctionInfo {
  base: string;
  info: (typeof CSR_OPS)[string];
  /** The body's dense op node: its attributes are the op's attributes. */
  core: Node;
  index: Map<string, number>;
}

export function csrFunctionInfo(fn: FunctionDef): CsrFunctionInfo {
  const base = csrBaseOp(fn.name);
  if (!base) throw new RampartError(`function '${fn.name}' is not a Rampart CSR op`, { op: fn.name });
  const info = CSR_OPS[base];
  const core = fn.nodes.find((n) => n.op === info.op && (n.domain === '' || n.domain === 'ai.onnx'));
  if (!core) throw new RampartError(`CSR function '${fn.name}' has no ${info.op} node in its body`, { op: fn.name, expected: `a body ending in ${info.op}` });
  return { base, info, core, index: new Map(fn.inputs.map((n, i) => [n, i])) };
}

/** Input lookup by formal name, and the node as the kernels see it (core op attrs, call's name). */
export function csrCall(fi: CsrFunctionInfo, inputs: (Tensor | undefined)[], node: Node): { get: (n: string) => Tensor | undefined; callNode: Node } {
  const get = (n: string) => { const i = fi.index.get(n); return i === undefined ? undefined : inputs[i]; };
  return { get, callNode: { ...fi.core, name: node.name, op: fi.base } };
}

/** The native kernel for calls of CSR function `fn`. */
export function csrFunctionKernel(env: KernelEnv, fn: FunctionDef): Kernel {
  const fi = csrFunctionInfo(fn);
  const { info, core } = fi;
  return (inputs, node) => {
    const { get, callNode } = csrCall(fi, inputs, node);
    if (info.op === 'MatMul' || info.op === 'Gemm') {
      const A = get('A');
      const { csr, key } = csrInput(get, 'B', callNode);
      if (!A || A.dtype !== 'float32') fail(callNode, 'A is missing or not float32');
      const transA = info.op === 'Gemm' && attrInt(core, 'transA', 0) !== 0;
      const lead = info.op === 'MatMul' ? A.dims.slice(0, -1) : [transA ? A.dims[1] : A.dims[0]];
      const M = lead.reduce((a, b) => a * b, 1);
      const w = lazyCsr(env, callNode, key, 'B', () => csr, M >= 4, 'B');
      const alpha = info.op === 'Gemm' ? attrFloat(core, 'alpha', 1) : 1, beta = attrFloat(core, 'beta', 1);
      const C = info.op === 'Gemm' ? get('C') : undefined;
      const y = linear(env, w, A.data as Float32Array, M, transA, null);
      if (alpha !== 1) for (let i = 0; i < y.length; i++) y[i] *= alpha;
      if (C) addBias(callNode, y, M, csr.rows, C, beta);
      return [{ dtype: 'float32', dims: [...lead, csr.rows], data: y }];
    }
    if (info.op === 'Conv') {
      const X = get('X'), B = get('B'), dims = get('W_dims');
      const { csr, key } = csrInput(get, 'W', callNode);
      if (!X || !dims) fail(callNode, 'X or W_dims is missing');
      const [M, , kh, kw] = Array.from(dims.data as Float64Array);
      const group = attrInt(core, 'group', 1), mg = M / group;
      const weight = (g: number) => lazyCsr(env, callNode, key, `g${g}`, () => (group === 1 ? csr : csrRowSlice(csr, g * mg, (g + 1) * mg)), true, 'W');
      return [conv2d(env, callNode, X, M, [kh, kw], group, weight, B ? (B.data as Float32Array) : null)];
    }
    const { spec, weights, slotInputs } = csrRecurrentParts(env, info, get, callNode);
    return runRecurrent(env, callNode, spec, weights, slotInputs);
  };
}

/** The recurrent spec, CSR weight blocks and dense-slot inputs of a CsrLSTM/GRU/RNN call. */
export function csrRecurrentParts(env: KernelEnv, info: { op: string; slots: string[] }, get: (n: string) => Tensor | undefined,
  callNode: Node): { spec: ReturnType<typeof recurrentSpec>; weights: RecurrentWeights; slotInputs: (Tensor | undefined)[] } {
  const W = csrInput(get, 'W', callNode), R = csrInput(get, 'R', callNode);
  const wd = get('W_dims'), rd = get('R_dims');
  if (!wd || !rd) fail(callNode, 'W_dims or R_dims is missing', 'the dense [directions, gates*hidden, cols] of W and R');
  const spec = recurrentSpec(callNode, info.op as CellKind, { dims: Array.from(wd.data as Float64Array) }, { dims: Array.from(rd.data as Float64Array) });
  const rowsPer = spec.gates * spec.hidden;
  if (W.csr.rows !== rowsPer * spec.directions || R.csr.rows !== rowsPer * spec.directions) {
    fail(callNode, `CSR W/R have ${W.csr.rows}/${R.csr.rows} rows`, `${rowsPer * spec.directions} (directions x gates x hidden)`);
  }
  const slice = (m: Csr, d: number) => (spec.directions === 1 ? m : csrRowSlice(m, d * rowsPer, (d + 1) * rowsPer));
  const weights: RecurrentWeights = {
    W: (d, batched) => lazyCsr(env, callNode, W.key, `d${d}`, () => slice(W.csr, d), batched, 'W'),
    R: (d) => lazyCsr(env, callNode, R.key, `d${d}`, () => slice(R.csr, d), false, 'R'),
  };
  const slotInputs = info.slots.map((s) => (s === 'W' || s === 'R' ? undefined : get(s)));
  return { spec, weights, slotInputs };
}

export function lazyCsr(env: KernelEnv, node: Node, key: Tensor, sub: string, csr: () => Csr, batched: boolean, slot: string): PackedMatrix | (() => PackedMatrix) {
  return env.persistent(key, sub, () => ({ csr: csr() }), batched, { node: node.name, input: slot })
    ?? (() => env.pack({ csr: csr() }, batched));
}

function addBias(node: Node, y: Float32Array, M: number, N: number, C: Tensor, beta: number): void {
  const c = C.data as Float32Array, n = c.length;
  if (n !== 1 && n !== N && n !== M * N && n !== M) fail(node, `C has shape [${C.dims}]`, `broadcastable to [${M},${N}]`);
  const colVec = n === M && M !== N && C.dims[C.dims.length - 1] === 1;
  for (let m = 0; m < M; m++) {
    for (let j = 0; j < N; j++) {
      const v = n === 1 ? c[0] : n === N && !colVec ? c[j] : colVec ? c[m] : c[m * N + j];
      y[m * N + j] += beta * v;
    }
  }
}
