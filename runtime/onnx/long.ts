// protobufjs hands int64 fields over as Long objects ({low, high, unsigned}) when
// the `long` package is present, and as plain numbers otherwise. Rampart holds
// int64 as float64 (runtime/ir.ts): exact up to 2^53, rounded beyond, which keeps
// INT64_MAX/INT64_MIN sentinels recognisably huge.

export interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

export function longToNumber(v: number | LongLike | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  const hi = v.unsigned ? v.high >>> 0 : v.high | 0;
  return hi * 4294967296 + (v.low >>> 0);
}

const TWO63 = 9223372036854775808;

/**
 * A number to what protobufjs can write as int64. Safe integers pass as numbers;
 * beyond 2^53 the value is saturated to the int64 range and given as low/high
 * words (protobufjs' own number path wraps 2^63 around to INT64_MIN).
 */
export function numberToLong(x: number, unsigned = false): number | LongLike {
  if (Number.isNaN(x)) return 0;
  const t = Math.trunc(x);
  if (Number.isSafeInteger(t)) return unsigned && t < 0 ? 0 : t;
  let b: bigint;
  if (unsigned) b = t <= 0 ? 0n : t >= 2 * TWO63 ? (1n << 64n) - 1n : BigInt(t);
  else b = t >= TWO63 ? (1n << 63n) - 1n : t <= -TWO63 ? -(1n << 63n) : BigInt(t);
  const u = BigInt.asUintN(64, b);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned };
}
