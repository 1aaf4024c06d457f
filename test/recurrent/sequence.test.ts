// The fused time loop (Linalg.sequence, runtime/wasm/assembly/sequence.ts: every step
// of a direction in one WASM call) against the per-step path on the same WASM backend
// (stepSequence in runtime/kernels/recurrent.ts: a gemv and a cell call per step from
// JS) — the same kernels in the same order, so the outputs must be identical — and
// both against the reference kernels (runtime/ops/recurrent/), with R packed dense,
// CSR (1x4 groups) and BSR 4x1 / 8x1 / 16x1: LSTM, GRU (linear_before_reset 0 and 1)
// and RNN, every direction, both layouts, batch 1 and 3 with sequence_lens (a
// zero-length row among them), initial states, peepholes, clip, non-default
// activations, hidden sizes with and without a four-lane tail. Then the outputs a node
// leaves unnamed, and the kernels' refusals of bad lengths and extents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { backendFromLinalg } from '../../runtime/kernels/index.ts';
import { JsLinalg } from '../../runtime/kernels/js-linalg.ts';
import type { FormatRequest, SequenceRun } from '../../runtime/kernels/linalg.ts';
import { WasmLinalg } from '../../runtime/kernels/wasm-linalg.ts';
import type { KernelTable } from '../../runtime/ops/types.ts';
import { recurrentKernels } from '../../runtime/ops/recurrent/index.ts';
import { attr, INPUT_NAMES, int32, randTensor, rng } from './harness.ts';

type Op = 'LSTM' | 'GRU' | 'RNN';
const GATES: Record<Op, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const S = 5, I = 3;
const TOL = 1e-5;

const fusedLa = await WasmLinalg.create();
const steppedLa = await WasmLinalg.create();
// The same backend without its sequence kernel: recurrent.ts steps it from JS.
Object.defineProperty(steppedLa, 'sequence', { value: undefined });
assert.equal(steppedLa.sequence, undefined);

const FORMATS: [string, FormatRequest][] = [['dense', 'dense'], ['CSR', 'csr'], ['BSR 4x1', { bsr: 4 }], ['BSR 8x1', { bsr: 8 }], ['BSR 16x1', { bsr: 16 }]];

function table(la: WasmLinalg | JsLinalg, format: FormatRequest): KernelTable {
  const b = backendFromLinalg(la);
  b.env!.format = format;
  return b.table;
}
const fused = FORMATS.map(([label, f]) => ({ label, t: table(fusedLa, f) }));
const stepped = FORMATS.map(([label, f]) => ({ label, t: table(steppedLa, f) }));
const js = table(new JsLinalg(), 'auto');

interface Case {
  op: Op;
  direction: 'forward' | 'reverse' | 'bidirectional';
  layout: 0 | 1;
  batch: number;
  H: number;
  full: boolean;
  attrs?: Record<string, Attr>;
  outputs?: string[];
}

function build(c: Case, seed: number): { node: Node; inputs: (Tensor | undefined)[] } {
  const r = rng(seed);
  const D = c.direction === 'bidirectional' ? 2 : 1, G = GATES[c.op], H = c.H, N = c.batch;
  const state = () => randTensor(r, c.layout === 1 ? [N, D, H] : [D, N, H]);
  const lens = N === 1 ? [S - 1] : [S, 0, 2];
  const inputs: (Tensor | undefined)[] = [
    randTensor(r, c.layout === 1 ? [N, S, I] : [S, N, I]),
    randTensor(r, [D, G * H, I], -0.8, 0.8),
    randTensor(r, [D, G * H, H], -0.8, 0.8),
    c.full ? randTensor(r, [D, 2 * G * H], -0.5, 0.5) : undefined,
    c.full ? int32([N], lens) : undefined,
    c.full ? state() : undefined,
  ];
  if (c.op === 'LSTM') inputs.push(c.full ? state() : undefined, c.full ? randTensor(r, [D, 3 * H]) : undefined);
  while (inputs.length > 3 && inputs[inputs.length - 1] === undefined) inputs.pop();
  const names = inputs.map((t, i) => (t ? INPUT_NAMES[i] : ''));
  const outputs = c.outputs ?? (c.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);
  const attrs: Record<string, Attr> = { hidden_size: attr.int(H), direction: attr.str(c.direction), layout: attr.int(c.layout), ...(c.attrs ?? {}) };
  return { node: { name: `${c.op.toLowerCase()}_seq`, op: c.op, domain: '', inputs: names, outputs, attrs }, inputs };
}

