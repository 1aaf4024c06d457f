// Constant: a tensor held in an attribute. The importer usually folds Constant nodes
// into initializers, but a graph built in code (or a function body) still has them.
import type { Tensor } from '../ir.ts';
import { fail } from './attrs.ts';
import type { KernelTable } from './types.ts';

export const constantKernels: KernelTable = {
  Constant: (_inputs, node) => {
    const names = Object.keys(node.attrs);
    if (names.length !== 1) fail(node, `attributes [${names.join(',')}]`, 'exactly one of value, value_float(s), value_int(s), value_string(s)');
    const name = names[0];
    const a = node.attrs[name];
    let t: Tensor;
    // value_int(s) are int64 and value_float(s) float32, per the ONNX spec.
    if (name === 'value' && a.type === 'tensor') t = a.value;
    else if (name === 'value_float' && (a.type === 'float' || a.type === 'int')) t = { dtype: 'float32', dims: [], data: Float32Array.of(a.value) };
    else if (name === 'value_floats' && (a.type === 'floats' || a.type === 'ints')) t = { dtype: 'float32', dims: [a.value.length], data: Float32Array.from(a.value) };
    else if (name === 'value_int' && (a.type === 'int' || a.type === 'float')) t = { dtype: 'int64', dims: [], data: Float64Array.of(a.value) };
    else if (name === 'value_ints' && (a.type === 'ints' || a.type === 'floats')) t = { dtype: 'int64', dims: [a.value.length], data: Float64Array.from(a.value) };
    else if (name === 'value_string' && a.type === 'string') t = { dtype: 'string', dims: [], data: [a.value] };
    else if (name === 'value_strings' && a.type === 'strings') t = { dtype: 'string', dims: [a.value.length], data: a.value.slice() };
    else fail(node, `attribute ${name} of type ${a.type}`, 'value (tensor), value_float(s), value_int(s) or value_string(s); sparse_value is not supported');
    return [{ dtype: t.dtype, dims: t.dims.slice(), data: t.data.slice() as Tensor['data'] }];
  },
};
