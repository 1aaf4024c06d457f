import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMasks, matrixToStorage, pruneTargets, storageToMatrix } from '../../src/prune/targets.ts';
import { model, node, tensorOf } from './helpers.ts';

// Gemm with transB = 0 stores B as [in, out]; a bidirectional LSTM stores [2, 4H, I].
const m = model([
  node('g', 'Gemm', ['x', 'B'], ['h']),
  node('l', 'LSTM', ['h3', 'W', 'R'], ['Y'], { hidden_size: { type: 'int', value: 1 } }),
], {
  B: tensorOf([3, 2], (i) => i + 1), // [in 3, out 2]
  W: tensorOf([2, 4, 2], (i) => 10 + i),
  R: tensorOf([2, 4, 1], (i) => 100 + i),
}, { name: 'x', shape: ['N', 3] }, ['Y']);

test('targets read every layout as [outputs, inputs] per direction', () => {
  const [b, w, r] = pruneTargets(m);
  // B[i][o] = 1 + 2i + o → matrix[o][i]
  assert.deepEqual([...b.weights], [1, 3, 5, 2, 4, 6]);
  assert.equal(w.directions, 2);
  assert.deepEqual([...w.weights], Array.from({ length: 16 }, (_, i) => 10 + i));
  assert.equal(r.rows * r.cols * r.directions, 8);
});

test('storage ↔ matrix layout round-trips, and masks zero exactly the pruned weights', () => {
  const [b] = pruneTargets(m);
  const storage = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5];
  const mat = storageToMatrix(m, b, storage);
  assert.deepEqual([...mat], [0.5, 2.5, 4.5, 1.5, 3.5, 5.5]);
  assert.deepEqual([...matrixToStorage(m, b, mat)], storage);
  // A mask that prunes matrix entry (o=1, i=0), i.e. storage B[0][1].
  const targets = pruneTargets(m);
  const masks = targets.map((t) => new Uint8Array(t.weights.length).fill(1));
  masks[0][3] = 0;
  masks[1][15] = 0; // direction 1, last row, last input
  const out = applyMasks(m, targets, masks);
  assert.deepEqual([...(out.graph.initializers.B.data as Float32Array)], [1, 0, 3, 4, 5, 6]);
  assert.equal((out.graph.initializers.W.data as Float32Array)[15], 0);
  // The input model is untouched.
  assert.equal((m.graph.initializers.B.data as Float32Array)[1], 2);
});
