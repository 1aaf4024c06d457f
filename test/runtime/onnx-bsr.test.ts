// Block CSR in onnx-csr files (runtime/csr-format.ts, targets/onnx-csr/blocks.ts): models
// whose weights were pruned in whole blocks (made here by block-prune.ts, not by Rampart's
// pruner) compile to block-CSR weights, and the file gives the dense model's outputs to
// 1e-6 on onnxruntime-node (through the function bodies), on the reference backend (the
// bodies, expanded) and on js / wasm (native kernels, block CSR read and validated), each
// against the dense model on the same runtime; streamed too. Malformed block tensors are
// refused with errors naming the node. Entry-by-entry pruning stays CSR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { InferenceSession, Tensor } from '../../runtime/index.ts';
import { RampartError } from '../../runtime/errors.ts';
import type { Model, Node, Tensor as IrTensor } from '../../runtime/ir.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { register } from '../../src/cli/commands/compile.ts';
import { csrCallCount } from '../../src/inspect/csr.ts';
import { prunableWeights } from '../../src/ir/layers.ts';
import { onnxCsrTarget } from '../../targets/onnx-csr/index.ts';
import { blockPrune, type BlockMap } from './block-prune.ts';
import { corpus, type Case } from './corpus.ts';
import { magnitudePrune, maxAbsDiff, ortRun, randomFloats } from './helpers.ts';

const EXACT = 1e-6;
const zoo = (name: string): Case => corpus().find((c) => c.name === `zoo ${name}`)!;

const f32 = (dims: number[], seed: number, scale = 0.5): IrTensor => ({
  dtype: 'float32', dims, data: randomFloats(dims.reduce((a, b) => a * b, 1), seed).map((v) => v * scale),
});

/** A one-node model; weights large enough that blocks pay for their rebuild function (~2 KB). */
function single(name: string, node: Node, feeds: Record<string, IrTensor>, inits: Record<string, IrTensor>, outputs: string[]): Case {
  return {
    name, feeds,
    model: {
      irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', functions: [], metadata: {},
      graph: {
        name, nodes: [node], initializers: inits, valueInfo: {},
        inputs: Object.entries(feeds).map(([n, t]) => ({ name: n, dtype: t.dtype, shape: t.dims })),
        outputs: outputs.map((n) => ({ name: n, dtype: 'float32', shape: null })),
      },
    },
  };
}
const int = (value: number) => ({ type: 'int' as const, value });
const H = 32;
const bigru = single('bidirectional GRU h32, initial_h', {
  name: 'gru', op: 'GRU', domain: '', inputs: ['x', 'W', 'R', 'B', '', 'h0'], outputs: ['y', 'yh'],
  attrs: { hidden_size: int(H), direction: { type: 'string', value: 'bidirectional' } },
}, { x: f32([5, 2, 12], 1, 1), h0: f32([2, 2, H], 2) }, { W: f32([2, 3 * H, 12], 3), R: f32([2, 3 * H, H], 4), B: f32([2, 6 * H], 5) }, ['y', 'yh']);
const gconv = single('conv 64x16x3x3, group 2, stride 2, pads', {
  name: 'conv', op: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'],
  attrs: { group: int(2), strides: { type: 'ints', value: [2, 2] }, pads: { type: 'ints', value: [1, 0, 1, 2] }, kernel_shape: { type: 'ints', value: [3, 3] } },
}, { x: f32([1, 32, 9, 8], 6, 1) }, { w: f32([64, 16, 3, 3], 7), b: f32([64], 8) }, ['y']);
const gemmT = single('gemm transA, alpha, beta, matrix C, B [96,128]', {
  name: 'gemm', op: 'Gemm', domain: '', inputs: ['a', 'w', 'c'], outputs: ['y'],
  attrs: { transA: int(1), alpha: { type: 'float', value: 0.5 }, beta: { type: 'float', value: 2 } },
}, { a: f32([96, 5], 9, 1) }, { w: f32([96, 128], 10), c: f32([5, 128], 11) }, ['y']);

