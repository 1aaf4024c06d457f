// Every fixture and zoo model, dense and magnitude-pruned to 50, 90 and 95%, on the
// js and wasm backends against onnxruntime-node (the oracle) within 1e-4 — once as
// the session chooses dense/CSR by density, once with every weight forced to CSR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession } from '../../runtime/index.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { corpus } from './corpus.ts';
import { syntheticModels } from './synthetic.ts';
import { magnitudePrune, maxAbsDiff, ortRun } from './helpers.ts';

const TOL = 1e-4;

for (const c of [...corpus(), ...syntheticModels()]) {
  for (const sparsity of [0, 0.5, 0.9, 0.95]) {
    test(`${c.name} at ${sparsity * 100}% sparsity: js and wasm match onnxruntime-node`, async () => {
      const model = sparsity ? magnitudePrune(c.model, sparsity) : c.model;
      const want = await ortRun(encodeModel(model), c.feeds);
      for (const backend of ['js', 'wasm'] as const) {
        for (const format of ['auto', 'csr'] as const) {
          const s = await InferenceSession.fromModel(model, { backend, format });
          const got = await s.run(c.feeds);
          for (const name of s.outputNames) {
            const d = maxAbsDiff(got[name].data as Float32Array, want[name]);
            assert.ok(d <= TOL, `${backend}/${format} output '${name}' differs by ${d}`);
          }
          if (format === 'csr') assert.ok(s.layers().length > 0 && s.layers().every((l) => l.format === 'csr'), 'weights ran as CSR');
        }
      }
    });
  }
}
