// LayerNormalization (ai.onnx opset 17; onnxruntime also takes it from older opsets,
// where it was its own op, so no opset is refused). Over the axes [axis, rank) of X
// (axis default -1): Y = (X - mean) / sqrt(var + epsilon) * Scale + B, with var the
// biased (population) variance. Scale and B broadcast to X's shape (numpy rule, X's
// shape kept), which is what the spec's function body does; B is optional. The
// optional outputs Mean and InvStdDev have X's shape with the normalised axes set to 1,
// in float32 (stash_type 1, the only type the IR has; the sums here are float64).
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { attrFloat, attrInt, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { broadcastIndex, need, needFloat, normAxis } from './shared.ts';

export const layerNormKernels: KernelTable = {
  LayerNormalization: (inputs, node) => {
    const X = need(node, inputs, 0, 'X');
    const S = need(node, inputs, 1, 'Scale');
    const B = inputs[2];
    const x = needFloat(node, X, 'X');
    const r = X.dims.length;
    if (r === 0) fail(node, 'X is a scalar', 'X of rank >= 1');
    const axis = normAxis(node, attrInt(node, 'axis', -1), r);
    const eps = attrFloat(node, 'epsilon', 1e-5);
    const params = [S, ...(B ? [B] : [])];
    for (const p of params) {
      const name = p === S ? 'Scale' : 'B';
      if (p.dtype !== X.dtype) fail(node, `${name} is ${p.dtype}, X is ${X.dtype}`, `${name} of X's dtype`);
      // Unidirectional: p's dims, right-aligned, are each 1 or X's.
      const fits = p.dims.length <= r && p.dims.every((d, i) => d === 1 || d === X.dims[r - p.dims.length + i]);
      if (!fits) fail(node, `${name} ${shapeString(p.dims)} does not broadcast to X ${shapeString(X.dims)}`, `${name} broadcastable to X's shape`);
    }
    const s = S.data as Float32Array, b = B ? (B.data as Float32Array) : null;
    const is = broadcastIndex(X.dims, S.dims), ib = B ? broadcastIndex(X.dims, B.dims) : null;
    const outer = sizeOf(X.dims.slice(0, axis)), len = sizeOf(X.dims.slice(axis));
    const y = allocData(X.dtype, x.length) as Float64Array;
    const mean = new Float32Array(outer), inv = new Float32Array(outer);
    for (let o = 0; o < outer; o++) {
      const base = o * len;
      let sum = 0;
      for (let i = 0; i < len; i++) sum += x[base + i];
      const m = sum / len;
      let sq = 0;
      for (let i = 0; i < len; i++) sq += (x[base + i] - m) ** 2;
      const d = 1 / Math.sqrt(sq / len + eps);
      for (let i = 0; i < len; i++) {
        const k = base + i;
        y[k] = (x[k] - m) * d * s[is[k]] + (b ? b[ib![k]] : 0);
      }
      mean[o] = m;
      inv[o] = d;
    }
    const statDims = X.dims.map((dim, i) => (i < axis ? dim : 1));
    return [
      { dtype: X.dtype, dims: X.dims.slice(), data: y },
      { dtype: 'float32', dims: statDims, data: mean },
      { dtype: 'float32', dims: statDims.slice(), data: inv },
    ];
  },
};
