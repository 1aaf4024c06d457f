// Magnitude masks: keep the largest |w| of a matrix, zero the rest. Used by
// `rampart analyze --at` to preview sparsity levels in memory.
//
// The threshold is found by a two-pass radix select on the IEEE-754 bits of |w|
// (for nonnegative floats the bit pattern is monotone in the value): a 65,536-bin
// histogram of the high 16 bits, then of the low 16 bits inside the one bin that
// holds the k-th largest. O(n), no sort, no copy of the values.
import { RampartError } from '../../runtime/errors.ts';
import type { MatrixView } from './sparse.ts';

/** The number of entries a magnitude mask at `sparsity` keeps: round((1 − s)·n). */
export function keepCount(n: number, sparsity: number): number {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RampartError(`sparsity ${sparsity} out of range`, { expected: 'a fraction in [0, 1]' });
  return Math.round((1 - sparsity) * n);
}

/**
 * The bit pattern of the k-th largest |w| (k ≥ 1) and how many entries with exactly
 * that magnitude are to be kept (the rest of the tie goes, in index order).
 */
function threshold(bits: Uint32Array, k: number): { t: number; tiesKept: number } {
  const hist = new Uint32Array(65536);
  for (let i = 0; i < bits.length; i++) hist[(bits[i] & 0x7fffffff) >>> 16]++;
  let above = 0, hi = 65535;
  for (; hi > 0 && above + hist[hi] < k; hi--) above += hist[hi];
  hist.fill(0);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] & 0x7fffffff;
    if (b >>> 16 === hi) hist[b & 0xffff]++;
  }
  let lo = 65535;
  for (; lo > 0 && above + hist[lo] < k; lo--) above += hist[lo];
  return { t: (hi << 16) | lo, tiesKept: k - above };
}

/** A copy of `data` keeping its round((1 − sparsity)·n) largest |w| (ties broken by index order). */
export function magnitudeMask(data: Float32Array, sparsity: number): Float32Array {
  const n = data.length;
  const k = keepCount(n, sparsity);
  const out = new Float32Array(n);
  if (k === 0) return out;
  if (k >= n) { out.set(data); return out; }
  const bits = new Uint32Array(data.buffer, data.byteOffset, n);
  for (let i = 0; i < n; i++) {
    if ((bits[i] & 0x7fffffff) > 0x7f800000) throw new RampartError(`weight ${i} is NaN`, { expected: 'finite weights' });
  }
  const { t, tiesKept } = threshold(bits, k);
  let ties = tiesKept;
  for (let i = 0; i < n; i++) {
    const b = bits[i] & 0x7fffffff;
    if (b > t) out[i] = data[i];
    else if (b === t && ties > 0) { out[i] = data[i]; ties--; }
  }
  return out;
}

export function maskView(view: MatrixView, sparsity: number): MatrixView {
  return { rows: view.rows, cols: view.cols, data: magnitudeMask(view.data, sparsity) };
}
