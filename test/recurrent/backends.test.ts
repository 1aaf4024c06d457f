// Every backend accepts and refuses the same recurrent models. An enumeration of the
// attribute combinations (layout x direction x activation lists x clip x GRU
// linear_before_reset / LSTM input_forget, with and without the optional inputs) runs
// on the reference, js and wasm backends, the last two also with their weights forced
// to CSR. Each case the spec allows must be accepted by all of them and match
// onnxruntime-node; each it does not must be refused by all of them with the same
// RampartError. onnxruntime 1.30 refuses layout=1 outright, so a layout-1 case is
// checked against onnxruntime running the layout-0 node on the same data with the
// batch axis moved (the spec's definition of layout; ONNX's *_batchwise conformance
// cases, in test/conformance/manifest.ts, check it against the spec's own outputs).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { backendFromLinalg, jsKernelTable, wasmKernelTable } from '../../runtime/kernels/index.ts';
import { JsLinalg } from '../../runtime/kernels/js-linalg.ts';
import { WasmLinalg } from '../../runtime/kernels/wasm-linalg.ts';
import type { KernelTable } from '../../runtime/ops/types.ts';
import { ACTIVATION_NAMES as ACTIVATION_IDS } from '../../runtime/kernels/enums.ts';
import { ACTIVATION_NAMES, recurrentKernels } from '../../runtime/ops/recurrent/index.ts';
import { attr, int32, randTensor, rng, runOrt, runTable, type RecurrentCase } from './harness.ts';

type Op = RecurrentCase['op'];
const OPS: Op[] = ['LSTM', 'GRU', 'RNN'];
const DIRECTIONS = ['forward', 'reverse', 'bidirectional'] as const;
type Dir = (typeof DIRECTIONS)[number];

// From the ONNX operator spec (not from the code under test): gates per op, the
// activations of one direction, and the activation functions with how many of
// (alpha, beta) each takes.
const GATES: Record<Op, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const PER_DIRECTION: Record<Op, number> = { LSTM: 3, GRU: 2, RNN: 1 };
const SPEC_ACTIVATIONS: [string, 0 | 1 | 2][] = [
  ['Relu', 0], ['Tanh', 0], ['Sigmoid', 0], ['Affine', 2], ['LeakyRelu', 1], ['ThresholdedRelu', 1],
  ['ScaledTanh', 2], ['HardSigmoid', 2], ['Elu', 1], ['Softsign', 0], ['Softplus', 0],
];

const S = 4, N = 3, I = 3;

const jsCsr = backendFromLinalg(new JsLinalg());
jsCsr.env!.format = 'csr';
const wasmCsr = backendFromLinalg(await WasmLinalg.create());
wasmCsr.env!.format = 'csr';
const BACKENDS: [string, KernelTable][] = [
  ['reference', recurrentKernels], ['js', jsKernelTable()], ['wasm', await wasmKernelTable()],
  ['js, CSR weights', jsCsr.table], ['wasm, CSR weights', wasmCsr.table],
];

interface Shape {
  op: Op;
  layout: number;
  direction: Dir;
  H: number;
  /** 0: X, W, R only; 1: + B and initial states; 2: + sequence_lens (and LSTM peepholes). */
  optional: number;
  scale: number;
  seed: number;
}

const dirsOf = (d: Dir) => (d === 'bidirectional' ? 2 : 1);

/** Inputs in the node's layout: batch-first X and states when layout = 1. */
function inputs(s: Shape): (Tensor | undefined)[] {
  const r = rng(s.seed);
  const D = dirsOf(s.direction), G = GATES[s.op], H = s.H;
  const state = () => randTensor(r, s.layout === 1 ? [N, D, H] : [D, N, H]);
  const ins: (Tensor | undefined)[] = [
    randTensor(r, s.layout === 1 ? [N, S, I] : [S, N, I]),
    randTensor(r, [D, G * H, I], -s.scale, s.scale),
    randTensor(r, [D, G * H, H], -s.scale, s.scale),
    s.optional >= 1 ? randTensor(r, [D, 2 * G * H], -0.5, 0.5) : undefined,
    // No zero-length row: onnxruntime's RNN reads out of bounds on one (ort-cases.test.ts).
    s.optional >= 2 ? int32([N], [S, 2, S - 1]) : undefined,
    s.optional >= 1 ? state() : undefined,
  ];
  if (s.op === 'LSTM') ins.push(s.optional >= 1 ? state() : undefined, s.optional >= 2 ? randTensor(r, [D, 3 * H]) : undefined);
  while (ins.length > 3 && ins[ins.length - 1] === undefined) ins.pop();
  return ins;
}

