// NumPy .npy files (https://numpy.org/neps/nep-0001-npy-format.html): the exchange
// format for `rampart run` inputs/outputs and for goldens made by PyTorch scripts.
//
// Read: format 1.0/2.0/3.0, little- and big-endian, C or Fortran order (Fortran
// data is transposed into C order, as the IR has no strides). Write: format 1.0
// (2.0 only when a header exceeds 64 KiB, as numpy does), little-endian, C order,
// with numpy 1.24's exact header layout so our files are byte-identical to np.save.
import { readFileSync } from 'node:fs';
import type { DType, Tensor, TensorData } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { allocData, sizeOf, stridesOf } from '../../runtime/tensor.ts';
import { parsePyLiteral, PyTuple, type PyValue } from './pyliteral.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** numpy >= 1.23 pads the header so the leading dim can grow in place to 21 digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;

/** numpy type code (kind + byte size) ↔ IR dtype. */
const CODES: Record<string, DType> = {
  f2: 'float16', f4: 'float32', f8: 'float64',
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  b1: 'bool',
};
const DESCR: Partial<Record<DType, string>> = {
  float32: '<f4', float64: '<f8', int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8',
  uint8: '|u1', uint16: '<u2', uint32: '<u4', uint64: '<u8', bool: '|b1',
};

export function readNpy(path: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new RampartError(`cannot read .npy file: ${(e as Error).message}`, { file: path });
  }
  return parseNpy(bytes, path);
}

interface Header { descr: string; fortran: boolean; shape: number[] }

export function parseNpy(bytes: Uint8Array, file?: string): Tensor {
  const fail = (msg: string, expected?: string): never => {
    throw new RampartError(msg, { file: file ?? '<npy bytes>', expected });
  };
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    fail('not a .npy file (bad magic)', 'a file starting with \\x93NUMPY');
  }
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated .npy header');
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    return fail(`unsupported .npy format version ${major}.${bytes[7]}`, 'version 1.0, 2.0 or 3.0');
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail(`truncated .npy header (${bytes.length} bytes, header needs ${dataStart})`);
  // 1.0/2.0 headers are latin1, 3.0 is utf8; the fields we accept are ASCII either way.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const header = readHeader(text, fail);

  const m = /^([<>|=])([fiub])(\d+)$/.exec(header.descr);
  const dtype = m ? CODES[m[2] + m[3]] : undefined;
  if (!m || !dtype) {
    return fail(`unsupported .npy dtype '${header.descr}'`, 'a numeric or bool dtype (f2/f4/f8, i1-i8, u1-u8, b1)');
  }
  const itemSize = Number(m[3]);
  const littleEndian = m[1] !== '>';
  const n = sizeOf(header.shape);
  const need = n * itemSize;
  const have = bytes.length - dataStart;
  if (have < need) {
    fail(`truncated .npy data: shape [${header.shape.join(',')}] ${header.descr} needs ${need} bytes, file has ${have}`);
  }
  if (have > need) {
    // np.load ignores trailing bytes; here they mean the file is not what it claims (one array per file).
    fail(`.npy file has ${have - need} unexpected bytes after the array data`);
  }
  let data = decodeData(new DataView(bytes.buffer, bytes.byteOffset + dataStart, need), dtype, n, littleEndian);
  if (header.fortran && header.shape.length > 1) data = fortranToC(data, header.shape, dtype);
  return { dtype: dtype === 'float16' ? 'float32' : dtype, dims: header.shape.slice(), data };
}

