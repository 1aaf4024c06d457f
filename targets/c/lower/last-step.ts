// "Only the last time step of Y is read": PyTorch's `out[:, -1, :]` after an LSTM
// exports as LSTM -> Squeeze -> Transpose -> Gather(index -1 or seq-1). For a forward
// one-direction node, Y[seq-1] equals the final h, so Y need not be stored at all: it
// becomes a view placed so that its last step is the h buffer. That saves seq*hidden
// floats of SRAM. The check follows Y through ops that stay views (Identity, Squeeze,
// Unsqueeze, Reshape, Flatten, Transposes that only move size-1 axes) to Gathers and
// Slices that select index seq-1 of the time axis; any other reader keeps Y.
import { sizeOf, stridesOf } from '../../../runtime/tensor.ts';
import { attrInt, attrInts } from '../../../runtime/ops/attrs.ts';
import { intList, normAxis } from '../../../runtime/ops/shared.ts';
import { sliceRange } from '../../../runtime/ops/slice.ts';
import type { LowerCtx } from './context.ts';
import { isContiguous } from './layout.ts';

const PASS = new Set(['Identity', 'Dropout']);
const RESHAPE = new Set(['Squeeze', 'Unsqueeze', 'Reshape', 'Flatten']);

export function readsLastStepOnly(c: LowerCtx, y: string, seq: number): boolean {
  const prep = c.prep;
  const readers = (name: string) => prep.runtime.filter((n) => n.inputs.includes(name));
  const ok = (name: string, axis: number, depth: number): boolean => {
    if (depth > 16 || c.graphOutputs.has(name)) return false;
    const inD = prep.dims.get(name)!;
    return readers(name).every((n) => {
      if (n.inputs.indexOf(name) !== 0 || n.inputs.lastIndexOf(name) !== 0) return false;
      const out = n.outputs[0];
      const outD = prep.dims.get(out);
      if (!outD) return false;
      if (PASS.has(n.op)) return ok(out, axis, depth + 1);
      if (RESHAPE.has(n.op)) {
        const before = sizeOf(inD.slice(0, axis));
        const k = outD.findIndex((d, i) => d === inD[axis] && sizeOf(outD.slice(0, i)) === before);
        return k >= 0 && ok(out, k, depth + 1);
      }
      if (n.op === 'Transpose') {
        const perm = attrInts(n, 'perm') ?? inD.map((_, i) => inD.length - 1 - i);
        const st = stridesOf(inD);
        return isContiguous(perm.map((p) => inD[p]), perm.map((p) => st[p])) && ok(out, perm.indexOf(axis), depth + 1);
      }
      const consts = (i: number) => {
        const t = n.inputs[i] ? prep.consts.get(n.inputs[i]) : undefined;
        return t ? intList(n, t, 'index') : null;
      };
      if (n.op === 'Gather') {
        const idx = consts(1);
        return normAxis(n, attrInt(n, 'axis', 0), inD.length) === axis && idx !== null && idx.length > 0 &&
          idx.every((i) => (i < 0 ? i + seq : i) === seq - 1);
      }
      if (n.op === 'Slice') {
        const [starts, ends] = [consts(1), consts(2)];
        if (!starts || !ends) return false;
        const axes = n.inputs[3] ? consts(3) : starts.map((_, i) => i);
        const steps = n.inputs[4] ? consts(4) : starts.map(() => 1);
        if (!axes || !steps) return false;
        const at = axes.findIndex((a) => normAxis(n, a, inD.length) === axis);
        if (at < 0) return false;
        const r = sliceRange(n, seq, starts[at], ends[at], steps[at]);
        return r.count === 1 && r.start === seq - 1;
      }
      return false;
    });
  };
  return ok(y, 0, 0);
}
