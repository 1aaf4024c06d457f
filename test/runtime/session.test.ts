// The session API: created from a path, bytes or an ArrayBuffer on every backend,
// onnxruntime-shaped Tensor, and bad feeds refused with errors that say what was
// expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InferenceSession, RampartError, Tensor } from '../../runtime/index.ts';
import { readNpy } from '../../src/io/npy.ts';

const FILE = new URL('../fixtures/lstm.onnx', import.meta.url).pathname;
const x = readNpy(new URL('../fixtures/lstm.input.npy', import.meta.url).pathname);
const y = readNpy(new URL('../fixtures/lstm.output.npy', import.meta.url).pathname);

test('create from a path, bytes or ArrayBuffer on each backend gives PyTorch\'s outputs', async () => {
  const bytes = readFileSync(FILE);
  const sources = [FILE, new Uint8Array(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
  for (const backend of ['reference', 'js', 'wasm'] as const) {
    for (const src of sources) {
      const s = await InferenceSession.create(src, { backend });
      assert.equal(s.backendName, backend);
      assert.deepEqual(s.inputNames, ['input']);
      assert.deepEqual(s.outputNames, ['logits']);
      const out = await s.run({ input: new Tensor('float32', x.data as Float32Array, x.dims) });
      assert.deepEqual(out.logits.dims, y.dims);
      const want = y.data as Float32Array;
      (out.logits.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5));
    }
  }
});

test('Tensor is shaped like onnxruntime\'s and converts BigInt64Array to the IR\'s Float64Array', () => {
  const t = new Tensor('float32', new Float32Array(6), [2, 3]);
  assert.equal(t.type, 'float32');
  assert.equal(t.dtype, 'float32');
  assert.equal(t.size, 6);
  assert.deepEqual(t.dims, [2, 3]);
  const i = new Tensor('int64', BigInt64Array.from([1n, -2n]), [2]);
  assert.ok(i.data instanceof Float64Array);
  assert.deepEqual(Array.from(i.data as Float64Array), [1, -2]);
  assert.deepEqual(Array.from(new Tensor('float32', [1, 2, 3]).data as Float32Array), [1, 2, 3]);
  assert.throws(() => new Tensor('float32', new Float32Array(5), [2, 3]), /5 elements but dims \[2,3\] need 6/);
  assert.throws(() => new Tensor('float32', new Float64Array(6), [2, 3]), /expected Float32Array/);
});

test('bad feeds are refused naming the input and what was expected', async () => {
  const s = await InferenceSession.create(FILE, { backend: 'wasm' });
  await assert.rejects(s.run({}), (e: unknown) => e instanceof RampartError && /input 'input' was not fed/.test(e.message));
  await assert.rejects(s.run({ input: new Tensor('float32', new Float32Array(28 * 27), [1, 27, 28]) }),
    (e: unknown) => e instanceof RampartError && /\[1,27,28\]/.test(e.message) && /expected \[N,28,28\]/.test(e.message));
  await assert.rejects(s.run({ input: new Tensor('int32', new Int32Array(28 * 28), [1, 28, 28]) }), /is int32 \(expected float32\)/);
  await assert.rejects(InferenceSession.create(new Uint8Array([1, 2, 3]), { file: 'junk.onnx' }), /junk\.onnx/);
});

test('fetches picks intermediate values', async () => {
  const s = await InferenceSession.create(FILE, { backend: 'js' });
  const lstm = s.model.graph.nodes.find((n) => n.op === 'LSTM')!;
  const out = await s.run({ input: x }, [lstm.outputs[1]]);
  assert.deepEqual(out[lstm.outputs[1]].dims, [1, x.dims[0], 32]);
});
