// The C target on the recurrent semantics it shares with the interpreter: layout=1
// nodes compile and run, checked against onnxruntime on the layout-0 twin (onnxruntime
// refuses layout 1; at batch 1 the two layouts hold the same floats in the same order,
// so the twin gets the very same buffers). What the C target refuses beyond the
// reference is refused with its own reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, Model, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { compileC } from '../../targets/c/index.ts';
import { buildSuite, findCc, maxAbsDiff, removeSuite, runC, runOrt, type Suite } from '../c-target/harness.ts';
import { attr, randTensor, rng } from './harness.ts';

const T = 5, I = 3, H = 4;

interface Twin { name: string; op: 'LSTM' | 'GRU' | 'RNN'; attrs: Record<string, Attr>; dirs: number; peepholes?: boolean }

const TWINS: Twin[] = [
  { name: 'LSTM bidirectional, clip, peepholes', op: 'LSTM', dirs: 2, peepholes: true, attrs: { direction: attr.str('bidirectional'), clip: attr.float(0.9) } },
  { name: 'GRU reverse, linear_before_reset', op: 'GRU', dirs: 1, attrs: { direction: attr.str('reverse'), linear_before_reset: attr.int(1) } },
  { name: 'RNN forward', op: 'RNN', dirs: 1, attrs: {} },
];

/** One recurrent node with constant weights and initial state; graph outputs Y and Y_h. */
function model(t: Twin, layout: 0 | 1): Model {
  const r = rng(71);
  const G = { LSTM: 4, GRU: 3, RNN: 1 }[t.op], D = t.dirs;
  const inits: Record<string, Tensor> = {
    W: randTensor(r, [D, G * H, I], -1.2, 1.2), R: randTensor(r, [D, G * H, H], -1.2, 1.2), B: randTensor(r, [D, 2 * G * H], -0.5, 0.5),
    h0: randTensor(r, layout ? [1, D, H] : [D, 1, H]),
  };
  const inputs = ['x', 'W', 'R', 'B', '', 'h0'];
  if (t.peepholes) { inits.P = randTensor(r, [D, 3 * H]); inputs.push('', 'P'); }
  const node: Node = {
    name: 'rec', op: t.op, domain: '', inputs, outputs: ['y', 'yh'],
    attrs: { hidden_size: attr.int(H), ...t.attrs, ...(layout ? { layout: attr.int(1) } : {}) },
  };
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 14 }], producerName: 'rampart-test', producerVersion: '1', functions: [], metadata: {},
    graph: {
      name: `layout${layout}`, valueInfo: {}, initializers: inits, nodes: [node],
      inputs: [{ name: 'x', dtype: 'float32', shape: layout ? [1, T, I] : [T, 1, I] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: null }, { name: 'yh', dtype: 'float32', shape: null }],
    },
  };
}

const cc = findCc();
const skip = cc ? false : 'no C compiler (cc, gcc or clang) on PATH';
const samples = [0, 1].map((s) => [randTensor(rng(80 + s), [1, T, I])]);
let suite: Suite;

before(() => {
  if (cc) suite = buildSuite(cc, TWINS.map((t) => ({ name: t.name, model: model(t, 1), opts: {}, samples })));
}, { timeout: 120_000 });
after(() => removeSuite(suite));

for (const t of TWINS) {
  test(`C target, layout 1: ${t.name} = onnxruntime on the layout-0 twin`, { skip }, async (ctx) => {
    const b = suite.built.find((x) => x.name === t.name)!;
    const twinSamples = samples.map((s) => s.map((x) => ({ ...x, dims: [T, 1, I] })));
    const want = await runOrt(model(t, 0), twinSamples);
    const d = maxAbsDiff(runC(suite, b), want);
    ctx.diagnostic(`max |C - ort| = ${d.toExponential(2)}`);
    assert.ok(d <= 1e-5, `max |C - ort| = ${d}`);
  });
}

test('C target: non-default activations are refused, naming the reason', () => {
  const m = model({ name: 'acts', op: 'GRU', dirs: 1, attrs: { activations: attr.strs(['HardSigmoid', 'Tanh']) } }, 0);
  assert.throws(() => compileC(m, {}), (e: unknown) => {
    assert.ok(e instanceof RampartError, String(e));
    assert.match(e.message, /node 'rec'.*activations \[HardSigmoid, Tanh\] are not supported by the C target/);
    return true;
  });
});
