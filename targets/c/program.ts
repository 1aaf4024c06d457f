// One C function's worth of lowered steps (rampart_run, or rampart_stream_step) and its
// memory: every runtime tensor lives in a buffer, views share their source's buffer,
// and arena buffers get offsets in one static float array by a greedy planner over
// their live ranges (step of first write .. step of last read), largest first, each
// at the lowest offset free for its whole range — the planner TFLite Micro uses.
import type { Tensor } from '../../runtime/ir.ts';
import { sizeOf } from '../../runtime/tensor.ts';
import { cComment, hashData, type CModule } from './module.ts';

export type BufKind = 'arena' | 'input' | 'const' | 'state';

export interface Buf {
  id: number;
  kind: BufKind;
  /** Size in floats. */
  size: number;
  /** Arena: offset in floats once planned; input: offset in the input array. */
  offset: number;
  /** const / state: the C array's name. */
  symbol: string;
  first: number;
  last: number;
}

/** A pointer into a buffer: `size` floats from `offset`. */
export interface Ref {
  buf: Buf;
  offset: number;
  size: number;
}

export type PtrFn = (r: Ref) => string;

interface Step {
  comment: string;
  render: (ptr: PtrFn) => string[];
}

export class CProgram {
  readonly steps: Step[] = [];
  readonly bufs: Buf[] = [];
  readonly values = new Map<string, Ref>();
  private readonly aliases = new Map<Buf, Set<string>>();
  arenaFloats = 0;

  constructor(readonly mod: CModule, readonly arenaSymbol: string) {}

  /** Index the next step will have. */
  get cur(): number {
    return this.steps.length;
  }

  private newBuf(kind: BufKind, size: number, symbol = ''): Buf {
    const b: Buf = { id: this.bufs.length, kind, size: Math.max(1, size), offset: 0, symbol, first: this.cur, last: this.cur };
    this.bufs.push(b);
    return b;
  }

  private bind(name: string, ref: Ref): Ref {
    this.values.set(name, ref);
    let s = this.aliases.get(ref.buf);
    if (!s) this.aliases.set(ref.buf, (s = new Set()));
    s.add(name);
    return ref;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The runtime value `name`, marked as read by the current step. */
  read(name: string): Ref {
    const r = this.values.get(name);
    if (!r) throw new Error(`internal: runtime value '${name}' has no buffer`);
    r.buf.last = Math.max(r.buf.last, this.cur);
    return r;
  }

  /** A graph input: a window of the caller's input array. */
  input(name: string, offset: number, size: number): Ref {
    const b = this.newBuf('input', size);
    b.offset = offset;
    return this.bind(name, { buf: b, offset: 0, size });
  }

  /** A fresh arena buffer written by the current step. */
  alloc(name: string, size: number): Ref {
    return this.bind(name, { buf: this.newBuf('arena', size), offset: 0, size });
  }

  /** Scratch used only inside the current step. */
  temp(size: number): Ref {
    const b = this.newBuf('arena', size);
    return { buf: b, offset: 0, size };
  }

  /** A static array that keeps its contents between calls (streaming state). */
  state(symbol: string, size: number, name?: string): Ref {
    const r = { buf: this.newBuf('state', size, symbol), offset: 0, size };
    r.buf.first = 0;
    return name ? this.bind(name, r) : r;
  }

  /** `name` is a view of (part of) an existing buffer. */
  view(name: string, ref: Ref): Ref {
    ref.buf.last = Math.max(ref.buf.last, this.cur);
    return this.bind(name, ref);
  }

  /** A compile-time constant tensor as a static const float array (emitted once per content). */
  constant(name: string, t: Tensor): Ref {
    const data = t.data as ArrayLike<number>;
    const sym = this.mod.cached(`const:${hashData(data)}`, () => this.mod.array(`c_${name}`, 'float', data, 'other', `constant '${name}' [${t.dims.join(',')}]`));
    return { buf: this.newBuf('const', sizeOf(t.dims), sym), offset: 0, size: sizeOf(t.dims) };
  }

  /**
   * True when the step may write its output over `name`'s buffer: an arena buffer none
   * of whose aliases is read after node `at` (lastUse) or returned as a graph output.
   */
  canOverwrite(name: string, at: number, lastUse: Map<string, number>, outputs: Set<string>): boolean {
    const r = this.values.get(name);
    if (!r || r.buf.kind !== 'arena') return false;
    for (const a of this.aliases.get(r.buf) ?? []) {
      if (outputs.has(a) || (lastUse.get(a) ?? -1) > at) return false;
    }
    return true;
  }

  step(comment: string, render: (ptr: PtrFn) => string[]): void {
    this.steps.push({ comment, render });
    this.mod.codeExtra += 30; // a call with a handful of constant arguments (fitted, module.ts codeBytes)
  }

  /** Assigns arena offsets; returns the arena size in floats. */
  plan(): number {
    const arena = this.bufs.filter((b) => b.kind === 'arena').sort((a, b) => b.size - a.size || a.id - b.id);
    const placed: Buf[] = [];
    for (const b of arena) {
      const live = placed.filter((p) => p.first <= b.last && b.first <= p.last).sort((p, q) => p.offset - q.offset);
      let off = 0;
      for (const p of live) {
        if (off + b.size <= p.offset) break;
        off = Math.max(off, p.offset + p.size);
      }
      b.offset = off;
      placed.push(b);
    }
    this.arenaFloats = placed.reduce((m, b) => Math.max(m, b.offset + b.size), 0);
    return this.arenaFloats;
  }

  /** C expression of a pointer (after plan()). */
  readonly ptr: PtrFn = (r) => {
    const b = r.buf;
    const base = b.kind === 'arena' ? this.arenaSymbol : b.kind === 'input' ? 'input' : b.symbol;
    const off = (b.kind === 'arena' || b.kind === 'input' ? b.offset : 0) + r.offset;
    // A Y that is only read at its last step is a view starting before h (lower/last-step.ts);
    // only its in-bounds parts may ever be passed to C.
    if (off < 0) throw new Error(`internal: pointer ${off} floats before ${base}`);
    return off === 0 ? base : `${base} + ${off}`;
  };

  /** The body lines of the function, each step under a comment naming its node. */
  body(indent = '  '): string[] {
    const out: string[] = [];
    this.steps.forEach((s, i) => {
      out.push(`${indent}/* [${i}] ${cComment(s.comment)} */`);
      for (const line of s.render(this.ptr)) out.push(indent + line);
    });
    return out;
  }
}
