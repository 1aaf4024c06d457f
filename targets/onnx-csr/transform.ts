// IR -> IR: every prunable layer sparse enough becomes a call of a model-local
// function in domain ai.rampart (CsrMatMul_<h>, CsrGemm_<h>, CsrConv_<h>, CsrLSTM_<h>,
// CsrGRU_<h>, CsrRNN_<h>) whose inputs are the sparse tensors of its weight(s) and whose
// body rebuilds the dense weight with standard ops and calls the original op with
// its original attributes. Each weight is stored as CSR, block CSR or (recurrent W/R
// beside a sparse partner) dense, whichever is smallest (blocks.ts). The file format —
// names, slots, tensors — is runtime/csr-format.ts; Rampart's runtime runs the calls
// natively (runtime/kernels/csr-ops.ts), onnxruntime inlines the bodies.
import type { Attr, Csr, FunctionDef, Model, Node, Tensor } from '../../runtime/ir.ts';
import { onnxOpset, RAMPART_DOMAIN } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { csrFromDense } from '../../runtime/csr.ts';
import {
  BODY_OPSET, CSR_OP_OF, bsrWeightInputs, csrFunctionName, csrWeightInputs, dimsInput,
} from '../../runtime/csr-format.ts';
import { isRecurrent } from '../../runtime/ops/groups.ts';
import { getMatrix, prunableWeights, type PrunableWeight } from '../../src/ir/layers.ts';
import type { LayerReport } from '../types.ts';
import { chooseStorage, type BlockSpec, type DensifyKind, type RowLayout, type Storage } from './blocks.ts';
import { node as bodyNode } from './densify.ts';
import { rebuildBytes, rebuildCall, rebuildKind } from './rebuild.ts';

export { BODY_OPSET };
/** Oldest model opset whose ops mean the same at BODY_OPSET (Squeeze & co. took axes as inputs at 13). */
export const MIN_MODEL_OPSET = 13;

export interface CsrTransformResult {
  model: Model;
  layers: LayerReport[];
}

interface Weight { pw: PrunableWeight; slot: string; csr: Csr; store: Storage }

