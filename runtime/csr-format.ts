// The CSR-op file format, defined once: what `--target onnx-csr` writes
// (targets/onnx-csr/) and what the runtime reads (runtime/kernels/csr-ops.ts, the
// stream, the fusion, `rampart inspect`).
//
// A CSR op is a node in domain ai.rampart calling a model-local function named
// `Csr<Op>` or `Csr<Op>_<hash>` (hash of the core op's attributes and the formal inputs,
// so layers of one configuration share one function). The body rebuilds each sparse
// weight with standard ops and ends in the dense op with its attributes (the "core"
// node: the one source of the attributes). The formal inputs are the op's input slots in
// ONNX order (CSR_OPS), absent optional ones left out; a weight slot S is stored as one of
//   dense  S                the ONNX tensor unchanged (only recurrent W / R: the other
//                           weight of the layer is sparse)
//   CSR    S_values f32[nnz], S_col_indices u16|i32[nnz], S_row_ptr i32[rows+1], S_shape i64[2]
//   BSR    S_block_values f32[nblocks, bc, br], S_block_cols u16|i32[nblocks],
//          S_block_ptr i32[blockrows+1], the row map, S_shape i64[2] (runtime/bsr.ts is the
//          layout). The row map is one of: S_row_map i32[blockrows*br]; S_gate_fused
//          i64[gates, hidden] for gateFusedRowMap without padding (hidden a multiple of
//          br/gates); nothing for rows b*br + j (the natural map without padding). The two
//          short forms save 4*rows bytes a weight.
// plus, for Conv and the recurrent ops, S_dims i64: the dense weight's dims. The matrix is
// rows = outputs: op(B) [N, K] for Gemm, B^T for MatMul, [M, C/g*kh*kw] for Conv,
// [dirs*gates*H, cols] for recurrent W and R. u16 column indices when cols <= 65536.
import type { Csr, Node, Tensor } from './ir.ts';
import { RAMPART_DOMAIN } from './ir.ts';
import { csrFromDense, validateCsr } from './csr.ts';
import { bsrToCsr, gateFusedRowMap, validateBsr, type Bsr } from './bsr.ts';
import { fail } from './ops/attrs.ts';

/** Function bodies use ScatterElements / ScatterND with `reduction` (ai.onnx 16+). */
export const BODY_OPSET = 17;

export interface CsrOp {
  /** The function name's stem: CsrMatMul, CsrGemm, ... */
  base: string;
  /** The dense op of the body. */
  op: string;
  /** The op's input slots in ONNX order. */
  slots: readonly string[];
  /** The slots that hold a prunable weight. */
  sparse: readonly string[];
  outputs: readonly string[];
}