/** [a, b, inner] -> [b, a, inner]: the test's own transposition, to move the batch axis. */
function swap(t: Tensor, a: number, b: number, inner: number, dims: number[]): Tensor {
  const x = t.data as Float32Array, out = new Float32Array(x.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < inner; k++) out[(j * a + i) * inner + k] = x[(i * b + j) * inner + k];
  return { dtype: t.dtype, dims, data: out };
}

interface ActList { names: string[]; alpha: number[]; beta: number[] }

/** `count` activations from the spec's list, starting at `from`, each parameter given. */
function activationList(count: number, from: number): ActList {
  const out: ActList = { names: [], alpha: [], beta: [] };
  for (let i = 0; i < count; i++) {
    const [name, params] = SPEC_ACTIVATIONS[(from + i) % SPEC_ACTIVATIONS.length];
    out.names.push(name);
    if (params >= 1) out.alpha.push(0.3 + 0.1 * (out.alpha.length % 4));
    if (params === 2) out.beta.push(0.45 - 0.05 * (out.beta.length % 3));
  }
  return out;
}

function actAttrs(l: ActList): Record<string, Attr> {
  const a: Record<string, Attr> = { activations: attr.strs(l.names) };
  if (l.alpha.length) a.activation_alpha = attr.floats(l.alpha);
  if (l.beta.length) a.activation_beta = attr.floats(l.beta);
  return a;
}

/** How a case names its activations, and the list onnxruntime is given for the same maths. */
interface ActVariant { label: string; node: Record<string, Attr>; ort: Record<string, Attr> }

function activationVariants(op: Op, direction: Dir, k: number): ActVariant[] {
  const per = PER_DIRECTION[op], D = dirsOf(direction);
  const full = activationList(per * D, k);
  const out: ActVariant[] = [
    { label: 'default activations', node: {}, ort: {} },
    { label: `activations [${full.names.join(', ')}]`, node: actAttrs(full), ort: actAttrs(full) },
  ];
  if (D === 2) {
    // One direction's list serves both; onnxruntime wants it written out twice.
    const one = activationList(per, k + 5);
    const twice = { names: [...one.names, ...one.names], alpha: [...one.alpha, ...one.alpha], beta: [...one.beta, ...one.beta] };
    out.push({ label: `one direction's activations [${one.names.join(', ')}] for both`, node: actAttrs(one), ort: actAttrs(twice) });
  }
  if (op === 'RNN' && D === 1) {
    // The spec's documented RNN default is [Tanh, Tanh]; a one-direction node uses the first.
    const tt = { activations: attr.strs(['Tanh', 'Tanh']) };
    out.push({ label: 'activations [Tanh, Tanh] (the spec\'s RNN default)', node: tt, ort: tt });
  }
  return out;
}

interface Accepted { label: string; node: RecurrentCase; ort: RecurrentCase; shape: Shape }

/** The node as onnxruntime runs it: layout 0, the data with the batch axis moved back. */
function ortCase(s: Shape, ins: (Tensor | undefined)[], attrs: Record<string, Attr>): RecurrentCase {
  const D = dirsOf(s.direction);
  const { layout: _, ...rest } = attrs;
  const moved = ins.map((t, i) => {
    if (!t || s.layout === 0) return t;
    if (i === 0) return swap(t, N, S, I, [S, N, I]);
    if (i === 5 || i === 6) return swap(t, N, D, s.H, [D, N, s.H]);
    return t;
  });
  return { op: s.op, inputs: moved, attrs: rest };
}

/** onnxruntime's layout-0 outputs in the node's layout. */
function ortOutputs(s: Shape, out: Tensor[]): Tensor[] {
  if (s.layout === 0) return out;
  const D = dirsOf(s.direction), H = s.H;
  return out.map((t, i) => (i === 0 ? swap(t, S * D, N, H, [N, S, D, H]) : swap(t, D, N, H, [N, D, H])));
}

