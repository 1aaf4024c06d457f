// The C target on the edge-export ops it lowers (Erf, HardSwish, HardSigmoid, Where with
// a constant condition, Expand of a run-time tensor, ReduceMean over adjacent axes,
// LayerNormalization): a hand-built PyTorch-shaped block and the batch-1 GRU export (its
// Expand zero state folds at compile time), built with the host cc and compared with
// onnxruntime-node sample by sample; Resize, which the C target does not lower, is
// refused naming node and op.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { readNpy } from '../../src/io/npy.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { compileC } from '../../targets/c/index.ts';
import { buildSuite, maxAbsDiff, needCc, removeSuite, runC, runOrt, samplesOf, type Suite } from '../c-target/harness.ts';
import { rand } from './single-node.ts';

const TOL = 1e-4;
const EXTRA = join(import.meta.dirname, '..', 'fixtures', 'extra');

const t32 = (dims: number[], v?: number[]): Tensor => ({ dtype: 'float32', dims, data: Float32Array.from(v ?? Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1)) });
const n = (op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name: `${op}_${outputs[0]}`, op, domain: '', inputs, outputs, attrs });

/** LayerNorm -> GELU (Erf) -> Where(mask, HardSwish, HardSigmoid) -> centre by an Expanded row mean -> mean over tokens -> MatMul. */
function edgeBlock(): Model {
  const mask: Tensor = { dtype: 'bool', dims: [16, 1], data: Uint8Array.from({ length: 16 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0) };
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'rampart-test', producerVersion: '0', functions: [], metadata: {},
    graph: {
      name: 'edge_block', valueInfo: {},
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 16, 8] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: null }],
      initializers: {
        S: t32([8]), B: t32([8]), sqrt2: t32([], [Math.SQRT2]), one: t32([], [1]), half: t32([], [0.5]),
        mask, shape: { dtype: 'int64', dims: [3], data: Float64Array.from([1, 16, 8]) }, W: t32([8, 4]),
      },
      nodes: [
        n('LayerNormalization', ['x', 'S', 'B'], ['ln'], { epsilon: { type: 'float', value: 1e-5 } }),
        n('Div', ['ln', 'sqrt2'], ['d']), n('Erf', ['d'], ['e']), n('Add', ['e', 'one'], ['a']), n('Mul', ['ln', 'a'], ['m']), n('Mul', ['m', 'half'], ['g']),
        n('HardSwish', ['g'], ['hs']), n('HardSigmoid', ['g'], ['hg'], { alpha: { type: 'float', value: 1 / 6 } }),
        n('Where', ['mask', 'hs', 'hg'], ['w']),
        n('ReduceMean', ['w'], ['r'], { axes: { type: 'ints', value: [-1] }, keepdims: { type: 'int', value: 1 } }),
        n('Expand', ['r', 'shape'], ['ex']), n('Sub', ['w', 'ex'], ['s']),
        n('ReduceMean', ['s'], ['p'], { axes: { type: 'ints', value: [1] }, keepdims: { type: 'int', value: 0 } }),
        n('MatMul', ['p', 'W'], ['y']),
      ],
    },
  };
}

let suite: Suite;
before(() => {
  const block = edgeBlock();
  const x = t32([3, 16, 8]);
  const gru = loadModel(join(EXTRA, 'gru_batch1.onnx'));
  suite = buildSuite(needCc(), [
    { name: 'edge_block', model: block, opts: {}, samples: samplesOf(block, [x]) },
    { name: 'gru_batch1', model: gru, opts: {}, samples: samplesOf(gru, [readNpy(join(EXTRA, 'gru_batch1.input.npy'))]) },
  ]);
}, { timeout: 120_000 });
after(() => removeSuite(suite));

for (const name of ['edge_block', 'gru_batch1']) {
  test(`C target: ${name} matches onnxruntime within ${TOL}`, async (t) => {
    const b = suite.built.find((x) => x.name === name)!;
    const d = maxAbsDiff(runC(suite, b), await runOrt(b.model, b.samples));
    t.diagnostic(`${b.samples.length} samples, max |C - ort| = ${d.toExponential(2)}; flash ${b.budget.flash.totalBytes} B, SRAM ${b.budget.sram.totalBytes} B`);
    assert.ok(d <= TOL, `max |C - ort| = ${d}`);
  });
}

test('C target: the new ops are lowered as their helpers; Expand repeats with stride 0; erff counts as libm', () => {
  const src = suite.built.find((x) => x.name === 'edge_block')!;
  for (const h of ['rp_layer_norm', 'rp_erf_v', 'rp_hard_swish', 'rp_hard_sigmoid', 'rp_where', 'rp_reduce_mean', 'rp_strided_copy']) {
    assert.match(src.source, new RegExp(`^  ${h}\\(`, 'm'), h);
  }
  assert.ok(src.budget.flash.libmBytes >= 1024, `libm ${src.budget.flash.libmBytes}`);
  // The GRU's Expand(0, [1, 1, 20]) is a compile-time constant: no copy at run time.
  assert.doesNotMatch(suite.built.find((x) => x.name === 'gru_batch1')!.source, /rp_strided_copy\(/);
});

test('C target: Resize is refused naming node and op; a Where condition fed at run time is refused', () => {
  assert.throws(() => compileC(loadModel(join(EXTRA, 'edge_ops.onnx')), {}),
    (e: unknown) => e instanceof RampartError && /node '\/Resize', op Resize: op Resize is not supported by the C target/.test(e.message));
  const m = edgeBlock();
  m.graph.inputs.push({ name: 'c', dtype: 'bool', shape: [16, 1] });
  delete m.graph.initializers.mask;
  m.graph.nodes.find((x) => x.op === 'Where')!.inputs[0] = 'c';
  // No supported op computes a bool in C (Cast to bool is refused), so the condition can only come in as an input.
  assert.throws(() => compileC(m, {}), (e: unknown) => e instanceof RampartError && /graph input 'c' has dtype bool/.test(e.message));
});
