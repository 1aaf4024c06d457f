// Pad, constant mode (PyTorch exports nn.AvgPool2d and nn.ZeroPad2d / ConstantPad as
// one, often with all-zero pads). Negative pads crop. reflect and edge are refused:
// tfjs has no edge pad, and its MirrorPad gradient drops the mirrored cells' share
// (d/dx sum(mirrorPad([1,2,3], 1)) comes out [1,1,1], not [1,3,1]), so training
// through it would be silently wrong.
import { attrFloat, attrString, fail } from '../../../runtime/ops/attrs.ts';
import { toNumbers } from '../../../runtime/tensor.ts';
import { padsPerAxis } from '../../../runtime/ops/pad.ts';
import { tf } from '../tf.ts';
import { asTf, hostInts, isTf, need, type Lowering } from './types.ts';

const pad: Lowering = (inputs, node, ctx) => {
  const x = asTf(need(node, inputs, 0, 'data'));
  const mode = attrString(node, 'mode', 'constant');
  if (mode !== 'constant') fail(node, `mode '${mode}' is not supported by the training lowering`, "mode 'constant'");
  const { begin, end } = padsPerAxis(node, ctx.opset, x.rank, (i, what) => (inputs[i] === undefined ? undefined : hostInts(node, inputs[i]!, what)));
  const cv = ctx.opset >= 11 ? inputs[2] : undefined;
  const value = cv === undefined ? attrFloat(node, 'value', 0) : isTf(cv) ? cv.dataSync()[0] : toNumbers(cv)[0];
  const shape = x.shape as number[];
  const crop = shape.map((d, i) => d - Math.max(0, -begin[i]) - Math.max(0, -end[i]));
  if (crop.some((d) => d < 0)) fail(node, `pads [${begin}] / [${end}] crop [${shape}] below size 0`, 'pads no more negative than the axis is long');
  const kept = begin.some((b) => b < 0) || end.some((e) => e < 0) ? tf.slice(x, begin.map((b) => Math.max(0, -b)), crop) : x;
  return [tf.pad(kept, begin.map((b, i) => [Math.max(0, b), Math.max(0, end[i])] as [number, number]), value)];
};

export const padLowerings: Record<string, Lowering> = { Pad: pad };
