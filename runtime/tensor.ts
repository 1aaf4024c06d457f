// Helpers over the plain Tensor record of runtime/ir.ts.
import type { DType, Tensor, TensorData } from './ir.ts';
import { RampartError } from './errors.ts';
import { checkAllocation } from './limits.ts';

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Row-major strides. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

export function allocData(dtype: DType, n: number): TensorData {
  checkAllocation(dtype, n); // the memory budget of the decode or run in progress (runtime/limits.ts)
  switch (dtype) {
    case 'float32': case 'float16': return new Float32Array(n);
    case 'float64': case 'int64': case 'uint64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'string': return new Array<string>(n).fill('');
  }
}

export function tensor(dtype: DType, dims: number[], data?: TensorData | ArrayLike<number>): Tensor {
  const n = sizeOf(dims);
  let d: TensorData;
  if (data === undefined) d = allocData(dtype, n);
  else if (Array.isArray(data) && dtype !== 'string') {
    d = allocData(dtype, n);
    (d as Float64Array).set(data as unknown as number[]);
  } else if (!Array.isArray(data) && !ArrayBuffer.isView(data)) {
    d = allocData(dtype, n);
    (d as Float64Array).set(Array.from(data as ArrayLike<number>));
  } else d = data as TensorData;
  if (d.length !== n) {
    throw new RampartError(`tensor data has ${d.length} elements but dims [${dims.join(',')}] need ${n}`);
  }
  return { dtype, dims: dims.slice(), data: d };
}

export function f32(dims: number[], data?: ArrayLike<number>): Tensor {
  return tensor('float32', dims, data === undefined ? undefined : Float32Array.from(data));
}

export function i64(dims: number[], data: ArrayLike<number>): Tensor {
  return tensor('int64', dims, Float64Array.from(data));
}

/** The values of a tensor as plain numbers (int64 shapes, axes, indices). */
export function toNumbers(t: Tensor): number[] {
  if (t.dtype === 'string') throw new RampartError('expected a numeric tensor, got string');
  return Array.from(t.data as ArrayLike<number>);
}

export function shapeString(dims: readonly (number | string | null)[]): string {
  return '[' + dims.map((d) => (d === null ? '?' : String(d))).join(',') + ']';
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}
