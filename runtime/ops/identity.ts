// Identity and Dropout. In inference Dropout is the identity; its optional mask
// output is all ones (bool from opset 10, the input's type before).
import type { Tensor } from '../ir.ts';
import { allocData } from '../tensor.ts';
import { fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { copyData, need, nums } from './shared.ts';

export const identityKernels: KernelTable = {
  Identity: (inputs, node) => {
    const x = need(node, inputs, 0, 'input');
    return [{ dtype: x.dtype, dims: x.dims.slice(), data: copyData(x) }];
  },
  Dropout: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    // Opset 12 made ratio and training_mode inputs. Training with a non-zero ratio
    // drops at random, which no reference can reproduce: refuse it. Training with
    // ratio 0 keeps everything, so it is the identity too.
    const training = inputs[2];
    if (ctx.opset >= 12 && training !== undefined && nums(node, training, 'training_mode')[0]) {
      const ratio = inputs[1] ? nums(node, inputs[1], 'ratio')[0] : 0.5;
      if (ratio !== 0) fail(node, `training_mode=true with ratio ${ratio}`, 'inference (training_mode false or absent) or ratio 0');
    }
    const y: Tensor = { dtype: x.dtype, dims: x.dims.slice(), data: copyData(x) };
    if (!node.outputs[1]) return [y];
    const maskType = ctx.opset >= 10 ? 'bool' : x.dtype;
    const mask = allocData(maskType, x.data.length) as Float64Array;
    mask.fill(1);
    return [y, { dtype: maskType, dims: x.dims.slice(), data: mask }];
  },
};