const RECURRENT_OUTS = ['Y', 'Y_h'];
const table: CsrOp[] = [
  { base: 'CsrMatMul', op: 'MatMul', slots: ['A', 'B'], sparse: ['B'], outputs: ['Y'] },
  { base: 'CsrGemm', op: 'Gemm', slots: ['A', 'B', 'C'], sparse: ['B'], outputs: ['Y'] },
  { base: 'CsrConv', op: 'Conv', slots: ['X', 'W', 'B'], sparse: ['W'], outputs: ['Y'] },
  { base: 'CsrLSTM', op: 'LSTM', slots: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'], sparse: ['W', 'R'], outputs: [...RECURRENT_OUTS, 'Y_c'] },
  { base: 'CsrGRU', op: 'GRU', slots: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'], sparse: ['W', 'R'], outputs: RECURRENT_OUTS },
  { base: 'CsrRNN', op: 'RNN', slots: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'], sparse: ['W', 'R'], outputs: RECURRENT_OUTS },
];

/** By function stem (CsrLSTM) and by dense op (LSTM). */
export const CSR_OPS: Readonly<Record<string, CsrOp>> = Object.fromEntries(table.map((t) => [t.base, t]));
export const CSR_OP_OF: Readonly<Record<string, CsrOp>> = Object.fromEntries(table.map((t) => [t.op, t]));

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The function name for a call of `op` whose configuration (attributes, formals) is `config`. */
export function csrFunctionName(op: string, config: string): string {
  return `${CSR_OP_OF[op].base}_${fnv(config)}`;
}

/** The CSR op a function name ('CsrConv' or 'CsrConv_<suffix>') names, or null. */
export function csrOpOfFunction(name: string): CsrOp | null {
  const i = name.indexOf('_');
  return CSR_OPS[i < 0 ? name : name.slice(0, i)] ?? null;
}

/** The CSR op a node calls (domain ai.rampart), or null for any other node. */
export function csrOpOfNode(node: Node): CsrOp | null {
  return node.domain === RAMPART_DOMAIN ? csrOpOfFunction(node.op) : null;
}

// ---- writing ----------------------------------------------------------------

const i64 = (values: ArrayLike<number>): Tensor => ({ dtype: 'int64', dims: [values.length], data: Float64Array.from(values) });
const colType = (c: Uint16Array | Int32Array) => (c instanceof Uint16Array ? 'uint16' : 'int32');

/** The parts of a sparse weight slot S in formal order (formal S_<part>), by form: CSR or a block row-map form. */
export function weightParts(kind: 'csr' | RowMapForm['kind']): string[] {
  if (kind === 'csr') return ['values', 'col_indices', 'row_ptr', 'shape'];
  const map = kind === 'explicit' ? ['row_map'] : kind === 'gate-fused' ? ['gate_fused'] : [];
  return ['block_values', 'block_cols', 'block_ptr', ...map, 'shape'];
}

/** The formal inputs (name, tensor) of a CSR weight in slot S. */
export function csrWeightInputs(slot: string, m: Csr): [string, Tensor][] {
  return [
    [`${slot}_values`, { dtype: 'float32', dims: [m.values.length], data: m.values }],
    [`${slot}_col_indices`, { dtype: colType(m.colIdx), dims: [m.colIdx.length], data: m.colIdx }],
    [`${slot}_row_ptr`, { dtype: 'int32', dims: [m.rowPtr.length], data: m.rowPtr }],
    [`${slot}_shape`, i64([m.rows, m.cols])],
  ];
}

/** How a file stores a block weight's row map (see the header). */
export type RowMapForm = { kind: 'identity' } | { kind: 'gate-fused'; gates: number; hidden: number } | { kind: 'explicit' };

const sameMap = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The shortest form of b's row map; `gates` names the gate-fused map to try (recurrent weights). */
export function rowMapForm(b: Pick<Bsr, 'rows' | 'br' | 'rowMap'>, gates?: { gates: number; hidden: number }): RowMapForm {
  if (b.rowMap.length === b.rows && b.rowMap.every((r, i) => r === i)) return { kind: 'identity' };
  if (gates && gateFusedCompact(b.rows, b.br, gates.gates, gates.hidden) && sameMap(b.rowMap, gateFusedRowMap(b.rows, b.br, gates.gates, gates.hidden))) {
    return { kind: 'gate-fused', ...gates };
  }
  return { kind: 'explicit' };
}

/** True when the gate-fused map of these sizes has no padding rows (what S_gate_fused can stand for). */
function gateFusedCompact(rows: number, br: number, gates: number, hidden: number): boolean {
  return gates >= 1 && hidden >= 1 && br % gates === 0 && hidden % (br / gates) === 0 && rows % (gates * hidden) === 0;
}

/** The formal inputs of a block weight in slot S, its row map in `form` (rowMapForm). */
export function bsrWeightInputs(slot: string, b: Bsr, form: RowMapForm): [string, Tensor][] {
  const n = b.blockCol.length;
  const out: [string, Tensor][] = [
    [`${slot}_block_values`, { dtype: 'float32', dims: [n, b.bc, b.br], data: b.values }],
    [`${slot}_block_cols`, { dtype: colType(b.blockCol), dims: [n], data: b.blockCol }],
    [`${slot}_block_ptr`, { dtype: 'int32', dims: [b.blockPtr.length], data: b.blockPtr }],
  ];
  if (form.kind === 'explicit') out.push([`${slot}_row_map`, { dtype: 'int32', dims: [b.rowMap.length], data: b.rowMap }]);
  if (form.kind === 'gate-fused') out.push([`${slot}_gate_fused`, i64([form.gates, form.hidden])]);
  out.push([`${slot}_shape`, i64([b.rows, b.cols])]);
  return out;
}

/** The `S_dims` input (the dense weight's dims) Conv and the recurrent ops carry. */
export function dimsInput(slot: string, dims: readonly number[]): [string, Tensor] {
  return [`${slot}_dims`, i64(dims)];
}

// ---- reading ----------------------------------------------------------------

export type WeightForm = 'dense' | 'csr' | 'bsr';

/** A weight slot of a call as read from its tensors (validated); csr() converts on demand. */
export interface SlotWeight {
  form: WeightForm;
  rows: number;
  cols: number;
  /** The tensor whose data identifies the weight (packs are cached on it). */
  key: Tensor;
  csr: () => Csr;
}

type Get = (formal: string) => Tensor | undefined;
const checked = new WeakSet<object>();

function shapeOf(node: Node, slot: string, s: Tensor | undefined): [number, number] {
  if (!s || s.data.length !== 2) fail(node, `weight '${slot}' has no [rows, cols] ${slot}_shape`, `an int64 ${slot}_shape of 2 values`);
  const [rows, cols] = Array.from(s.data as Float64Array);
  return [rows, cols];
}

/**
 * The weight in `slot` of a CSR-op call in whichever form the file stores it, checked
 * once per tensor against runtime/csr.ts's or runtime/bsr.ts's invariants. A dense slot
 * is read as [dims[0]*dims[1], dims[2]] (recurrent W / R, the only dense slots written).
 */
export function readWeight(get: Get, slot: string, node: Node): SlotWeight {
  const ctx = { node: node.name, op: node.op };
  const v = get(`${slot}_values`);
  if (v) {
    const c = get(`${slot}_col_indices`), r = get(`${slot}_row_ptr`);
    if (!c || !r) fail(node, `CSR weight '${slot}' is missing one of its tensors`, `${slot}_values, ${slot}_col_indices, ${slot}_row_ptr, ${slot}_shape`);
    if (v.dtype !== 'float32' || r.dtype !== 'int32' || (c.dtype !== 'uint16' && c.dtype !== 'int32')) {
      fail(node, `CSR weight '${slot}' has types ${v.dtype}/${c.dtype}/${r.dtype}`, 'float32 values, uint16 or int32 column indices, int32 row pointers');
    }
    const [rows, cols] = shapeOf(node, slot, get(`${slot}_shape`));
    const m: Csr = { rows, cols, rowPtr: r.data as Int32Array, colIdx: c.data as Uint16Array | Int32Array, values: v.data as Float32Array };
    if (!checked.has(v.data)) { validateCsr(m, ctx); checked.add(v.data); }
    return { form: 'csr', rows, cols, key: v, csr: () => m };
  }
  const bv = get(`${slot}_block_values`);
  if (bv) {
    const c = get(`${slot}_block_cols`), p = get(`${slot}_block_ptr`);
    if (!c || !p) fail(node, `block weight '${slot}' is missing one of its tensors`, `${slot}_block_values, ${slot}_block_cols, ${slot}_block_ptr, ${slot}_shape (and a row map unless it is 0..rows-1)`);
    if (bv.dtype !== 'float32' || bv.dims.length !== 3 || p.dtype !== 'int32' || (c.dtype !== 'uint16' && c.dtype !== 'int32')) {
      fail(node, `block weight '${slot}' has types ${bv.dtype}[${bv.dims}]/${c.dtype}/${p.dtype}`,
        'float32 values [nblocks, bc, br], uint16 or int32 block columns, int32 block pointers');
    }
    const [rows, cols] = shapeOf(node, slot, get(`${slot}_shape`));
    const [, bc, br] = bv.dims;
    // Built when needed (a pinned weight is read on every run, packed once).
    const bsr = (): Bsr => ({
      rows, cols, br, bc, rowMap: readRowMap(get, slot, node, rows, br, p.data.length - 1),
      blockPtr: p.data as Int32Array, blockCol: c.data as Uint16Array | Int32Array, values: bv.data as Float32Array,
    });
    if (!checked.has(bv.data)) { validateBsr(bsr(), ctx); checked.add(bv.data); }
    let m: Csr | null = null;
    // The kernels take a Csr; the packer finds the blocks again (runtime/kernels/linalg.ts).
    return { form: 'bsr', rows, cols, key: bv, csr: () => (m ??= bsrToCsr(bsr())) };
  }
  const d = get(slot);
  if (d) {
    if (d.dtype !== 'float32' || d.dims.length !== 3) fail(node, `dense weight '${slot}' is ${d.dtype}[${d.dims}]`, 'a float32 [directions, gates*hidden, cols] tensor');
    const rows = d.dims[0] * d.dims[1], cols = d.dims[2];
    let m: Csr | null = null;
    return { form: 'dense', rows, cols, key: d, csr: () => (m ??= csrFromDense(d.data as Float32Array, rows, cols)) };
  }
  fail(node, `weight '${slot}' is missing`, `${slot}_values (CSR), ${slot}_block_values (block CSR) or ${slot} (dense)`);
}

/** The row map of a block weight with `blockRows` block rows; the short forms stand for maps of exactly `rows` entries. */
function readRowMap(get: Get, slot: string, node: Node, rows: number, br: number, blockRows: number): Int32Array {
  const map = get(`${slot}_row_map`), gf = get(`${slot}_gate_fused`);
  if (map) {
    if (map.dtype !== 'int32') fail(node, `${slot}_row_map is ${map.dtype}`, 'int32');
    return map.data as Int32Array;
  }
  // Checked before the map is built, so a bad shape cannot make us allocate it.
  if (rows !== blockRows * br) fail(node, `block weight '${slot}' has ${rows} rows, ${blockRows} block rows of ${br} and no row map`, `${slot}_row_map, or rows = block rows x br`);
  if (gf) {
    const [gates, hidden] = Array.from(gf.data as ArrayLike<number>);
    if (gf.dtype !== 'int64' || gf.data.length !== 2 || !gateFusedCompact(rows, br, gates, hidden)) {
      fail(node, `${slot}_gate_fused [${Array.from(gf.data as ArrayLike<number>)}] for ${rows} rows in blocks of ${br}`,
        'int64 [gates, hidden] with rows a multiple of gates*hidden, br of gates and hidden of br/gates');
    }
    return gateFusedRowMap(rows, br, gates, hidden);
  }
  return Int32Array.from({ length: rows }, (_, i) => i);
}

/** The dense dims of the weight in `slot`: S_dims, or a dense slot's own dims. */
export function weightDims(get: Get, slot: string, node: Node): number[] {
  const dims = get(`${slot}_dims`), dense = get(slot);
  if (dims) return Array.from(dims.data as Float64Array);
  if (dense) return dense.dims.slice();
  fail(node, `${slot}_dims is missing`, `the dense dims of ${slot}`);
}

/**
 * Elements and nonzeros of the sparse weight in `slot`, read from its tensors without
 * validation (for reports), or null when the slot is dense or absent.
 */
export function sparseCounts(get: Get, slot: string): { elements: number; nonzeros: number } | null {
  const s = get(`${slot}_shape`);
  const v = get(`${slot}_values`) ?? get(`${slot}_block_values`);
  if (!s || !v || s.data.length !== 2) return null;
  const [rows, cols] = Array.from(s.data as ArrayLike<number>);
  const d = v.data as ArrayLike<number>;
  let nonzeros = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) nonzeros++;
  return { elements: rows * cols, nonzeros };
}
