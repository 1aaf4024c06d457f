// Hand-built LSTM / GRU / RNN nodes covering what ONNX's conformance data does not
// (directions, sequence_lens, initial states, clip, activation lists, peepholes,
// linear_before_reset, input_forget), each checked against onnxruntime-node.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { RECURRENT_OPS } from '../../runtime/ops/recurrent/config.ts';
import { attr, compareWithOrt, int32, maxAbsDiff, randTensor, rng, runOrt, runReference, type RecurrentCase } from './harness.ts';

const TOL = 1e-5;
const S = 5, N = 3, I = 4, H = 3;

interface Opts {
  direction?: 'forward' | 'reverse' | 'bidirectional';
  bias?: boolean;
  seqLens?: number[];
  initialH?: boolean;
  initialC?: boolean;
  peepholes?: boolean;
  /** Scale of W and R: larger drives pre-activations beyond a clip threshold. */
  scale?: number;
  attrs?: Record<string, Attr>;
  seed?: number;
}

function makeCase(op: 'LSTM' | 'GRU' | 'RNN', o: Opts = {}): RecurrentCase {
  const r = rng(o.seed ?? 7);
  const dir = o.direction ?? 'forward';
  const D = dir === 'bidirectional' ? 2 : 1;
  const G = RECURRENT_OPS[op].gates.length;
  const s = o.scale ?? 0.6;
  const inputs: (Tensor | undefined)[] = [
    randTensor(r, [S, N, I]),
    randTensor(r, [D, G * H, I], -s, s),
    randTensor(r, [D, G * H, H], -s, s),
    o.bias ? randTensor(r, [D, 2 * G * H], -0.5, 0.5) : undefined,
    o.seqLens ? int32([N], o.seqLens) : undefined,
    o.initialH ? randTensor(r, [D, N, H]) : undefined,
  ];
  if (op === 'LSTM') {
    inputs.push(o.initialC ? randTensor(r, [D, N, H]) : undefined);
    inputs.push(o.peepholes ? randTensor(r, [D, 3 * H]) : undefined);
  }
  while (inputs.length > 3 && inputs[inputs.length - 1] === undefined) inputs.pop();
  return { op, inputs, attrs: { hidden_size: attr.int(H), direction: attr.str(dir), ...(o.attrs ?? {}) } };
}

async function check(t: TestContext, c: RecurrentCase): Promise<void> {
  const diffs = await compareWithOrt(c);
  t.diagnostic(`max |ref - ort| per output: ${diffs.map((d) => d.toExponential(2)).join(', ')}`);
  diffs.forEach((d, i) => assert.ok(d <= TOL, `output ${i}: max |ref - ort| = ${d}`));
}

const directions = ['forward', 'reverse', 'bidirectional'] as const;

for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
  test(`${op}: no bias, forward`, (t) => check(t, makeCase(op)));
  for (const direction of directions) {
    test(`${op}: ${direction} with bias`, (t) => check(t, makeCase(op, { direction, bias: true, seed: 11 })));
    test(`${op}: ${direction} with initial state`, (t) =>
      check(t, makeCase(op, { direction, bias: true, initialH: true, initialC: true, seed: 12 })));
    test(`${op}: ${direction} with sequence_lens [5, 2, 4]`, (t) =>
      check(t, makeCase(op, { direction, bias: true, initialH: true, initialC: true, seqLens: [5, 2, 4], seed: 13 })));
    test(`${op}: ${direction} with clip 0.4`, async (t) => {
      const clipped = makeCase(op, { direction, bias: true, scale: 2, attrs: { clip: attr.float(0.4) }, seed: 14 });
      await check(t, clipped);
      const free = runReference(makeCase(op, { direction, bias: true, scale: 2, seed: 14 }));
      assert.ok(maxAbsDiff(runReference(clipped)[0], free[0]) > 1e-2, 'the clip threshold is reached');
    });
  }
  test(`${op}: every sequence shorter than X`, (t) =>
    check(t, makeCase(op, { direction: 'bidirectional', bias: true, seqLens: [3, 1, 2], seed: 15 })));
}

// onnxruntime's RNN reads past its buffer for a zero-length forward row, so the
// zero-length case is checked on LSTM and GRU only.
for (const op of ['LSTM', 'GRU'] as const) {
  test(`${op}: a zero-length row gives zero Y, Y_h (and Y_c)`, async (t) => {
    const c = makeCase(op, { direction: 'bidirectional', bias: true, initialH: true, initialC: true, seqLens: [4, 0, 5], seed: 16 });
    await check(t, c);
    const yh = runReference(c)[1].data as Float32Array;
    for (const d of [0, 1]) assert.deepEqual(Array.from(yh.subarray((d * N + 1) * H, (d * N + 2) * H)), [0, 0, 0]);
  });
}

