// Whole models with block-pruned weights (whole 4x1 / 8x1 / 16x1 blocks zeroed here,
// natural or gate-fused) on the js and wasm backends, chosen by cost and forced to
// BSR, against onnxruntime-node and the reference backend; streaming over BSR weights
// against the whole-sequence run, allocating nothing per step; and the packer's
// choice against the cost model worked out here from the mask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from '../../runtime/index.ts';
import type { Model, Node, Tensor as IrTensor } from '../../runtime/ir.ts';
import { COSTS } from '../../runtime/kernels/crossover.ts';
import { DENSE_MARGIN, type FormatCosts } from '../../runtime/kernels/linalg.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { corpus } from './corpus.ts';
import { syntheticModels } from './synthetic.ts';
import { maxAbsDiff, ortRun, randomFloats, stepOf } from './helpers.ts';
import { blockPrune, blockRows, type MaskLayout } from './bsr-masks.ts';

const TOL = 1e-4;
const MASKS: [number, MaskLayout][] = [[4, 'natural'], [8, 'gate-fused'], [16, 'natural'], [16, 'gate-fused']];

for (const c of [...corpus(), ...syntheticModels()]) {
  for (const [br, layout] of MASKS) {
    test(`${c.name}, ${br}x1 ${layout} blocks, 75% pruned: js and wasm (by cost and forced BSR) match onnxruntime-node and the reference`, async () => {
      const model = blockPrune(c.model, br, layout, 0.25, br);
      const want = await ortRun(encodeModel(model), c.feeds);
      const ref = await (await InferenceSession.fromModel(model, { backend: 'reference' })).run(c.feeds);
      for (const name of Object.keys(want)) assert.ok(maxAbsDiff(ref[name].data as Float32Array, want[name]) <= TOL, `reference '${name}'`);
      for (const backend of ['js', 'wasm'] as const) {
        for (const format of ['auto', { bsr: br }] as const) {
          const s = await InferenceSession.fromModel(model, { backend, format });
          const got = await s.run(c.feeds);
          const label = `${backend}/${typeof format === 'object' ? `bsr${br}` : format}`;
          for (const name of s.outputNames) {
            assert.ok(maxAbsDiff(got[name].data as Float32Array, want[name]) <= TOL, `${label} '${name}' vs onnxruntime`);
            assert.ok(maxAbsDiff(got[name].data as Float32Array, ref[name].data as Float32Array) <= TOL, `${label} '${name}' vs reference`);
          }
          if (typeof format === 'object') {
            assert.ok(s.layers().length > 0 && s.layers().every((l) => l.format === 'bsr' && l.block?.br === br), `${label}: every weight ran as BSR ${br}x1`);
          }
        }
      }
    });
  }
}

const recurrent = corpus().filter((c) => c.model.graph.nodes.some((n) => ['LSTM', 'GRU', 'RNN'].includes(n.op))
  && !c.model.graph.nodes.some((n) => n.attrs.direction?.value === 'bidirectional'));

for (const c of recurrent) {
  test(`${c.name}: streaming over BSR weights ends at the whole-sequence outputs`, async () => {
    for (const [br, layout] of [[8, 'gate-fused'], [16, 'natural']] as const) {
      const model = blockPrune(c.model, br, layout, 0.25, 3);
      const want = await ortRun(encodeModel(model), c.feeds);
      for (const backend of ['js', 'wasm'] as const) {
        const s = await InferenceSession.fromModel(model, { backend, format: { bsr: br } });
        const st = s.createStream();
        const x = c.feeds[s.inputNames[0]];
        const feeds: Record<string, IrTensor> = { ...c.feeds };
        let out: Record<string, IrTensor> = {};
        for (let t = 0; t < x.dims[1]; t++) {
          feeds[s.inputNames[0]] = stepOf(x, t);
          out = st.step(feeds);
        }
        for (const k of s.outputNames) assert.ok(maxAbsDiff(out[k].data as Float32Array, want[k]) <= TOL, `${backend} ${br}x1 ${layout} '${k}'`);
        assert.deepEqual(st.allocating, []);
        assert.ok(s.layers().some((l) => l.format === 'bsr'), 'the recurrent weights ran as BSR');
      }
    }
  });
}

test('a stream step over BSR weights allocates nothing (heap flat over 20000 steps, in a fresh process)', () => {
  for (const backend of ['wasm', 'js']) {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./stream-alloc.ts', import.meta.url)), backend, 'lstm', '20000', 'bsr'], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const { least, allocating, formats } = JSON.parse(child.stdout) as { least: number; allocating: string[]; formats: string[] };
    assert.deepEqual(allocating, []);
    assert.ok(formats.includes('bsr'), `${backend}: the stream ran BSR weights (${formats})`);
    assert.ok(least < 32 * 1024, `${backend}: heap grew ${least} bytes over 20000 steps`);
  }
});

// ---- the packer's choice against the cost model, worked out here from the mask ----

