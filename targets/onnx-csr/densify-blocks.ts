// The standard-op subgraph that rebuilds a dense [rows, cols] weight from its block-CSR
// inputs (runtime/csr-format.ts names them, runtime/bsr.ts defines the layout):
//   block row of each block = CumSum of a histogram of block_ptr[1..] (as densify.ts does
//   for CSR rows); entry (k, i, j) of block_values [nblocks, bc, br] sits at
//   row = map(brow(k)*br + j), col = block_cols[k] + i; ScatterND with reduction 'add'
//   of all entries into zeros[rows, cols]. map is the identity, a Gather from row_map,
//   or gateFusedRowMap computed from gate_fused = [gates, hidden] with integer Div/Mul/Sub.
// 'add', not 'none': a last block shifted left to fit overlaps its neighbour and holds
// zeros there, and ScatterND leaves the order of duplicate writes unspecified. A padding
// row (-1 in row_map) is shifted to row 0 of a [rows+1, cols] scratch that is sliced off.
// Everything is O(stored entries + block rows) and uses ops the reference table has
// (no Range, Where, Mod or Expand): iotas are exclusive CumSums of ones.
import type { Node, Tensor } from '../../runtime/ir.ts';
import type { RowMapForm } from '../../runtime/csr-format.ts';
import { constant, i64, node } from './densify.ts';

const INT64 = { type: 'int' as const, value: 7 };
const zeroOf = (dtype: 'int64' | 'float32', v = 0): Tensor =>
  dtype === 'int64' ? i64([v]) : { dtype: 'float32', dims: [1], data: new Float32Array([v]) };

/** Nodes computing `${p}_dense` from `${p}_block_values`, `_block_cols`, `_block_ptr`, the row map (`map`), `_shape`. */
export function densifyBlockNodes(p: string, map: RowMapForm['kind']): Node[] {
  const rowMap = map === 'explicit';
  const n = (s: string) => `${p}__${s}`;
  const fill = (shape: string, out: string, dtype: 'int64' | 'float32', v: number) =>
    node('ConstantOfShape', [shape], [out], { value: { type: 'tensor', value: zeroOf(dtype, v) } });
  const iota = (len: string, out: string) => [
    fill(len, n(`${out}_ones`), 'int64', 1),
    node('CumSum', [n(`${out}_ones`), n('zero')], [n(out)], { exclusive: { type: 'int', value: 1 } }),
  ];
  const nodes: Node[] = [
    constant(n('zero'), i64([0])), constant(n('one'), i64([1])), constant(n('two'), i64([2])),
    constant(n('three'), i64([3])), constant(n('minus1'), i64([-1])), constant(n('axes12'), i64([1, 2])),
    constant(n('flat'), i64([-1, 1])), constant(n('vflat'), i64([-1])),
    node('Shape', [`${p}_block_values`], [n('vshape')]),
    node('Slice', [n('vshape'), n('zero'), n('one')], [n('nb')]),
    node('Slice', [n('vshape'), n('one'), n('two')], [n('bc')]),
    node('Slice', [n('vshape'), n('two'), n('three')], [n('br')]),
    // Block row of each block.
    node('Cast', [`${p}_block_ptr`], [n('bp')], { to: INT64 }),
    node('Slice', [n('bp'), n('one'), n('minus1')], [n('starts')]),
    node('Add', [n('nb'), n('one')], [n('nb1')]),
    fill(n('nb1'), n('hist0'), 'int64', 0),
    node('Shape', [n('starts')], [n('nstarts')]),
    fill(n('nstarts'), n('ones'), 'int64', 1),
    node('ScatterElements', [n('hist0'), n('starts'), n('ones')], [n('hist')], {
      axis: { type: 'int', value: 0 }, reduction: { type: 'string', value: 'add' },
    }),
    node('CumSum', [n('hist'), n('zero')], [n('cum')]),
    node('Slice', [n('cum'), n('zero'), n('nb')], [n('brow')]),
    ...iota(n('br'), 'j'),
    ...iota(n('bc'), 'i'),
    // Rows [nb, 1, br] and columns [nb, bc, 1] of every entry.
    node('Mul', [n('brow'), n('br')], [n('first')]),
    node('Unsqueeze', [n('first'), n('axes12')], [n('first3')]),
    node('Add', [n('first3'), n('j')], [n('pos')]),
  ];
  if (rowMap) {
    nodes.push(
      node('Cast', [`${p}_row_map`], [n('map')], { to: INT64 }),
      node('Gather', [n('map'), n('pos')], [n('mapped')], { axis: { type: 'int', value: 0 } }),
      node('Add', [n('mapped'), n('one')], [n('rows')]),
    );
  }
  if (map === 'gate-fused') nodes.push(...gateFusedRows(p, n));
  const rows = map === 'identity' ? n('pos') : n('rows');
  nodes.push(
    node('Cast', [`${p}_block_cols`], [n('bcol')], { to: INT64 }),
    node('Unsqueeze', [n('bcol'), n('axes12')], [n('bcol3')]),
    node('Unsqueeze', [n('i'), n('one')], [n('i2')]),
    node('Add', [n('bcol3'), n('i2')], [n('cols')]),
    fill(n('vshape'), n('zeros3'), 'int64', 0),
    node('Add', [n('zeros3'), rows], [n('R')]),
    node('Add', [n('zeros3'), n('cols')], [n('C')]),
    node('Reshape', [n('R'), n('flat')], [n('R2')]),
    node('Reshape', [n('C'), n('flat')], [n('C2')]),
    node('Concat', [n('R2'), n('C2')], [n('idx')], { axis: { type: 'int', value: 1 } }),
    node('Reshape', [`${p}_block_values`, n('vflat')], [n('vals')]),
  );
  const add = { reduction: { type: 'string' as const, value: 'add' } };
  if (!rowMap) {
    nodes.push(fill(`${p}_shape`, n('zeros'), 'float32', 0), node('ScatterND', [n('zeros'), n('idx'), n('vals')], [`${p}_dense`], add));
    return nodes;
  }
  nodes.push(
    constant(n('pad_row'), i64([1, 0])),
    node('Add', [`${p}_shape`, n('pad_row')], [n('tshape')]),
    fill(n('tshape'), n('zeros'), 'float32', 0),
    node('ScatterND', [n('zeros'), n('idx'), n('vals')], [n('full')], add),
    node('Slice', [n('tshape'), n('zero'), n('one')], [n('end')]),
    node('Slice', [n('full'), n('one'), n('end'), n('zero')], [`${p}_dense`]),
  );
  return nodes;
}