interface BlockCase {
  c: Case; sparsity: number; br: number; bc: number; map: BlockMap; block?: string; only?: 'R';
  /** What the size report's note says, and a tensor the file must hold (which row-map form). */
  expect: RegExp; holds?: string;
}
const CASES: BlockCase[] = [
  { c: zoo('lstm'), sparsity: 0.9, br: 8, bc: 1, map: 'natural', expect: /W blocks 8x1, R blocks 8x1/ },
  { c: zoo('lstm'), sparsity: 0.75, br: 16, bc: 1, map: 'natural', expect: /R blocks 16x1/ },
  { c: zoo('lstm'), sparsity: 0.9, br: 8, bc: 1, map: 'gate-fused', expect: /R blocks 8x1 gate-fused/, holds: 'lstm.R_gate_fused' },
  { c: zoo('lstm'), sparsity: 0.9, br: 12, bc: 1, map: 'gate-fused', block: '12x1', expect: /R blocks 12x1 gate-fused/, holds: 'lstm.R_row_map' },
  { c: zoo('lstm'), sparsity: 0.9, br: 16, bc: 1, map: 'natural', only: 'R', expect: /W dense, R blocks 16x1/ },
  { c: zoo('gru'), sparsity: 0.9, br: 6, bc: 1, map: 'gate-fused', expect: /R blocks 6x1 gate-fused/, holds: 'gru.R_gate_fused' },
  { c: zoo('gru'), sparsity: 0.9, br: 1, bc: 4, map: 'natural', expect: /R blocks 1x4/ },
  { c: zoo('cnn'), sparsity: 0.9, br: 4, bc: 1, map: 'natural', expect: /B blocks 4x1/ },
  { c: zoo('cnn'), sparsity: 0.9, br: 1, bc: 4, map: 'natural', expect: /B blocks 1x4/ },
  { c: bigru, sparsity: 0.6, br: 3, bc: 1, map: 'gate-fused', block: '3x1', expect: /R blocks 3x1 gate-fused/, holds: 'gru.R_gate_fused' },
  { c: gconv, sparsity: 0.6, br: 4, bc: 1, map: 'natural', expect: /W blocks 4x1/ },
  { c: gemmT, sparsity: 0.75, br: 4, bc: 1, map: 'natural', expect: /B blocks 4x1/ },
];

const BACKENDS = ['reference', 'js', 'wasm'] as const;

for (const k of CASES) {
  const label = `${k.c.name}: ${k.br}x${k.bc} ${k.map} blocks at ${k.sparsity * 100}%${k.only ? ' (R only)' : ''}`;
  test(`${label} -> block CSR with the dense model's outputs on every runtime`, async () => {
    const model = blockPrune(k.c.model, k.sparsity, k.br, k.bc, k.map, (pw) => !k.only || pw.graph === k.only);
    const dense = encodeModel(model);
    const r = onnxCsrTarget.compile(model, { block: k.block });
    const notes = r.layers.map((l) => l.note ?? '').join('; ');
    assert.match(notes, k.expect);
    assert.ok(r.layers.some((l) => l.action === 'bsr'), 'the size report says block CSR');
    if (k.holds) assert.ok(k.holds in decodeModel(r.bytes).graph.initializers, `the file holds ${k.holds}`);
    const want = await ortRun(dense, k.c.feeds);
    const viaOrt = await ortRun(r.bytes, k.c.feeds);
    for (const o of Object.keys(want)) assert.ok(maxAbsDiff(viaOrt[o], want[o]) <= EXACT, `onnxruntime '${o}': ${maxAbsDiff(viaOrt[o], want[o])}`);
    for (const backend of BACKENDS) {
      const file = await InferenceSession.create(r.bytes, { backend });
      const ref = await InferenceSession.fromModel(model, { backend });
      const got = await file.run(k.c.feeds), base = await ref.run(k.c.feeds);
      for (const o of Object.keys(want)) {
        const g = got[o].data as Float32Array;
        assert.ok(maxAbsDiff(g, base[o].data as Float32Array) <= EXACT, `${backend} '${o}' vs the dense model: ${maxAbsDiff(g, base[o].data as Float32Array)}`);
        assert.ok(maxAbsDiff(g, want[o]) <= 1e-4, `${backend} '${o}' vs onnxruntime`);
      }
      // (At 60% the js packer may take a weight dense: its crossover, not the file's business.)
      if (backend !== 'reference' && k.sparsity >= 0.75) assert.ok(file.layers().some((l) => l.format !== 'dense'), `${backend} ran the sparse weights natively`);
    }
    if (k.c.name.startsWith('zoo')) {
      const plain = onnxCsrTarget.compile(model, { block: 'none' });
      assert.ok(r.bytes.length < plain.bytes.length, `block CSR ${r.bytes.length} < CSR ${plain.bytes.length} bytes`);
    }
  });
}

