// IR Tensor -> TensorProto (plain object for onnx-proto's encoder). Numbers go out
// as little-endian raw_data; strings as string_data (ONNX has no raw form for them).
import type { onnx } from 'onnx-proto';
import type { Tensor } from '../../runtime/ir.ts';
import { dtypeToOnnx, RAW_WIDTH } from '../../runtime/onnx/dtypes.ts';
import { floatToHalf } from '../../runtime/onnx/half.ts';
import { numberToLong } from '../../runtime/onnx/long.ts';

const utf8 = new TextEncoder();

export function encodeTensor(name: string, t: Tensor): onnx.ITensorProto {
  const tp: onnx.ITensorProto = { name, dims: t.dims.map((d) => numberToLong(d) as number), dataType: dtypeToOnnx(t.dtype) };
  if (t.dtype === 'string') tp.stringData = (t.data as string[]).map((s) => utf8.encode(s));
  else tp.rawData = toRaw(t);
  return tp;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** dtypes whose IR storage is byte-for-byte their ONNX raw form (on a little-endian host). */
const SAME_LAYOUT = new Set(['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32']);

export function toRaw(t: Tensor): Uint8Array {
  const n = t.data.length;
  if (LITTLE_ENDIAN && SAME_LAYOUT.has(t.dtype) && ArrayBuffer.isView(t.data)) {
    return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  }
  const out = new Uint8Array(n * RAW_WIDTH[t.dtype]);
  const v = new DataView(out.buffer);
  const d = t.data as Float64Array;
  switch (t.dtype) {
    case 'float32': for (let i = 0; i < n; i++) v.setFloat32(4 * i, d[i], true); break;
    case 'float64': for (let i = 0; i < n; i++) v.setFloat64(8 * i, d[i], true); break;
    case 'float16': for (let i = 0; i < n; i++) v.setUint16(2 * i, floatToHalf(d[i]), true); break;
    case 'int8': for (let i = 0; i < n; i++) v.setInt8(i, d[i]); break;
    case 'uint8': for (let i = 0; i < n; i++) v.setUint8(i, d[i]); break;
    case 'bool': for (let i = 0; i < n; i++) v.setUint8(i, d[i] ? 1 : 0); break;
    case 'int16': for (let i = 0; i < n; i++) v.setInt16(2 * i, d[i], true); break;
    case 'uint16': for (let i = 0; i < n; i++) v.setUint16(2 * i, d[i], true); break;
    case 'int32': for (let i = 0; i < n; i++) v.setInt32(4 * i, d[i], true); break;
    case 'uint32': for (let i = 0; i < n; i++) v.setUint32(4 * i, d[i], true); break;
    case 'int64': case 'uint64':
      for (let i = 0; i < n; i++) {
        const l = numberToLong(d[i], t.dtype === 'uint64');
        if (typeof l === 'number') v.setBigInt64(8 * i, BigInt(l), true);
        else { v.setUint32(8 * i, l.low >>> 0, true); v.setUint32(8 * i + 4, l.high >>> 0, true); }
      }
      break;
    case 'string': throw new Error('strings have no raw form');
  }
  return out;
}
