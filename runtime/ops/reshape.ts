// Reshape and Flatten: the data is unchanged (row-major), only the dims change.
import type { Node, Tensor } from '../ir.ts';
import { shapeString, sizeOf } from '../tensor.ts';
import { attrInt, attrInts, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { copyData, intList, need } from './shared.ts';

/**
 * Resolves a Reshape target: 0 copies the input's dimension at that position (unless
 * allowzero=1, where 0 is a real zero-size dimension), -1 is inferred from the rest.
 */
export function resolveShape(node: Node, input: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const dims = target.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= input.length) fail(node, `shape ${shapeString(target)} copies dimension ${i} of a rank-${input.length} input`, 'a 0 only where the input has that dimension');
      return input[i];
    }
    if (d < -1 || !Number.isInteger(d)) fail(node, `shape ${shapeString(target)} has entry ${d}`, 'dimensions >= -1');
    return d;
  });
  const infer = dims.filter((d) => d === -1).length;
  if (infer > 1) fail(node, `shape ${shapeString(target)} has more than one -1`, 'at most one inferred dimension');
  if (allowZero && infer === 1 && dims.includes(0)) fail(node, `shape ${shapeString(target)} has both 0 and -1 with allowzero=1`, 'no -1 next to a literal zero');
  const total = sizeOf(input);
  const known = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (infer === 1) {
    if (known === 0 || total % known !== 0) fail(node, `cannot infer -1 in ${shapeString(target)} for ${total} elements`, `a shape whose known dims divide ${total}`);
    dims[dims.indexOf(-1)] = total / known;
  } else if (known !== total) {
    fail(node, `shape ${shapeString(dims)} has ${known} elements but the input ${shapeString(input)} has ${total}`, 'the same element count');
  }
  return dims;
}

function reshaped(x: Tensor, dims: number[]): Tensor {
  return { dtype: x.dtype, dims, data: copyData(x) };
}

export const reshapeKernels: KernelTable = {
  Reshape: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    // Before opset 5 the target shape was an attribute.
    const target = ctx.opset < 5
      ? attrInts(node, 'shape') ?? fail(node, 'attribute shape is missing', 'a shape attribute (opset < 5)')
      : intList(node, need(node, inputs, 1, 'shape'), 'shape');
    return [reshaped(x, resolveShape(node, x.dims, target, attrInt(node, 'allowzero', 0) !== 0))];
  },
  Flatten: (inputs, node) => {
    const x = need(node, inputs, 0, 'input');
    const r = x.dims.length;
    let axis = attrInt(node, 'axis', 1);
    // axis may equal the rank (outer part = everything), so the range is [-r, r].
    if (!Number.isInteger(axis) || axis < -r || axis > r) fail(node, `axis ${axis} for rank ${r}`, `an integer in [${-r}, ${r}]`);
    if (axis < 0) axis += r;
    return [reshaped(x, [sizeOf(x.dims.slice(0, axis)), sizeOf(x.dims.slice(axis))])];
  },
};
