// BatchNormalization in inference mode: Y = scale * (X - mean) / sqrt(var + epsilon) + B
// over X [N, C, D...]. Training (opset 14/15 training_mode=1, or the running-statistics
// outputs of older opsets) is refused: this is an inference runtime, and a silently
// wrong running mean is worse than an error.
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { attrFloat, attrInt, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { need, needFloat } from './shared.ts';

export const batchnormKernels: KernelTable = {
  BatchNormalization: (inputs, node, ctx) => {
    const X = need(node, inputs, 0, 'X');
    const names = ['scale', 'B', 'input_mean', 'input_var'];
    const [scale, bias, mean, variance] = names.map((n, i) => needFloat(node, need(node, inputs, i + 1, n), n));
    const x = needFloat(node, X, 'X');
    if (attrInt(node, 'training_mode', 0) !== 0) {
      fail(node, 'training_mode=1 is not supported', 'training_mode=0 (inference)');
    }
    // Opset < 7 had is_test (default 0 = training); models in the wild set it, and an
    // inference runtime reads the node as inference regardless, as onnxruntime does.
    if (node.outputs.slice(1).some((o) => o !== '')) {
      fail(node, 'the running mean/variance outputs are only produced in training', 'a single output Y');
    }
    if (X.dims.length < 2) fail(node, `X is ${shapeString(X.dims)}`, 'X of rank >= 2: [N, C, D...]');
    const [N, C] = X.dims;
    const inner = sizeOf(X.dims.slice(2));
    // spatial=0 (opsets 7-8 only) gives per-activation statistics of shape [C, D...].
    const spatial = ctx.opset < 9 ? attrInt(node, 'spatial', 1) !== 0 : true;
    const per = spatial ? C : C * inner;
    for (const [i, p] of [scale, bias, mean, variance].entries()) {
      if (p.length !== per) {
        fail(node, `${names[i]} has ${p.length} elements`, `${per} (${spatial ? 'one per channel' : 'C x spatial'})`);
      }
    }
    const eps = attrFloat(node, 'epsilon', 1e-5);
    const y = allocData(X.dtype, x.length) as Float64Array;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        for (let s = 0; s < inner; s++) {
          const k = spatial ? c : c * inner + s;
          const i = (n * C + c) * inner + s;
          y[i] = (scale[k] * (x[i] - mean[k])) / Math.sqrt(variance[k] + eps) + bias[k];
        }
      }
    }
    return [{ dtype: X.dtype, dims: X.dims.slice(), data: y }];
  },
};