function readHeader(text: string, fail: (msg: string, expected?: string) => never): Header {
  let v: PyValue;
  try {
    v = parsePyLiteral(text);
  } catch (e) {
    return fail(`malformed .npy header: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof PyTuple) {
    return fail('malformed .npy header: not a dict');
  }
  const { descr, fortran_order: fortran, shape } = v as Record<string, PyValue>;
  if (typeof descr !== 'string') {
    return fail(`.npy header 'descr' is ${descr === undefined ? 'missing' : 'not a simple type string'}`, 'a plain numeric dtype such as \'<f4\'');
  }
  if (typeof fortran !== 'boolean') fail(".npy header 'fortran_order' is missing or not True/False");
  if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    fail(".npy header 'shape' is missing or not a tuple of non-negative integers");
  }
  return { descr, fortran: fortran as boolean, shape: (shape as PyTuple).items as number[] };
}

function decodeData(dv: DataView, dtype: DType, n: number, le: boolean): TensorData {
  const out = allocData(dtype === 'float16' ? 'float32' : dtype, n) as Exclude<TensorData, string[]>;
  const get: (i: number) => number = (() => {
    switch (dtype) {
      case 'float16': return (i) => halfToFloat(dv.getUint16(i * 2, le));
      case 'float32': return (i) => dv.getFloat32(i * 4, le);
      case 'float64': return (i) => dv.getFloat64(i * 8, le);
      case 'int8': return (i) => dv.getInt8(i);
      case 'int16': return (i) => dv.getInt16(i * 2, le);
      case 'int32': return (i) => dv.getInt32(i * 4, le);
      // int64/uint64 → Float64Array (runtime/ir.ts): exact up to 2^53, rounded beyond.
      case 'int64': return (i) => Number(dv.getBigInt64(i * 8, le));
      case 'uint64': return (i) => Number(dv.getBigUint64(i * 8, le));
      case 'uint8': return (i) => dv.getUint8(i);
      case 'uint16': return (i) => dv.getUint16(i * 2, le);
      case 'uint32': return (i) => dv.getUint32(i * 4, le);
      case 'bool': return (i) => (dv.getUint8(i) !== 0 ? 1 : 0);
      default: throw new RampartError(`unsupported dtype ${dtype}`);
    }
  })();
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

/** Fortran (column-major) data of `shape` → row-major. */
function fortranToC(src: TensorData, shape: number[], dtype: DType): TensorData {
  const src2 = src as Exclude<TensorData, string[]>;
  const out = allocData(dtype === 'float16' ? 'float32' : dtype, src2.length) as Exclude<TensorData, string[]>;
  const rank = shape.length;
  const cStrides = stridesOf(shape);
  const idx = new Array<number>(rank).fill(0);
  for (let f = 0; f < src2.length; f++) {
    let c = 0;
    for (let k = 0; k < rank; k++) c += idx[k] * cStrides[k];
    out[c] = src2[f];
    // Column-major walk: the first index varies fastest.
    for (let k = 0; k < rank; k++) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Encodes a tensor as .npy bytes (format 1.0, little-endian, C order). */
export function encodeNpy(t: Tensor, file?: string): Uint8Array {
  const descr = DESCR[t.dtype];
  const ctx = { file: file ?? '<npy bytes>' };
  if (!descr) {
    throw new RampartError(`cannot write a ${t.dtype} tensor as .npy`, { ...ctx, expected: 'a numeric or bool tensor' });
  }
  const n = sizeOf(t.dims);
  if (t.data.length !== n) {
    throw new RampartError(`tensor has ${t.data.length} elements but dims [${t.dims.join(',')}] need ${n}`, ctx);
  }
  const shapeRepr = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (t.dims.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(t.dims[0]).length));
  const hlen = header.length + 1;
  let v2 = false;
  let padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    v2 = true;
    padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 4 + hlen) % ARRAY_ALIGN);
  }
  const prefix = MAGIC.length + 2 + (v2 ? 4 : 2);
  const headerTotal = hlen + padlen;
  const itemSize = Number(descr.slice(2));
  const out = new Uint8Array(prefix + headerTotal + n * itemSize);
  out.set(MAGIC, 0);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (v2) dv.setUint32(8, headerTotal, true);
  else dv.setUint16(8, headerTotal, true);
  const text = header + ' '.repeat(padlen) + '\n';
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  encodeData(new DataView(out.buffer, prefix + headerTotal), t, n, ctx);
  return out;
}

function encodeData(dv: DataView, t: Tensor, n: number, ctx: { file: string }): void {
  const d = t.data as ArrayLike<number>;
  switch (t.dtype) {
    case 'float32': for (let i = 0; i < n; i++) dv.setFloat32(i * 4, d[i], true); return;
    case 'float64': for (let i = 0; i < n; i++) dv.setFloat64(i * 8, d[i], true); return;
    case 'int8': for (let i = 0; i < n; i++) dv.setInt8(i, d[i]); return;
    case 'int16': for (let i = 0; i < n; i++) dv.setInt16(i * 2, d[i], true); return;
    case 'int32': for (let i = 0; i < n; i++) dv.setInt32(i * 4, d[i], true); return;
    case 'uint8': for (let i = 0; i < n; i++) dv.setUint8(i, d[i]); return;
    case 'uint16': for (let i = 0; i < n; i++) dv.setUint16(i * 2, d[i], true); return;
    case 'uint32': for (let i = 0; i < n; i++) dv.setUint32(i * 4, d[i], true); return;
    case 'bool': for (let i = 0; i < n; i++) dv.setUint8(i, d[i] ? 1 : 0); return;
    case 'int64': case 'uint64': {
      const [lo, hi] = t.dtype === 'int64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
      for (let i = 0; i < n; i++) {
        const x = d[i];
        if (!Number.isInteger(x)) {
          throw new RampartError(`${t.dtype} tensor holds the non-integer value ${x} at index ${i}`, ctx);
        }
        // Float64 storage saturates INT64_MAX to 2^63 (runtime/ir.ts); clamp it back.
        let b = BigInt(x);
        if (b < lo) b = lo;
        if (b > hi) b = hi;
        if (t.dtype === 'int64') dv.setBigInt64(i * 8, b, true);
        else dv.setBigUint64(i * 8, b, true);
      }
      return;
    }
    default:
      throw new RampartError(`cannot write a ${t.dtype} tensor as .npy`, ctx);
  }
}