test('a last block shifted left to fit overlaps its neighbour: the file still rebuilds the weight exactly', async () => {
  // K = 10 columns in 1x4 blocks: the greedy cover of a full row is [0,4), [4,8), [6,10);
  // the third block holds zeros at 6, 7, which a scatter must add, not write. (N = 1024
  // rows, half of them zero, so the blocks pay for their rebuild function.)
  const N = 1024, K = 10, M = 2;
  const w = randomFloats(N * K, 11).map((v, i) => (Math.floor(i / K) % 2 === 0 ? v : 0));
  const model: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', functions: [], metadata: {},
    graph: {
      name: 'overlap', valueInfo: {},
      nodes: [{ name: 'fc', op: 'Gemm', domain: '', inputs: ['a', 'w'], outputs: ['y'], attrs: { transB: { type: 'int', value: 1 } } }],
      initializers: { w: { dtype: 'float32', dims: [N, K], data: w } },
      inputs: [{ name: 'a', dtype: 'float32', shape: [M, K] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [M, N] }],
    },
  };
  const feeds = { a: { dtype: 'float32' as const, dims: [M, K], data: randomFloats(M * K, 12) } };
  const r = onnxCsrTarget.compile(model, { block: '1x4' });
  assert.match(r.layers[0].note ?? '', /B blocks 1x4/);
  const cols = Array.from(decodeModel(r.bytes).graph.initializers['fc.B_block_cols'].data as Uint16Array);
  assert.deepEqual(cols.slice(0, 3), [0, 4, 6], 'the third block of a row starts at cols - bc');
  const want = await ortRun(encodeModel(model), feeds);
  assert.ok(maxAbsDiff((await ortRun(r.bytes, feeds)).y, want.y) <= EXACT, 'onnxruntime');
  for (const backend of BACKENDS) {
    const got = (await (await InferenceSession.create(r.bytes, { backend })).run(feeds)).y.data as Float32Array;
    assert.ok(maxAbsDiff(got, want.y) <= 1e-5, backend);
  }
});

/** Time step t of a batch-first [N, T, ...] input as [N, 1, ...]. */
function stepOf(x: IrTensor, t: number): Tensor {
  const [N, T, ...rest] = x.dims;
  const inner = rest.reduce((a, b) => a * b, 1);
  const out = new Float32Array(N * inner), d = x.data as Float32Array;
  for (let b = 0; b < N; b++) out.set(d.subarray((b * T + t) * inner, (b * T + t + 1) * inner), b * inner);
  return new Tensor('float32', out, [N, 1, ...rest]);
}

test('a block-CSR LSTM streams step by step to the dense model\'s outputs', async () => {
  const c = zoo('lstm');
  const model = blockPrune(c.model, 0.9, 8, 1, 'gate-fused');
  const r = onnxCsrTarget.compile(model, {});
  assert.match(r.layers[0].note ?? '', /blocks/);
  const input = Object.keys(c.feeds)[0];
  const x = c.feeds[input];
  for (const backend of ['js', 'wasm'] as const) {
    const want = (await (await InferenceSession.fromModel(model, { backend })).run(c.feeds));
    const st = (await InferenceSession.create(r.bytes, { backend })).createStream();
    let out: Record<string, IrTensor> = {};
    for (let t = 0; t < x.dims[1]; t++) out = st.step({ ...c.feeds, [input]: stepOf(x, t) });
    for (const o of Object.keys(want)) assert.ok(maxAbsDiff(out[o].data as Float32Array, want[o].data as Float32Array) <= EXACT, `${backend} '${o}'`);
    assert.deepEqual(st.allocating, []);
  }
});

test('rampart inspect counts the zeros of block-CSR weights (padding zeros of blocks are not weights)', () => {
  const model = blockPrune(zoo('lstm').model, 0.9, 8, 1, 'gate-fused');
  const file = decodeModel(onnxCsrTarget.compile(model, {}).bytes);
  for (const node of file.graph.nodes.filter((n) => n.op.startsWith('Csr'))) {
    const fn = file.functions.find((f) => f.name === node.op)!;
    const count = csrCallCount(file, node, fn, () => null)!;
    const dense = prunableWeights(model).filter((pw) => pw.layer === node.name).map((pw) => model.graph.initializers[pw.initializer].data as Float32Array);
    assert.equal(count.prunable, dense.reduce((a, d) => a + d.length, 0), node.name);
    assert.equal(count.zeros, dense.reduce((a, d) => a + d.filter((v) => v === 0).length, 0), node.name);
  }
});

