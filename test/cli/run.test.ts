// `rampart run`: end to end by spawning bin/rampart.js for the runtime comparison and
// for every bad input that reaches the CLI (non-zero exit, a clear message, no stack
// trace); the remaining behaviour in-process through runCommand, which the CLI action
// only prints from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy, readNpy } from '../../src/io/npy.ts';
import { runCommand, type RunOptions } from '../../src/cli/commands/run.ts';
import { f32, tensor } from '../../runtime/tensor.ts';
import type { Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { assertCleanError, cli, FIXTURES, model, node, save, tmp } from './helpers.ts';

const dir = tmp();
test.after(() => rmSync(dir, { recursive: true, force: true }));

const fx = (name: string): string => join(FIXTURES, name);
const maxDiff = (a: Tensor, b: Tensor): number => {
  assert.deepEqual(a.dims, b.dims);
  let m = 0;
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};
const run = (modelPath: string, input: string[], outputDir: string, runtime: RunOptions['runtime'] = 'reference') =>
  runCommand(modelPath, { input, outputDir, runtime });
const rejects = (p: Promise<unknown>, ...res: RegExp[]) => assert.rejects(p, (e: unknown) => {
  assert.ok(e instanceof RampartError, String(e));
  for (const re of res) assert.match(e.message, re);
  return true;
});

// A tiny valid model: y = x·W + b with x [N,4] and an output name that needs sanitising.
const W = f32([4, 3], [1, 0, 2, 0, 1, 0, -1, 0, 1, 0.5, 0.5, 0.5]);
const gemmModel = (outName = 'onnx::Gemm_out', opType = 'Gemm') => model({
  inputs: [{ name: 'x', shape: ['N', 4] }],
  outputs: [{ name: outName, shape: ['N', 3] }],
  initializers: { W, b: f32([3], [0.1, 0.2, 0.3]) },
  nodes: [node(opType, ['x', 'W', 'b'], [outName])],
});
const gemm = save(dir, 'gemm.onnx', gemmModel('y'));
const xNpy = join(dir, 'x.npy');
writeFileSync(xNpy, encodeNpy(f32([2, 4], [1, 2, 3, 4, 0, 0, 0, 1])));
const never = join(dir, 'never');

test('CLI: reference and ort agree within 1e-5 and match PyTorch (cnn_bn)', async () => {
  const outs: Record<string, string> = {};
  for (const rt of ['reference', 'ort']) {
    const out = join(dir, `cnn_bn-${rt}`);
    const r = await cli(['run', fx('cnn_bn.onnx'), '--input', `input=${fx('cnn_bn.input.npy')}`, '--runtime', rt, '--output-dir', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^logits: float32 \[3,10\] -> .*logits\.npy$/m);
    outs[rt] = join(out, 'logits.npy');
  }
  const ort = readNpy(outs.ort);
  assert.ok(maxDiff(readNpy(outs.reference), ort) <= 1e-5);
  assert.ok(maxDiff(ort, readNpy(fx('cnn_bn.output.npy'))) <= 1e-5);
});

test('every runtime agrees with ort within 1e-5 on the recurrent fixtures', async () => {
  for (const name of ['lstm', 'gru', 'rnn_tanh', 'lstm_bidir']) {
    const ort = await run(fx(`${name}.onnx`), [fx(`${name}.input.npy`)], join(dir, `${name}-ort`), 'ort');
    assert.ok(maxDiff(readNpy(ort[0].file), readNpy(fx(`${name}.output.npy`))) <= 1e-5, `${name} ort vs PyTorch`);
    for (const rt of ['reference', 'js', 'wasm'] as const) {
      const w = await run(fx(`${name}.onnx`), [fx(`${name}.input.npy`)], join(dir, `${name}-${rt}`), rt);
      assert.ok(maxDiff(readNpy(w[0].file), readNpy(ort[0].file)) <= 1e-5, `${name} ${rt}`);
    }
  }
});

test('the sparse runtime (js, wasm) agrees with ort within 1e-5 on the CNN', async () => {
  for (const name of ['cnn_bn']) {
    const ort = await run(fx(`${name}.onnx`), [fx(`${name}.input.npy`)], join(dir, `${name}-ort2`), 'ort');
    for (const rt of ['js', 'wasm'] as const) {
      const w = await run(fx(`${name}.onnx`), [fx(`${name}.input.npy`)], join(dir, `${name}-${rt}`), rt);
      assert.ok(maxDiff(readNpy(w[0].file), readNpy(ort[0].file)) <= 1e-5, `${name} ${rt}`);
    }
  }
});

test('several inputs and outputs (lstm_state: input, h0, c0 -> logits, hn, cn)', async () => {
  const out = join(dir, 'state');
  const w = await run(fx('lstm_state.onnx'), [`input=${fx('lstm_state.input.npy')}`, `h0=${fx('lstm_state.h0.npy')}`, `c0=${fx('lstm_state.c0.npy')}`], out);
  assert.deepEqual(w.map((x) => [x.output, x.dims]), [['logits', [3, 10]], ['hn', [1, 3, 16]], ['cn', [1, 3, 16]]]);
  assert.deepEqual(readdirSync(out).sort(), ['cn.npy', 'hn.npy', 'logits.npy']);
  for (const [file, golden] of [['logits', 'output'], ['hn', 'hn'], ['cn', 'cn']]) {
    assert.ok(maxDiff(readNpy(join(out, `${file}.npy`)), readNpy(fx(`lstm_state.${golden}.npy`))) <= 1e-5, file);
  }
});

test('a single-input model takes a bare FILE, and output names are sanitised', async () => {
  const out = join(dir, 'gemm-out');
  await run(save(dir, 'gemm-sanitise.onnx', gemmModel()), [xNpy], out);
  assert.deepEqual(readdirSync(out), ['onnx__Gemm_out.npy']);
  const y = readNpy(join(out, 'onnx__Gemm_out.npy'));
  // Closed form: [1,2,3,4]·W + b and [0,0,0,1]·W + b.
  assert.deepEqual(Array.from(y.data as Float32Array).map((v) => +v.toFixed(5)), [0.1, 4.2, 7.3, 0.6, 0.7, 0.8]);
});

test('CLI: run --help', async () => {
  const r = await cli(['run', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--input <NAME=FILE\.npy>/);
  assert.match(r.stdout, /--output-dir/);
});

test('CLI bad input: garbage bytes as the model', async () => {
  const p = join(dir, 'garbage.onnx');
  writeFileSync(p, 'this is not an onnx file at all, just text\n'.repeat(4));
  const r = await cli(['run', p, '--input', xNpy, '--output-dir', never]);
  assertCleanError(r, /garbage\.onnx/, /ONNX/);
  assert.equal(existsSync(never), false);
});

test('CLI bad input: truncated ONNX file; a missing one', async () => {
  const bytes = readFileSync(fx('cnn_bn.onnx'));
  const p = join(dir, 'truncated.onnx');
  writeFileSync(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
  assertCleanError(await cli(['run', p, '--input', `input=${fx('cnn_bn.input.npy')}`, '--output-dir', never]), /truncated\.onnx/);
  await rejects(run(join(dir, 'nope.onnx'), [xNpy], never), /nope\.onnx/, /not found/);
});

test('CLI bad input: an unknown op fails run (naming node and op) but inspect still works', async () => {
  const m = save(dir, 'unknown-op.onnx', gemmModel('y', 'FancyGemm'));
  assertCleanError(await cli(['run', m, '--input', `x=${xNpy}`, '--output-dir', never]), /unknown-op\.onnx/, /FancyGemm/, /node 'FancyGemm_y'/);
  const ri = await cli(['inspect', m]);
  assert.equal(ri.code, 0, ri.stderr);
  assert.match(ri.stdout, /FancyGemm.*unsupported/);
  await rejects(run(m, [xNpy], never, 'ort'), /unknown-op\.onnx/, /FancyGemm/);
  await rejects(run(m, [xNpy], never, 'wasm'), /FancyGemm/);
});

test('CLI bad input: a .npy whose shape does not fit the input', async () => {
  const p = join(dir, 'wrong-shape.npy');
  writeFileSync(p, encodeNpy(f32([2, 5], new Array(10).fill(0))));
  assertCleanError(await cli(['run', gemm, '--input', `x=${p}`, '--output-dir', never]),
    /gemm\.onnx/, /input 'x' is float32 \[2,5\]/, /expected a float32 tensor of shape \[N,4\]/);
  await rejects(run(fx('cnn_bn.onnx'), [`input=${fx('lstm.input.npy')}`], never), /input 'input' is float32 \[3,28,28\]/, /\[N,1,28,28\]/);
});

test('CLI bad input: wrong dtype', async () => {
  const p = join(dir, 'f64.npy');
  writeFileSync(p, encodeNpy(tensor('float64', [2, 4], new Float64Array(8))));
  assertCleanError(await cli(['run', gemm, '--input', `x=${p}`, '--output-dir', never]),
    /gemm\.onnx/, /input 'x' is float64/, /expected a float32 tensor of shape \[N,4\]/);
});

test('CLI bad input: a missing graph input', async () => {
  const r = await cli(['run', fx('lstm_state.onnx'), '-i', `input=${fx('lstm_state.input.npy')}`, '-i', `h0=${fx('lstm_state.h0.npy')}`, '-o', never]);
  assertCleanError(r, /lstm_state\.onnx/, /graph input 'c0' was not given/, /--input c0=FILE\.npy/, /\[1,N,16\]/);
});

test('unknown input names, duplicates, bare FILE for a multi-input model, disagreeing symbolic dims', async () => {
  const base = [`input=${fx('lstm_state.input.npy')}`, `h0=${fx('lstm_state.h0.npy')}`];
  await rejects(run(fx('lstm_state.onnx'), [...base, `c1=${fx('lstm_state.c0.npy')}`], never), /no input named 'c1'/, /input, h0, c0/);
  await rejects(run(fx('lstm_state.onnx'), [...base, `h0=${fx('lstm_state.h0.npy')}`], never), /'h0' is given twice/);
  await rejects(run(fx('lstm_state.onnx'), [fx('lstm_state.input.npy')], never), /has no NAME=/);
  const h0 = join(dir, 'h0-batch2.npy');
  writeFileSync(h0, encodeNpy(f32([1, 2, 16], new Array(32).fill(0))));
  await rejects(run(fx('lstm_state.onnx'), [base[0], `h0=${h0}`, `c0=${fx('lstm_state.c0.npy')}`], never),
    /input 'h0' sets 'N' = 2/, /input 'input' set it to 3/);
  const cut = join(dir, 'cut.npy');
  writeFileSync(cut, encodeNpy(f32([2, 4], new Array(8).fill(1))).subarray(0, 100));
  await rejects(run(gemm, [`x=${cut}`], never), /cut\.npy/, /truncated/);
  assert.equal(existsSync(never), false);
});

test('CLI bad input: an output name that would escape the output folder writes nothing', async () => {
  const out = join(dir, 'escape', 'inner');
  const m = save(dir, 'escape.onnx', gemmModel('../escaped'));
  assertCleanError(await cli(['run', m, '--input', `x=${xNpy}`, '--output-dir', out]), /escape\.onnx/, /output name '\.\.\/escaped' would escape the output folder/);
  await rejects(run(save(dir, 'abs.onnx', gemmModel('/tmp/rampart-absolute')), [xNpy], out), /would escape/);
  assert.equal(existsSync(join(dir, 'escape')), false);
  assert.equal(existsSync(join(dir, 'escaped.npy')), false);
  assert.equal(existsSync('/tmp/rampart-absolute.npy'), false);
});

test('outputs are written whole or not at all', async () => {
  // Two outputs; the second one's file name is taken by a folder, so its rename fails
  // after the first output was renamed into place: neither may remain.
  const m = save(dir, 'two.onnx', model({
    inputs: [{ name: 'x', shape: ['N', 4] }],
    outputs: [{ name: 'a' }, { name: 'b' }],
    initializers: { W, bias: f32([3], [0, 0, 0]) },
    nodes: [node('Gemm', ['x', 'W', 'bias'], ['a']), node('Relu', ['a'], ['b'])],
  }));
  const out = join(dir, 'partial');
  mkdirSync(join(out, 'b.npy'), { recursive: true });
  writeFileSync(join(out, 'b.npy', 'keep'), '');
  await rejects(run(m, [xNpy], out), /cannot write outputs/);
  assert.deepEqual(readdirSync(out), ['b.npy']); // no a.npy, no temp files
  rmSync(join(out, 'b.npy'), { recursive: true });
  await run(m, [xNpy], out);
  assert.deepEqual(readdirSync(out).sort(), ['a.npy', 'b.npy']);
});
