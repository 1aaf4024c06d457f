// Gate order and recurrent attributes. A one-unit LSTM / GRU whose gates all get
// different weights is checked against the ONNX equations written out by hand
// (ONNX stacks LSTM gates i,o,f,c and GRU gates z,r,h — tfjs/Keras would read
// i,f,c,o), then a grid of attribute variants (peepholes, clip, directions,
// activations with alpha/beta, linear_before_reset, input_forget, initial states)
// against onnxruntime-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, Tensor } from '../../runtime/ir.ts';
import { f32 } from '../../runtime/tensor.ts';
import { useBackend } from '../../src/train/backend.ts';
import { floats, graphModel, int, maxAbsDiff, node, ortRun, randomTensor, str, strs, tfjsRun, float } from './helpers.ts';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

test('LSTM gate order: W rows are i, o, f, c (closed form and onnxruntime)', async () => {
  await useBackend('wasm');
  const [wi, wo, wf, wc] = [0.5, -1, 2, 1.5];
  const c0 = 0.5, x = 1;
  const model = graphModel([{ name: 'X', shape: [1, 1, 1] }], ['Y_h', 'Y_c'], [
    node('LSTM', ['X', 'W', 'R', '', '', 'h0', 'c0'], ['', 'Y_h', 'Y_c'], { hidden_size: int(1) }),
  ], {
    W: f32([1, 4, 1], [wi, wo, wf, wc]), R: f32([1, 4, 1], [0, 0, 0, 0]),
    h0: f32([1, 1, 1], [0]), c0: f32([1, 1, 1], [c0]),
  });
  const C = sig(wf * x) * c0 + sig(wi * x) * Math.tanh(wc * x);
  const H = sig(wo * x) * Math.tanh(C);
  // The Keras reading of the same rows (i, f, c, o) gives a different state: the test can tell.
  const Ck = sig(wo * x) * c0 + sig(wi * x) * Math.tanh(wf * x);
  assert.ok(Math.abs(Ck - C) > 0.1);
  const feeds = { X: f32([1, 1, 1], [x]) };
  const got = tfjsRun(model, feeds);
  assert.ok(Math.abs(got.Y_c[0] - C) < 1e-6, `c = ${got.Y_c[0]}, expected ${C}`);
  assert.ok(Math.abs(got.Y_h[0] - H) < 1e-6, `h = ${got.Y_h[0]}, expected ${H}`);
  const ref = await ortRun(model, feeds);
  assert.ok(maxAbsDiff(got.Y_h, ref.Y_h) < 1e-6 && maxAbsDiff(got.Y_c, ref.Y_c) < 1e-6);
});

test('GRU gate order z, r, h and linear_before_reset (closed form and onnxruntime)', async () => {
  await useBackend('wasm');
  const [wz, wr, wh] = [0.3, -0.8, 1.2];
  const [rz, rr, rh] = [0.9, 0.4, -1.1];
  const rbh = 0.6, h0 = 0.7, x = 1;
  for (const lbr of [0, 1]) {
    const model = graphModel([{ name: 'X', shape: [1, 1, 1] }], ['Y_h'], [
      node('GRU', ['X', 'W', 'R', 'B', '', 'h0'], ['', 'Y_h'], { hidden_size: int(1), linear_before_reset: int(lbr) }),
    ], {
      W: f32([1, 3, 1], [wz, wr, wh]), R: f32([1, 3, 1], [rz, rr, rh]),
      B: f32([1, 6], [0, 0, 0, 0, 0, rbh]), h0: f32([1, 1, 1], [h0]),
    });
    const z = sig(wz * x + rz * h0);
    const r = sig(wr * x + rr * h0);
    const hh = lbr ? Math.tanh(wh * x + r * (rh * h0 + rbh)) : Math.tanh(wh * x + rh * (r * h0) + rbh);
    const H = (1 - z) * hh + z * h0;
    const feeds = { X: f32([1, 1, 1], [x]) };
    const got = tfjsRun(model, feeds);
    assert.ok(Math.abs(got.Y_h[0] - H) < 1e-6, `linear_before_reset=${lbr}: h = ${got.Y_h[0]}, expected ${H}`);
    assert.ok(maxAbsDiff(got.Y_h, (await ortRun(model, feeds)).Y_h) < 1e-6);
  }
});

interface Variant { op: 'LSTM' | 'GRU' | 'RNN'; label: string; dirs?: 1 | 2; attrs?: Record<string, Attr>; peep?: boolean; states?: boolean }

const VARIANTS: Variant[] = [
  { op: 'LSTM', label: 'peepholes + initial states', peep: true, states: true },
  { op: 'LSTM', label: 'reverse + clip', attrs: { direction: str('reverse'), clip: float(0.4) } },
  { op: 'LSTM', label: 'bidirectional + HardSigmoid/ScaledTanh', dirs: 2, states: true, attrs: {
    direction: str('bidirectional'),
    activations: strs(['HardSigmoid', 'Tanh', 'Tanh', 'Sigmoid', 'ScaledTanh', 'Tanh']),
    activation_alpha: floats([0.3, 0.8]), activation_beta: floats([0.4, 1.3]),
  } },
  { op: 'LSTM', label: 'input_forget', attrs: { input_forget: int(1) } },
  { op: 'GRU', label: 'linear_before_reset=0, bidirectional', dirs: 2, states: true, attrs: { direction: str('bidirectional') } },
  { op: 'GRU', label: 'linear_before_reset=1, reverse', states: true, attrs: { linear_before_reset: int(1), direction: str('reverse') } },
  { op: 'RNN', label: 'Relu', attrs: { activations: strs(['Relu']) } },
  { op: 'RNN', label: 'bidirectional tanh + initial state', dirs: 2, states: true, attrs: { direction: str('bidirectional') } },
];

test('recurrent attribute variants equal onnxruntime within 1e-5 (all outputs)', async () => {
  await useBackend('wasm');
  const T = 5, N = 3, I = 4, H = 6;
  let seed = 10;
  for (const v of VARIANTS) {
    const D = v.dirs ?? 1;
    const G = v.op === 'LSTM' ? 4 : v.op === 'GRU' ? 3 : 1;
    const init: Record<string, Tensor> = {
      W: randomTensor([D, G * H, I], seed++, 0.6), R: randomTensor([D, G * H, H], seed++, 0.6),
      B: randomTensor([D, 2 * G * H], seed++, 0.3),
      lens: { dtype: 'int32', dims: [N], data: new Int32Array(N).fill(T) },
    };
    const ins = ['X', 'W', 'R', 'B', 'lens'];
    if (v.states) {
      init.h0 = randomTensor([D, N, H], seed++, 0.5);
      ins.push('h0');
      if (v.op === 'LSTM') { init.c0 = randomTensor([D, N, H], seed++, 0.5); ins.push('c0'); }
    } else if (v.peep) ins.push('', '');
    if (v.peep) { init.P = randomTensor([D, 3 * H], seed++, 0.5); ins.push('P'); }
    const outs = v.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
    const model = graphModel([{ name: 'X', shape: [T, N, I] }], outs, [
      node(v.op, ins, outs, { hidden_size: int(H), ...v.attrs }),
    ], init);
    const feeds = { X: randomTensor([T, N, I], seed++) };
    const got = tfjsRun(model, feeds);
    const ref = await ortRun(model, feeds);
    for (const o of outs) {
      const d = maxAbsDiff(got[o], ref[o]);
      assert.ok(d < 1e-5, `${v.op} ${v.label}: ${o} differs by ${d}`);
    }
  }
});
