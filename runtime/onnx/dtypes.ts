// ONNX TensorProto.DataType codes <-> IR dtypes, and the byte width of each dtype
// in raw_data (the file's width, not the IR storage width: float16 is 2 bytes on
// disk but a Float32Array in memory, int64 is 8 bytes on disk and a Float64Array).
import type { DType } from '../ir.ts';
import { RampartError, type ErrorContext } from '../errors.ts';

const FROM_ONNX: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64',
  8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

/** Names of ONNX types the IR cannot hold, for error messages. */
const UNSUPPORTED: Record<number, string> = {
  0: 'UNDEFINED', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16', 17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1',
};

const TO_ONNX: Record<DType, number> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7,
  string: 8, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13,
};

/** Bytes per element in ONNX raw_data (strings have no raw form). */
export const RAW_WIDTH: Record<DType, number> = {
  float32: 4, uint8: 1, int8: 1, uint16: 2, int16: 2, int32: 4, int64: 8,
  string: 0, bool: 1, float16: 2, float64: 8, uint32: 4, uint64: 8,
};

export function dtypeFromOnnx(code: number, what: string, ctx: ErrorContext = {}): DType {
  const d = FROM_ONNX[code];
  if (d !== undefined) return d;
  const name = UNSUPPORTED[code] ?? `data type code ${code}`;
  throw new RampartError(`${what} has element type ${name}, which Rampart does not support`, {
    ...ctx, expected: 'float32/float64/float16, a signed or unsigned 8-64 bit integer, bool or string',
  });
}

export function dtypeToOnnx(dtype: DType): number {
  return TO_ONNX[dtype];
}
