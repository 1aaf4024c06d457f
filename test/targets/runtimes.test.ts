// Every compiled target is also a runtime: `rampart run --runtime c|wasm-module|cortex-m4`
// on PyTorch exports the C target accepts (batch 3 inputs: the runner splits and stacks
// the batch; lstm_state has three inputs and three outputs), against onnxruntime-node at
// 1e-4 through the same code path the CLI takes (runCommand, .npy in and out); `eval`
// on those runtimes gives onnxruntime's accuracy; failures name the step and the tool's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/commands/run.ts';
import { evaluateAccuracy } from '../../src/eval/accuracy.ts';
import { TARGET_RUNTIMES } from '../../src/eval/target-runner.ts';
import { createRunner, RUNTIMES } from '../../src/eval/runner.ts';
import { encodeNpy, readNpy } from '../../src/io/npy.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { BOARDS } from '../../targets/c/firmware/index.ts';
import { DEVICES } from '../../targets/c/index.ts';
import { runTool } from '../../targets/c/toolchain.ts';
import { maxDiff, ROOT } from './cases.ts';

const TOL = 1e-4;
const FIX = join(ROOT, 'test', 'fixtures');

interface Fixture { name: string; path: string; inputs: Record<string, string>; outputs: string[] }
const fx = (name: string, dir = FIX, inputs: Record<string, string> = { input: `${name}.input.npy` }): Fixture => {
  const path = join(dir, `${name}.onnx`);
  return { name, path, inputs: Object.fromEntries(Object.entries(inputs).map(([k, f]) => [k, join(dir, f)])), outputs: loadModel(path).graph.outputs.map((o) => o.name) };
};
const FIXTURES = [
  fx('lstm'), fx('cnn_bn'), fx('lstm_state', FIX, { input: 'lstm_state.input.npy', h0: 'lstm_state.h0.npy', c0: 'lstm_state.c0.npy' }),
  fx('mobile_relu6', join(ROOT, 'test', 'targets', 'fixtures')), fx('conv1d', join(ROOT, 'test', 'targets', 'fixtures')),
];
/** What each runtime runs here (the firmware runs cost a build and an emulation each). */
const PLAN: Record<string, string[]> = { c: FIXTURES.map((f) => f.name), 'wasm-module': FIXTURES.map((f) => f.name), 'cortex-m4': ['lstm', 'lstm_state', 'mobile_relu6'] };

test('the target runtimes are c, wasm-module and every device whose board QEMU models with an FPU', () => {
  const devices = Object.values(DEVICES).filter((d) => d.board && BOARDS[d.board].fpu).map((d) => d.name);
  assert.deepEqual([...TARGET_RUNTIMES], ['c', 'wasm-module', ...devices]);
  for (const r of TARGET_RUNTIMES) assert.ok((RUNTIMES as readonly string[]).includes(r), r);
});

for (const [runtime, names] of Object.entries(PLAN)) {
  for (const f of FIXTURES.filter((x) => names.includes(x.name))) {
    test(`rampart run --runtime ${runtime} ${f.name}: the same .npy files as onnxruntime, within ${TOL}`, { timeout: 180_000 }, async () => {
      const out = mkdtempSync(join(tmpdir(), 'rampart-rt-'));
      try {
        const input = Object.entries(f.inputs).map(([k, p]) => `${k}=${p}`);
        await runCommand(f.path, { input, runtime: 'ort', outputDir: join(out, 'ort') });
        const written = await runCommand(f.path, { input, runtime: runtime as (typeof RUNTIMES)[number], outputDir: join(out, runtime) });
        assert.deepEqual(written.map((w) => w.output), f.outputs);
        for (const o of f.outputs) {
          const want = readNpy(join(out, 'ort', `${o}.npy`)), got = readNpy(join(out, runtime, `${o}.npy`));
          assert.deepEqual(got.dims, want.dims, `${o} dims`);
          const d = maxDiff(got.data as Float32Array, want.data as Float32Array);
          assert.ok(d <= TOL, `${o}: max |${runtime} - ort| = ${d}`);
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
}

test('eval on the c, wasm-module and cortex-m4 runtimes counts what onnxruntime counts', { timeout: 180_000 }, async () => {
  const zoo = join(ROOT, 'models', 'lstm', 'model.onnx');
  const want = await evaluateAccuracy(zoo, 'mnist', { runtime: 'ort', limit: 40, batchSize: 20 });
  for (const runtime of ['c', 'wasm-module', 'cortex-m4'] as const) {
    const r = await evaluateAccuracy(zoo, 'mnist', { runtime, limit: 40, batchSize: 20 });
    assert.deepEqual(r, want, runtime);
  }
});

test('a failing tool is a RampartError naming the step, the tool and its own message', async () => {
  assert.throws(() => runTool('link', 'ld.lld', ['no-such-object.o']), (e: Error) => e.name === 'RampartError' && /^link failed: ld\.lld \(exit 1\): ld\.lld: error: cannot open no-such-object\.o/.test(e.message));
  assert.throws(() => runTool('emulate', 'no-such-tool-rampart', []), /emulate failed: no-such-tool-rampart \(spawnSync no-such-tool-rampart ENOENT\)/);
  // A model the C target refuses: the runtime says which node and op, before any tool runs.
  const dir = mkdtempSync(join(tmpdir(), 'rampart-rt-'));
  try {
    const { encodeModel } = await import('../../src/onnx/export.ts');
    const sin = loadModel(join(FIX, 'lstm.onnx'));
    sin.graph.nodes.push({ name: 'the_sine', op: 'Sin', domain: '', inputs: [sin.graph.outputs[0].name], outputs: ['s'], attrs: {} });
    sin.graph.outputs = [{ name: 's', dtype: 'float32', shape: null }];
    writeFileSync(join(dir, 'sin.onnx'), encodeModel(sin));
    writeFileSync(join(dir, 'x.npy'), encodeNpy(readNpy(join(FIX, 'lstm.input.npy')), 'x.npy'));
    for (const runtime of ['c', 'cortex-m4'] as const) {
      await assert.rejects(runCommand(join(dir, 'sin.onnx'), { input: [join(dir, 'x.npy')], runtime, outputDir: join(dir, 'out') }), /sin\.onnx, node 'the_sine', op Sin: op Sin is not supported by the C target/);
    }
    const r = await createRunner({ model: sin }, 'wasm-module');
    await assert.rejects(r.run({ input: readNpy(join(FIX, 'lstm.input.npy')) }), /node 'the_sine'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
