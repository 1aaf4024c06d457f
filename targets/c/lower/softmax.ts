// Softmax / LogSoftmax with either axis convention: before opset 13 the input is
// coerced to 2-D at `axis` (default 1); from 13 it normalises the one axis (default -1).
// Both become groups of `len` values `stride` apart, as in the reference kernel.
import { sizeOf } from '../../../runtime/tensor.ts';
import { attrInt } from '../../../runtime/ops/attrs.ts';
import { normAxis } from '../../../runtime/ops/shared.ts';
import type { Lowerer } from './context.ts';

const softmax: Lowerer = (c) => {
  const xd = c.dims(0);
  const r = xd.length;
  let outer: number, len: number, stride: number;
  if (c.prep.opset < 13) {
    let axis = attrInt(c.node, 'axis', 1);
    if (axis < 0) axis += r;
    if (axis < 0 || axis > r) c.fail(`axis ${attrInt(c.node, 'axis', 1)} for rank ${r}`, `an integer in [${-r}, ${r}]`);
    [outer, len, stride] = [sizeOf(xd.slice(0, axis)), sizeOf(xd.slice(axis)), 1];
  } else {
    const axis = normAxis(c.node, attrInt(c.node, 'axis', -1), r);
    [outer, len, stride] = [sizeOf(xd.slice(0, axis)), xd[axis], sizeOf(xd.slice(axis + 1))];
  }
  const x = c.x(0);
  const y = c.outInPlace(0, 0);
  const log = c.node.op === 'LogSoftmax' ? 1 : 0;
  c.mod.use('rp_softmax');
  c.prog.step(c.describe(), (p) => [`rp_softmax(${p(x)}, ${p(y)}, ${outer}, ${len}, ${stride}, ${log});`]);
};

export const softmaxLowerers: Record<string, Lowerer> = { Softmax: softmax, LogSoftmax: softmax };
