// What one generated C file holds besides its functions' bodies: the helpers it uses,
// its static const data (weights, sparse indices, geometry structs) in node order, the
// symbols taken, and the flash those cost. Shared by the programs of one file
// (rampart_run and rampart_stream_step), which reuse each other's weights.
import type { LayerReport } from '../types.ts';
import { helperCodeBytes, helperNames, resolveHelpers } from './clib/index.ts';

export type CType = 'float' | 'uint16_t' | 'int16_t' | 'int32_t' | 'int';
const CTYPE_BYTES: Record<CType, number> = { float: 4, uint16_t: 2, int16_t: 2, int32_t: 4, int: 4 };

/** Which flash bucket a constant array counts in. */
export type DataKind = 'weight' | 'index' | 'other';

/** Shortest decimal that reads back as the same float32, as a C float literal. */
export function cFloat(v: number): string {
  const f = Math.fround(v);
  // ±Inf are legitimate constants (a Pad value, a -Inf mask); <math.h>'s INFINITY is a
  // constant expression, and the freestanding header defines it too. NaN weights are
  // refused at load, so a NaN here is a bug.
  if (f === Infinity || f === -Infinity) return f > 0 ? 'INFINITY' : '-INFINITY';
  if (Number.isNaN(f)) throw new Error(`internal: NaN constant reached the C emitter`);
  if (Object.is(f, -0)) return '-0.0f';
  let s = '';
  for (let p = 1; p <= 9; p++) {
    s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) break;
  }
  // toPrecision may answer in exponent form; normalise "1.5e+2" -> "1.5e2", ensure a '.' or 'e'.
  s = s.replace('e+', 'e');
  if (!/[.e]/.test(s)) s += '.0';
  return s + 'f';
}

/** A C block comment's text: never closes early. */
export function cComment(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/[\r\n]+/g, ' ');
}

export class CModule {
  readonly helpers = new Set<string>();
  readonly decls: string[] = [];
  readonly layers: LayerReport[] = [];
  readonly bytes: Record<DataKind, number> = { weight: 0, index: 0, other: 0 };
  /** Call sites and small per-node functions, for the code-size estimate. */
  codeExtra = 0;
  /** Symbols in use: the helpers' names and the file's own statics are never handed out. */
  private readonly taken = new Set<string>(['rp_arena', 'rp_stream_ready', ...helperNames()]);
  private readonly cache = new Map<string, unknown>();

  constructor(readonly prefix: string) {}

  /** A fresh C identifier derived from `base` (a node or tensor name). */
  symbol(base: string): string {
    let s = base.replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
    if (!/^[A-Za-z]/.test(s)) s = 'n_' + s;
    s = s.slice(0, 48);
    let name = s;
    for (let i = 2; this.taken.has(name); i++) name = `${s}_${i}`;
    this.taken.add(name);
    return name;
  }

  use(...helpers: string[]): void {
    for (const h of helpers) this.helpers.add(h);
  }

  /**
   * Emits `static const <ctype> sym[n]` and returns its name; an array with the same
   * type and contents as an earlier one is that one (the streaming program reuses the
   * run program's biases and geometry).
   */
  array(base: string, ctype: CType, data: ArrayLike<number>, kind: DataKind, comment?: string): string {
    return this.cached(`array:${ctype}:${hashData(data)}`, () => this.newArray(base, ctype, data, kind, comment));
  }

  private newArray(base: string, ctype: CType, data: ArrayLike<number>, kind: DataKind, comment?: string): string {
    const sym = this.symbol(base);
    const n = Math.max(1, data.length);
    const perLine = ctype === 'float' ? 8 : 16;
    const items: string[] = [];
    for (let i = 0; i < data.length; i++) items.push(ctype === 'float' ? cFloat(data[i]) : String(data[i]));
    if (items.length === 0) items.push(ctype === 'float' ? '0.0f' : '0');
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push('  ' + items.slice(i, i + perLine).join(', ') + ',');
    const head = comment ? `/* ${cComment(comment)} */\n` : '';
    this.decls.push(`${head}static const ${ctype} ${sym}[${n}] = {\n${lines.join('\n')}\n};`);
    this.bytes[kind] += n * CTYPE_BYTES[ctype];
    return sym;
  }

  /** Any other static definition (a struct, a matrix function), with its flash cost; once per text. */
  decl(text: string, dataBytes: number, codeBytes = 0): void {
    if (this.cache.has(`decl:${text}`)) return;
    this.cache.set(`decl:${text}`, true);
    this.decls.push(text);
    this.bytes.other += dataBytes;
    this.codeExtra += codeBytes;
  }

  /** Memoises an emission (a weight used by both programs is emitted once). */
  cached<T>(key: string, make: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = make();
    this.cache.set(key, v);
    return v;
  }

  report(r: LayerReport): void {
    if (!this.layers.some((l) => l.layer === r.layer)) this.layers.push(r);
  }

  helperList(): string[] {
    return resolveHelpers(this.helpers);
  }

  /**
   * Estimated Thumb-2 code: 0.7 x the helpers' measured sizes, plus the per-step and
   * per-matrix costs in codeExtra, minus 250 bytes (at -Os a helper used once is inlined
   * into its caller and shares code with it). All four numbers are a least-squares fit to
   * the objects of the C target tests (clang 14, cortex-m4, -Os): within ±500 bytes on
   * each, within 6% of text+data on every PyTorch fixture (docs/design/c-target.md).
   */
  codeBytes(): number {
    return Math.max(0, Math.round(0.7 * this.helperList().reduce((a, h) => a + helperCodeBytes(h), 0) + this.codeExtra - 250));
  }
}

/** FNV-1a over the values (as float64 bytes): cache keys for constants. */
export function hashData(data: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  const f = Float64Array.from(data);
  const u = new Uint8Array(f.buffer);
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0') + ':' + data.length;
}
