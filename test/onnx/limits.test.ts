// Resource limits (runtime/limits.ts): a model's sizes come from the file, so every
// tensor is checked against a memory budget before it is made, at load (initializers,
// sparse densification, external data) and at run (every node's outputs, and the
// allocations of the size-creating ops), with a RampartError naming the node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RampartError } from '../../runtime/errors.ts';
import { InferenceSession, Tensor } from '../../runtime/index.ts';
import { executeModel } from '../../runtime/executor.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { MemoryBudget, parseMemorySize } from '../../runtime/limits.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { f32raw, modelBytes, node, onnx, vi } from './build.ts';

const T = onnx.TensorProto.DataType;
const i64 = (name: string, values: number[], dims = [values.length]) => ({ name, dataType: T.INT64, dims, int64Data: values });
const ints = (name: string, values: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });

/** The 200-byte model: ConstantOfShape of [2^31] float32 zeros (8 GiB). */
const bigConstantOfShape = modelBytes({
  initializer: [i64('shape', [2 ** 31])],
  node: [node('ConstantOfShape', ['shape'], ['y'], [], 'the_cos')],
  output: [vi('y', T.FLOAT, null)],
});

const refusesMemory = (node: string) => (e: unknown) =>
  e instanceof RampartError && e.message.includes(`node '${node}'`) && /past the memory limit of 1\.00 GiB/.test(e.message);

test('ConstantOfShape of [2^31] is refused at the node, before anything is allocated, on every backend', async () => {
  assert.ok(bigConstantOfShape.length < 200);
  for (const backend of ['reference', 'js', 'wasm'] as const) {
    const s = await InferenceSession.create(bigConstantOfShape, { backend });
    await assert.rejects(s.run({}), refusesMemory('the_cos'), backend);
  }
  const m = decodeModel(bigConstantOfShape);
  assert.throws(() => executeModel(m, {}, referenceKernels, { opset: 17 }), refusesMemory('the_cos'));
});

test('Pad with pads of 1e6 is refused at the node', async () => {
  const bytes = modelBytes({
    initializer: [i64('pads', [1e6, 1e6, 1e6, 1e6])],
    input: [vi('x', T.FLOAT, [2, 3])],
    node: [node('Pad', ['x', 'pads'], ['y'], [], 'the_pad')],
    output: [vi('y', T.FLOAT, null)],
  });
  const s = await InferenceSession.create(bytes, { backend: 'reference' });
  await assert.rejects(s.run({ x: new Tensor('float32', new Float32Array(6), [2, 3]) }), refusesMemory('the_pad'));
});

test('Pad still pads exactly (constant, edge, reflect) after the row-wise rewrite', async () => {
  // x = [[1,2,3],[4,5,6]], pads begin [1,2] end [0,1]: numpy.pad's results, written out.
  const want: Record<string, number[]> = {
    constant: [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0],
    edge: [1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6],
    reflect: [6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5],
  };
  for (const [mode, expected] of Object.entries(want)) {
    const bytes = modelBytes({
      initializer: [i64('pads', [1, 2, 0, 1])],
      input: [vi('x', T.FLOAT, [2, 3])],
      node: [node('Pad', ['x', 'pads'], ['y'], [{ name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(mode) }])],
      output: [vi('y', T.FLOAT, [3, 6])],
    });
    const s = await InferenceSession.create(bytes, { backend: 'reference' });
    const out = await s.run({ x: new Tensor('float32', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]) });
    assert.deepEqual(out.y.dims, [3, 6], mode);
    assert.deepEqual(Array.from(out.y.data as Float32Array), expected, mode);
  }
});