function lstm(H: number, I: number, T: number, W: Float32Array, R: Float32Array): Model {
  const node: Node = { name: 'lstm', op: 'LSTM', domain: '', inputs: ['x', 'W', 'R'], outputs: ['', 'yh'], attrs: { hidden_size: { type: 'int', value: H } } };
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', functions: [], metadata: {},
    graph: {
      name: 'lstm', nodes: [node], valueInfo: {},
      initializers: { W: { dtype: 'float32', dims: [1, 4 * H, I], data: W }, R: { dtype: 'float32', dims: [1, 4 * H, H], data: R } },
      inputs: [{ name: 'x', dtype: 'float32', shape: [T, 1, I] }], outputs: [{ name: 'yh', dtype: 'float32', shape: null }],
    },
  };
}

/** A [4H, H] recurrent weight with whole br x 1 blocks kept with probability keep. */
function maskedR(H: number, br: number, layout: MaskLayout, keep: number, seed: number): Float32Array {
  const w = randomFloats(4 * H * H, seed).map((v) => v || 0.5), pick = randomFloats(4 * H * H, seed + 1);
  let q = 0;
  for (const b of blockRows(4 * H, br, layout, 4, H, 1)) {
    for (let c = 0; c < H; c++, q++) if ((pick[q] + 1) / 2 >= keep) for (const r of b) if (r >= 0) w[r * H + c] = 0;
  }
  return w;
}

/** The estimated time of each format for a dense [rows, cols] matrix w, counted here (the greedy covers of runtime/bsr.ts's contract). */
function estimates(w: Float32Array, rows: number, cols: number, H: number, costs: FormatCosts): Map<string, { t: number; stored: number }> {
  const out = new Map<string, { t: number; stored: number }>();
  out.set('dense', { t: rows * cols * costs.dense.nsPerWeight + rows * costs.dense.nsPerRow, stored: rows * cols });
  // CSR as the backend stores it: nonzeros (js), rows padded to 4 (wasm gemmT) or a greedy cover by 1x4 groups (wasm gemv).
  let csr = 0;
  for (let r = 0; r < rows; r++) {
    let covered = -1, nz = 0;
    for (let c = 0; c < cols; c++) {
      if (w[r * cols + c] === 0) continue;
      nz++;
      if (costs.csr.layout === 'blocked' && c >= covered) { csr += 4; covered = Math.min(c, cols - 4) + 4; }
    }
    if (costs.csr.layout === 'plain') csr += nz;
    if (costs.csr.layout === 'padded') csr += (nz + 3) & ~3;
  }
  out.set('csr', { t: csr * costs.csr.nsPerWeight + rows * costs.csr.nsPerRow, stored: csr });
  for (const br of [4, 8, 16] as const) {
    for (const layout of ['natural', 'gate-fused'] as const) {
      const blocks = blockRows(rows, br, layout, 4, H, 1);
      let n = 0;
      for (const b of blocks) for (let c = 0; c < cols; c++) if (b.some((r) => r >= 0 && w[r * cols + c] !== 0)) n++;
      out.set(`bsr${br}${layout}`, { t: n * br * costs.bsr[br].nsPerWeight + blocks.length * costs.bsr[br].nsPerRow, stored: n * br });
    }
  }
  return out;
}

test('the packer gives a block-masked recurrent weight the BSR the cost model says is fastest, and a dense one stays dense', async () => {
  const H = 128, I = 28;
  const cases: [string, Float32Array, boolean][] = [
    ['16x1 natural 75%', maskedR(H, 16, 'natural', 0.25, 1), true],
    ['8x1 gate-fused 75%', maskedR(H, 8, 'gate-fused', 0.25, 2), true],
    ['4x1 natural 90%', maskedR(H, 4, 'natural', 0.1, 3), true],
    ['dense', randomFloats(4 * H * H, 4).map((v) => v || 0.5), false],
  ];
  for (const [what, R, sparse] of cases) {
    const model = lstm(H, I, 3, randomFloats(4 * H * I, 9), R);
    for (const backend of ['js', 'wasm'] as const) {
      const s = await InferenceSession.fromModel(model, { backend });
      await s.run({ x: new Tensor('float32', randomFloats(3 * I, 5), [3, 1, I]) });
      const rec = s.layers().find((l) => l.input === 'R')!;
      const est = estimates(R, 4 * H, H, H, COSTS[backend].gemv);
      // Dense unless another format is estimated DENSE_MARGIN faster.
      est.get('dense')!.t *= DENSE_MARGIN;
      const [best] = [...est.entries()].sort((a, b) => a[1].t - b[1].t)[0];
      const got = rec.format === 'bsr' ? `bsr${rec.block!.br}${rec.block!.map}` : rec.format;
      if (sparse) assert.ok(best.startsWith('bsr'), `${backend} ${what}: the cost model has BSR fastest (it has ${best})`);
      else assert.equal(best, 'dense', `${backend} ${what}`);
      assert.equal(got, best, `${backend} ${what}: the packer chose ${got}`);
      assert.equal(rec.stored, est.get(best)!.stored, `${backend} ${what}: stored entries`);
      if (best === 'dense') assert.equal(rec.block, null);
    }
  }
});
