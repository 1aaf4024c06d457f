// `run` and `eval` run what `compile` writes: the reference runtime (the oracle) now
// expands an onnx-csr file's rebuild bodies (ScatterElements, CumSum, ScatterND in
// runtime/ops/), matching onnxruntime on the same file; and without --runtime both
// commands use the fast backend (wasm), with --runtime reference still selectable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '../../src/io/npy.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { runCommand } from '../../src/cli/commands/run.ts';
import { onnxCsrTarget } from '../../targets/onnx-csr/index.ts';
import { cli, FIXTURES, model, node } from '../cli/helpers.ts';
import { magnitudePrune, maxAbsDiff, ortRun } from './helpers.ts';

const TOL = 1e-4;
const dir = mkdtempSync(join(tmpdir(), 'rampart-default-runtime-'));

/** A fixture pruned to 90% and compiled to onnx-csr, written beside its input. */
function csrFile(name: string): { file: string; input: string } {
  const m = magnitudePrune(loadModel(join(FIXTURES, `${name}.onnx`)), 0.9);
  const file = join(dir, `${name}.csr.onnx`);
  writeFileSync(file, onnxCsrTarget.compile(m, {}).bytes);
  return { file, input: join(FIXTURES, `${name}.input.npy`) };
}

for (const name of ['lstm', 'gru', 'cnn_bn']) {
  test(`rampart run --runtime reference on an onnx-csr ${name} matches onnxruntime on the same file`, async () => {
    const { file, input } = csrFile(name);
    const out = join(dir, `${name}-ref`);
    const written = await runCommand(file, { input: [`input=${input}`], runtime: 'reference', outputDir: out });
    const want = await ortRun(encodeModel(loadModel(file)), { input: readNpy(input) });
    for (const w of written) {
      const got = readNpy(w.file).data as Float32Array;
      assert.ok(maxAbsDiff(got, want[w.output]) <= TOL, `${name} '${w.output}': ${maxAbsDiff(got, want[w.output])}`);
    }
  });
}

test('run and eval default to the wasm runtime, and say so in --help', async () => {
  for (const cmd of ['run', 'eval']) {
    const r = await cli([cmd, '--help']);
    assert.equal(r.code, 0, r.stderr);
    // commander wraps the help text; compare it with the wrapping undone.
    assert.match(r.stdout.replace(/\s+/g, ' '), /--runtime <runtime> .*\(choices: "reference", "ort", "js", "wasm", ("[\w-]+", )*default: "wasm"\)/, `${cmd} --help`);
  }
  const { file, input } = csrFile('lstm');
  const r = await cli(['run', file, '--input', `input=${input}`, '--output-dir', join(dir, 'lstm-default')]);
  assert.equal(r.code, 0, r.stderr);
  const flat = join(dir, 'flat.onnx');
  const w = { dtype: 'float32' as const, dims: [784, 10], data: Float32Array.from({ length: 7840 }, (_, i) => Math.sin(i)) };
  writeFileSync(flat, encodeModel(model({
    inputs: [{ name: 'x', shape: ['N', 784] }], outputs: [{ name: 'y' }], initializers: { W: w },
    nodes: [node('MatMul', ['x', 'W'], ['y'])],
  })));
  const e = await cli(['eval', flat, '--data', 'mnist', '--limit', '20']);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /accuracy: [01]\.\d{4} \(\d+\/20 mnist test samples, wasm\)/);
});
