// TensorProto / SparseTensorProto -> IR Tensor.
//
// The protobufjs trap: byte fields (raw_data, string_data) are views into the
// model's bytes, at any alignment. Every raw_data is copied into a fresh
// ArrayBuffer before a typed array is laid over it, so a tensor never keeps the
// whole model file alive and never fails on a misaligned offset.
//
// Sizes come from the file, so each is checked before anything that large is made:
// dims are validated first, then the tensor is checked against the memory budget of
// the decode in progress (runtime/limits.ts) before its data is read or densified,
// and charged once it exists.
import type { onnx } from 'onnx-proto';
import type { DType, Tensor, TensorData } from '../ir.ts';
import { RampartError, type ErrorContext } from '../errors.ts';
import { activeBudget, tensorBytes } from '../limits.ts';
import { allocData, sizeOf } from '../tensor.ts';
import { dtypeFromOnnx, RAW_WIDTH } from './dtypes.ts';
import { halfToFloat } from './half.ts';
import { longToNumber, type LongLike } from './long.ts';

/** An external data file: its size, and a reader of one byte range. */
export interface ExternalFile {
  size: number;
  read(offset: number, length: number): Uint8Array;
}

export interface TensorDecodeOptions {
  file?: string;
  /** Opens the external file named by a TensorProto's `location` (runtime/external-data.ts). */
  externalData?: (location: string) => ExternalFile;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextDecoder('utf-8');

export function decodeTensor(tp: onnx.ITensorProto, what: string, opts: TensorDecodeOptions = {}): Tensor {
  const ctx: ErrorContext = { file: opts.file };
  const dtype = dtypeFromOnnx(tp.dataType ?? 0, what, ctx);
  const dims = checkedDims(tp.dims, what, ctx);
  const n = sizeOf(dims);
  let data: TensorData;
  if (tp.dataLocation === 1) {
    if (dtype === 'string') throw new RampartError(`${what} is a string tensor stored externally`, { ...ctx, expected: 'string tensors inline (string_data)' });
    data = fromRaw(externalBytes(tp, what, opts, n * RAW_WIDTH[dtype]), dtype, n, what, ctx, true);
  } else if (tp.rawData && tp.rawData.length > 0 && dtype !== 'string') {
    data = fromRaw(tp.rawData, dtype, n, what, ctx);
  } else {
    data = fromTyped(tp, dtype, what, ctx);
  }
  if (data.length !== n) {
    throw new RampartError(`${what} holds ${data.length} values but its dims [${dims.join(',')}] need ${n}`, {
      ...ctx, expected: `${n} values`,
    });
  }
  const t = { dtype, dims, data };
  activeBudget()?.charge(tensorBytes(t), what);
  return t;
}

/** A TensorProto's dims as numbers, refused unless each is a non-negative integer. */
function checkedDims(raw: onnx.ITensorProto['dims'], what: string, ctx: ErrorContext): number[] {
  const dims = (raw ?? []).map((d) => longToNumber(d as number | LongLike));
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new RampartError(`${what} has invalid dims [${dims.join(',')}]`, { ...ctx, expected: 'non-negative integer dims' });
  }
  return dims;
}

/** The bytes of an external tensor: its range checked against the file, then against the budget, then read. */
function externalBytes(tp: onnx.ITensorProto, what: string, opts: TensorDecodeOptions, needed: number): Uint8Array {
  const entries: Record<string, string> = {};
  for (const e of tp.externalData ?? []) entries[e.key ?? ''] = e.value ?? '';
  const location = entries.location;
  const ctx = { file: opts.file };
  if (!location) throw new RampartError(`${what} is stored externally but names no location`, ctx);
  if (!opts.externalData) {
    throw new RampartError(`${what} is stored in external file '${location}', but no external data reader was given`, {
      ...ctx, expected: 'loadModel(path) or decodeModel(bytes, { externalData })',
    });
  }
  const ext = opts.externalData(location);
  const offset = entries.offset ? Number(entries.offset) : 0;
  const length = entries.length ? Number(entries.length) : ext.size - offset;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > ext.size) {
    throw new RampartError(
      `${what}: external data range offset ${entries.offset ?? 0}, length ${entries.length ?? '(rest)'} lies outside '${location}' (${ext.size} bytes)`,
      ctx,
    );
  }
  // A length that does not match the dims is refused before reading a byte of it.
  if (length !== needed) {
    throw new RampartError(`${what} has ${length} bytes of external data in '${location}'; its dtype and dims need ${needed}`, {
      ...ctx, expected: `${needed} bytes`,
    });
  }
  activeBudget()?.check('uint8', length, what);
  return ext.read(offset, length);
}

