// MACs and sparsity of Rampart's compiled CSR calls (model-local functions in domain
// ai.rampart: CsrMatMul, CsrGemm_<h>, CsrConv_<h>, CsrLSTM_<h>, ...). Every weight
// element is used the same number of times per inference whatever its layout, so
//   dense MACs = Σ rows·cols·uses,   MACs@sparsity = Σ nnz·uses
// with uses = M for Gemm/MatMul (prod(out) / out[-1]), N·Hout·Wout for Conv
// (prod(out) / out[1]), and T·B for the recurrent ops (X's first two dims in either
// layout). The call's formal inputs follow runtime/csr-format.ts.
import type { FunctionDef, Model, Node } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { sparseCounts } from '../../runtime/csr-format.ts';
import { csrFunctionInfo } from '../../runtime/kernels/csr-ops.ts';
import type { ShapeOf } from './macs.ts';

export interface CsrCount {
  macs: number | null;
  sparseMacs: number | null;
  /** Dense elements of the CSR weights and how many of them are not stored. */
  prunable: number;
  zeros: number;
}

const prod = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

export function csrCallCount(model: Model, node: Node, fn: FunctionDef, shapeOf: ShapeOf): CsrCount | null {
  let fi: ReturnType<typeof csrFunctionInfo>;
  try {
    fi = csrFunctionInfo(fn);
  } catch (e) {
    if (e instanceof RampartError) return null; // a model-local function that is not a CSR op
    throw e;
  }
  const arg = (formal: string): string | undefined => {
    const i = fi.index.get(formal);
    return i === undefined ? undefined : node.inputs[i];
  };
  const init = (formal: string) => {
    const name = arg(formal);
    return name ? model.graph.initializers[name] : undefined;
  };
  let elements = 0;
  let nnz = 0;
  for (const slot of fi.info.sparse) {
    const c = sparseCounts(init, slot); // CSR or block CSR (runtime/csr-format.ts)
    if (!c) continue; // this slot stayed dense in this call
    elements += c.elements;
    nnz += c.nonzeros;
  }
  const uses = usesPerElement(fi.info.op, node, arg, shapeOf);
  return {
    macs: uses === null ? null : elements * uses,
    sparseMacs: uses === null ? null : nnz * uses,
    prunable: elements,
    zeros: elements - nnz,
  };
}

function usesPerElement(op: string, node: Node, arg: (f: string) => string | undefined, shapeOf: ShapeOf): number | null {
  if (op === 'LSTM' || op === 'GRU' || op === 'RNN') {
    const x = arg('X') ? shapeOf(arg('X')!) : null;
    return x && x.length === 3 ? x[0] * x[1] : null;
  }
  const out = shapeOf(node.outputs[0]);
  if (!out || out.length === 0) return null;
  if (op === 'Gemm') return out[0];
  if (op === 'MatMul') return prod(out) / out[out.length - 1];
  if (op === 'Conv') return out.length >= 2 ? prod(out) / out[1] : null;
  return null;
}