/**
 * rows = gateFusedRowMap(pos) for the padding-free case: with per = br/gates units a
 * block row and bpd = hidden/per block rows a direction, position pos = b*br + j holds
 * row d*gates*hidden + g*hidden + u, where d = b / bpd, u = (b % bpd)*per + j / gates and
 * g = j % gates (all quotients exact integer divisions of non-negative values).
 */
function gateFusedRows(p: string, n: (s: string) => string): Node[] {
  const div = (a: string, b: string, out: string) => node('Div', [n(a), n(b)], [n(out)]);
  const mul = (a: string, b: string, out: string) => node('Mul', [n(a), n(b)], [n(out)]);
  const sub = (a: string, b: string, out: string) => node('Sub', [n(a), n(b)], [n(out)]);
  const add = (a: string, b: string, out: string) => node('Add', [n(a), n(b)], [n(out)]);
  return [
    node('Slice', [`${p}_gate_fused`, n('zero'), n('one')], [n('G')]),
    node('Slice', [`${p}_gate_fused`, n('one'), n('two')], [n('H')]),
    div('br', 'G', 'per'), div('H', 'per', 'bpd'), mul('G', 'H', 'GH'),
    div('pos', 'br', 'b'), mul('b', 'br', 'b_br'), sub('pos', 'b_br', 'jj'),
    div('b', 'bpd', 'd'), mul('d', 'bpd', 'd_bpd'), sub('b', 'd_bpd', 'ub'),
    div('jj', 'G', 'jg'), mul('ub', 'per', 'u0'), add('u0', 'jg', 'u'), mul('jg', 'G', 'jg_G'), sub('jj', 'jg_G', 'g'),
    mul('d', 'GH', 'row_d'), mul('g', 'H', 'row_g'), add('row_d', 'row_g', 'row_dg'), add('row_dg', 'u', 'rows'),
  ];
}
