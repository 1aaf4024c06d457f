// IR -> IR: every prunable layer sparse enough becomes a call of a model-local
// function in domain ai.rampart (CsrMatMul, CsrGemm_<h>, CsrConv_<h>, CsrLSTM_<h>,
// CsrGRU_<h>, CsrRNN_<h>) whose inputs are the CSR tensors of its weight(s) and whose
// body rebuilds the dense weight with standard ops and calls the original op with
// its original attributes. Rampart's runtime runs the call natively
// (runtime/kernels/csr-ops.ts); onnxruntime inlines the body. The call's formal
// inputs follow the naming rule csr-ops.ts documents.
import type { Attr, FunctionDef, Model, Node, Tensor } from '../../runtime/ir.ts';
import { onnxOpset, RAMPART_DOMAIN } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { csrBytes, csrFromDense } from '../../runtime/csr.ts';
import { isRecurrent } from '../../runtime/ops/groups.ts';
import { getMatrix, prunableWeights, type PrunableWeight } from '../../src/ir/layers.ts';
import type { LayerReport } from '../types.ts';
import { bodyNode, densifyNodes } from './densify.ts';

/** The function bodies need ScatterElements(reduction) and ScatterND: ai.onnx 16+. */
export const BODY_OPSET = 17;
/** Oldest model opset whose ops mean the same at BODY_OPSET (Squeeze & co. took axes as inputs at 13). */
export const MIN_MODEL_OPSET = 13;

const SLOTS: Record<string, string[]> = {
  MatMul: ['A', 'B'], Gemm: ['A', 'B', 'C'], Conv: ['X', 'W', 'B'],
  LSTM: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'],
  GRU: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'], RNN: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'],
};
const OUTS: Record<string, string[]> = { LSTM: ['Y', 'Y_h', 'Y_c'], GRU: ['Y', 'Y_h'], RNN: ['Y', 'Y_h'] };

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const i64 = (values: number[]): Tensor => ({ dtype: 'int64', dims: [values.length], data: Float64Array.from(values) });

export interface CsrTransformResult {
  model: Model;
  layers: LayerReport[];
}