test('weights pruned entry by entry stay CSR (no blocks found in their zero pattern)', () => {
  for (const name of ['lstm', 'gru', 'cnn']) {
    const r = onnxCsrTarget.compile(magnitudePrune(zoo(name).model, 0.9), {});
    for (const l of r.layers) assert.doesNotMatch(l.note ?? '', /blocks/, `${name} ${l.layer}: ${l.note}`);
  }
});

test('file sizes on the zoo LSTM: block CSR below unstructured CSR at 75% and 90% (figures in docs/design/runtime.md)', (t) => {
  const m = zoo('lstm').model;
  const dense = encodeModel(m).length;
  for (const sparsity of [0.75, 0.9]) {
    const unstructured = onnxCsrTarget.compile(magnitudePrune(m, sparsity), {}).bytes.length;
    for (const br of [8, 16]) {
      for (const map of ['natural', 'gate-fused'] as const) {
        const blocked = blockPrune(m, sparsity, br, 1, map);
        const csr = onnxCsrTarget.compile(blocked, { block: 'none' }).bytes.length;
        const bsr = onnxCsrTarget.compile(blocked, {}).bytes.length;
        t.diagnostic(`${sparsity * 100}% ${br}x1 ${map}: dense ${dense}, unstructured CSR ${unstructured}, block-pruned CSR ${csr}, block CSR ${bsr} B`);
        assert.ok(bsr < 0.85 * unstructured && bsr < 0.85 * csr && unstructured < dense / 2, `${bsr} vs ${unstructured} / ${csr} / ${dense}`);
      }
    }
  }
});

// ---- malformed block tensors ------------------------------------------------

/**
 * The zoo LSTM pruned in gate-fused br x 1 blocks and compiled as IR, and a copy with one
 * tensor edited (or, when f returns null, the call's input for it left out). 8x1 stores
 * R's map as R_gate_fused [4, 128]; 12x1 (3 units, 128 not a multiple) as an explicit
 * R_row_map with padding rows.
 */
function blockLstm(br: number, block?: string): { model: Model; edit: (name: string, f: (t: IrTensor, m: Model) => IrTensor | null) => Model } {
  const r = onnxCsrTarget.compile(blockPrune(zoo('lstm').model, 0.9, br, 1, 'gate-fused'), { block });
  const model = decodeModel(r.bytes);
  const edit = (name: string, f: (t: IrTensor, m: Model) => IrTensor | null): Model => {
    const m: Model = structuredClone(model);
    assert.ok(name in m.graph.initializers, `the file has ${name}`);
    const t = f(m.graph.initializers[name], m);
    if (t) m.graph.initializers[name] = t;
    else for (const n of m.graph.nodes) n.inputs = n.inputs.map((x) => (x === name ? '' : x));
    return m;
  };
  return { model, edit };
}

const i32 = (t: IrTensor) => t.data as Int32Array;

