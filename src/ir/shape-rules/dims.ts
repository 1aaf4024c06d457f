// Arithmetic over dimensions that may be numbers, symbols ('N', 'batch') or unknown
// (null). A symbol stands for one fixed positive size shared by every use of it.
import type { Dim } from '../../../runtime/ir.ts';
import { shapeString } from '../../../runtime/tensor.ts';
import type { InferCtx } from './types.ts';

export const show = (s: readonly Dim[] | null | undefined): string => (s ? shapeString(s) : '[unknown rank]');

/**
 * `rank` unknown dims: the shape of a value whose rank is known (from the length of a
 * shape or axes input) but not its sizes; null (rank unknown too) for an absurd rank, as a
 * file may declare that length [2^31].
 */
export function unknownDims(rank: number): Dim[] | null {
  return Number.isInteger(rank) && rank >= 0 && rank <= 65536 ? new Array<Dim>(rank).fill(null) : null;
}

/** Equal for sure, different for sure, or not known. */
export function sameDim(a: Dim, b: Dim): boolean | null {
  if (a === null || b === null) return null;
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return false;
  return null;
}

/** The more informative of two dims known to be equal. */
export function mergeDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/** Multidirectional (numpy) broadcasting of one axis; null when the sizes cannot broadcast. */
export function broadcastDim(a: Dim, b: Dim): Dim | undefined {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === b) return a;
  if (typeof a === 'number' && typeof b === 'number') return undefined;
  // One side unknown or symbolic: it is either 1 or equal to the other, so the
  // other side is the answer when it is informative.
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  if (a === null) return b;
  if (b === null) return a;
  return null; // two different symbols
}

export function broadcastShapes(c: InferCtx, shapes: (Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const ss = shapes as Dim[][];
  const r = Math.max(0, ...ss.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    let d: Dim = 1;
    for (const s of ss) {
      const k = i - (r - s.length);
      if (k < 0) continue;
      const b = broadcastDim(d, s[k]);
      if (b === undefined) {
        c.fail(`inputs ${ss.map(show).join(' and ')} do not broadcast (axis ${i}: ${d} vs ${s[k]})`, 'shapes that broadcast (numpy rules)');
      }
      d = b;
    }
    out.push(d);
  }
  return out;
}

/** A product of dims kept as number × symbols, so that [N,64] / [N] = 64 can be worked out. */
export interface Factor { k: number; syms: string[] }

export function factorOf(dims: readonly Dim[]): Factor | null {
  let k = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (d === null) return null;
    if (typeof d === 'number') k *= d;
    else syms.push(d);
  }
  return { k, syms: syms.sort() };
}

export function factorToDim(f: Factor | null): Dim {
  if (!f) return null;
  if (f.syms.length === 0) return f.k;
  if (f.syms.length === 1 && f.k === 1) return f.syms[0];
  return null;
}

export function product(dims: readonly Dim[]): Dim {
  return factorToDim(factorOf(dims));
}

/** a / b when it divides exactly; null when unknown, undefined when provably not divisible. */
export function divide(a: Factor | null, b: Factor | null): Factor | null | undefined {
  if (!a || !b || b.k === 0) return null;
  const rest = a.syms.slice();
  for (const s of b.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return null;
    rest.splice(i, 1);
  }
  if (a.k % b.k !== 0) return rest.length === 0 && a.syms.length === b.syms.length ? undefined : null;
  return { k: a.k / b.k, syms: rest };
}

export function normAxis(c: InferCtx, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) c.fail(`${what} ${axis} is out of range for rank ${rank}`, `an axis in [${-rank}, ${rank - 1}]`);
  return a;
}

export function attrInt(c: InferCtx, name: string, dflt: number): number {
  const a = c.node.attrs[name];
  return a && a.type === 'int' ? a.value : dflt;
}

export function attrInts(c: InferCtx, name: string): number[] | undefined {
  const a = c.node.attrs[name];
  return a && a.type === 'ints' ? a.value : undefined;
}

export function attrString(c: InferCtx, name: string, dflt: string): string {
  const a = c.node.attrs[name];
  return a && a.type === 'string' ? a.value : dflt;
}

/** Known numeric values of an input, or undefined if any is symbolic/unknown. */
export function numbers(c: InferCtx, i: number): number[] | undefined {
  const v = c.value(i);
  return v && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}
