// Streaming: stepping a recurrent model one time step at a time gives, at the last
// step, the outputs of the whole-sequence run (onnxruntime-node as the oracle), on
// both backends and with CSR weights; after the first step a step allocates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from '../../runtime/index.ts';
import { RampartError } from '../../runtime/errors.ts';
import type { Tensor as IrTensor } from '../../runtime/ir.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { corpus } from './corpus.ts';
import { magnitudePrune, maxAbsDiff, ortRun, stepOf } from './helpers.ts';

const recurrent = corpus().filter((c) => c.model.graph.nodes.some((n) => ['LSTM', 'GRU', 'RNN'].includes(n.op)));

for (const c of recurrent) {
  test(`${c.name}: stepping through the sequence ends at the whole-sequence outputs`, async () => {
    const bidir = c.model.graph.nodes.some((n) => n.attrs.direction?.value === 'bidirectional');
    const model = magnitudePrune(c.model, 0.9);
    const want = await ortRun(encodeModel(model), c.feeds);
    for (const backend of ['js', 'wasm'] as const) {
      const s = await InferenceSession.fromModel(model, { backend });
      const st = s.createStream();
      const x = c.feeds[s.inputNames[0]];
      const T = x.dims[1];
      const feeds: Record<string, IrTensor> = { ...c.feeds };
      if (bidir) {
        feeds[s.inputNames[0]] = stepOf(x, 0);
        assert.throws(() => st.step(feeds), /bidirectional/);
        continue;
      }
      let out: Record<string, IrTensor> = {};
      for (let t = 0; t < T; t++) {
        feeds[s.inputNames[0]] = stepOf(x, t);
        out = st.step(feeds);
      }
      for (const k of s.outputNames) assert.ok(maxAbsDiff(out[k].data as Float32Array, want[k]) <= 1e-4, `${backend} '${k}'`);
      assert.deepEqual(st.allocating, [], 'every node has an in-place step');
      st.reset();
      feeds[s.inputNames[0]] = stepOf(x, 0);
      const first = (st.step(feeds)[s.outputNames[0]].data as Float32Array).slice();
      st.reset();
      assert.deepEqual(st.step(feeds)[s.outputNames[0]].data, first, 'reset starts over');
    }
  });
}

test('a stream step allocates nothing (heap flat over 20000 steps, measured in a fresh process)', () => {
  for (const backend of ['wasm', 'js']) {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./stream-alloc.ts', import.meta.url)), backend, 'lstm', '20000'], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const { least, allocating } = JSON.parse(child.stdout) as { least: number; allocating: string[] };
    assert.deepEqual(allocating, []);
    // One 16-byte object per step would be 320 kB.
    assert.ok(least < 32 * 1024, `${backend}: heap grew ${least} bytes over 20000 steps`);
  }
});

test('a model without a recurrent layer cannot be streamed', async () => {
  const c = corpus().find((x) => !recurrent.some((r) => r.name === x.name))!;
  const s = await InferenceSession.fromModel(c.model, { backend: 'js' });
  assert.throws(() => s.createStream(), (e: unknown) => e instanceof RampartError && /no LSTM, GRU or RNN/.test(e.message));
});
