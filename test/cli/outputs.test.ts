// Output file naming and all-or-nothing writes (src/io/outputs.ts), in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { outputFileName, writeFilesAtomically } from '../../src/io/outputs.ts';
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
