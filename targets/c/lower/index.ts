// The lowering table (op -> lowering function) and the driver that turns a prepared
// model into one CProgram: graph inputs become windows of the caller's input array,
// each runtime node appends its steps, and a last step copies the graph outputs into
// the caller's output array.
import { RampartError, withContext } from '../../../runtime/errors.ts';
import { sizeOf } from '../../../runtime/tensor.ts';
import type { CModule } from '../module.ts';
import type { ResolvedOptions } from '../options.ts';
import { unsupported, type Prepared } from '../prepare.ts';
import { CProgram, type Ref } from '../program.ts';
import { LowerCtx, type Lowerer, type StreamBinding } from './context.ts';
import { convLowerers } from './conv.ts';
import { elementwiseLowerers } from './elementwise.ts';
import { layoutLowerers } from './layout.ts';
import { linearLowerers } from './linear.ts';
import { recurrentLowerers } from './recurrent.ts';
import { softmaxLowerers } from './softmax.ts';

export const LOWERERS: Record<string, Lowerer> = {
  ...linearLowerers, ...convLowerers, ...recurrentLowerers, ...elementwiseLowerers, ...softmaxLowerers, ...layoutLowerers,
};

/** Ops the C code can run (others may still appear in constant subgraphs, folded at compile time). */
export const C_RUNTIME_OPS = Object.keys(LOWERERS).sort();

export function lowerProgram(prep: Prepared, mod: CModule, opts: ResolvedOptions, arenaSymbol: string, stream: StreamBinding | null): CProgram {
  const prog = new CProgram(mod, arenaSymbol);
  const lastUse = new Map<string, number>();
  prep.runtime.forEach((n, i) => n.inputs.forEach((x) => x && lastUse.set(x, i)));
  const graphOutputs = new Set(prep.outputs.map((o) => o.name));
  let at = 0;
  for (const inp of prep.inputs) {
    const n = sizeOf(inp.dims);
    prog.input(inp.name, at, n);
    at += n;
  }
  prep.runtime.forEach((node, i) => {
    const lower = LOWERERS[node.op];
    if (!lower || (node.domain !== '' && node.domain !== 'ai.onnx')) throw unsupported(node, opts.file);
    for (const o of node.outputs) {
      const d = o ? prep.dtypes.get(o) : undefined;
      if (d && d !== 'float32') {
        throw new RampartError(`output '${o}' is ${d} at run time`, { file: opts.file, node: node.name, op: node.op, expected: 'float32 (the C code computes in float only)' });
      }
    }
    try {
      lower(new LowerCtx(node, i, prep, prog, opts, lastUse, graphOutputs, stream));
    } catch (e) {
      throw withContext(e, { file: opts.file, node: node.name, op: node.op });
    }
  });
  const copies: { from: Ref; at: number; n: number }[] = [];
  let off = 0;
  for (const o of prep.outputs) {
    const n = sizeOf(o.dims);
    let from: Ref;
    if (prog.has(o.name)) from = prog.read(o.name);
    else {
      const t = prep.consts.get(o.name);
      if (!t || t.dtype !== 'float32') throw new RampartError(`graph output '${o.name}' is not a float32 tensor`, { file: opts.file });
      from = prog.constant(o.name, t);
    }
    copies.push({ from, at: off, n });
    off += n;
  }
  prog.step(`graph outputs: ${prep.outputs.map((o) => `${o.name} [${o.dims.join(',')}]`).join(', ')}`, (p) =>
    copies.map((k) => `memcpy(output${k.at ? ' + ' + k.at : ''}, ${p(k.from)}, ${k.n} * sizeof(float));`));
  return prog;
}