/** Little-endian raw bytes -> IR storage; `owned`: the bytes are this tensor's alone (read for it), not a view to copy. */
export function fromRaw(raw: Uint8Array, dtype: DType, n: number, what: string, ctx: ErrorContext = {}, owned = false): TensorData {
  const width = RAW_WIDTH[dtype];
  if (dtype === 'string' || raw.length !== n * width) {
    throw new RampartError(`${what} has ${raw.length} bytes of raw data; ${dtype} with ${n} elements needs ${n * width}`, {
      ...ctx, expected: `${n * width} bytes`,
    });
  }
  // Bytes read for this tensor alone (external data) are used as they are; a view into the model is copied.
  const copy = owned ? raw : new Uint8Array(raw);
  const buf = copy.buffer as ArrayBuffer;
  if (!LITTLE_ENDIAN && width > 1) return fromRawBigEndianHost(new DataView(buf), dtype, n);
  switch (dtype) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint8': return copy;
    case 'bool': return normaliseBool(copy);
    case 'int16': return new Int16Array(buf);
    case 'uint16': return new Uint16Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'uint32': return new Uint32Array(buf);
    case 'float16': {
      const h = new Uint16Array(buf);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(h[i]);
      return out;
    }
    case 'int64': case 'uint64': {
      const w = new Uint32Array(buf);
      const out = new Float64Array(n);
      const signed = dtype === 'int64';
      for (let i = 0; i < n; i++) {
        const hi = signed ? w[2 * i + 1] | 0 : w[2 * i + 1];
        out[i] = hi * 4294967296 + w[2 * i];
      }
      return out;
    }
  }
}

function fromRawBigEndianHost(v: DataView, dtype: DType, n: number): TensorData {
  const out = allocData(dtype, n) as Float64Array;
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'float32': out[i] = v.getFloat32(4 * i, true); break;
      case 'float64': out[i] = v.getFloat64(8 * i, true); break;
      case 'int16': out[i] = v.getInt16(2 * i, true); break;
      case 'uint16': out[i] = v.getUint16(2 * i, true); break;
      case 'int32': out[i] = v.getInt32(4 * i, true); break;
      case 'uint32': out[i] = v.getUint32(4 * i, true); break;
      case 'float16': out[i] = halfToFloat(v.getUint16(2 * i, true)); break;
      case 'int64': out[i] = Number(v.getBigInt64(8 * i, true)); break;
      case 'uint64': out[i] = Number(v.getBigUint64(8 * i, true)); break;
      default: out[i] = v.getUint8(i);
    }
  }
  return out;
}

function normaliseBool(u: Uint8Array): Uint8Array {
  for (let i = 0; i < u.length; i++) if (u[i] > 1) u[i] = 1;
  return u;
}

