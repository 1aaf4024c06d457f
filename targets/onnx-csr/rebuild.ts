// The rebuild functions of an onnx-csr file: one model-local function per storage form
// (DenseFromCsr, DenseFromBlocks_identity | _gate-fused | _explicit) that turns a weight's
// tensors back into the dense [rows, cols] matrix, called from the body of every CSR op
// that stores a weight in that form. A body of 20-60 nodes is so written once per file,
// not once per weight; what one costs is counted when a form is chosen (blocks.ts).
import type { FunctionDef, Model, Node } from '../../runtime/ir.ts';
import { RAMPART_DOMAIN } from '../../runtime/ir.ts';
import { BODY_OPSET, weightParts } from '../../runtime/csr-format.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import type { DensifyKind, Storage } from './blocks.ts';
import { densifyNodes } from './densify.ts';
import { densifyBlockNodes } from './densify-blocks.ts';

/** The rebuild function of a form: formals `w_<part>` (runtime/csr-format.ts weightParts), output `w_dense`. */
export function rebuildFunction(kind: DensifyKind): FunctionDef {
  const csr = kind === 'csr';
  return {
    name: csr ? 'DenseFromCsr' : `DenseFromBlocks_${kind}`, domain: RAMPART_DOMAIN,
    inputs: weightParts(kind).map((p) => `w_${p}`), outputs: ['w_dense'], attributes: [],
    opsetImports: [{ domain: '', version: BODY_OPSET }], nodes: csr ? densifyNodes('w') : densifyBlockNodes('w', kind),
  };
}

export const rebuildKind = (store: Storage): DensifyKind => (store.form === 'bsr' ? store.map.kind : 'csr');

/** The call computing `${slot}_dense` from slot's tensors; registers the function it calls in `used`. */
export function rebuildCall(slot: string, store: Storage, used: Map<string, FunctionDef>): Node {
  const f = rebuildFunction(rebuildKind(store));
  if (!used.has(f.name)) used.set(f.name, f);
  return { name: '', op: f.name, domain: RAMPART_DOMAIN, inputs: weightParts(rebuildKind(store)).map((p) => `${slot}_${p}`), outputs: [`${slot}_dense`], attrs: {} };
}

const EMPTY: Model = {
  irVersion: 8, opsetImports: [], producerName: '', producerVersion: '', functions: [], metadata: {},
  graph: { name: '', nodes: [], initializers: {}, inputs: [], outputs: [], valueInfo: {} },
};
const sizes = new Map<DensifyKind, number>();

/** Encoded bytes of a form's rebuild function: what adding it to a file costs. */
export function rebuildBytes(kind: DensifyKind): number {
  let n = sizes.get(kind);
  if (n === undefined) sizes.set(kind, (n = encodeModel({ ...EMPTY, functions: [rebuildFunction(kind)] }).length - encodeModel(EMPTY).length));
  return n;
}
