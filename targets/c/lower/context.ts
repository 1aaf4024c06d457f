// What a lowering function sees: its node, the static shapes and constants, and the
// program it appends steps to. One lowering file per op family (lower/*.ts), listed
// in lower/index.ts.
import type { Node, Tensor } from '../../../runtime/ir.ts';
import { RampartError } from '../../../runtime/errors.ts';
import { sizeOf } from '../../../runtime/tensor.ts';
import type { CModule } from '../module.ts';
import type { ResolvedOptions } from '../options.ts';
import type { Prepared } from '../prepare.ts';
import type { CProgram, Ref } from '../program.ts';

/** Streaming: recurrent nodes keep h (and c) in static state arrays between calls. */
export interface StreamBinding {
  /** The state array of a node (created on first use); init is its reset value (null: zeros). */
  state(prog: CProgram, node: Node, which: 'h' | 'c', size: number, init: Float32Array | null): Ref;
}

export class LowerCtx {
  constructor(
    readonly node: Node,
    readonly index: number,
    readonly prep: Prepared,
    readonly prog: CProgram,
    readonly opts: ResolvedOptions,
    readonly lastUse: Map<string, number>,
    readonly graphOutputs: Set<string>,
    readonly stream: StreamBinding | null,
  ) {}

  get mod(): CModule {
    return this.prog.mod;
  }

  fail(message: string, expected?: string): never {
    throw new RampartError(message, { file: this.opts.file, node: this.node.name, op: this.node.op, expected });
  }

  /** Static dims of input i (or of a value by name). */
  dims(i: number | string): number[] {
    const name = typeof i === 'number' ? this.node.inputs[i] : i;
    const d = this.prep.dims.get(name);
    if (!d) this.fail(`no static shape for '${name}'`);
    return d;
  }

  outDims(i: number): number[] {
    return this.dims(this.node.outputs[i]);
  }

  has(i: number): boolean {
    return !!this.node.inputs[i];
  }

  /** The compile-time value of input i, or undefined when it is computed at run time. */
  constant(i: number): Tensor | undefined {
    const name = this.node.inputs[i];
    return name ? this.prep.consts.get(name) : undefined;
  }

  /** Input i must be a compile-time constant (a weight, indices, a shape). */
  needConst(i: number, what: string): Tensor {
    const t = this.constant(i);
    if (!t) this.fail(`${what} (input ${i}) is computed at run time`, `a constant ${what} (an initializer or a constant subgraph)`);
    return t;
  }

  isRuntime(i: number): boolean {
    return this.has(i) && this.prog.has(this.node.inputs[i]);
  }

  /** Input i as a pointer: its runtime buffer, or its constant as a static array. */
  x(i: number): Ref {
    const name = this.node.inputs[i];
    if (this.prog.has(name)) return this.prog.read(name);
    const t = this.constant(i);
    if (!t) this.fail(`input ${i} ('${name}') is missing`);
    if (t.dtype !== 'float32') this.fail(`input ${i} ('${name}') has dtype ${t.dtype}`, 'float32 data');
    return this.prog.constant(name, t);
  }

  /** Output i is read later or is a graph output. */
  wanted(i: number): boolean {
    const name = this.node.outputs[i];
    return !!name && ((this.lastUse.get(name) ?? -1) > this.index || this.graphOutputs.has(name));
  }

  /** A fresh buffer for output i. */
  out(i: number): Ref {
    const name = this.node.outputs[i];
    return this.prog.alloc(name, sizeOf(this.outDims(i)));
  }

  /** Output i written over input j's buffer when nothing reads it later, else a fresh buffer. */
  outInPlace(i: number, j: number): Ref {
    const src = this.node.inputs[j];
    const size = sizeOf(this.outDims(i));
    if (this.prog.has(src) && this.prog.canOverwrite(src, this.index, this.lastUse, this.graphOutputs)) {
      const r = this.prog.read(src);
      if (r.size === size) return this.prog.view(this.node.outputs[i], r);
    }
    return this.out(i);
  }

  /** Output i is a view of `ref`. */
  alias(i: number, ref: Ref): void {
    this.prog.view(this.node.outputs[i], ref);
  }

  /** A comment naming the node, its op and shapes. */
  describe(extra = ''): string {
    const ins = this.node.inputs.filter((x) => x && this.prog.has(x)).map((x) => `[${this.dims(x).join(',')}]`);
    const outs = this.node.outputs.filter((o) => o && this.prep.dims.has(o)).map((o) => `[${this.dims(o).join(',')}]`);
    return `node '${this.node.name}' (${this.node.op}): ${ins.join(' ')} -> ${outs.join(' ')}${extra ? '; ' + extra : ''}`;
  }
}

export type Lowerer = (c: LowerCtx) => void;
