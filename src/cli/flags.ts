// Parsers of numeric command-line values, one rule per kind, each a RampartError
// naming the flag and what it takes. Commands check every flag before any work starts.
import { RampartError } from '../../runtime/errors.ts';

/** An integer ≥ min (default 1): '3', not '3.5', '', '1e3' or '-1'. */
export function integerFlag(s: string, flag: string, min = 1): number {
  const n = Number(s);
  if (!/^\s*\d+\s*$/.test(s) || !Number.isSafeInteger(n) || n < min) {
    throw new RampartError(`${flag} ${s}`, { expected: min === 1 ? 'a positive integer' : `an integer ≥ ${min}` });
  }
  return n;
}

/** A finite number > 0. */
export function positiveFlag(s: string, flag: string): number {
  const x = Number(s);
  if (s.trim() === '' || !(x > 0) || !Number.isFinite(x)) throw new RampartError(`${flag} ${s}`, { expected: 'a positive number' });
  return x;
}

/** A fraction in [0, 1]. */
export function fractionFlag(s: string, flag: string): number {
  const x = Number(s);
  if (s.trim() === '' || !(x >= 0 && x <= 1)) throw new RampartError(`${flag} ${s}`, { expected: 'a fraction in [0, 1]' });
  return x;
}

/** `auto` or a fraction in [0, 1] (`--sparsity`). */
export function sparsityFlag(s: string, flag = '--sparsity'): number | 'auto' {
  if (s === 'auto') return 'auto';
  const x = Number(s);
  if (s.trim() === '' || !(x >= 0 && x <= 1)) throw new RampartError(`${flag} ${s}`, { expected: "'auto' or a fraction in [0, 1]" });
  return x;
}
