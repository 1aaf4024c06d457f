// Block pruning: geometry (never across gates or groups, edge blocks, gate-fused
// rows {k + gH}), whole-block masks for every method, magnitude against a
// hand-computed L2 ranking, and achieved sparsity within one block of the request.
// Block membership is recomputed here from the rules in words (the `key` functions),
// not read from src/prune/blocks.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockMaskAt, blockPartition, parseBlockShape, type BlockShape } from '../../src/prune/blocks.ts';
import { prune, type PruneOptions } from '../../src/prune/prune.ts';
import { prunedCount, pruneTargets } from '../../src/prune/targets.ts';
import { METHOD_NAMES } from '../../src/prune/scorers/index.ts';
import { tfjsGradients } from '../../src/prune/tfgrad.ts';
import type { Criterion, Mask } from '../../src/prune/types.ts';
import { lstmModel, mlp, model, node, tensorOf } from './helpers.ts';

const shape = (s: string, layout = 'contiguous'): BlockShape => parseBlockShape(s, layout);

/** Key of element (r, c) of one direction, by the rules: segments of `seg` rows, R rows per block within, C columns. */
const contiguousKey = (R: number, C: number, seg: number) => (r: number, c: number) => `${Math.floor(r / seg)}.${Math.floor((r % seg) / R)}.${Math.floor(c / C)}`;
/** Gate-fused: unit k = r mod H; a block holds R/G consecutive units of every gate. */
const fusedKey = (R: number, C: number, G: number, H: number) => (r: number, c: number) => `${Math.floor((r % H) / (R / G))}.${Math.floor(c / C)}`;

/** Every block (elements sharing a key) is wholly kept or wholly pruned, in every direction. */
function assertWholeBlocks(mask: Mask, rows: number, cols: number, key: (r: number, c: number) => string, what: string): void {
  const per = rows * cols;
  for (let d = 0; d * per < mask.length; d++) {
    const seen = new Map<string, number>();
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const k = key(r, c), v = mask[d * per + r * cols + c];
        if (!seen.has(k)) seen.set(k, v);
        else assert.equal(v, seen.get(k), `${what}: block ${k} of direction ${d} is split at (${r}, ${c})`);
      }
    }
  }
}