const run = (t: KernelTable, n: { node: Node; inputs: (Tensor | undefined)[] }) => t[n.node.op](n.inputs, n.node, { opset: 14 });

function assertNear(got: Tensor | undefined, want: Tensor | undefined, what: string): void {
  assert.ok(got && want, `${what}: missing output`);
  assert.deepEqual(got.dims, want.dims, `${what}: dims`);
  const a = got.data as Float32Array, b = want.data as Float32Array;
  for (let i = 0; i < b.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= TOL * Math.max(1, Math.abs(b[i])), `${what}: element ${i} is ${a[i]}, want ${b[i]}`);
  }
}

const cases: Case[] = [];
for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
  for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
    for (const layout of [0, 1] as const) {
      for (const [batch, H] of [[1, 16], [3, 5], [1, 5], [3, 16]] as const) {
        cases.push({ op, direction, layout, batch, H, full: batch === 3 || H === 5 });
      }
    }
  }
}
// The default activations' paths with clip (and, for LSTM, peepholes; GRU both resets), and the generic path.
for (const H of [5, 8]) {
  cases.push({ op: 'LSTM', direction: 'bidirectional', layout: 0, batch: 3, H, full: true, attrs: { clip: attr.float(0.7) } });
  cases.push({ op: 'LSTM', direction: 'forward', layout: 0, batch: 3, H, full: true, attrs: { input_forget: attr.int(1) } });
  cases.push({ op: 'GRU', direction: 'bidirectional', layout: 1, batch: 3, H, full: true, attrs: { linear_before_reset: attr.int(1), clip: attr.float(0.6) } });
  cases.push({ op: 'GRU', direction: 'reverse', layout: 0, batch: 3, H, full: true, attrs: { linear_before_reset: attr.int(0) } });
  cases.push({ op: 'RNN', direction: 'forward', layout: 0, batch: 3, H, full: true, attrs: { clip: attr.float(0.5) } });
  cases.push({ op: 'LSTM', direction: 'reverse', layout: 1, batch: 3, H, full: true, attrs: { activations: attr.strs(['HardSigmoid', 'Softsign', 'Relu']) } });
  cases.push({ op: 'GRU', direction: 'forward', layout: 0, batch: 1, H, full: true, attrs: { activations: attr.strs(['Softplus', 'Tanh']) } });
  cases.push({ op: 'RNN', direction: 'reverse', layout: 1, batch: 3, H, full: true, attrs: { activations: attr.strs(['Relu']) } });
}

const label = (c: Case) => `${c.op} ${c.direction} layout ${c.layout} batch ${c.batch} H ${c.H}${c.full ? ', all inputs' : ''}${c.attrs ? ` ${Object.keys(c.attrs).join('+')}` : ''}`;

test('the fused loop gives the per-step path\'s outputs exactly, and the reference\'s, for every format', () => {
  let checked = 0;
  cases.forEach((c, k) => {
    const n = build(c, 100 + k);
    const want = run(recurrentKernels, n);
    assertNear(run(js, n)[1], want[1], `${label(c)}, js`);
    FORMATS.forEach((_, f) => {
      const a = run(fused[f].t, n), b = run(stepped[f].t, n);
      a.forEach((t, i) => {
        assert.deepEqual(t!.data, b[i]!.data, `${label(c)}, ${fused[f].label}: output ${i} differs from the per-step path`);
        assertNear(t, want[i], `${label(c)}, ${fused[f].label}, output ${i}`);
      });
      checked++;
    });
  });
  assert.equal(checked, cases.length * FORMATS.length);
});

