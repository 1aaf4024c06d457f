// The tfjs lowering (src/train/ops/recurrent.ts) on the recurrent semantics it shares
// with the interpreter: layout=1 nodes against onnxruntime on the layout-0 twin (the
// test moves the batch axis itself; onnxruntime refuses layout 1), and the refusals
// of parseRecurrentConfig / checkRecurrentShapes come out word for word as the
// reference kernels word them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, Model, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { recurrentKernels } from '../../runtime/ops/recurrent/index.ts';
import { useBackend } from '../../src/train/backend.ts';
import { graphModel, maxAbsDiff, node, ortRun, randomTensor, tfjsRun } from '../train/helpers.ts';
import { attr } from './harness.ts';

const T = 4, N = 3, I = 3, H = 5;

/** [a, b, inner] -> [b, a, inner]. */
function swap(x: ArrayLike<number>, a: number, b: number, inner: number): Float32Array {
  const out = new Float32Array(a * b * inner);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < inner; k++) out[(j * a + i) * inner + k] = x[(i * b + j) * inner + k];
  return out;
}

interface Variant { op: 'LSTM' | 'GRU' | 'RNN'; label: string; dirs: 1 | 2; attrs: Record<string, Attr> }

const VARIANTS: Variant[] = [
  { op: 'LSTM', label: 'bidirectional, clip', dirs: 2, attrs: { direction: attr.str('bidirectional'), clip: attr.float(0.8) } },
  { op: 'GRU', label: 'reverse, linear_before_reset', dirs: 1, attrs: { direction: attr.str('reverse'), linear_before_reset: attr.int(1) } },
  { op: 'RNN', label: 'bidirectional, one direction\'s [Softplus] for both', dirs: 2, attrs: { direction: attr.str('bidirectional'), activations: attr.strs(['Softplus']) } },
];

function model(v: Variant, layout: 0 | 1, init: Record<string, Tensor>): Model {
  const outs = v.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const ins = v.op === 'LSTM' ? ['X', 'W', 'R', 'B', '', 'h0', 'c0'] : ['X', 'W', 'R', 'B', '', 'h0'];
  let attrs: Record<string, Attr> = { hidden_size: attr.int(H), ...v.attrs };
  if (layout) attrs.layout = attr.int(1);
  // onnxruntime wants a bidirectional list written out for both directions.
  if (!layout && attrs.activations?.type === 'strings' && attrs.activations.value.length === 1 && v.dirs === 2) {
    attrs = { ...attrs, activations: attr.strs([...attrs.activations.value, ...attrs.activations.value]) };
  }
  return graphModel([{ name: 'X', shape: layout ? [N, T, I] : [T, N, I] }], outs, [node(v.op, ins, outs, attrs)], init);
}

test('tfjs lowering, layout 1: equal to onnxruntime on the layout-0 twin', async () => {
  await useBackend('wasm');
  let seed = 300;
  for (const v of VARIANTS) {
    const D = v.dirs, G = { LSTM: 4, GRU: 3, RNN: 1 }[v.op];
    const base = { W: randomTensor([D, G * H, I], seed++, 1.2), R: randomTensor([D, G * H, H], seed++, 1.2), B: randomTensor([D, 2 * G * H], seed++, 0.4) };
    const h0 = randomTensor([N, D, H], seed++), c0 = randomTensor([N, D, H], seed++), x = randomTensor([N, T, I], seed++);
    const firstInit: Record<string, Tensor> = { ...base, h0, c0 };
    const twinInit: Record<string, Tensor> = {
      ...base, h0: { ...h0, dims: [D, N, H], data: swap(h0.data as Float32Array, N, D, H) }, c0: { ...c0, dims: [D, N, H], data: swap(c0.data as Float32Array, N, D, H) },
    };
    const got = tfjsRun(model(v, 1, firstInit), { X: x });
    const want = await ortRun(model(v, 0, twinInit), { X: { ...x, dims: [T, N, I], data: swap(x.data as Float32Array, N, T, I) } });
    const d = [
      maxAbsDiff(got.Y, swap(want.Y, T * D, N, H)),
      ...['Y_h', 'Y_c'].filter((o) => o in want).map((o) => maxAbsDiff(got[o], swap(want[o], D, N, H))),
    ];
    d.forEach((e, i) => assert.ok(e < 1e-5, `${v.op} ${v.label}: output ${i} differs by ${e}`));
  }
});

test('tfjs lowering refuses what the reference refuses, with the same message', async () => {
  await useBackend('wasm');
  const init = { W: randomTensor([1, 3 * H, I], 1), R: randomTensor([1, 3 * H, H], 2) };
  const refusals: [string, Record<string, Attr>, number[]][] = [
    ['layout 2', { layout: attr.int(2) }, [T, N, I]],
    ['an unknown activation', { activations: attr.strs(['Sigmoid', 'Swish']) }, [T, N, I]],
    ['a surplus alpha', { activation_alpha: attr.floats([0.2]) }, [T, N, I]],
    ['X against W in layout 1', { layout: attr.int(1) }, [N, T, I + 1]],
  ];
  for (const [label, attrs, xDims] of refusals) {
    const n = node('GRU', ['X', 'W', 'R'], ['Y'], { hidden_size: attr.int(H), ...attrs }, 'gru');
    const x = randomTensor(xDims, 3);
    const message = (fn: () => unknown) => {
      try { fn(); } catch (e) { assert.ok(e instanceof RampartError, `${label}: ${String(e)}`); return e.message; }
      return assert.fail(`${label}: accepted`);
    };
    const ref = message(() => recurrentKernels.GRU([x, init.W, init.R], n, { opset: 14 }));
    const low = message(() => tfjsRun(graphModel([{ name: 'X', shape: xDims }], ['Y'], [n], init), { X: x }));
    assert.ok(low.includes(ref), `${label}: the lowering says "${low}", the reference "${ref}"`);
  }
});