for (const lbr of [0, 1]) {
  for (const direction of directions) {
    test(`GRU: linear_before_reset=${lbr}, ${direction}`, (t) =>
      check(t, makeCase('GRU', { direction, bias: true, initialH: true, seqLens: [5, 3, 1], attrs: { linear_before_reset: attr.int(lbr) }, seed: 20 + lbr })));
  }
  test(`GRU: linear_before_reset=${lbr} changes the result`, () => {
    const a = runReference(makeCase('GRU', { bias: true, initialH: true, seed: 22 }));
    const b = runReference(makeCase('GRU', { bias: true, initialH: true, seed: 22, attrs: { linear_before_reset: attr.int(1) } }));
    assert.ok(maxAbsDiff(a[0], b[0]) > 1e-3);
  });
}

for (const direction of directions) {
  test(`LSTM: peepholes, ${direction}`, (t) =>
    check(t, makeCase('LSTM', { direction, bias: true, initialH: true, initialC: true, peepholes: true, seed: 30 })));
}
test('LSTM: peepholes + sequence_lens + clip', (t) =>
  check(t, makeCase('LSTM', {
    direction: 'bidirectional', bias: true, initialC: true, peepholes: true, seqLens: [2, 5, 3], scale: 1.5,
    attrs: { clip: attr.float(0.8) }, seed: 31,
  })));
test('LSTM: input_forget=1', (t) =>
  check(t, makeCase('LSTM', { direction: 'bidirectional', bias: true, initialC: true, peepholes: true, attrs: { input_forget: attr.int(1) }, seed: 32 })));

// Activation lists: alpha/beta values are consumed in list order by the functions
// that take them.
const activationCases: [string, 'LSTM' | 'GRU' | 'RNN', Opts][] = [
  ['LSTM [HardSigmoid, LeakyRelu, Softsign]', 'LSTM', {
    attrs: { activations: attr.strs(['HardSigmoid', 'LeakyRelu', 'Softsign']), activation_alpha: attr.floats([0.3, 0.05]), activation_beta: attr.floats([0.4]) },
  }],
  ['LSTM bidirectional [HardSigmoid, Elu, Softplus, Sigmoid, ScaledTanh, Affine]', 'LSTM', {
    direction: 'bidirectional',
    attrs: {
      activations: attr.strs(['HardSigmoid', 'Elu', 'Softplus', 'Sigmoid', 'ScaledTanh', 'Affine']),
      activation_alpha: attr.floats([0.3, 0.9, 1.2, 0.7]),
      activation_beta: attr.floats([0.4, 0.8, 0.1]),
    },
  }],
  ['LSTM [Sigmoid, Relu, ThresholdedRelu]', 'LSTM', {
    attrs: { activations: attr.strs(['Sigmoid', 'Relu', 'ThresholdedRelu']), activation_alpha: attr.floats([0.1]) },
  }],
  ['GRU [Sigmoid, Relu]', 'GRU', { attrs: { activations: attr.strs(['Sigmoid', 'Relu']) } }],
  ['GRU bidirectional [HardSigmoid, ThresholdedRelu, Softsign, Elu]', 'GRU', {
    direction: 'bidirectional',
    attrs: {
      activations: attr.strs(['HardSigmoid', 'ThresholdedRelu', 'Softsign', 'Elu']),
      activation_alpha: attr.floats([0.25, 0.05, 0.6]), activation_beta: attr.floats([0.45]),
    },
  }],
  ['GRU [Sigmoid, ScaledTanh] with linear_before_reset', 'GRU', {
    attrs: {
      activations: attr.strs(['Sigmoid', 'ScaledTanh']), activation_alpha: attr.floats([1.5]), activation_beta: attr.floats([0.7]),
      linear_before_reset: attr.int(1),
    },
  }],
  ['RNN [Relu]', 'RNN', { attrs: { activations: attr.strs(['Relu']) } }],
  ['RNN bidirectional [LeakyRelu, Elu]', 'RNN', {
    direction: 'bidirectional', attrs: { activations: attr.strs(['LeakyRelu', 'Elu']), activation_alpha: attr.floats([0.1, 0.5]) },
  }],
  ['RNN [Affine]', 'RNN', { attrs: { activations: attr.strs(['Affine']), activation_alpha: attr.floats([0.5]), activation_beta: attr.floats([0.2]) } }],
  ['RNN bidirectional [Softsign, Softplus]', 'RNN', { direction: 'bidirectional', attrs: { activations: attr.strs(['Softsign', 'Softplus']) } }],
  ['RNN [Sigmoid] with clip', 'RNN', { scale: 2, attrs: { activations: attr.strs(['Sigmoid']), clip: attr.float(0.5) } }],
];
for (const [name, op, o] of activationCases) {
  test(`activations: ${name}`, (t) => check(t, makeCase(op, { bias: true, initialH: true, seed: 40, ...o })));
}

