// Each scorer against a closed form on a tiny network, computed here in plain
// double-precision JS from the formulas (not through the code under test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCORERS, type ScoreContext } from '../../src/prune/scorers/index.ts';
import { GRASP_TEMPERATURE } from '../../src/prune/scorers/grasp.ts';
import { currentMasks, pruneTargets } from '../../src/prune/targets.ts';
import { tfjsGradients } from '../../src/prune/tfgrad.ts';
import { mlp, model, node, tensorOf } from './helpers.ts';

const C = 3, I = 4, B = 5;
const Wv = [0.3, -0.2, 0.5, 0.1, -0.4, 0.25, 0.05, -0.3, 0.15, 0.35, -0.1, 0.2]; // [C, I]
const X = Array.from({ length: B * I }, (_, k) => Math.sin(k + 1)); // [B, I]
const labels = Uint8Array.from([0, 2, 1, 1, 0]);
const linear = mlp([{ name: 'W', out: C, in: I, values: Wv }]);

function ctx(model = linear): ScoreContext {
  const targets = pruneTargets(model);
  return {
    model, targets, masks: currentMasks(targets), seed: 1, round: 0, gradients: tfjsGradients,
    batch: { input: { dtype: 'float32', dims: [B, I], data: Float32Array.from(X) }, labels },
  };
}

/** softmax(W x_b / T) for each sample, [B][C]. */
function probs(T: number): number[][] {
  return Array.from({ length: B }, (_, b) => {
    const z = Array.from({ length: C }, (_, c) => Array.from({ length: I }, (_, i) => Wv[c * I + i] * X[b * I + i]).reduce((s, v) => s + v, 0) / T);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  });
}

/** ∂L/∂W of the mean cross-entropy of softmax(Wx/T): (1/B) Σ_b (p_b − y_b) x_bᵀ / T. */
function lossGrad(T: number): number[] {
  const p = probs(T);
  const g = new Array<number>(C * I).fill(0);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let i = 0; i < I; i++) {
    g[c * I + i] += ((p[b][c] - (labels[b] === c ? 1 : 0)) * X[b * I + i]) / (T * B);
  }
  return g;
}

function close(actual: ArrayLike<number>, expected: number[], rel: number): void {
  const scale = Math.max(...expected.map(Math.abs));
  expected.forEach((e, k) => assert.ok(Math.abs(actual[k] - e) <= rel * scale, `entry ${k}: ${actual[k]} vs ${e}`));
}

test('magnitude is |w|; random is seeded and reproducible', async () => {
  const [m] = await SCORERS.magnitude.score(ctx());
  assert.deepEqual([...m], Wv.map((w) => Math.fround(Math.abs(w))));
  const [r1] = await SCORERS.random.score(ctx());
  const [r2] = await SCORERS.random.score(ctx());
  const [r3] = await SCORERS.random.score({ ...ctx(), seed: 2 });
  assert.deepEqual(r1, r2);
  assert.notDeepEqual(r1, r3);
});

test('SNIP on a linear layer: |∂L/∂W ⊙ W| / Σ with the closed-form softmax gradient', async () => {
  const g = lossGrad(1);
  const raw = g.map((gi, k) => Math.abs(gi * Wv[k]));
  const sum = raw.reduce((a, b) => a + b, 0);
  const [s] = await SCORERS.snip.score(ctx());
  close(s, raw.map((v) => v / sum), 1e-4);
});

test('GraSP on a linear layer: W ⊙ Hg with the closed-form softmax Hessian (T = 200)', async () => {
  const T = GRASP_TEMPERATURE;
  const g = lossGrad(T);
  const p = probs(T);
  // H·V for z = Wx/T: (1/(B T²)) Σ_b (diag p_b − p_b p_bᵀ)(V x_b) x_bᵀ, with V = g.
  const hv = new Array<number>(C * I).fill(0);
  for (let b = 0; b < B; b++) {
    const u = Array.from({ length: C }, (_, c) => Array.from({ length: I }, (_, i) => g[c * I + i] * X[b * I + i]).reduce((s, v) => s + v, 0));
    const pu = p[b].reduce((s, pc, c) => s + pc * u[c], 0);
    for (let c = 0; c < C; c++) {
      const ju = p[b][c] * u[c] - p[b][c] * pu;
      for (let i = 0; i < I; i++) hv[c * I + i] += (ju * X[b * I + i]) / (B * T * T);
    }
  }
  const raw = hv.map((h, k) => Wv[k] * h);
  const norm = Math.abs(raw.reduce((a, b) => a + b, 0)) + 1e-10;
  const [s] = await SCORERS.grasp.score(ctx());
  // H·v is a finite difference in float32 (tfjs cannot differentiate twice): a few % error.
  close(s, raw.map((v) => v / norm), 1e-3);
  // The ranking — all a mask depends on — agrees exactly here.
  const order = (a: ArrayLike<number>) => Array.from(a, (v, k) => [v, k]).sort((x, y) => x[0] - y[0]).map((x) => x[1]);
  assert.deepEqual(order(s), order(raw));
});

test('SynFlow on a 2-layer linear net: R = 1ᵀ|W2||W1|1, scores |W1|·colsum|W2| and |W2|·rowsum|W1|', async () => {
  const W1 = [0.5, -1, 0.25, 2, -0.5, 1.5, 1, 0.2, -0.3, 0.7, 0.4, -0.6]; // [3, 4]
  const W2 = [1, -2, 0.5, -0.25, 0.75, 3]; // [2, 3]
  const net = mlp([{ name: 'W1', out: 3, in: 4, values: W1 }, { name: 'W2', out: 2, in: 3, values: W2 }]);
  const c = { ...ctx(net), batch: undefined, onesShape: [1, 4] };
  const [s1, s2] = await SCORERS.synflow.score(c);
  const col = [0, 1, 2].map((j) => Math.abs(W2[j]) + Math.abs(W2[3 + j]));
  const row = [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((s, i) => s + Math.abs(W1[j * 4 + i]), 0));
  close(s1, W1.map((w, k) => Math.abs(w) * col[Math.floor(k / 4)]), 1e-5);
  close(s2, W2.map((w, k) => Math.abs(w) * row[k % 3]), 1e-5);
});

test('scores come back in matrix layout whatever the storage: MatMul B = Wᵀ scores like Gemm W', async () => {
  const Wt = Array.from({ length: I * C }, (_, k) => Wv[(k % C) * I + Math.floor(k / C)]); // [I, C]
  const mm = model([node('mm', 'MatMul', ['x', 'Wt'], ['y'])], { Wt: tensorOf([I, C], Wt) }, { name: 'x', shape: ['N', I] }, ['y']);
  const [a] = await SCORERS.snip.score(ctx());
  const [b] = await SCORERS.snip.score(ctx(mm));
  close(b, Array.from(a), 1e-5);
});
