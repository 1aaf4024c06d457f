// Target wasm in Node: each zoo model (dense, pruned 90% = CSR, 8x1 blocks = block CSR)
// compiled to a folder by the CLI's code path (wasmTarget.compile), its index.js
// imported as a user would, every sample run and, for the recurrent ones, streamed step
// by step, against onnxruntime-node at 1e-5. Also: the module imports nothing and uses
// SIMD128, the .d.ts type-checks against a consumer, bad input is refused by name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFilesAtomically } from '../../src/io/atomic.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { findTool } from '../../targets/c/toolchain.ts';
import { wasmTarget } from '../../targets/wasm/index.ts';
import { flat, maxDiff, ROOT, targetCase, type TargetCase, type Variant } from './cases.ts';

const TOL = 1e-5;
const MODELS: [string, Variant[]][] = [['lstm', ['dense', 'pruned90', '8x1']], ['gru', ['dense', 'pruned90']], ['rnn', ['pruned90']], ['cnn', ['dense', 'pruned90', '8x1']]];

interface Loaded { c: TargetCase; dir: string; mod: Record<string, any>; layers: { action: string; op: string }[] }
const built = new Map<string, Loaded>();
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rampart-wasm-test-'));
  for (const [zoo, variants] of MODELS) {
    for (const v of variants) {
      const c = await targetCase(zoo, v, 2, 5);
      const dir = join(root, c.name.replace('/', '_'));
      const r = wasmTarget.compile(c.model, { file: `${zoo}.onnx` });
      writeFilesAtomically(dir, r.files!);
      built.set(c.name, { c, dir, mod: await import(pathToFileURL(join(dir, 'index.js')).href), layers: r.layers });
    }
  }
}, { timeout: 300_000 });
after(() => rmSync(root, { recursive: true, force: true }));

for (const [zoo, variants] of MODELS) {
  for (const v of variants) {
    const name = `${zoo}/${v}`;
    test(`${name}: the module's outputs match onnxruntime-node within ${TOL}`, async (t) => {
      const { c, mod, layers } = built.get(name)!;
      const model = await mod.create();
      let worst = 0;
      c.samples.forEach((s, i) => { worst = Math.max(worst, maxDiff(model.run(flat(s)), c.want[i])); });
      const stored = layers.filter((l) => l.op !== 'Gemm' || c.storage === 'dense').map((l) => l.action);
      t.diagnostic(`max |wasm - ort| = ${worst.toExponential(2)}; layers stored ${layers.map((l) => l.action).join(', ')}`);
      assert.ok(worst <= TOL, `max |wasm - ort| = ${worst}`);
      assert.ok(stored.includes(c.storage), `a layer stored ${c.storage}: ${stored.join(', ')}`);
      if (mod.stream) {
        assert.equal(typeof model.step, 'function');
        const axis = mod.stream.axis as number;
        const x = c.samples[0][0];
        const steps = x.dims[axis], per = x.data.length / steps;
        assert.equal(axis, 1, 'the zoo RNNs are batch-first: a step is one row');
        let y: Float32Array = new Float32Array();
        for (let k = 0; k < 2; k++) { // the second pass checks reset()
          model.reset();
          for (let s = 0; s < steps; s++) y = model.step((x.data as Float32Array).subarray(s * per, (s + 1) * per));
          assert.ok(maxDiff(y, c.want[0]) <= TOL, `streamed (pass ${k + 1}): ${maxDiff(y, c.want[0])}`);
        }
      } else {
        assert.equal(mod.stream, null);
        assert.equal(model.step, undefined);
      }
    });
  }
}

test('the module imports nothing, exports only its API, and its mat-vecs are SIMD128', () => {
  const { dir } = built.get('lstm/dense')!;
  const bytes = readFileSync(join(dir, 'model.wasm'));
  const m = new WebAssembly.Module(bytes);
  assert.deepEqual(WebAssembly.Module.imports(m), []);
  assert.deepEqual(WebAssembly.Module.exports(m).map((e) => e.name).sort(), ['input', 'memory', 'output', 'reset', 'run', 'step']);
  assert.deepEqual(WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(built.get('cnn/dense')!.dir, 'model.wasm')))).map((e) => e.name).sort(), ['input', 'memory', 'output', 'run']);
  const objdump = findTool(['llvm-objdump', 'llvm-objdump-14']);
  assert.ok(objdump, 'llvm-objdump is missing: run `bash scripts/setup.sh` (Debian llvm)');
  const dis = spawnSync(objdump!, ['-d', join(dir, 'model.wasm')], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
  assert.ok((dis.match(/f32x4\.mul/g) ?? []).length >= 4, 'f32x4.mul in the code');
  // The weights are inside: the module is at least as large as the float32 weights.
  assert.ok(bytes.length > 4 * (512 * 28 + 512 * 128));
});

test('two instances keep their own state; a wrong input length or type is refused naming the layout', async () => {
  const { mod } = built.get('lstm/dense')!;
  const a = await mod.create(), b = await mod.create();
  const x = new Float32Array(28).fill(0.5);
  const first = a.step(x);
  a.step(x);
  assert.deepEqual(b.step(x), first, 'b starts from the initial state whatever a did');
  assert.throws(() => a.run(new Float32Array(783)), (e: Error) => e instanceof RangeError && /lstm\.run: got 783 values, expected 784 \(input \[1,28,28\]\)/.test(e.message));
  assert.throws(() => a.run(null), (e: Error) => e instanceof TypeError && /expected 784 floats/.test(e.message));
  assert.throws(() => a.step(new Float32Array(784)), /lstm\.step: got 784 values, expected 28/);
  // Any array-like of numbers is taken; the model can be given as bytes.
  const c = await mod.create(readFileSync(join(built.get('lstm/dense')!.dir, 'model.wasm')));
  assert.deepEqual(c.run(Array.from({ length: 784 }, () => 0.25)), a.run(new Float32Array(784).fill(0.25)));
  await assert.rejects(mod.create(join(root, 'nope.wasm')), /ENOENT|no such file/);
});

test('index.d.ts types a consumer: run and step take array-likes, a CNN has no step', () => {
  const consumer = join(root, 'consumer.mts');
  writeFileSync(consumer, `import { create, inputSize } from './lstm_dense/index.js';
import { create as createCnn } from './cnn_dense/index.js';
const size: 784 = inputSize;
const m = await create();
const y: Float32Array = m.run(new Float32Array(size));
const z: Float32Array = m.step([1, 2, 3]);
m.reset();
const cnn = await createCnn(new Uint8Array(0));
// @ts-expect-error: a CNN has no streaming API
cnn.step(y);
// @ts-expect-error: run takes numbers
m.run('x');
export { z };
`);
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), consumer], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, `tsc on a consumer of index.d.ts:\n${r.stdout}${r.stderr}`);
  // And the folder is an ES module package.
  assert.equal(JSON.parse(readFileSync(join(root, 'lstm_dense', 'package.json'), 'utf8')).type, 'module');
});

test('the build survives binaryen\'s wasm-opt on PATH (npm run puts node_modules/.bin first)', () => {
  const path = process.env.PATH;
  process.env.PATH = `${join(ROOT, 'node_modules', '.bin')}:${path}`;
  try {
    assert.ok(spawnSync('wasm-opt', ['--version']).status === 0, 'binaryen\'s wasm-opt is on the PATH for this check');
    const r = wasmTarget.compile(loadModel(join(ROOT, 'test', 'fixtures', 'lstm.onnx')), { file: 'lstm.onnx' });
    assert.ok(WebAssembly.validate(new Uint8Array(r.bytes)));
  } finally {
    process.env.PATH = path;
  }
});
