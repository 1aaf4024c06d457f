// IR tensors <-> onnxruntime tensors. The IR holds int64 in a Float64Array
// (runtime/ir.ts); onnxruntime wants BigInt64Array.
import type { DType, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';

interface OrtLike { type: string; dims: readonly number[]; data: unknown }
type OrtTensorCtor<T> = new (type: never, data: never, dims: readonly number[]) => T;

export function toOrt<T>(Ctor: OrtTensorCtor<T>, t: Tensor): T {
  let data: unknown = t.data;
  if (t.dtype === 'int64') data = BigInt64Array.from(t.data as Float64Array, (x) => BigInt(x));
  else if (t.dtype === 'uint64') data = BigUint64Array.from(t.data as Float64Array, (x) => BigInt(x));
  return new Ctor(t.dtype as never, data as never, t.dims);
}

export function fromOrt(o: OrtLike, name: string): Tensor {
  const dims = Array.from(o.dims, Number);
  const dtype = o.type as DType;
  if (o.data instanceof BigInt64Array || o.data instanceof BigUint64Array) {
    return { dtype, dims, data: Float64Array.from(o.data as ArrayLike<bigint>, (x) => Number(x)) };
  }
  if (dtype === 'float16') {
    throw new RampartError(`output '${name}' is float16`, { expected: 'a float32 output (Rampart widens float16 at import)' });
  }
  if (!ArrayBuffer.isView(o.data) && !Array.isArray(o.data)) throw new RampartError(`output '${name}' has no data`);
  return { dtype, dims, data: o.data as Tensor['data'] };
}
