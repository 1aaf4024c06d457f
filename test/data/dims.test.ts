// The one rule for which free dim is the batch and which a sequence (runtime/dims.ts),
// and that its three readers (the C target's binding, inspect's --batch/--seq-len, the
// dataset layouts) now agree on a name the old per-file regexes split on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../runtime/ir.ts';
import { dimRole, dimRoleOfName, isBatchName } from '../../runtime/dims.ts';
import { modelInputLayout } from '../../src/data/layout.ts';
import { bindInputs } from '../../src/inspect/bind.ts';
import { budget } from '../../targets/c/index.ts';
import { f32 } from '../../runtime/tensor.ts';
import { model, node } from '../cli/helpers.ts';

test('names that say batch', () => {
  for (const n of ['batch', 'Batch', 'batch_size', 'batchSize', 'BATCH_SIZE', 'batch_count', 'batch-dim', 'dynamic_batch', 'minibatch', 'N', 'n', 'B', 'bs', 'batch_len']) {
    assert.equal(dimRoleOfName(n), 'batch', n);
    assert.equal(isBatchName(n), true, n);
  }
});

test('names that say sequence', () => {
  for (const n of ['seq', 'seq_len', 'seqLen', 'sequence', 'sequence_length', 'time', 'time_steps', 'timesteps', 'T', 't', 'L', 'steps', 'n_steps', 'len', 'length']) {
    assert.equal(dimRoleOfName(n), 'seq', n);
    assert.equal(isBatchName(n), false, n);
  }
});

test('names that say nothing leave it to the position', () => {
  for (const n of ['s0', 's1', 'unk__12', 'dim', 'x', 'H', 'W', 'num_samples', 'nb', '']) assert.equal(dimRoleOfName(n), null, n);
  assert.equal(dimRole('s0', 0), 'batch');
  assert.equal(dimRole('s1', 1), 'seq');
  assert.equal(dimRole(null, 0), 'batch');
  assert.equal(dimRole(null, 2), 'seq');
  // Time-major [T,B,F]: the batch axis is 1.
  assert.equal(dimRole(null, 0, 1), 'seq');
  assert.equal(dimRole(null, 1, 1), 'batch');
  // A telling name beats the position.
  assert.equal(dimRole('batch_count', 1), 'batch');
  assert.equal(dimRole('T', 0), 'seq');
});

test('the C target, inspect and the dataset layouts read [T, batch_count, 28] the same way', () => {
  const shape: Dim[] = ['T', 'batch_count', 28];
  const m = model({
    inputs: [{ name: 'x', shape }],
    outputs: [{ name: 'y', shape: ['T', 'batch_count', 2] }],
    initializers: { W: f32([28, 2], new Array(56).fill(0.5)) },
    nodes: [node('MatMul', ['x', 'W'], ['y'], {}, 'fc')],
  });
  // C target: the batch is fixed to 1, the sequence to seqLen.
  assert.deepEqual(budget(m, { seqLen: 7 }).bound, { T: 7, batch_count: 1 });
  // inspect: --batch goes to batch_count, --seq-len to T.
  const roles = bindInputs(m, { batch: 4, seqLen: 9 }).bindings.map((b) => [b.symbol, b.role, b.value]);
  assert.deepEqual(roles, [['T', 'seq', 9], ['batch_count', 'batch', 4]]);
  // Datasets: time-major, the batch on axis 1.
  const l = modelInputLayout(shape);
  assert.equal(l.kind, 'time-major');
  assert.equal(l.batchAxis, 1);
  // And the mirror image is batch-first.
  assert.equal(modelInputLayout(['batch_count', 'seq', 28]).kind, 'batch-first');
});