// Not a speed claim: the quadratic membership scan took minutes at this size (5 s at
// 100,001 axes); a linear pass takes well under a second, so the limit only catches a return to O(n²).
test('Unsqueeze with 300,001 axes loads and runs in linear time', { timeout: 30_000 }, async () => {
  const axes = Array.from({ length: 300_001 }, (_, i) => i);
  const bytes = modelBytes({
    input: [vi('x', T.FLOAT, [1])],
    node: [node('Unsqueeze', ['x'], ['y'], [ints('axes', axes)])],
    output: [vi('y', T.FLOAT, null)],
  }, { opsetImport: [{ domain: '', version: 11 }] });
  const dir = mkdtempSync(join(tmpdir(), 'rampart-limits-'));
  try {
    writeFileSync(join(dir, 'm.onnx'), bytes);
    const m = loadModel(join(dir, 'm.onnx'));
    const out = executeModel(m, { x: new Tensor('float32', Float32Array.of(7), [1]) }, referenceKernels, { opset: 11 });
    assert.equal(out.y.dims.length, 300_002);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sparse initializer is checked before it is densified', () => {
  const sparse = (dims: number[]) => modelBytes({
    sparseInitializer: [{ values: { name: 'w', dataType: T.FLOAT, dims: [1], floatData: [1] }, indices: i64('w_i', [0]), dims }],
    output: [vi('w', T.FLOAT, null)],
  });
  assert.throws(() => decodeModel(sparse([2 ** 20, 2 ** 20]), { file: 'm.onnx' }),
    (e: unknown) => e instanceof RampartError && /^m\.onnx: sparse initializer 'w' \(densified\) of 1,099,511,627,776 float32 values would take 4\.00 TiB, past the memory limit/.test(e.message));
  assert.throws(() => decodeModel(sparse([-3, 2])), (e: unknown) => e instanceof RampartError && /sparse initializer 'w' has invalid dims \[-3,2\]/.test(e.message));
  assert.equal(decodeModel(sparse([4, 4])).graph.initializers.w.data.length, 16);
});

test('the limit is overridable, per decode and per session', async () => {
  const w = Array.from({ length: 1 << 18 }, (_, i) => i % 7); // 1 MiB of float32 weights
  const bytes = modelBytes({
    initializer: [{ name: 'W', dataType: T.FLOAT, dims: [w.length], rawData: f32raw(w) }],
    input: [vi('x', T.FLOAT, [w.length])],
    node: [node('Add', ['x', 'W'], ['y'], [], 'add')],
    output: [vi('y', T.FLOAT, [w.length])],
  });
  assert.throws(() => decodeModel(bytes, { maxMemory: 512 * 1024 }), (e: unknown) => e instanceof RampartError && /initializer 'W' .*past the memory limit of 512\.0 KiB/.test(e.message));
  await assert.rejects(InferenceSession.create(bytes, { backend: 'reference', maxMemory: 512 * 1024 }), /initializer 'W'/);
  // At run, weights + input + output (3 MiB) do not fit in 2.5 MiB; in 4 they do.
  const x = new Tensor('float32', new Float32Array(w.length), [w.length]);
  const tight = await InferenceSession.create(bytes, { backend: 'reference', maxMemory: 2.5 * 2 ** 20 });
  await assert.rejects(tight.run({ x }), (e: unknown) => e instanceof RampartError && /node 'add', op Add: .*past the memory limit of 2\.50 MiB/.test(e.message));
  const roomy = await InferenceSession.create(bytes, { backend: 'reference', maxMemory: 4 * 2 ** 20 });
  assert.equal((await roomy.run({ x })).y.data[6], 6);
  assert.equal(parseMemorySize('512M'), 512 * 2 ** 20);
  assert.equal(parseMemorySize('1.5GiB'), 1.5 * 2 ** 30);
  assert.equal(parseMemorySize('4096'), 4096);
  for (const bad of ['', '0', '-1G', 'lots', '1Q']) assert.throws(() => parseMemorySize(bad), RampartError, bad);
});

test('the run budget is a total: intermediates add up, and a value is released after its last use', () => {
  // Three 400 KiB tensors alive at once (all feed the Concat) do not fit in 1 MiB; a chain that frees each in turn does.
  const cos = (k: number) => node('ConstantOfShape', ['n'], [`c${k}`], [], `cos${k}`);
  const wide = decodeModel(modelBytes({
    initializer: [i64('n', [100_000])],
    node: [cos(0), cos(1), cos(2), node('Concat', ['c0', 'c1', 'c2'], ['y'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }])],
    output: [vi('y', T.FLOAT, null)],
  }));
  assert.throws(() => executeModel(wide, {}, referenceKernels, { opset: 17 }, 2 ** 20),
    (e: unknown) => e instanceof RampartError && /node 'cos2', op ConstantOfShape: .*past the memory limit of 1\.00 MiB \(781\.3 KiB already held\)/.test(e.message));
  const chain = decodeModel(modelBytes({
    initializer: [i64('n', [100_000])],
    node: [cos(0), node('Relu', ['c0'], ['r0']), node('Relu', ['r0'], ['r1']), node('Relu', ['r1'], ['y'])],
    output: [vi('y', T.FLOAT, null)],
  }));
  assert.equal(executeModel(chain, {}, referenceKernels, { opset: 17 }, 2 ** 20).y.data.length, 100_000);
  const b = new MemoryBudget(100);
  b.charge(60, 'a');
  assert.throws(() => b.check('float32', 11), /a tensor of 11 float32 values would take 44 B, past the memory limit of 100 B \(60 B already held\)/);
  b.release(60);
  b.check('float32', 25);
});