function enumerateAccepted(): Accepted[] {
  const out: Accepted[] = [];
  let k = 0;
  for (const op of OPS) {
    for (const layout of [0, 1]) {
      for (const direction of DIRECTIONS) {
        for (const clip of [null, 0.7]) {
          for (const flag of op === 'RNN' ? [0] : [0, 1]) {
            for (const v of activationVariants(op, direction, k)) {
              k++;
              // H 4 reaches the WASM cells' four-lane paths, H 5 their scalar tails.
              const shape: Shape = { op, layout, direction, H: 4 + (k % 2), optional: k % 3, scale: clip ? 1.5 : 0.7, seed: 100 + k };
              const attrs: Record<string, Attr> = { hidden_size: attr.int(shape.H), direction: attr.str(direction), ...v.node };
              if (layout) attrs.layout = attr.int(layout);
              if (clip) attrs.clip = attr.float(clip);
              if (flag && op === 'GRU') attrs.linear_before_reset = attr.int(1);
              if (flag && op === 'LSTM') attrs.input_forget = attr.int(1);
              const flags = flag ? (op === 'GRU' ? ', linear_before_reset' : ', input_forget') : '';
              const label = `${op} layout ${layout} ${direction}${clip ? ', clip' : ''}${flags}, ${v.label}, optional inputs ${shape.optional}`;
              const ins = inputs(shape);
              out.push({ label, shape, node: { op, inputs: ins, attrs }, ort: ortCase(shape, ins, { ...attrs, ...v.ort }) });
            }
          }
        }
      }
    }
  }
  return out;
}

const TOL = 1e-5;