export function toCsrModel(src: Model, maxDensity: number, file?: string): CsrTransformResult {
  const opset = onnxOpset(src);
  if (opset < MIN_MODEL_OPSET) {
    throw new RampartError(`the model imports ai.onnx opset ${opset}`, {
      file, expected: `opset >= ${MIN_MODEL_OPSET} for --target onnx-csr (re-export it, or use --target onnx-sparse)`,
    });
  }
  const model: Model = structuredClone(src);
  const g = model.graph;
  const byLayer = new Map<string, PrunableWeight[]>();
  for (const pw of prunableWeights(model)) byLayer.set(pw.layer, [...(byLayer.get(pw.layer) ?? []), pw]);
  const functions = new Map<string, FunctionDef>();
  const layers: LayerReport[] = [];
  const used = new Map<string, number>();
  for (const n of g.nodes) for (const x of n.inputs) if (x) used.set(x, (used.get(x) ?? 0) + 1);

  g.nodes = g.nodes.map((node) => {
    const pws = byLayer.get(node.name);
    if (!pws) return node;
    const mats = pws.map((pw) => {
      const dense = new Float32Array(pw.directions * pw.rows * pw.cols);
      for (let d = 0; d < pw.directions; d++) dense.set(getMatrix(model, pw, d), d * pw.rows * pw.cols);
      return { pw, csr: csrFromDense(dense, pw.directions * pw.rows, pw.cols) };
    });
    const nnz = mats.reduce((a, m) => a + m.csr.values.length, 0);
    const total = mats.reduce((a, m) => a + m.csr.rows * m.csr.cols, 0);
    const density = total ? nnz / total : 1;
    const denseBytes = total * 4, storedBytes = mats.reduce((a, m) => a + csrBytes(m.csr), 0);
    const shared = pws.some((pw) => (used.get(pw.initializer) ?? 0) > 1);
    const report: LayerReport = { layer: node.name, op: node.op, action: 'dense', density, denseBytes, storedBytes: denseBytes };
    layers.push(report);
    if (density >= maxDensity) { report.note = `density ${density.toFixed(3)} >= ${maxDensity}`; return node; }
    if (shared) { report.note = 'weight shared with another node'; return node; }
    if (node.op === 'Conv' && model.graph.initializers[node.inputs[1]].dims.length !== 4) { report.note = 'not a 2-D conv'; return node; }
    report.action = 'csr';
    report.storedBytes = storedBytes;
    const slots = SLOTS[node.op];
    const formals: string[] = [];
    const callInputs: string[] = [];
    const coreInputs: string[] = [];
    slots.forEach((slot, i) => {
      const m = mats.find((x) => x.pw.initializer === node.inputs[i] && (x.pw.graph === slot || x.pw.graph === 'weight'));
      if (m) {
        const prefix = `${node.name}.${slot}`;
        const t = g.initializers[node.inputs[i]];
        const parts: [string, Tensor][] = [
          ['values', { dtype: 'float32', dims: [m.csr.values.length], data: m.csr.values }],
          ['col_indices', { dtype: m.csr.colIdx instanceof Uint16Array ? 'uint16' : 'int32', dims: [m.csr.colIdx.length], data: m.csr.colIdx }],
          ['row_ptr', { dtype: 'int32', dims: [m.csr.rowPtr.length], data: m.csr.rowPtr }],
          ['shape', i64([m.csr.rows, m.csr.cols])],
        ];
        if (node.op !== 'MatMul' && node.op !== 'Gemm') parts.push(['dims', i64(t.dims)]);
        for (const [k, v] of parts) {
          g.initializers[`${prefix}_${k}`] = v;
          formals.push(`${slot}_${k}`);
          callInputs.push(`${prefix}_${k}`);
        }
        delete g.initializers[node.inputs[i]];
        coreInputs.push(`${slot}_weight`);
      } else if (node.inputs[i]) {
        formals.push(slot);
        callInputs.push(node.inputs[i]);
        coreInputs.push(slot);
      } else {
        coreInputs.push('');
      }
    });
    while (coreInputs.length && coreInputs[coreInputs.length - 1] === '') coreInputs.pop();
    const base = `Csr${node.op}`;
    const key = JSON.stringify([node.attrs, formals]);
    const fname = node.op === 'MatMul' ? base : `${base}_${fnv(key)}`;
    if (!functions.has(fname)) functions.set(fname, makeFunction(fname, node, mats.map((m) => slotOf(m.pw)), formals, coreInputs));
    return { ...node, op: fname, domain: RAMPART_DOMAIN, inputs: callInputs, attrs: {} };
  });

  if (functions.size) {
    model.functions = [...model.functions, ...functions.values()];
    model.opsetImports = model.opsetImports.filter((o) => o.domain !== RAMPART_DOMAIN && o.domain !== '' && o.domain !== 'ai.onnx');
    model.opsetImports.unshift({ domain: '', version: Math.max(opset, BODY_OPSET) }, { domain: RAMPART_DOMAIN, version: 1 });
    model.irVersion = Math.max(model.irVersion, 8);
  }
  return { model, layers };
}

function slotOf(pw: PrunableWeight): string {
  if (pw.graph === 'W' || pw.graph === 'R') return pw.graph;
  return pw.op === 'Conv' ? 'W' : 'B';
}

function makeFunction(name: string, node: Node, sparseSlots: string[], formals: string[], coreInputs: string[]): FunctionDef {
  const nodes: Node[] = [];
  for (const slot of sparseSlots) {
    nodes.push(...densifyNodes(slot));
    if (node.op === 'MatMul') {
      nodes.push(bodyNode('Transpose', [`${slot}_dense`], [`${slot}_weight`], { perm: { type: 'ints', value: [1, 0] } }));
    } else if (node.op === 'Gemm') {
      nodes.push(bodyNode('Identity', [`${slot}_dense`], [`${slot}_weight`]));
    } else {
      nodes.push(bodyNode('Reshape', [`${slot}_dense`, `${slot}_dims`], [`${slot}_weight`]));
    }
  }
  const outs = isRecurrent(node.op) ? OUTS[node.op].slice(0, node.outputs.length) : ['Y'];
  const attrs: Record<string, Attr> = { ...node.attrs };
  // The CSR of a Gemm weight is op(B) as [N, K]: the body always multiplies by its transpose.
  if (node.op === 'Gemm') attrs.transB = { type: 'int', value: 1 };
  nodes.push({ name: `${name}_core`, op: node.op, domain: '', inputs: coreInputs, outputs: outs, attrs });
  return {
    name, domain: RAMPART_DOMAIN, inputs: formals, outputs: outs, attributes: [],
    opsetImports: [{ domain: '', version: BODY_OPSET }], nodes,
  };
}
