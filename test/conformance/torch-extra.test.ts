// The extra PyTorch exports (test/fixtures/extra, made by scripts/make_extra_fixtures.py):
// other opsets, a time-major LSTM, a stride-2 / grouped CNN whose AvgPool2d exports as
// Pad + AveragePool, a GRU exported at a fixed batch of 1 (its zero state is an Expand),
// and a model of the ops PyTorch writes for edge models (Resize nearest/bilinear, Layer-
// Norm, GELU's Erf, HardSwish, HardSigmoid, Where, ReduceMean). Through the whole import
// (validate, shape inference) and every backend (reference, js, wasm), against PyTorch's
// outputs and onnxruntime-node on the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxOpset } from '../../runtime/ir.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { executeModel } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { readNpy } from '../../src/io/npy.ts';
import { maxAbsDiff, runOrt } from '../onnx/ort.ts';

const TOL = 1e-5;
const DIR = join(import.meta.dirname, '..', 'fixtures', 'extra');

interface Entry { model: string; opset: number; batch: string | number; inputs: Record<string, string>; outputs: Record<string, string> }
const { fixtures } = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { fixtures: Record<string, Entry> };

test('the extra manifest lists its fixtures', () => {
  assert.deepEqual(Object.keys(fixtures).sort(), ['cnn_stride2', 'edge_ops', 'gru_batch1', 'gru_opset11', 'lstm_time_major']);
});

for (const [name, fx] of Object.entries(fixtures)) {
  test(`extra fixture ${name} (opset ${fx.opset}): reference, js and wasm match PyTorch and onnxruntime`, async () => {
    const file = join(DIR, fx.model);
    const model = loadModel(file);
    assert.equal(onnxOpset(model), fx.opset);
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, npy]) => [k, readNpy(join(DIR, npy))]));
    const theirs = await runOrt(readFileSync(file), feeds);
    const runs = { reference: executeModel(model, feeds, referenceKernels, { opset: onnxOpset(model), file }) };
    for (const backend of ['js', 'wasm'] as const) {
      const s = await InferenceSession.create(file, { backend });
      Object.assign(runs, { [backend]: await s.run(feeds) });
    }
    for (const [output, npy] of Object.entries(fx.outputs)) {
      for (const [backend, ours] of Object.entries(runs)) {
        const vsTorch = maxAbsDiff(ours[output], readNpy(join(DIR, npy)));
        const vsOrt = maxAbsDiff(ours[output], theirs[output]);
        assert.ok(vsTorch <= TOL, `${backend} ${output} vs PyTorch: ${vsTorch}`);
        assert.ok(vsOrt <= TOL, `${backend} ${output} vs onnxruntime: ${vsOrt}`);
      }
      // Shape inference followed the export to a concrete class axis.
      assert.deepEqual(model.graph.outputs.find((o) => o.name === output)?.shape, [fx.batch, 10]);
    }
  });
}
