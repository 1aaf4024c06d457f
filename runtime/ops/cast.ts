// Cast between numeric types and bool (and from string). Rules, from the ONNX spec:
// float -> int truncates toward zero (out-of-range is undefined; the typed array's
// wrap-around is what we do); anything -> bool is x != 0; float -> float rounds to
// nearest even. float16 lives widened in a Float32Array (runtime/ir.ts), so a cast
// to float16 rounds to a half-representable value instead of changing storage.
import type { DType } from '../ir.ts';
import { allocData } from '../tensor.ts';
import { attrInt, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { need } from './shared.ts';

/** TensorProto.DataType codes -> IR dtypes (only those the IR can hold). */
export const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

/** Rounds a number to the nearest float16 value (ties to even), overflowing to ±Infinity. */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  // 65520 is halfway between the largest half (65504) and the next step: it rounds up.
  if (a >= 65520) return Math.sign(x) * Infinity;
  // Spacing of halves around a: 2^(e-10) for normals, 2^-24 for subnormals (e < -14).
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; // guard log2's last-bit error at powers of two
  else if (2 ** (e + 1) <= a) e++;
  e = Math.max(e, -14);
  const q = 2 ** (e - 10);
  const v = a / q;
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 === 1) r -= 1; // Math.round sends ties up; halves go to even
  return Math.sign(x) * r * q;
}

function parseNumber(s: string): number {
  const t = s.trim().toUpperCase();
  if (t === 'INF' || t === '+INF' || t === 'INFINITY' || t === '+INFINITY') return Infinity;
  if (t === '-INF' || t === '-INFINITY') return -Infinity;
  if (t === 'NAN') return NaN;
  return Number(t);
}

export const castKernels: KernelTable = {
  Cast: (inputs, node) => {
    const x = need(node, inputs, 0, 'input');
    const code = attrInt(node, 'to');
    if (code === undefined) fail(node, 'attribute to is missing', 'a target type');
    const to = ONNX_DTYPES[code];
    if (to === undefined) fail(node, `target type code ${code}`, 'a numeric, bool or string type the IR holds (not bfloat16 or complex)');
    if (to === 'string') fail(node, 'casting to string is not supported', 'a numeric or bool target type');
    const src: ArrayLike<number> = x.dtype === 'string' ? (x.data as string[]).map(parseNumber) : (x.data as ArrayLike<number>);
    const out = allocData(to, src.length) as Float64Array;
    const integral = to !== 'float32' && to !== 'float64' && to !== 'float16' && to !== 'bool';
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (to === 'bool') out[i] = v !== 0 ? 1 : 0;
      else if (to === 'float16') out[i] = roundToFloat16(v);
      // Typed arrays already truncate; the explicit trunc matters for float64-backed int64.
      else if (integral) out[i] = Number.isNaN(v) ? 0 : Math.trunc(v);
      else out[i] = v;
    }
    return [{ dtype: to, dims: x.dims.slice(), data: out }];
  },
};