// Missing alpha/beta take the ONNX operators' defaults: compare against onnxruntime
// given those defaults explicitly (onnxruntime's own defaults differ for some).
test('activations: missing alpha/beta take the ONNX operator defaults', async () => {
  const names = attr.strs(['HardSigmoid', 'ThresholdedRelu', 'LeakyRelu']);
  const implicit = makeCase('LSTM', { bias: true, scale: 1.5, seed: 41, attrs: { activations: names } });
  const explicit = makeCase('LSTM', {
    bias: true, scale: 1.5, seed: 41,
    attrs: { activations: names, activation_alpha: attr.floats([0.2, 1.0, 0.01]), activation_beta: attr.floats([0.5]) },
  });
  const ref = runReference(implicit);
  const want = await runOrt(explicit);
  want.forEach((w, i) => assert.ok(maxAbsDiff(ref[i], w) <= TOL, `output ${i}`));
  const names2 = attr.strs(['Elu', 'Affine', 'Sigmoid', 'ScaledTanh']);
  const g = makeCase('GRU', { direction: 'bidirectional', seed: 42, attrs: { activations: names2 } });
  const gx = makeCase('GRU', {
    direction: 'bidirectional', seed: 42,
    attrs: { activations: names2, activation_alpha: attr.floats([1.0, 1.0, 1.0]), activation_beta: attr.floats([0.0, 1.0]) },
  });
  const gref = runReference(g);
  (await runOrt(gx)).forEach((w, i) => assert.ok(maxAbsDiff(gref[i], w) <= TOL, `GRU output ${i}`));
});

test('a bidirectional node given one direction\'s activations uses them for both', async () => {
  const one = makeCase('GRU', { direction: 'bidirectional', bias: true, seed: 43, attrs: { activations: attr.strs(['HardSigmoid', 'Softsign']) } });
  const both = makeCase('GRU', {
    direction: 'bidirectional', bias: true, seed: 43,
    attrs: { activations: attr.strs(['HardSigmoid', 'Softsign', 'HardSigmoid', 'Softsign']), activation_alpha: attr.floats([0.2, 0.2]), activation_beta: attr.floats([0.5, 0.5]) },
  });
  const ref = runReference(one);
  (await runOrt(both)).forEach((w, i) => assert.ok(maxAbsDiff(ref[i], w) <= TOL, `output ${i}`));
});

test('hidden_size may be omitted: R decides it', () => {
  const c = makeCase('LSTM', { bias: true, seed: 44 });
  const { hidden_size: _, ...rest } = c.attrs;
  const a = runReference(c);
  const b = runReference({ ...c, attrs: rest });
  a.forEach((t, i) => assert.equal(maxAbsDiff(t, b[i]), 0));
});

// Refusals: clear RampartErrors that name the node.
function refuses(c: RecurrentCase, pattern: RegExp): void {
  assert.throws(() => runReference(c), (e: unknown) => {
    assert.ok(e instanceof RampartError, String(e));
    assert.match(e.message, /node 'lstm_under_test'|node 'gru_under_test'|node 'rnn_under_test'/);
    assert.match(e.message, pattern);
    return true;
  });
}

test('a layout other than 0 or 1 is refused, naming the node', () => refuses(makeCase('LSTM', { attrs: { layout: attr.int(2) } }), /layout=2/));
test('an unknown activation is refused', () => refuses(makeCase('GRU', { attrs: { activations: attr.strs(['Sigmoid', 'Swish']) } }), /Swish/));
test('a wrong activation count is refused', () => refuses(makeCase('LSTM', { attrs: { activations: attr.strs(['Sigmoid', 'Tanh']) } }), /activations/));
test('surplus activation_alpha values are refused', () =>
  refuses(makeCase('RNN', { attrs: { activations: attr.strs(['Tanh']), activation_alpha: attr.floats([0.3]) } }), /activation_alpha/));
test('sequence_lens beyond seq_length is refused', () => refuses(makeCase('RNN', { seqLens: [5, 6, 1] }), /sequence_lens/));
test('a W of the wrong shape is refused', () => {
  const c = makeCase('GRU');
  c.inputs[1] = randTensor(rng(1), [1, 3 * H, I + 1]);
  refuses(c, /X has shape \[5,3,4\] but W has input size 5/);
});
test('hidden_size disagreeing with R is refused', () => refuses(makeCase('RNN', { attrs: { hidden_size: attr.int(H + 1) } }), /shape/));
