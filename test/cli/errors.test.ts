// How a failure ends (src/cli/main.ts, runtime/errors.ts): bad input is a RampartError,
// one line, exit 1; a bug is any other exception, shown with its stack, exit 70, and not
// decorated as if it were bad input at some node; a reader that closes the pipe early
// (`| head -1`) ends the command quietly with exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RampartError, withContext } from '../../runtime/errors.ts';
import { executeModel } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { f32, tensor } from '../../runtime/tensor.ts';
import { encodeNpy } from '../../src/io/npy.ts';
import { assertCleanError, cli, FIXTURES, model, node, ROOT, save, tmp } from './helpers.ts';

const dir = tmp();
test.after(() => rmSync(dir, { recursive: true, force: true }));

const reluModel = save(dir, 'relu.onnx', model({
  inputs: [{ name: 'x', shape: ['N', 3] }],
  outputs: [{ name: 'y', shape: ['N', 3] }],
  nodes: [node('Relu', ['x'], ['y'], {}, 'the_relu')],
}));
const xNpy = join(dir, 'x.npy');
writeFileSync(xNpy, encodeNpy(f32([2, 3], [1, -2, 3, -4, 5, -6])));
const override = ['--import', 'tsx', '--import', join(ROOT, 'test/cli/kernel-override.ts')];
const STACK = /^\s+at .*(:\d+:\d+\)?|\(node:)/m;

test('withContext decorates a RampartError (inner context wins) and returns anything else untouched', () => {
  const inner = new RampartError('bad weight', { node: 'inner', expected: 'finite values' });
  const outer = withContext(inner, { file: 'm.onnx', node: 'outer', op: 'Gemm' });
  assert.equal(outer.message, "m.onnx, node 'inner', op Gemm: bad weight (expected finite values)");
  assert.equal(outer.stack, inner.stack);
  const again = withContext(outer, { file: 'other.onnx' });
  assert.equal(again.message, outer.message, 'context is not added twice');
  const bug = new TypeError("Cannot read properties of undefined (reading 'dims')");
  assert.equal(withContext(bug, { file: 'm.onnx', node: 'n' }), bug);
  assert.equal(bug.message, "Cannot read properties of undefined (reading 'dims')");
});

test('the executor passes a kernel bug up as the same object, and names the node only in a RampartError', () => {
  const m = model({ inputs: [{ name: 'x', shape: [3] }], outputs: [{ name: 'y' }], nodes: [node('Relu', ['x'], ['y'], {}, 'r')] });
  const x = { x: f32([3], [1, 2, 3]) };
  const bug = new Error('planted');
  const buggy = { ...referenceKernels, Relu: () => { throw bug; } };
  assert.throws(() => executeModel(m, x, buggy, { opset: 14, file: 'm.onnx' }), (e: unknown) => e === bug && bug.message === 'planted');
  const refusing = { ...referenceKernels, Relu: () => { throw new RampartError('no', { expected: 'yes' }); } };
  assert.throws(() => executeModel(m, x, refusing, { opset: 14, file: 'm.onnx' }),
    (e: unknown) => e instanceof RampartError && e.message === "m.onnx, node 'r', op Relu: no (expected yes)");
});

test('CLI: a kernel throwing a plain Error is an internal error: exit 70, its stack, no node decoration', async () => {
  const out = join(dir, 'out-bug');
  const r = await cli(['run', reluModel, '--input', xNpy, '--runtime', 'reference', '--output-dir', out],
    { nodeArgs: override, env: { RAMPART_TEST_THROW: 'plain' } });
  assert.equal(r.code, 70, r.stderr);
  assert.match(r.stderr, /^rampart: internal error .*\nError: a bug planted in the Relu kernel\n/m);
  assert.match(r.stderr, STACK, 'the stack is shown');
  assert.match(r.stderr, /kernel-override\.ts/, 'the stack points at the throwing code');
  assert.doesNotMatch(r.stderr, /node 'the_relu'|^rampart: error: /m);
  assert.equal(existsSync(out), false, 'nothing written');
});

test('CLI: a kernel throwing a RampartError is bad input: exit 1, one line naming file, node and op', async () => {
  const r = await cli(['run', reluModel, '--input', xNpy, '--runtime', 'reference', '--output-dir', join(dir, 'out-refused')],
    { nodeArgs: override, env: { RAMPART_TEST_THROW: 'rampart' } });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `rampart: error: ${reluModel}, node 'the_relu', op Relu: the override refuses this tensor (expected a tensor it likes)\n`);
});

test('CLI: integer division by zero in the data is bad input (exit 1 naming the node), not a bug', async () => {
  const div = save(dir, 'div.onnx', model({
    inputs: [{ name: 'a', dtype: 'int32', shape: [2] }, { name: 'b', dtype: 'int32', shape: [2] }],
    outputs: [{ name: 'q', dtype: 'int32', shape: [2] }],
    nodes: [node('Div', ['a', 'b'], ['q'], {}, 'the_div')],
  }));
  const a = join(dir, 'a.npy');
  const b = join(dir, 'b.npy');
  writeFileSync(a, encodeNpy(tensor('int32', [2], Int32Array.of(6, 7))));
  writeFileSync(b, encodeNpy(tensor('int32', [2], Int32Array.of(3, 0))));
  const r = await cli(['run', div, '--input', `a=${a}`, '--input', `b=${b}`, '--runtime', 'reference', '--output-dir', join(dir, 'out-div')]);
  assert.equal(r.code, 1, r.stderr);
  assertCleanError(r, /node 'the_div', op Div: integer division by zero/);
});

/** `rampart ARGS | READER` under pipefail: the pipeline fails if rampart does. */
function piped(args: string[], reader: string): { status: number | null; stdout: string; stderr: string } {
  const cmd = `"${process.execPath}" "${join(ROOT, 'bin/rampart.js')}" ${args.map((a) => `'${a}'`).join(' ')} | ${reader}`;
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: `rampart analyze <fixture> | head -1` prints one line and exits 0 with nothing on stderr', () => {
  const r = piped(['analyze', join(FIXTURES, 'lstm.onnx')], 'head -1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^layer +graph +gate/);
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 1);
  assert.equal(r.stderr, '');
});

test('CLI: a reader that has already gone (EPIPE on the first write) ends the command quietly, exit 0', () => {
  // `true` exits without reading, so every write of rampart's meets a closed pipe.
  const r = piped(['analyze', join(FIXTURES, 'lstm.onnx')], 'true');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});
