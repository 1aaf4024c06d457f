// How much memory a model may make Rampart allocate. A 200-byte file can ask for a
// ConstantOfShape of [2^31] or a Pad of a million per side; without a bound the
// process grows until the machine kills it. Every tensor's size is checked before
// it is allocated, against one budget per load and per run: the decoder charges each
// initializer (runtime/onnx/decode.ts), the executor charges every value a run holds
// (feeds, weights, intermediates: runtime/executor.ts), and every allocation through
// `allocData` (runtime/tensor.ts: the reference kernels, densified sparse tensors)
// is checked against what is left. The default suits edge models; a session option
// (`maxMemory`) or the CLI's `--max-memory` raises it.
//
// The budget in force is module state, set for the duration of one decode or run
// (`withBudget`): both are synchronous, so no other work interleaves, and the ~40
// kernels need no extra parameter to reach it. Outside a decode or run a single
// tensor is still held to the default limit (the feeds inspect, eval and the C
// target make from a model's input shape).
import type { DType } from './ir.ts';
import { RampartError } from './errors.ts';

export const DEFAULT_MAX_MEMORY = 2 ** 30;

/**
 * Bytes an element takes in the IR's storage (runtime/ir.ts): float16 is widened to
 * 4, int64 held in 8. A string element is counted at 64, a pointer and a small string,
 * which also keeps a string tensor under the ~32M elements past which V8 stores an
 * array as a dictionary (far larger, and a heap overflow at 1 GiB).
 */
const WIDTH: Record<DType, number> = {
  float32: 4, float16: 4, float64: 8, int64: 8, uint64: 8, int32: 4, uint32: 4,
  int16: 2, uint16: 2, int8: 1, uint8: 1, bool: 1, string: 64,
};

let defaultLimit = DEFAULT_MAX_MEMORY;

/** The limit of budgets created without one (the CLI's --max-memory sets it). */
export function setDefaultMemoryLimit(bytes: number): void {
  defaultLimit = checkLimit(bytes);
}

export function defaultMemoryLimit(): number {
  return defaultLimit;
}

function checkLimit(bytes: number): number {
  if (!(Number.isSafeInteger(bytes) && bytes > 0)) {
    throw new RampartError(`memory limit ${bytes}`, { expected: 'a positive number of bytes' });
  }
  return bytes;
}

/** Bytes of `elements` values of `dtype`; Infinity (never a wrapped number) for absurd counts. */
export function storageBytes(dtype: DType, elements: number): number {
  if (!(elements >= 0)) return Infinity;
  return elements * (WIDTH[dtype] ?? 8);
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'more bytes than a number holds';
  if (n >= 2 ** 60) return `${n.toExponential(2)} bytes`;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** Parses a size as the CLI takes it: bytes, or a number with K/M/G/T (binary units, 'iB'/'B' optional). */
export function parseMemorySize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(s);
  const scale = m ? 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase()) : 0;
  const bytes = m ? Math.floor(Number(m[1]) * scale) : NaN;
  if (!(Number.isSafeInteger(bytes) && bytes > 0)) {
    throw new RampartError(`memory size '${s}'`, { expected: 'a positive size such as 512M, 2G or 1073741824' });
  }
  return bytes;
}

export class MemoryBudget {
  readonly limit: number;
  /** Bytes charged so far. */
  used = 0;

  constructor(limit: number = defaultLimit) {
    this.limit = checkLimit(limit);
  }

  /** Refuses a new tensor of `elements` values that would not fit in what is left. */
  check(dtype: DType, elements: number, what = 'a tensor'): void {
    if (!(elements >= 0)) throw new RampartError(`${what} of ${elements} elements`, { expected: 'a non-negative element count' });
    const bytes = storageBytes(dtype, elements);
    if (bytes > this.limit - this.used) this.refuse(bytes, `${what} of ${describeCount(elements)} ${dtype} values`);
  }

  /** Charges `bytes` (a tensor now held); refuses when that passes the limit. */
  charge(bytes: number, what: string): void {
    if (bytes > this.limit - this.used) this.refuse(bytes, what);
    this.used += bytes;
  }

  /** Charges node output `name` (the executor's call, once per output: no message is built unless refused); returns its bytes. */
  chargeOutput(name: string, t: { dtype: DType; dims: readonly number[]; data: { length: number } }): number {
    const bytes = tensorBytes(t);
    if (bytes > this.limit - this.used) this.refuse(bytes, `output '${name}' (${t.dtype} [${t.dims.join(',')}])`);
    this.used += bytes;
    return bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  private refuse(bytes: number, what: string): never {
    throw new RampartError(`${what} would take ${formatBytes(bytes)}, past the memory limit of ${formatBytes(this.limit)} (${formatBytes(this.used)} already held)`, {
      expected: 'a model whose tensors fit the limit (raise it with --max-memory or the session option maxMemory)',
    });
  }
}

function describeCount(n: number): string {
  return n <= Number.MAX_SAFE_INTEGER ? n.toLocaleString('en-US') : n.toExponential(2);
}

/** Bytes a tensor's data holds now (its dtype's storage width times its length). */
export function tensorBytes(t: { dtype: DType; data: { length: number } }): number {
  return storageBytes(t.dtype, t.data.length);
}

let active: MemoryBudget | null = null;

/** The budget of the decode or run in progress, or null. */
export function activeBudget(): MemoryBudget | null {
  return active;
}

/** Puts `budget` in force and returns the one it replaces (restore it in a `finally`): the closure-free form of withBudget, for the executor's per-run path. */
export function swapBudget(budget: MemoryBudget | null): MemoryBudget | null {
  const saved = active;
  active = budget;
  return saved;
}

/** Runs `fn` (synchronous) with `budget` in force; nested calls see the innermost. */
export function withBudget<T>(budget: MemoryBudget, fn: () => T): T {
  const saved = swapBudget(budget);
  try {
    return fn();
  } finally {
    swapBudget(saved);
  }
}

/** The check allocData makes: a new tensor must fit in what the budget in force has left (or, with none, in the default limit). */
export function checkAllocation(dtype: DType, elements: number, what?: string): void {
  if (active) active.check(dtype, elements, what);
  else if (!(storageBytes(dtype, elements) <= defaultLimit)) new MemoryBudget().check(dtype, elements, what);
}