test('malformed block-CSR tensors are refused naming the node and what broke', async () => {
  const { model, edit } = blockLstm(8);
  const explicit = blockLstm(12, '12x1');
  const feeds = zoo('lstm').feeds;
  const R = (part: string) => `lstm.R_${part}`;
  const bad: [string, Model, RegExp][] = [
    ['block pointers decrease', edit(R('block_ptr'), (t) => { const p = i32(t); p[1] = p[2] + 1; return t; }), /node 'lstm'.*block pointers decrease at block row 1/],
    ['block pointers of the wrong length', edit(R('block_ptr'), (t) => ({ ...t, dims: [t.dims[0] - 1], data: i32(t).slice(1) })), /node 'lstm'.*512 rows, 63 block rows of 8/],
    ['block pointers of the wrong length for the row map', explicit.edit(R('block_ptr'), (t) => ({ ...t, dims: [t.dims[0] - 1], data: i32(t).slice(1) })), /node 'lstm'.*block pointers have 43 entries from \d+ \(expected 44 entries from 0\)/],
    ['a block column past cols - bc', edit(R('block_cols'), (t) => { (t.data as Uint16Array)[0] = 128; return t; }), /node 'lstm'.*block column 128 in block row 0/],
    ['block columns out of order', edit(R('block_cols'), (t, m) => {
      const p = i32(m.graph.initializers[R('block_ptr')]);
      const q = p.findIndex((v, i) => i + 1 < p.length && p[i + 1] - v >= 2);
      const c = t.data as Uint16Array;
      [c[p[q]], c[p[q] + 1]] = [c[p[q] + 1], c[p[q]]];
      return t;
    }), /node 'lstm'.*block columns not increasing/],
    ['too few values', edit(R('block_values'), (t) => ({ ...t, dims: [t.dims[0] - 1, t.dims[1], t.dims[2]], data: (t.data as Float32Array).slice(t.dims[1] * t.dims[2]) })), /node 'lstm'.*values for/],
    ['a row twice in the row map', explicit.edit(R('row_map'), (t) => { const m = i32(t); m[1] = m[0]; return t; }), /node 'lstm'.*row map entry/],
    ['a gate-fused map of the wrong sizes', edit(R('gate_fused'), (t) => ({ ...t, data: Float64Array.from([4, 100]) })), /node 'lstm'.*R_gate_fused \[4,100\]/],
    ['a missing block-column tensor', edit(R('block_cols'), () => null), /node 'lstm'.*missing one of its tensors/],
    ['float block pointers', edit(R('block_ptr'), (t) => ({ ...t, dtype: 'float32', data: Float32Array.from(i32(t)) })), /node 'lstm'.*has types/],
    ['a shape the block pointers do not cover', edit(R('shape'), (t) => ({ ...t, data: Float64Array.from([1e12, 128]) })), /node 'lstm'.*1000000000000 rows, 64 block rows of 8/],
    ['no row map for 512 rows in 43 block rows of 12', explicit.edit(R('row_map'), () => null), /node 'lstm'.*has 512 rows, 43 block rows of 12 and no row map/],
  ];
  for (const backend of ['js', 'wasm'] as const) {
    for (const m of [model, explicit.model]) await (await InferenceSession.fromModel(m, { backend })).run(feeds); // the untouched files run
    for (const [what, m, msg] of bad) {
      const s = await InferenceSession.fromModel(m, { backend });
      await assert.rejects(s.run(feeds), (e: unknown) => e instanceof RampartError && msg.test(e.message), `${backend}: ${what}`);
    }
  }
  const input = Object.keys(feeds)[0];
  const stream = (await InferenceSession.fromModel(bad[0][1], { backend: 'wasm' })).createStream();
  assert.throws(() => stream.step({ [input]: stepOf(feeds[input], 0) }), /block pointers decrease/, 'the stream validates too');
});

test('rampart compile --block: a shape, none, and bad values refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bsr-'));
  try {
    const input = join(dir, 'blocked.onnx');
    writeFileSync(input, encodeModel(blockPrune(zoo('lstm').model, 0.9, 16, 1)));
    const run = async (...args: string[]) => {
      const program = new Command();
      register(program);
      program.exitOverride();
      let printed = '';
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((s: string) => { printed += s; return true; }) as typeof process.stdout.write;
      try {
        await program.parseAsync(['node', 'rampart', 'compile', input, '-o', join(dir, 'out.onnx'), '--json', ...args]);
      } finally {
        process.stdout.write = write;
      }
      return JSON.parse(printed) as { fileBytes: number; layers: { note?: string }[] };
    };
    const blocks = await run('--target', 'onnx-csr', '--block', '16x1');
    const none = await run('--target', 'onnx-csr', '--block', 'none');
    assert.match(blocks.layers[0].note ?? '', /W blocks 16x1, R blocks 16x1/);
    assert.match(none.layers[0].note ?? '', /W csr, R csr/);
    assert.ok(blocks.fileBytes < none.fileBytes);
    await assert.rejects(run('--target', 'onnx-csr', '--block', '8y1'), /--block 8y1.*expected 'auto', 'none' or RxC/);
    await assert.rejects(run('--target', 'onnx-csr', '--block', '1x1'), /--block 1x1/);
    await assert.rejects(run('--target', 'onnx-sparse', '--block', '8x1'), /--block does not apply to target 'onnx-sparse'.*onnx-csr/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