test('external data is read by range: a 12-byte weight in a 1.5 GB file does not read the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-ext-range-'));
  try {
    // A sparse 1.5 GB file: no disk blocks, but a whole-file read would fill 1.5 GB of memory.
    const fd = openSync(join(dir, 'big.bin'), 'w');
    ftruncateSync(fd, 1.5e9);
    writeSync(fd, f32raw([0.5, -1, 4]), 0, 12, 1e9);
    closeSync(fd);
    writeFileSync(join(dir, 'm.onnx'), modelBytes({
      initializer: [{
        name: 'W', dataType: T.FLOAT, dims: [3], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'big.bin' }, { key: 'offset', value: String(1e9) }, { key: 'length', value: '12' }],
      }],
      input: [vi('x', T.FLOAT, [3])], node: [node('Add', ['x', 'W'], ['y'])], output: [vi('y', T.FLOAT, [3])],
    }));
    // Peak RSS of a fresh process that loads it (loadModel, then the runtime's loader).
    const script = `import { loadModel } from './src/onnx/import.ts';
      import { InferenceSession } from './runtime/index.ts';
      const m = loadModel(${JSON.stringify(join(dir, 'm.onnx'))});
      await InferenceSession.create(${JSON.stringify(join(dir, 'm.onnx'))}, { backend: 'reference' });
      process.stdout.write(JSON.stringify({ w: Array.from(m.graph.initializers.W.data), maxRss: process.resourceUsage().maxRSS }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const { w, maxRss } = JSON.parse(r.stdout) as { w: number[]; maxRss: number };
    assert.deepEqual(w, [0.5, -1, 4]);
    assert.ok(maxRss < 600 * 1024, `peak RSS ${(maxRss / 1024).toFixed(0)} MiB (a whole-file read takes over 1.5 GB)`);
    // A length that does not match the dims is refused before a byte is read.
    writeFileSync(join(dir, 'm2.onnx'), modelBytes({
      initializer: [{
        name: 'W', dataType: T.FLOAT, dims: [3], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'big.bin' }, { key: 'offset', value: '0' }],
      }],
      input: [vi('x', T.FLOAT, [3])], node: [node('Add', ['x', 'W'], ['y'])], output: [vi('y', T.FLOAT, [3])],
    }));
    assert.throws(() => loadModel(join(dir, 'm2.onnx')), /initializer 'W' has 1500000000 bytes of external data in 'big\.bin'; its dtype and dims need 12/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
