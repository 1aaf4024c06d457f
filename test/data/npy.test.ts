// .npy read/write against goldens written by numpy (scripts/make_npy_fixtures.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy, readNpy } from '../../src/io/npy.ts';
import { RampartError } from '../../runtime/errors.ts';
import { tensor } from '../../runtime/tensor.ts';

const DIR = new URL('../fixtures/npy/', import.meta.url).pathname;
interface Entry { descr: string; shape: number[]; values: (number | boolean)[]; byteIdentical: boolean }
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Record<string, Entry>;

const DTYPE: Record<string, string> = {
  f2: 'float32', f4: 'float32', f8: 'float64', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool',
};

test('reads every numpy golden with the right dtype, shape and values', () => {
  assert.ok(Object.keys(manifest).length >= 15);
  for (const [name, e] of Object.entries(manifest)) {
    const t = readNpy(join(DIR, name + '.npy'));
    assert.equal(t.dtype, DTYPE[e.descr.slice(1)], name);
    assert.deepEqual(t.dims, e.shape, name);
    const want = e.values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    assert.deepEqual(Array.from(t.data as ArrayLike<number>), want, name);
  }
});

test('fortran-order data comes out in C order', () => {
  const t = readNpy(join(DIR, 'f32_fortran_2x3x4.npy'));
  assert.deepEqual(Array.from(t.data as Float32Array), Array.from({ length: 24 }, (_, i) => i));
});

test('encodeNpy is byte-identical to np.save for every little-endian C-order golden', () => {
  let n = 0;
  for (const [name, e] of Object.entries(manifest)) {
    if (!e.byteIdentical) continue;
    const bytes = readFileSync(join(DIR, name + '.npy'));
    const ours = encodeNpy(parseNpy(bytes, name));
    assert.deepEqual(Buffer.from(ours), bytes, name);
    n++;
  }
  assert.ok(n >= 10, `only ${n} byte-identical cases`);
});

test('an int64 tensor round-trips through a .npy file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-npy-'));
  try {
    const t = tensor('int64', [2, 2], Float64Array.from([1, -2, 2 ** 40, 0]));
    writeFileSync(join(dir, 'a.npy'), encodeNpy(t));
    assert.deepEqual(readNpy(join(dir, 'a.npy')), t);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('int64 values beyond the Float64 range saturate on write instead of wrapping', () => {
  const t = parseNpy(encodeNpy(tensor('int64', [2], Float64Array.from([2 ** 63, -(2 ** 63)]))));
  // 2^63 is the Float64 image of INT64_MAX; it must stay positive.
  assert.deepEqual(Array.from(t.data as Float64Array), [2 ** 63, -(2 ** 63)]);
  assert.throws(() => encodeNpy(tensor('int64', [1], Float64Array.from([0.5]))), /non-integer/);
});

function expectError(bytes: Uint8Array, re: RegExp): void {
  assert.throws(() => parseNpy(bytes, 'bad.npy'), (e: unknown) => {
    assert.ok(e instanceof RampartError, String(e));
    assert.match(e.message, /^bad\.npy: /);
    assert.match(e.message, re);
    return true;
  });
}

test('malformed files fail with a RampartError naming the file', () => {
  const good = readFileSync(join(DIR, 'f32_2x3.npy'));
  expectError(good.subarray(0, good.length - 3), /truncated \.npy data.*needs 24 bytes, file has 21/);
  expectError(good.subarray(0, 40), /truncated \.npy header/);
  expectError(good.subarray(0, 5), /bad magic/);
  expectError(new TextEncoder().encode('hello, this is not numpy at all'), /bad magic/);
  expectError(Buffer.concat([good, Buffer.from([0])]), /1 unexpected bytes/);
  const badVersion = Buffer.from(good);
  badVersion[6] = 9;
  expectError(badVersion, /unsupported \.npy format version 9\.0/);
  const header = (h: string): Uint8Array => {
    const b = Buffer.alloc(10 + h.length);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    b.writeUInt16LE(h.length, 8);
    b.write(h, 10, 'latin1');
    return b;
  };
  expectError(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "), /malformed \.npy header/);
  expectError(header("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }"), /unsupported \.npy dtype '<U5'/);
  expectError(header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), /'descr'/);
  expectError(header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), /'shape'/);
  expectError(header("{'descr': '<f4', 'shape': (1,), }"), /'fortran_order'/);
});

test('readNpy names a missing file', () => {
  assert.throws(() => readNpy('/nonexistent/x.npy'), /\/nonexistent\/x\.npy: cannot read \.npy file/);
});

test('string tensors cannot be written', () => {
  assert.throws(() => encodeNpy({ dtype: 'string', dims: [1], data: ['a'] }), RampartError);
});

test('headers from other writers: double quotes, Python 2 longs, no trailing comma', () => {
  const header = (h: string): Uint8Array => {
    const body = Buffer.from(h, 'latin1');
    const b = Buffer.alloc(10 + body.length + 8);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    b.writeUInt16LE(body.length, 8);
    b.set(body, 10);
    b.writeFloatLE(1.5, 10 + body.length);
    b.writeFloatLE(-2, 14 + body.length);
    return b;
  };
  for (const h of [
    '{"descr": "<f4", "fortran_order": False, "shape": (2L,)}\n',
    "{'shape': (1, 2), 'fortran_order': False, 'descr': '<f4'}   \n",
  ]) {
    const t = parseNpy(header(h), 'x.npy');
    assert.deepEqual(Array.from(t.data as Float32Array), [1.5, -2], h);
  }
});
