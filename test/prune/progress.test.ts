// Progress: without a terminal a line per step (throttled for fast steps), and
// fine-tuning reports each batch. Oracles: the steps counted from the data (batches
// = ⌈samples / batch size⌉ per epoch) and a hand-driven clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../src/onnx/import.ts';
import { runPipeline } from '../../src/prune/pipeline.ts';
import { stderrProgress, type Progress } from '../../src/prune/progress.ts';

function sink() {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (s: string) => { lines.push(...s.split('\n').filter((l) => l.length > 0)); return true; } } };
}

test('not a terminal: a line per step, fast steps throttled, the last one and the end always shown', () => {
  let t = 0;
  const { lines, stream } = sink();
  const p = stderrProgress({ stream, now: () => t, minInterval: 1000 });
  p.start('guard search', 3);
  for (const name of ['W', 'R', 'fc']) { t += 1500; p.tick(1, name); }
  p.start('fine-tune', 100);
  for (let k = 0; k < 100; k++) { t += 50; p.tick(1, `batch ${k + 1}`); }
  p.stop();
  p.stop();
  assert.deepEqual(lines.slice(0, 3), ['guard search: 1/3 W', 'guard search: 2/3 R', 'guard search: 3/3 fc']);
  // 100 batches 50 ms apart over 5 s: the first, one a second after it, and the last.
  const tune = lines.filter((l) => l.includes('fine-tune: ') && !l.includes('done'));
  assert.deepEqual(tune, ['  fine-tune: 1/100 batch 1', '  fine-tune: 21/100 batch 21', '  fine-tune: 41/100 batch 41', '  fine-tune: 61/100 batch 61',
    '  fine-tune: 81/100 batch 81', '  fine-tune: 100/100 batch 100']);
  assert.deepEqual(lines.slice(-2), ['  fine-tune: done in 5.0 s', 'guard search: done in 9.5 s']);
});

test('fine-tuning in the pipeline reports every batch', async () => {
  const events: string[] = [];
  const progress: Progress = {
    start: (label, total) => events.push(`start ${label} ${total}`),
    tick: (_n, info) => events.push(`tick ${info ?? ''}`),
    stop: () => events.push('stop'),
    log: (line) => events.push(`log ${line}`),
  };
  await runPipeline(loadModel('models/rnn/model.onnx'), {
    method: 'magnitude', guard: 'delta-r', sparsity: 0.5, data: 'mnist', epochs: 2, trainLimit: 200, batchSize: 64, noEval: true, progress,
  });
  const at = events.indexOf('start fine-tune 8');
  assert.ok(at >= 0, `⌈200/64⌉ = 4 batches × 2 epochs: ${events.filter((e) => e.startsWith('start')).join(', ')}`);
  const ticks = events.slice(at + 1, events.indexOf('stop', at)).filter((e) => e.startsWith('tick'));
  assert.equal(ticks.length, 8);
  assert.match(ticks[0], /^tick epoch 1\/2 batch 1\/4 loss \d+\.\d{3} acc \d\.\d{3}$/);
  assert.match(ticks[7], /^tick epoch 2\/2 batch 4\/4 /);
  assert.equal(events.filter((e) => /^log fine-tune: epoch \d\/2 loss/.test(e)).length, 2);
});