/** The typed repeated fields: which one holds which dtype is fixed by onnx.proto. */
function fromTyped(tp: onnx.ITensorProto, dtype: DType, what: string, ctx: ErrorContext): TensorData {
  const longs = (xs: (number | LongLike)[] | null | undefined) => (xs ?? []).map(longToNumber);
  switch (dtype) {
    case 'float32': return Float32Array.from(tp.floatData ?? []);
    case 'float64': return Float64Array.from(tp.doubleData ?? []);
    case 'int64': return Float64Array.from(longs(tp.int64Data as (number | LongLike)[]));
    case 'uint64': return Float64Array.from(longs(tp.uint64Data as (number | LongLike)[]));
    case 'uint32': return Uint32Array.from(longs(tp.uint64Data as (number | LongLike)[]));
    case 'int32': return Int32Array.from(tp.int32Data ?? []);
    case 'int16': return Int16Array.from(tp.int32Data ?? []);
    case 'uint16': return Uint16Array.from(tp.int32Data ?? []);
    case 'int8': return Int8Array.from(tp.int32Data ?? []);
    case 'uint8': return Uint8Array.from(tp.int32Data ?? []);
    case 'bool': return Uint8Array.from(tp.int32Data ?? [], (x) => (x ? 1 : 0));
    // float16 values travel as their 16 bit patterns in int32_data.
    case 'float16': return Float32Array.from(tp.int32Data ?? [], (x) => halfToFloat(x & 0xffff));
    case 'string': return (tp.stringData ?? []).map((b) => utf8.decode(b));
  }
  throw new RampartError(`${what}: unsupported dtype ${dtype as string}`, ctx);
}

/**
 * SparseTensorProto -> dense Tensor. values is [nnz]; indices is int64 either
 * [nnz] (offsets into the flattened tensor) or [nnz, rank] (coordinates).
 */
export function decodeSparseTensor(sp: onnx.ISparseTensorProto, what: string, opts: TensorDecodeOptions = {}): Tensor {
  const ctx = { file: opts.file };
  if (!sp.values) throw new RampartError(`sparse ${what} has no values`, ctx);
  const values = decodeTensor(sp.values, `${what} (values)`, opts);
  const dims = checkedDims(sp.dims, what, ctx);
  const nnz = values.data.length;
  activeBudget()?.check(values.dtype, sizeOf(dims), `${what} (densified)`);
  const out = allocData(values.dtype, sizeOf(dims));
  const total = out.length;
  const strides: number[] = [];
  for (let i = dims.length - 1, s = 1; i >= 0; i--) { strides[i] = s; s *= dims[i]; }
  let offsets: number[];
  let idx: Tensor | undefined;
  if (nnz === 0) offsets = [];
  else {
    if (!sp.indices) throw new RampartError(`sparse ${what} has values but no indices`, ctx);
    idx = decodeTensor(sp.indices, `${what} (indices)`, opts);
    const raw = Array.from(idx.data as ArrayLike<number>);
    if (idx.dims.length === 1 && idx.dims[0] === nnz) offsets = raw;
    else if (idx.dims.length === 2 && idx.dims[0] === nnz && idx.dims[1] === dims.length) {
      offsets = [];
      for (let k = 0; k < nnz; k++) {
        let off = 0;
        for (let j = 0; j < dims.length; j++) {
          const c = raw[k * dims.length + j];
          if (c < 0 || c >= dims[j]) {
            throw new RampartError(`sparse ${what}: index ${c} out of range for axis ${j} of size ${dims[j]}`, ctx);
          }
          off += c * strides[j];
        }
        offsets.push(off);
      }
    } else {
      throw new RampartError(`sparse ${what}: indices have dims [${idx.dims.join(',')}]`, {
        ...ctx, expected: `[${nnz}] or [${nnz},${dims.length}]`,
      });
    }
  }
  offsets.forEach((off, k) => {
    if (!Number.isInteger(off) || off < 0 || off >= total) {
      throw new RampartError(`sparse ${what}: linear index ${off} out of range`, { ...ctx, expected: `0..${total - 1}` });
    }
    (out as Float64Array)[off] = (values.data as Float64Array)[k];
  });
  const t = { dtype: values.dtype, dims, data: out };
  const budget = activeBudget();
  if (budget) {
    budget.release(tensorBytes(values) + (idx ? tensorBytes(idx) : 0));
    budget.charge(tensorBytes(t), what);
  }
  return t;
}
