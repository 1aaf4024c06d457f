// The standard-op subgraph that rebuilds a dense [rows, cols] weight from CSR inputs
// inside a function body (opset >= 16, for ScatterElements' reduction):
//   row of each nonzero = CumSum of a histogram of row starts: scatter-add 1 at
//   row_ptr[1..rows-1] into zeros[nnz+1] (empty rows stack there), CumSum, keep nnz;
//   indices = [row, col] pairs; ScatterND of the values into zeros[rows, cols].
// Everything is O(nnz + rows): no [nnz, rows] comparison matrix, which would reach
// gigabytes for a 1024x1024 layer at 50%.
import type { Attr, Node, Tensor } from '../../runtime/ir.ts';

export const i64 = (values: number[]): Tensor => ({ dtype: 'int64', dims: [values.length], data: Float64Array.from(values) });

/** A body node. Unnamed (ONNX allows it; executors name body nodes by position): a name would cost ~20 bytes a node. */
export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): Node {
  return { name: '', op, domain: '', inputs, outputs, attrs };
}

export function constant(name: string, t: Tensor): Node {
  return node('Constant', [], [name], { value: { type: 'tensor', value: t } });
}

/** Nodes computing `${p}_dense` [rows, cols] from `${p}_values`, `_col_indices`, `_row_ptr`, `_shape`. */
export function densifyNodes(p: string): Node[] {
  const n = (s: string) => `${p}__${s}`;
  return [
    constant(n('one'), i64([1])),
    constant(n('zero'), i64([0])),
    constant(n('minus1'), i64([-1])),
    node('Cast', [`${p}_row_ptr`], [n('rp')], { to: { type: 'int', value: 7 } }),
    node('Slice', [n('rp'), n('one'), n('minus1')], [n('starts')]),
    node('Shape', [`${p}_values`], [n('nnz')]),
    node('Add', [n('nnz'), n('one')], [n('nnz1')]),
    node('ConstantOfShape', [n('nnz1')], [n('hist0')], { value: { type: 'tensor', value: i64([0]) } }),
    node('Shape', [n('starts')], [n('nstarts')]),
    node('ConstantOfShape', [n('nstarts')], [n('ones')], { value: { type: 'tensor', value: i64([1]) } }),
    node('ScatterElements', [n('hist0'), n('starts'), n('ones')], [n('hist')], {
      axis: { type: 'int', value: 0 }, reduction: { type: 'string', value: 'add' },
    }),
    node('CumSum', [n('hist'), n('zero')], [n('cum')]),
    node('Slice', [n('cum'), n('zero'), n('nnz')], [n('rows')]),
    node('Unsqueeze', [n('rows'), n('one')], [n('rows2')]),
    node('Cast', [`${p}_col_indices`], [n('cols')], { to: { type: 'int', value: 7 } }),
    node('Unsqueeze', [n('cols'), n('one')], [n('cols2')]),
    node('Concat', [n('rows2'), n('cols2')], [n('idx')], { axis: { type: 'int', value: 1 } }),
    node('ConstantOfShape', [`${p}_shape`], [n('zeros')], {
      value: { type: 'tensor', value: { dtype: 'float32', dims: [1], data: new Float32Array(1) } },
    }),
    node('ScatterND', [n('zeros'), n('idx'), `${p}_values`], [`${p}_dense`]),
  ];
}
