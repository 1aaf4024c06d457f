// IDX files (the original MNIST container format; Fashion-MNIST uses it too):
// magic 0x0000 <type> <rank>, then rank big-endian uint32 dims, then the data.
// Only unsigned bytes (type 0x08) are needed here.
import { RampartError } from '../../runtime/errors.ts';

export interface Idx { dims: number[]; data: Uint8Array }

export function parseIdx(bytes: Uint8Array, file: string, expectRank: number): Idx {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new RampartError('not an IDX file (bad magic)', { file });
  }
  if (bytes[2] !== 0x08) throw new RampartError(`IDX data type 0x${bytes[2].toString(16)} is not supported`, { file, expected: 'unsigned bytes (0x08)' });
  const rank = bytes[3];
  if (rank !== expectRank) throw new RampartError(`IDX file has rank ${rank}`, { file, expected: `rank ${expectRank}` });
  const start = 4 + 4 * rank;
  if (bytes.length < start) throw new RampartError('truncated IDX header', { file });
  const dims: number[] = [];
  for (let k = 0; k < rank; k++) dims.push(dv.getUint32(4 + 4 * k, false));
  const n = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - start !== n) {
    throw new RampartError(`IDX data is ${bytes.length - start} bytes`, { file, expected: `${n} bytes for dims [${dims.join(',')}]` });
  }
  return { dims, data: bytes.subarray(start) };
}