export function toCsrModel(src: Model, maxDensity: number, file?: string, block: BlockSpec = 'auto'): CsrTransformResult {
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
  // The rebuild functions (rebuild.ts) the calls use, and the forms chosen so far: a form
  // whose function the file already has costs only its tensors.
  const helpers = new Map<string, FunctionDef>();
  const chosen = new Set<DensifyKind>();
  const helperCost = (k: DensifyKind) => (chosen.has(k) ? 0 : rebuildBytes(k));
  const layers: LayerReport[] = [];
  const used = new Map<string, number>();
  for (const n of g.nodes) for (const x of n.inputs) if (x) used.set(x, (used.get(x) ?? 0) + 1);

  g.nodes = g.nodes.map((node) => {
    const pws = byLayer.get(node.name);
    if (!pws) return node;
    const mats = pws.map((pw) => {
      const dense = new Float32Array(pw.directions * pw.rows * pw.cols);
      for (let d = 0; d < pw.directions; d++) dense.set(getMatrix(model, pw, d), d * pw.rows * pw.cols);
      return { pw, slot: slotOf(pw), csr: csrFromDense(dense, pw.directions * pw.rows, pw.cols) };
    });
    const nnz = mats.reduce((a, m) => a + m.csr.values.length, 0);
    const total = mats.reduce((a, m) => a + m.csr.rows * m.csr.cols, 0);
    const density = total ? nnz / total : 1;
    const denseBytes = total * 4;
    const shared = pws.some((pw) => (used.get(pw.initializer) ?? 0) > 1);
    const report: LayerReport = { layer: node.name, op: node.op, action: 'dense', density, denseBytes, storedBytes: denseBytes };
    layers.push(report);
    if (density >= maxDensity) { report.note = `density ${density.toFixed(3)} >= ${maxDensity}`; return node; }
    if (shared) { report.note = 'weight shared with another node'; return node; }
    if (node.op === 'Conv' && g.initializers[node.inputs[1]].dims.length !== 4) { report.note = 'not a 2-D conv'; return node; }
    // A dense slot inside a call exists only beside a sparse partner (recurrent W and R).
    const weights: Weight[] = mats.map((m) => {
      const store = chooseStorage(m.csr, layoutOf(m.pw), block, isRecurrent(node.op), helperCost);
      if (store.form !== 'dense') chosen.add(rebuildKind(store));
      return { ...m, store };
    });
    if (weights.every((w) => w.store.form === 'dense')) { report.note = 'dense is the smallest storage'; return node; }
    // 'bsr' when some weight of the layer is stored as blocks; the note says which.
    report.action = weights.some((w) => w.store.form === 'bsr') ? 'bsr' : 'csr';
    report.storedBytes = weights.reduce((a, w) => a + w.store.bytes, 0);
    report.note = weights.map((w) => `${w.slot} ${w.store.form === 'bsr' ? `blocks ${w.store.label}` : w.store.form}`).join(', ');
    const formals: string[] = [], callInputs: string[] = [], coreInputs: string[] = [], body: Node[] = [];
    CSR_OP_OF[node.op].slots.forEach((slot, i) => {
      const w = weights.find((x) => x.slot === slot && x.pw.initializer === node.inputs[i]);
      if (w && w.store.form !== 'dense') {
        const parts: [string, Tensor][] = w.store.form === 'bsr' ? bsrWeightInputs(slot, w.store.bsr, w.store.map) : csrWeightInputs(slot, w.csr);
        if (node.op !== 'MatMul' && node.op !== 'Gemm') parts.push(dimsInput(slot, g.initializers[node.inputs[i]].dims));
        for (const [formal, t] of parts) {
          g.initializers[`${node.name}.${formal}`] = t;
          formals.push(formal);
          callInputs.push(`${node.name}.${formal}`);
        }
        delete g.initializers[node.inputs[i]];
        coreInputs.push(`${slot}_weight`);
        body.push(...weightBody(node.op, slot, w.store, helpers));
      } else if (node.inputs[i]) {
        formals.push(slot);
        callInputs.push(node.inputs[i]);
        coreInputs.push(slot);
      } else {
        coreInputs.push('');
      }
    });
    while (coreInputs.length && coreInputs[coreInputs.length - 1] === '') coreInputs.pop();
    const fname = csrFunctionName(node.op, JSON.stringify([node.attrs, formals]));
    if (!functions.has(fname)) functions.set(fname, makeFunction(fname, node, body, formals, coreInputs));
    return { ...node, op: fname, domain: RAMPART_DOMAIN, inputs: callInputs, attrs: {} };
  });

  if (functions.size) {
    model.functions = [...model.functions, ...helpers.values(), ...functions.values()];
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

/** Segments a block must not straddle: a gate (recurrent), a group (Conv), else none. */
function layoutOf(pw: PrunableWeight): RowLayout {
  if (pw.hidden !== null) return { segment: pw.hidden, gates: pw.gates?.length ?? 1, hidden: pw.hidden };
  return { segment: pw.rows / pw.groups, gates: null, hidden: null };
}

/** Body nodes computing `${slot}_weight`, the dense weight in the core op's layout. */
function weightBody(op: string, slot: string, store: Storage, helpers: Map<string, FunctionDef>): Node[] {
  const nodes = [rebuildCall(slot, store, helpers)];
  if (op === 'MatMul') nodes.push(bodyNode('Transpose', [`${slot}_dense`], [`${slot}_weight`], { perm: { type: 'ints', value: [1, 0] } }));
  else if (op === 'Gemm') nodes.push(bodyNode('Identity', [`${slot}_dense`], [`${slot}_weight`]));
  else nodes.push(bodyNode('Reshape', [`${slot}_dense`, `${slot}_dims`], [`${slot}_weight`]));
  return nodes;
}

function makeFunction(name: string, node: Node, body: Node[], formals: string[], coreInputs: string[]): FunctionDef {
  const outs = CSR_OP_OF[node.op].outputs.slice(0, node.outputs.length);
  const attrs: Record<string, Attr> = { ...node.attrs };
  // The CSR of a Gemm weight is op(B) as [N, K]: the body always multiplies by its transpose.
  if (node.op === 'Gemm') attrs.transB = { type: 'int', value: 1 };
  const core: Node = { name: `${name}_core`, op: node.op, domain: '', inputs: coreInputs, outputs: outs, attrs };
  return {
    name, domain: RAMPART_DOMAIN, inputs: formals, outputs: outs, attributes: [],
    opsetImports: [{ domain: '', version: BODY_OPSET }, { domain: RAMPART_DOMAIN, version: 1 }], nodes: [...body, core],
  };
}
