// Native kernels for Rampart's CSR ops (domain ai.rampart): CsrMatMul, CsrGemm,
// CsrConv, CsrLSTM, CsrGRU, CsrRNN. In a file they are model-local functions whose
// bodies rebuild the dense weight with standard ops and call the dense op (so
// onnxruntime runs them too; see targets/onnx-csr/). Here the body is not run: the
// kernel reads the weights from the call's inputs in whichever form the file stores
// them (CSR, block CSR, dense: runtime/csr-format.ts is the format) and takes the op's
// attributes from the body's core node, the one source of truth for them.
import type { Csr, FunctionDef, Node, Tensor } from '../ir.ts';
import { RampartError } from '../errors.ts';
import { csrRowSlice } from '../csr.ts';
import { csrOpOfFunction, readWeight, weightDims, type CsrOp } from '../csr-format.ts';
import { attrInt, fail } from '../ops/attrs.ts';
import type { Kernel } from '../ops/types.ts';
import { conv2d } from './conv.ts';
import type { KernelEnv } from './env.ts';
import { gemmOutput, linear } from './gemm.ts';
import type { PackedMatrix, StructureHint } from './linalg.ts';
import { recurrentSpec, type CellKind } from './recurrent-spec.ts';
import { runRecurrent, type RecurrentWeights } from './recurrent.ts';

export interface CsrFunctionInfo {
  base: string;
  info: CsrOp;
  /** The body's dense op node: its attributes are the op's attributes. */
  core: Node;
  index: Map<string, number>;
}

export function csrFunctionInfo(fn: FunctionDef): CsrFunctionInfo {
  const info = csrOpOfFunction(fn.name);
  if (!info) throw new RampartError(`function '${fn.name}' is not a Rampart CSR op`, { op: fn.name });
  const core = fn.nodes.find((n) => n.op === info.op && (n.domain === '' || n.domain === 'ai.onnx'));
  if (!core) throw new RampartError(`CSR function '${fn.name}' has no ${info.op} node in its body`, { op: fn.name, expected: `a body ending in ${info.op}` });
  return { base: info.base, info, core, index: new Map(fn.inputs.map((n, i) => [n, i])) };
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
      const w = readWeight(get, 'B', callNode);
      if (!A || A.dtype !== 'float32') fail(callNode, 'A is missing or not float32');
      const C = info.op === 'Gemm' ? get('C') : undefined;
      if (C && C.dtype !== 'float32') fail(callNode, `C is ${C.dtype}`, 'float32');
      const transA = info.op === 'Gemm' && attrInt(core, 'transA', 0) !== 0;
      const lead = info.op === 'MatMul' ? A.dims.slice(0, -1) : [transA ? A.dims[1] : A.dims[0]];
      const M = lead.reduce((a, b) => a * b, 1);
      const W = lazyCsr(env, callNode, w.key, 'B', w.csr, M >= 4, 'B');
      const x = A.data as Float32Array;
      const y = info.op === 'Gemm' ? gemmOutput(env, callNode, W, x, M, w.rows, transA, C) : linear(env, W, x, M, false, null);
      return [{ dtype: 'float32', dims: [...lead, w.rows], data: y }];
    }
    if (info.op === 'Conv') {
      const X = get('X'), B = get('B');
      const w = readWeight(get, 'W', callNode);
      if (!X) fail(callNode, 'X is missing');
      const [M, , kh, kw] = weightDims(get, 'W', callNode);
      const group = attrInt(core, 'group', 1), mg = M / group;
      const weight = (g: number) => lazyCsr(env, callNode, w.key, `g${g}`, () => (group === 1 ? w.csr() : csrRowSlice(w.csr(), g * mg, (g + 1) * mg)), true, 'W');
      return [conv2d(env, callNode, X, M, [kh, kw], group, weight, B ? (B.data as Float32Array) : null)];
    }
    const { spec, weights, slotInputs } = csrRecurrentParts(env, info, get, callNode);
    return runRecurrent(env, callNode, spec, weights, slotInputs);
  };
}

/** The recurrent spec, sparse weight blocks and dense-slot inputs of a CsrLSTM/GRU/RNN call. */
export function csrRecurrentParts(env: KernelEnv, info: CsrOp, get: (n: string) => Tensor | undefined,
  callNode: Node): { spec: ReturnType<typeof recurrentSpec>; weights: RecurrentWeights; slotInputs: (Tensor | undefined)[] } {
  const W = readWeight(get, 'W', callNode), R = readWeight(get, 'R', callNode);
  const spec = recurrentSpec(callNode, info.op as CellKind, { dims: weightDims(get, 'W', callNode) }, { dims: weightDims(get, 'R', callNode) });
  const rowsPer = spec.gates * spec.hidden;
  if (W.rows !== rowsPer * spec.directions || R.rows !== rowsPer * spec.directions) {
    fail(callNode, `sparse W/R have ${W.rows}/${R.rows} rows`, `${rowsPer * spec.directions} (directions x gates x hidden)`);
  }
  const slice = (m: Csr, d: number) => (spec.directions === 1 ? m : csrRowSlice(m, d * rowsPer, (d + 1) * rowsPer));
  const hint: StructureHint = { segment: spec.hidden, gates: spec.gates, hidden: spec.hidden };
  const weights: RecurrentWeights = {
    W: (d, batched) => lazyCsr(env, callNode, W.key, `d${d}`, () => slice(W.csr(), d), batched, 'W', hint),
    R: (d) => lazyCsr(env, callNode, R.key, `d${d}`, () => slice(R.csr(), d), false, 'R', hint),
  };
  const slotInputs = info.slots.map((s) => (s === 'W' || s === 'R' ? undefined : get(s)));
  return { spec, weights, slotInputs };
}

/** The pack of a sparse weight (persistent when pinned), with the same structure hint the dense kernels give. */
export function lazyCsr(env: KernelEnv, node: Node, key: Tensor, sub: string, csr: () => Csr, batched: boolean, slot: string,
  hint?: StructureHint): PackedMatrix | (() => PackedMatrix) {
  return env.persistent(key, sub, () => ({ csr: csr(), hint }), batched, { node: node.name, input: slot })
    ?? (() => env.pack({ csr: csr(), hint }, batched));
}