test('a zero-length row ends in zero states, even with initial states (ONNX, onnxruntime)', () => {
  for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
    const c: Case = { op, direction: 'bidirectional', layout: 0, batch: 3, H: 5, full: true };
    const n = build(c, 7);
    assert.ok(n.inputs[5], 'the case has initial states');
    for (const [name, t] of [['fused', fused[0].t], ['stepped', stepped[0].t], ['js', js], ['reference', recurrentKernels]] as const) {
      const out = run(t, n);
      for (const s of op === 'LSTM' ? [1, 2] : [1]) {
        const d = out[s]!.data as Float32Array;
        for (const dir of [0, 1]) {
          assert.deepEqual(Array.from(d.subarray((dir * 3 + 1) * 5, (dir * 3 + 2) * 5)), [0, 0, 0, 0, 0], `${op} ${name}: state ${s} of the empty row`);
        }
      }
    }
  }
});

test('outputs the node leaves unnamed are not produced; the named ones are unchanged', () => {
  for (const op of ['LSTM', 'GRU'] as const) {
    const all = build({ op, direction: 'forward', layout: 1, batch: 3, H: 5, full: true }, 9);
    const some = build({ op, direction: 'forward', layout: 1, batch: 3, H: 5, full: true, outputs: op === 'LSTM' ? ['', 'Y_h', ''] : ['', 'Y_h'] }, 9);
    for (const t of [fused[0].t, stepped[0].t, js]) {
      const a = run(t, all), b = run(t, some);
      assert.equal(b[0], undefined);
      if (op === 'LSTM') assert.equal(b[2], undefined);
      assert.deepEqual(b[1]!.data, a[1]!.data);
    }
  }
});

test('the sequence kernels refuse lengths past the sequence and extents outside memory', () => {
  const la = fusedLa, H = 4;
  const R = la.pack({ dense: new Float32Array(16 * H).fill(0.1), rows: 16, cols: H }, { persistent: true, format: 'dense' });
  const mark = la.mark();
  try {
    const [gx, h, c, y, rh, tmp, lensF] = la.scratch([2 * 16, H, H, 2 * H, 3 * H, H, 1]);
    const lens = new Int32Array(lensF.buffer, lensF.byteOffset, 1);
    const base: SequenceRun = {
      kind: 'LSTM', R, hidden: H, steps: 2, batch: 1, lens, reverse: false, gx, h, c, y, yStep: H, yBatch: H,
      cell: { acts: [{ id: 0, alpha: 0, beta: 0 }, { id: 1, alpha: 0, beta: 0 }, { id: 1, alpha: 0, beta: 0 }], clip: 0 },
      peep: null, inputForget: false, rb: null, linearBeforeReset: false, rh, tmp,
    };
    lens[0] = 2;
    la.sequence(base);
    lens[0] = 3;
    assert.throws(() => la.sequence(base), (e: unknown) => e instanceof RampartError && /lstmSequence failed with status BadShape/.test(e.message));
    lens[0] = 0;
    assert.throws(() => la.sequence({ ...base, steps: 1 << 26 }), (e: unknown) => e instanceof RampartError && /lstmSequence failed with status OutOfBounds/.test(e.message));
    assert.throws(() => la.sequence({ ...base, yStep: 1 << 28 }), (e: unknown) => e instanceof RampartError && /status OutOfBounds/.test(e.message));
    assert.throws(() => la.sequence({ ...base, kind: 'GRU' }), (e: unknown) => e instanceof RampartError && /GRU R packed as \[16, 4\]/.test(e.message));
  } finally {
    la.release(mark);
  }
});
