// The PyTorch-exported fixtures (test/fixtures, made by scripts/make_torch_fixtures.py)
// through the reference interpreter, against PyTorch's own outputs and against
// onnxruntime-node on the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../runtime/ir.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { executeModel } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { readNpy } from '../../src/io/npy.ts';
import { maxAbsDiff } from './harness.ts';

const TOL = 1e-5;
const DIR = join(import.meta.dirname, '..', 'fixtures');

interface FixtureEntry {
  model: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  ops: string[];
  description: string;
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { fixtures: Record<string, FixtureEntry> };

test('the manifest lists the required fixtures', () => {
  for (const name of ['lstm', 'gru', 'rnn_tanh', 'lstm_stacked', 'lstm_bidir', 'cnn_bn', 'lstm_state']) {
    assert.ok(name in manifest.fixtures, name);
  }
});

for (const [name, fx] of Object.entries(manifest.fixtures)) {
  test(`fixture ${name}: reference interpreter matches PyTorch and onnxruntime`, async (t) => {
    const file = join(DIR, fx.model);
    const bytes = new Uint8Array(readFileSync(file));
    const model = decodeModel(bytes, { file });
    const feeds: Record<string, Tensor> = {};
    for (const [input, npy] of Object.entries(fx.inputs)) feeds[input] = readNpy(join(DIR, npy));
    assert.equal(feeds.input.dims[0], 3, 'fixtures are batch 3');

    const ours = executeModel(model, feeds, referenceKernels, { opset: onnxOpset(model), file });

    const session = await ort.InferenceSession.create(bytes);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data as Float32Array, v.dims);
    const theirs = await session.run(ortFeeds);

    for (const [output, npy] of Object.entries(fx.outputs)) {
      const torch = readNpy(join(DIR, npy));
      const got = ours[output];
      assert.ok(got, `output ${output} computed`);
      const vsTorch = maxAbsDiff(got, torch);
      const o = theirs[output];
      const vsOrt = maxAbsDiff(got, { dtype: 'float32', dims: [...o.dims], data: o.data as Float32Array });
      t.diagnostic(`${name}.${output}: max |ref - torch| = ${vsTorch.toExponential(2)}, max |ref - ort| = ${vsOrt.toExponential(2)}`);
      assert.ok(vsTorch <= TOL, `${output} vs PyTorch: ${vsTorch}`);
      assert.ok(vsOrt <= TOL, `${output} vs onnxruntime: ${vsOrt}`);
    }
  });
}