/** max |got - want| / (1 + |want|): activations like Affine and Relu are unbounded. */
function relDiff(got: Tensor, want: Tensor): number {
  assert.deepEqual(got.dims, want.dims);
  const a = got.data as Float32Array, b = want.data as Float32Array;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

const accepted = enumerateAccepted();
const seen = new Map<Op, Set<string>>(OPS.map((op) => [op, new Set()]));

for (const a of accepted) {
  test(`accepted everywhere, = onnxruntime: ${a.label}`, async (t: TestContext) => {
    const want = ortOutputs(a.shape, await runOrt(a.ort));
    const worst: string[] = [];
    for (const [name, table] of BACKENDS) {
      const got = runTable(table, a.node);
      const diffs = want.map((w, i) => relDiff(got[i], w));
      worst.push(`${name} ${Math.max(...diffs).toExponential(1)}`);
      diffs.forEach((d, i) => assert.ok(d <= TOL, `${name}, output ${i}: relative difference from onnxruntime ${d}`));
    }
    t.diagnostic(worst.join('; '));
    const names = a.node.attrs.activations;
    for (const n of names?.type === 'strings' ? names.value : []) seen.get(a.shape.op)!.add(n);
  });
}

test('the enumeration names every activation of the spec for every op, and both layouts', () => {
  for (const op of OPS) assert.deepEqual([...seen.get(op)!].sort(), SPEC_ACTIVATIONS.map(([n]) => n).sort(), op);
  assert.ok(accepted.some((a) => a.shape.layout === 1) && accepted.some((a) => a.shape.layout === 0));
});

// Refusals: every backend refuses, with the same message (the reference's).
interface Refused { label: string; c: RecurrentCase; why: RegExp }

function enumerateRefused(): Refused[] {
  const out: Refused[] = [];
  let k = 0;
  for (const op of OPS) {
    for (const layout of [0, 1]) {
      for (const direction of ['forward', 'bidirectional'] as const) {
        k++;
        const shape: Shape = { op, layout, direction, H: 4, optional: 1, scale: 0.7, seed: 500 + k };
        const D = dirsOf(direction), G = GATES[op], per = PER_DIRECTION[op];
        const base: Record<string, Attr> = { hidden_size: attr.int(4), direction: attr.str(direction), layout: attr.int(layout) };
        const mk = (label: string, why: RegExp, attrs: Record<string, Attr>, edit?: (ins: (Tensor | undefined)[]) => void) => {
          const ins = inputs(shape);
          edit?.(ins);
          out.push({ label: `${op} layout ${layout} ${direction}: ${label}`, c: { op, inputs: ins, attrs: { ...base, ...attrs } }, why });
        };
        const r = rng(900 + k);
        mk('layout 2', /layout=2/, { layout: attr.int(2) });
        mk('an unknown direction', /direction 'sideways'/, { direction: attr.str('sideways') });
        mk('an unknown activation', /unknown activation 'Swish'/, { activations: attr.strs(Array(per * D).fill('Swish')) });
        // 2·per·D + 1: a forward RNN may carry two (the spec's [Tanh, Tanh]), so count past that.
        mk('too many activations', /activations lists/, { activations: attr.strs(Array(2 * per * D + 1).fill('Tanh')) });
        mk('an alpha no activation takes', /activation_alpha/, { activation_alpha: attr.floats([0.3]) });
        mk('clip 0', /clip=0/, { clip: attr.float(0) });
        mk('hidden_size disagreeing with W and R', /W has shape/, { hidden_size: attr.int(5) });
        mk('X of the wrong input size', /X has shape/, {}, (ins) => { ins[0] = randTensor(r, layout ? [N, S, I + 1] : [S, N, I + 1]); });
        mk('B of the wrong shape', /B has shape/, {}, (ins) => { ins[3] = randTensor(r, [D, G * 4]); });
        mk('sequence_lens beyond the sequence', /sequence_lens holds/, {}, (ins) => { ins[4] = int32([N], [S, S + 1, 1]); });
        mk('a negative sequence_lens', /sequence_lens holds -1/, {}, (ins) => { ins[4] = int32([N], [S, -1, 1]); });
        // The other layout's state shape ([dirs, batch, H] vs [batch, dirs, H]; batch 3 is neither 1 nor 2).
        mk('initial_h in the other layout', /initial_h has shape/, {}, (ins) => { ins[5] = randTensor(r, layout ? [D, N, 4] : [N, D, 4]); });
        if (op === 'LSTM') mk('P of the wrong shape', /P has shape/, {}, (ins) => { ins[7] = randTensor(r, [D, 4 * 4]); });
      }
    }
  }
  return out;
}

for (const f of enumerateRefused()) {
  test(`refused everywhere, with one message: ${f.label}`, () => {
    const messages = BACKENDS.map(([name, table]) => {
      try {
        runTable(table, f.c);
      } catch (e) {
        assert.ok(e instanceof RampartError, `${name} threw ${String(e)}, not a RampartError`);
        return e.message;
      }
      assert.fail(`${name} accepted it`);
    });
    assert.match(messages[0], f.why);
    assert.match(messages[0], new RegExp(`node '${f.c.op.toLowerCase()}_under_test'`));
    messages.forEach((m, i) => assert.equal(m, messages[0], `${BACKENDS[i][0]} refuses with a different message`));
  });
}

test('the WASM boundary has every activation the reference accepts', () => {
  assert.deepEqual([...ACTIVATION_IDS].sort(), [...ACTIVATION_NAMES].sort());
});

// Each activation on inputs far beyond where a naive formula overflows, against closed
// forms (float64 here, rounded to float32): an RNN with W = 1 and R = 0 makes Y = f(X).
// Hidden 6 runs the WASM four-lane body and its scalar tail.
test('every activation on large inputs, every backend, against closed forms', () => {
  const xs = [-200, -30, -2.5, -0.5, 0, 0.5, 2.5, 30, 200];
  const a = 0.7, b = 0.4;
  const closed: Record<string, (x: number) => number> = {
    Relu: (x) => Math.max(x, 0),
    Tanh: Math.tanh,
    Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    Affine: (x) => a * x + b,
    LeakyRelu: (x) => (x >= 0 ? x : a * x),
    ThresholdedRelu: (x) => (x > a ? x : 0),
    ScaledTanh: (x) => a * Math.tanh(b * x),
    HardSigmoid: (x) => Math.min(1, Math.max(0, a * x + b)),
    Elu: (x) => (x >= 0 ? x : a * (Math.exp(x) - 1)),
    Softsign: (x) => x / (1 + Math.abs(x)),
    // log(1 + e^x): = x to float32 precision at 200 (e^200 overflows float32), = e^x at -200.
    Softplus: (x) => (x > 30 ? x : Math.log1p(Math.exp(x))),
  };
  const H = 6, T = xs.length;
  for (const [name, params] of SPEC_ACTIVATIONS) {
    const attrs: Record<string, Attr> = { hidden_size: attr.int(H), activations: attr.strs([name]) };
    if (params >= 1) attrs.activation_alpha = attr.floats([a]);
    if (params === 2) attrs.activation_beta = attr.floats([b]);
    const c: RecurrentCase = {
      op: 'RNN', attrs,
      inputs: [
        { dtype: 'float32', dims: [T, 1, 1], data: Float32Array.from(xs) },
        { dtype: 'float32', dims: [1, H, 1], data: new Float32Array(H).fill(1) },
        { dtype: 'float32', dims: [1, H, H], data: new Float32Array(H * H) },
      ],
    };
    const want = xs.flatMap((x) => Array<number>(H).fill(Math.fround(closed[name](x))));
    for (const [backend, table] of BACKENDS) {
      const y = runTable(table, c)[0].data as Float32Array;
      want.forEach((w, i) => {
        const ok = Math.abs(y[i] - w) <= 1e-6 * (1 + Math.abs(w));
        assert.ok(ok, `${name} on ${backend}: f(${xs[Math.floor(i / H)]}) = ${y[i]}, expected ${w}`);
      });
    }
  }
});