test('geometry: 10×7 in 4×1 and 3×3 in 1×4 give smaller edge blocks; parse accepts any R×C ≥ 1', () => {
  const g = { layer: 'l', op: 'Gemm', directions: 1, gates: null, hidden: null, groups: 1 };
  const a = blockPartition({ ...g, rows: 10, cols: 7 }, shape('4x1'));
  assert.deepEqual(a.rowGroups.map((x) => [...x]), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.equal(a.colRuns, 7);
  assert.equal(a.count, 21);
  const b = blockPartition({ ...g, rows: 3, cols: 3 }, shape('1x4'));
  assert.equal(b.rowGroups.length, 3);
  assert.equal(b.colRuns, 1); // one run of 3 columns: an edge block of 1×3
  assert.deepEqual(shape('16X1'), { rows: 16, cols: 1, layout: 'contiguous' });
  assert.deepEqual(shape('3×5'), { rows: 3, cols: 5, layout: 'contiguous' });
  for (const bad of ['0x1', '4', '4x', 'ax2', '-1x2', '1.5x2']) assert.throws(() => parseBlockShape(bad), /expected RxC/);
  assert.throws(() => parseBlockShape('4x1', 'diagonal'), /contiguous \| gate-fused/);
});

test('recurrent weights: contiguous blocks never straddle gates, gate-fused blocks are {k + gH}, H not a multiple of R/G', () => {
  const H = 5, I = 3;
  const [w] = pruneTargets(lstmModel(I, H, (i) => i + 1, () => 1)); // W: 4 gates × 5 rows
  const c = blockPartition(w, shape('4x1'));
  for (const rows of c.rowGroups) assert.equal(new Set([...rows].map((r) => Math.floor(r / H))).size, 1, `rows ${rows} straddle gates`);
  assert.deepEqual(c.rowGroups.map((x) => x.length), [4, 1, 4, 1, 4, 1, 4, 1]);
  // Gate-fused 8x1 over 4 gates: 2 units per block; H = 5 leaves a last block of one unit (4 rows).
  const f = blockPartition(w, shape('8x1', 'gate-fused'));
  assert.deepEqual(f.rowGroups.map((x) => [...x]), [
    [0, 1, 5, 6, 10, 11, 15, 16],
    [2, 3, 7, 8, 12, 13, 17, 18],
    [4, 9, 14, 19],
  ]);
  // R must be a multiple of the gate count.
  assert.throws(() => blockPartition(w, shape('6x1', 'gate-fused')), /R a multiple of the 4 gates \(i, o, f, c\)/);
});

test('grouped conv: blocks never straddle groups', () => {
  // Conv group = 2, Cout = 6 (3 per group), weight [6, 2, 1, 1]; 2×1 blocks.
  const m = model([node('conv', 'Conv', ['x', 'W'], ['y'], { group: { type: 'int', value: 2 } })],
    { W: tensorOf([6, 2, 1, 1], (i) => i + 1) }, { name: 'x', shape: ['N', 4, 5, 5] }, ['y']);
  const [t] = pruneTargets(m);
  const p = blockPartition(t, shape('2x1'));
  assert.deepEqual(p.rowGroups.map((x) => [...x]), [[0, 1], [2], [3, 4], [5]]);
});

test('magnitude per block: the blocks of lowest L2 norm go first (closed form on a hand-made matrix)', async () => {
  // 8 outputs × 3 inputs, 4×1 blocks: block (g, c) = rows 4g..4g+3 of column c, six blocks.
  const W = [
    1, 5, 0.1,
    -1, 5, 0.1,
    1, 5, 0.1,
    -1, 5, 9,
    2, 0.5, 3,
    2, -0.5, 3,
    -2, 0.5, 3,
    2, 0.5, 3,
  ];
  // L2 norms by hand: (0,0) = 2, (0,1) = 10, (0,2) = √(0.03 + 81) ≈ 9.0017, (1,0) = 4, (1,1) = 1, (1,2) = 6.
  // Ascending: (1,1), (0,0), (1,0), (1,2), (0,2), (0,1).
  const order = [[1, 1], [0, 0], [1, 0], [1, 2], [0, 2], [0, 1]];
  for (let k = 1; k <= 5; k++) {
    const r = await prune(mlp([{ name: 'W', out: 8, in: 3, values: W }]), { method: 'magnitude', sparsity: k / 6, criterion: null, block: shape('4x1') });
    const pruned = new Set(order.slice(0, k).map(([g, c]) => `${g}.${c}`));
    for (let row = 0; row < 8; row++) for (let c = 0; c < 3; c++) {
      assert.equal(r.masks[0][row * 3 + c], pruned.has(`${Math.floor(row / 4)}.${c}`) ? 0 : 1, `k = ${k}, (${row}, ${c})`);
    }
    assert.equal(r.report[0].blocks?.pruned, k);
  }
});

test('edge blocks are scored by RMS: a small edge block of large weights is not pruned for being small', () => {
  // 5×1 matrix, 4×1 blocks: [0..3] and the edge block [4]. L2: 2 vs 1.5; RMS: 1 vs 1.5.
  const t = { layer: 'l', op: 'Gemm', directions: 1, rows: 5, cols: 1, gates: null, hidden: null, groups: 1, weights: Float32Array.from([1, 1, 1, 1, 1.5]) };
  assert.deepEqual([...blockMaskAt(t, 0.5, shape('4x1'))], [0, 0, 0, 0, 1]);
});

/** A small LSTM (H = 6, I = 5) with a Linear head: every target has edge blocks under 4×1 and 1×4. */
function lstmHead() {
  const m = lstmModel(5, 6, (i) => Math.sin(i + 1), (i) => Math.cos(2 * i + 1));
  m.graph.nodes.push(node('sq', 'Squeeze', ['Y_h', 'axes'], ['h']), node('fc', 'Gemm', ['h', 'F'], ['y'], { transB: { type: 'int', value: 1 } }));
  m.graph.initializers.F = tensorOf([10, 6], (i) => Math.sin(3 * i + 2));
  m.graph.initializers.axes = { dtype: 'int64', dims: [1], data: Float64Array.of(0) };
  m.graph.outputs = [{ name: 'y', dtype: 'float32', shape: null }];
  m.graph.inputs = [{ name: 'x', dtype: 'float32', shape: [4, 'N', 5] }];
  return m;
}

function keysOf(s: BlockShape, graph: string): (r: number, c: number) => string {
  if (s.layout === 'gate-fused' && graph !== 'weight') return fusedKey(s.rows, s.cols, 4, 6);
  return contiguousKey(s.rows, s.cols, graph === 'weight' ? 10 : 6);
}

test('every method gives whole blocks, for edge shapes and both layouts, and lands within one block of the request', async () => {
  const batch = { input: tensorOf([4, 8, 5], (i) => Math.sin(i)), labels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
  const extra: Partial<Record<string, Partial<PruneOptions>>> = {
    snip: { batch, gradients: tfjsGradients }, grasp: { batch, gradients: tfjsGradients },
    synflow: { onesShape: [4, 1, 5], gradients: tfjsGradients, rounds: 3 }, imp: { rounds: 3 },
  };
  for (const [s, layout] of [['4x1', 'contiguous'], ['1x4', 'contiguous'], ['8x1', 'gate-fused'], ['3x2', 'contiguous']] as const) {
    for (const method of METHOD_NAMES) {
      const block = shape(s, layout);
      const r = await prune(lstmHead(), { method, sparsity: 0.6, scope: 'layer', criterion: null, seed: 1, block, ...extra[method] });
      r.targets.forEach((t, i) => assertWholeBlocks(r.masks[i], t.rows, t.cols, keysOf(block, t.graph), `${method} ${s} ${layout} ${t.name}`));
      const total = r.masks.reduce((a, m) => a + m.length, 0);
      const pruned = r.masks.reduce((a, m) => a + prunedCount(m), 0);
      const biggest = block.rows * block.cols;
      assert.ok(Math.abs(pruned - Math.round(0.6 * total)) <= biggest, `${method} ${s}: ${pruned} pruned, asked ${Math.round(0.6 * total)}`);
    }
  }
});

test('global scope and budgets with blocks: whole blocks, total within one block; unstructured 1x1 unchanged', async () => {
  for (const sp of [0.3, 0.55, 0.8]) {
    const r = await prune(lstmHead(), { method: 'magnitude', sparsity: sp, scope: 'global', criterion: null, block: shape('4x1') });
    r.targets.forEach((t, i) => assertWholeBlocks(r.masks[i], t.rows, t.cols, keysOf(shape('4x1'), t.graph), `global ${sp}`));
    const total = r.masks.reduce((a, m) => a + m.length, 0);
    const pruned = r.masks.reduce((a, m) => a + prunedCount(m), 0);
    assert.ok(pruned >= Math.round(sp * total) && pruned - Math.round(sp * total) < 4, `global ${sp}: ${pruned}`);
    assert.equal(r.met, true);
    // A fixed rate on R (outside the budget) lands within one block of it too.
    const f = await prune(lstmHead(), { method: 'magnitude', sparsity: sp, criterion: null, rates: { R: 0.5 }, block: shape('4x1') });
    assert.ok(Math.abs(prunedCount(f.masks[1]) - 0.5 * 144) <= 4);
  }
  const a = await prune(lstmHead(), { method: 'magnitude', sparsity: 0.5, criterion: null });
  const b = await prune(lstmHead(), { method: 'magnitude', sparsity: 0.5, criterion: null, block: shape('1x1') });
  assert.deepEqual(a.masks, b.masks);
  assert.equal(b.report[0].blocks, null);
});

test('the guard with blocks: auto and a numeric target search only whole-block levels, and the masks pass', async () => {
  // A synthetic guard that passes up to 0.5 on every target and records the counts it was asked about.
  const asked: number[][] = [];
  const guard: Criterion = (t, mask) => {
    const s = prunedCount(mask) / mask.length;
    asked.push([t.rows, prunedCount(mask)]);
    return { pass: s <= 0.5, value: 0.5 - s, graphs: [] };
  };
  const block = shape('4x1');
  const r = await prune(lstmHead(), { method: 'magnitude', sparsity: 'auto', criterion: guard, block });
  r.targets.forEach((t, i) => {
    assertWholeBlocks(r.masks[i], t.rows, t.cols, keysOf(block, t.graph), `auto ${t.name}`);
    assert.ok(r.report[i].verdict!.pass);
    // The highest whole-block level at or below 0.5: within one block (4 weights) of it.
    assert.ok(r.report[i].sparsity <= 0.5 && (0.5 - r.report[i].sparsity) * t.weights.length < 4, `${t.name} at ${r.report[i].sparsity}`);
  });
  // Iterative (IMP rounds, no data): the guard stops each target at a whole-block level too.
  const it = await prune(lstmHead(), { method: 'imp', sparsity: 0.9, rounds: 3, criterion: guard, block });
  it.targets.forEach((t, i) => assertWholeBlocks(it.masks[i], t.rows, t.cols, keysOf(block, t.graph), `imp ${t.name}`));
  assert.ok(it.report.every((x) => x.verdict!.pass));
});
