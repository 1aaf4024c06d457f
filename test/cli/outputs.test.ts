// Output file naming (src/io/outputs.ts) and the one atomic writer (src/io/atomic.ts), in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputFileName } from '../../src/io/outputs.ts';
import { writeFileAtomic, writeFilesAtomically } from '../../src/io/atomic.ts';
import { RampartError } from '../../runtime/errors.ts';
import { tmp } from './helpers.ts';

test('names are sanitised into plain file names', () => {
  assert.equal(outputFileName('logits', '/o', '.npy'), 'logits.npy');
  assert.equal(outputFileName('onnx::Gemm_5', '/o', '.npy'), 'onnx__Gemm_5.npy');
  assert.equal(outputFileName('a/b c', '/o', '.npy'), 'a_b_c.npy');
  assert.equal(outputFileName('a/../b', '/o', '.npy'), 'a_.._b.npy');
  assert.equal(outputFileName('.hidden', '/o', '.npy'), '.hidden.npy');
});

test('names that would leave the folder are refused', () => {
  for (const bad of ['', '.', '..', '../x', '../../etc/passwd', '/etc/passwd', 'a/../..', 'a/../../b']) {
    assert.throws(() => outputFileName(bad, '/o', '.npy'), (e: unknown) => e instanceof RampartError && /would escape/.test(e.message), JSON.stringify(bad));
  }
});

test('writeFilesAtomically writes all files, and refuses two outputs with one file name', () => {
  const dir = tmp();
  try {
    const out = join(dir, 'new', 'deep');
    const written = writeFilesAtomically(out, [{ name: 'a.npy', bytes: Uint8Array.of(1) }, { name: 'b.npy', bytes: Uint8Array.of(2, 3) }]);
    assert.deepEqual(written, [join(out, 'a.npy'), join(out, 'b.npy')]);
    assert.deepEqual(readdirSync(out).sort(), ['a.npy', 'b.npy']);
    assert.deepEqual([...readFileSync(join(out, 'b.npy'))], [2, 3]);
    assert.throws(() => writeFilesAtomically(out, [{ name: 'c.npy', bytes: Uint8Array.of(1) }, { name: 'c.npy', bytes: Uint8Array.of(1) }]), /same file name 'c\.npy'/);
    assert.deepEqual(readdirSync(out).sort(), ['a.npy', 'b.npy']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('writeFileAtomic replaces a file whole and leaves no temp file', () => {
  const dir = tmp();
  try {
    const p = join(dir, 'r.json');
    writeFileSync(p, 'old contents, longer than the new ones');
    writeFileAtomic(p, '{}\n');
    writeFileAtomic(join(dir, 'b.bin'), Uint8Array.of(7, 8));
    assert.equal(readFileSync(p, 'utf8'), '{}\n');
    assert.deepEqual([...readFileSync(join(dir, 'b.bin'))], [7, 8]);
    assert.deepEqual(readdirSync(dir).sort(), ['b.bin', 'r.json']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a write that fails is a RampartError naming the file and leaves nothing behind', () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'sub'), 'a file, not a folder');
    assert.throws(() => writeFileAtomic(join(dir, 'sub', 'x.npy'), Uint8Array.of(1)),
      (e: unknown) => e instanceof RampartError && e.message === `${join(dir, 'sub', 'x.npy')}: cannot write the file: ${join(dir, 'sub')} is not a folder`);
    // The target is a folder: the temp file is written, the rename fails, the temp file goes.
    mkdirSync(join(dir, 'taken'));
    mkdirSync(join(dir, 'taken', 'inner'));
    assert.throws(() => writeFileAtomic(join(dir, 'taken'), Uint8Array.of(1)), RampartError);
    assert.deepEqual(readdirSync(dir).sort(), ['sub', 'taken']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('writeFilesAtomically removes the files it already renamed when a later one fails', () => {
  const dir = tmp();
  try {
    mkdirSync(join(dir, 'b.npy'));
    mkdirSync(join(dir, 'b.npy', 'inner'));
    assert.throws(() => writeFilesAtomically(dir, [{ name: 'a.npy', bytes: Uint8Array.of(1) }, { name: 'b.npy', bytes: Uint8Array.of(2) }]),
      /cannot write outputs/);
    assert.deepEqual(readdirSync(dir), ['b.npy']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
