// Giving the model's symbolic input dims concrete sizes for `rampart inspect --batch N
// --seq-len T`. Which free dim is the batch and which a sequence is runtime/dims.ts's
// rule (a telling name, else the position); this file only says where the batch axis
// is for that rule: axis 0, except for a rank-3 input fed straight into a recurrent op
// with layout=0 ([T,B,I]) or whose axis 0 is fixed and axis 1 free. --dim NAME=SIZE
// overrides by symbol name.
import type { Dim, Model, ValueInfo } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { dimRole } from '../../runtime/dims.ts';
import { attrInt } from '../../runtime/ops/attrs.ts';
import { isRecurrent } from '../../runtime/ops/groups.ts';

export interface BindOptions {
  batch: number;
  seqLen: number;
  dims?: Record<string, number>;
}

export interface Binding {
  input: string;
  axis: number;
  symbol: Dim;
  role: 'batch' | 'seq' | 'named';
  value: number;
}

export function bindInputs(model: Model, opts: BindOptions): { inputs: ValueInfo[]; bindings: Binding[] } {
  const bindings: Binding[] = [];
  const used = new Set<string>();
  const inputs = model.graph.inputs.map((vi): ValueInfo => {
    if (vi.shape === null) {
      throw new RampartError(`graph input '${vi.name}' has an unknown rank`, { expected: 'a shape in the model (re-export with input shapes)' });
    }
    const timeMajor = vi.shape.length === 3 && isTimeMajor(model, vi);
    const shape = vi.shape.map((d, axis): number => {
      if (typeof d === 'number') return d;
      if (typeof d === 'string' && opts.dims && d in opts.dims) {
        used.add(d);
        bindings.push({ input: vi.name, axis, symbol: d, role: 'named', value: opts.dims[d] });
        return opts.dims[d];
      }
      const role = dimRole(d, axis, timeMajor ? 1 : 0);
      const value = role === 'batch' ? opts.batch : opts.seqLen;
      bindings.push({ input: vi.name, axis, symbol: d, role, value });
      return value;
    });
    return { ...vi, shape };
  });
  for (const k of Object.keys(opts.dims ?? {})) {
    if (!used.has(k)) {
      const syms = [...new Set(model.graph.inputs.flatMap((i) => (i.shape ?? []).filter((d): d is string => typeof d === 'string')))];
      throw new RampartError(`--dim ${k}: no graph input has a dim named '${k}'`, { expected: syms.length ? `one of: ${syms.join(', ')}` : 'a model with named symbolic dims' });
    }
  }
  return { inputs, bindings };
}

function isTimeMajor(model: Model, vi: ValueInfo): boolean {
  const [d0, d1] = vi.shape!;
  if (typeof d0 === 'number' && typeof d1 !== 'number') return true;
  if (typeof d0 !== 'number' && typeof d1 === 'number') return false;
  return model.graph.nodes.some((n) => isRecurrent(n.op) && n.inputs[0] === vi.name && attrInt(n, 'layout', 0) === 0);
}
