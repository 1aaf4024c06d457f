// IR Tensor <-> onnxruntime-node tensor, for tests that use ORT as the oracle.
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../runtime/ir.ts';
import { floatToHalf, halfToFloat } from '../../runtime/onnx/half.ts';

export function toOrt(t: Tensor): ort.Tensor {
  const d = t.data;
  switch (t.dtype) {
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(d as Float64Array, (x) => BigInt(x)), t.dims);
    case 'uint64': return new ort.Tensor('uint64', BigUint64Array.from(d as Float64Array, (x) => BigInt(x)), t.dims);
    case 'float16': return new ort.Tensor('float16', Uint16Array.from(d as Float32Array, floatToHalf), t.dims);
    case 'string': return new ort.Tensor('string', d as string[], t.dims);
    default: return new ort.Tensor(t.dtype, d as Float32Array, t.dims);
  }
}

export function fromOrt(t: ort.Tensor): Tensor {
  const dims = t.dims.slice();
  const d = t.data as unknown;
  switch (t.type) {
    case 'int64': case 'uint64':
      return { dtype: t.type, dims, data: Float64Array.from(d as BigInt64Array, (x) => Number(x)) };
    case 'float16':
      return { dtype: 'float16', dims, data: Float32Array.from(d as Uint16Array, halfToFloat) };
    case 'bool': return { dtype: 'bool', dims, data: Uint8Array.from(d as Uint8Array) };
    case 'string': return { dtype: 'string', dims, data: (d as string[]).slice() };
    default: return { dtype: t.type as Tensor['dtype'], dims, data: d as Float32Array };
  }
}

/** Max |a - b| over two tensors of the same shape; NaN where both are NaN counts as equal. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.dtype !== b.dtype || a.dims.join() !== b.dims.join()) return Infinity;
  if (a.dtype === 'string') return (a.data as string[]).every((s, i) => s === (b.data as string[])[i]) ? 0 : Infinity;
  const x = a.data as Float64Array;
  const y = b.data as Float64Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
    if (x[i] === y[i]) continue; // covers equal infinities
    const d = Math.abs(x[i] - y[i]);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4, graphOptimizationLevel: 'disabled' });
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) f[k] = toOrt(t);
    const out = await s.run(f);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, fromOrt(t)]));
  } finally {
    await s.release();
  }
}
