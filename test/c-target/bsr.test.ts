// Block-CSR weights in the C target: models whose weights have whole blocks zeroed here
// (natural Rx1 and 1x4 blocks, gate-fused recurrent blocks, edge blocks where the
// hidden size, the channels or the columns are not a multiple of the block) are
// compiled to C, built with the host cc into one program and compared with
// onnxruntime-node (streamed step by step too where the model streams). Nobody tells
// the target the block shape: the tests check it finds the one the mask used, and that
// the block-CSR storage takes fewer flash bytes than CSR would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attr, Model, Tensor } from '../../runtime/ir.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { budget } from '../../targets/c/index.ts';
import { helperText, resolveHelpers } from '../../targets/c/clib/index.ts';
import { bsrMvName, convBsrName } from '../../targets/c/clib/bsr.ts';
import { buildSuite, CC_FLAGS, maxAbsDiff, needCc, removeSuite, runC, runOrt, streamC, type Case, type Suite } from './harness.ts';
import { blockPruneModel, convModel, linearModel, recurrentModel, rng, type BlockMask } from './models.ts';

const TOL = 1e-5;
const ZOO = join(import.meta.dirname, '..', '..', 'models', 'lstm', 'model.onnx');
const SEQ = 9;

const nat = (br: number, bc = 1): BlockMask => ({ br, bc, layout: 'natural' });
const fused = (br: number): BlockMask => ({ br, bc: 1, layout: 'gate-fused' });
const A = {
  lbr: { linear_before_reset: { type: 'int', value: 1 } } as Record<string, Attr>,
  bidir: { direction: { type: 'string', value: 'bidirectional' } } as Record<string, Attr>,
};

interface BlockCase extends Case {
  kept: Map<string, number>;
  /** Each must match some layer's storage note: the block shape the mask used, re-detected. */
  expect: RegExp[];
  streams: boolean;
}

function samples(dims: number[], n: number, seed: number): Tensor[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => [{ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r(-1, 1)) }]);
}

function blockCase(name: string, src: Model, mask: BlockMask, input: number[], expect: RegExp[], streams: boolean, seqLen = SEQ): BlockCase {
  const { model, kept } = blockPruneModel(src, 0.75, mask);
  return { name, model, kept, opts: { seqLen }, samples: samples(input, 2, name.length), expect, streams };
}

function cases(): BlockCase[] {
  const out: BlockCase[] = [
    // H = 20: each gate is 8 + 8 + 4 rows; 13 inputs.
    blockCase('lstm/8x1', recurrentModel('LSTM', 13, 20, 1), nat(8), [SEQ, 1, 13], [/W0: bsr 8x1 per segment/, /R0: bsr 8x1 per segment/], true),
    // H = 11, two units per block: the last block holds one unit (4 rows, 4 padding).
    blockCase('lstm/fused8', recurrentModel('LSTM', 13, 11, 2), fused(8), [SEQ, 1, 13], [/W0: bsr 8x1 gate-fused/, /R0: bsr 8x1 gate-fused/], true),
    // GRU gate-fused (z, r, h of two units: 6 rows): W is fused 6x1; R's z, r rows are
    // stored apart from its h rows (two calls), z, r fused as 4x1.
    blockCase('gru/fused6', recurrentModel('GRU', 10, 11, 3), fused(6), [SEQ, 1, 10], [/W0: bsr 6x1 gate-fused/, /R0: bsr 4x1 gate-fused/], true),
    blockCase('gru-lbr/4x1', recurrentModel('GRU', 10, 10, 4, A.lbr), nat(4), [SEQ, 1, 10], [/W0: bsr 4x1 per segment/, /R0: bsr 4x1 per segment, \d+ blocks \(\d+ nonzeros\) \+ bsr 4x1/], true),
    // Four units a block (12 rows), H = 9: the last block holds one unit. Each block is also
    // three natural 4x1 blocks, which win on R's 9 columns (no row map to store); on W's
    // 40 columns the fused blocks' fewer indices pay for their map.
    blockCase('gru-bidir/fused12', recurrentModel('GRU', 40, 9, 5, A.bidir), fused(12), [SEQ, 1, 40], [/W0: bsr 12x1 gate-fused/, /W1: bsr 12x1 gate-fused/, /R1: bsr 4x1 per segment/], false),
    // H = 21 = 5 blocks of 4 and one of 1.
    blockCase('rnn/4x1', recurrentModel('RNN', 9, 21, 6), nat(4), [SEQ, 1, 9], [/W0: bsr 4x1,/, /R0: bsr 4x1,/], true),
    // K = 30: the last 1x4 group of each row is 2 wide.
    blockCase('linear/1x4', linearModel(30, 17, 9, 7), nat(1, 4), [1, 30], [/^W: bsr 1x4/], false),
    // 17 outputs: one 16-row block and one of 1.
    blockCase('linear/16x1', linearModel(24, 17, 40, 8), nat(16), [1, 24], [/^W: bsr 16x1/], false),
    // 12 channels = 8 + 4; the grouped Conv's groups of 6 = 4 + 2 (blocks never straddle a group).
    blockCase('conv/4x1', convModel(9), nat(4), [1, 3, 7, 7], [/^W: bsr 4x1,/, /^W: bsr 4x1 per segment/], false),
    blockCase('conv/8x1', convModel(10), nat(8), [1, 3, 7, 7], [/^W: bsr 8x1,/], false),
  ];
  if (existsSync(ZOO)) out.push(blockCase('zoo-lstm/8x1', loadModel(ZOO), nat(8), [1, 28, 28], [/W0: bsr 8x1,/, /R0: bsr 8x1,/, /^W: bsr 8x1,/], true, 28));
  return out;
}

let suite: Suite;
let built: (BlockCase & Suite['built'][number])[];

// A missing compiler fails every test here (the hook throws), naming the setup step.
before(() => {
  const list = cases();
  suite = buildSuite(needCc(), list);
  built = suite.built.map((b, i) => ({ ...list[i], ...b }));
}, { timeout: 120_000 });
after(() => removeSuite(suite));

const CASE_NAMES = ['lstm/8x1', 'lstm/fused8', 'gru/fused6', 'gru-lbr/4x1', 'gru-bidir/fused12', 'rnn/4x1', 'linear/1x4', 'linear/16x1', 'conv/4x1', 'conv/8x1', 'zoo-lstm/8x1'];

for (const name of CASE_NAMES) {
  test(`${name}: block-CSR weights found, C output matches onnxruntime within ${TOL}`, { skip: name.startsWith('zoo') && !existsSync(ZOO) ? `${ZOO} is absent` : false }, async (t) => {
    const b = built.find((x) => x.name === name)!;
    assert.ok(b, `case ${name} was built`);
    for (const l of b.budget.layers) assert.equal(l.action, 'bsr', `${l.layer}: ${l.note}`);
    const notes = b.budget.layers.flatMap((l) => (l.note ?? '').split('; '));
    for (const e of b.expect) assert.ok(notes.some((n) => e.test(n)), `${e} in ${notes.join(' | ')}`);
    assert.match(b.source, /rp_(bsr_mv_\d+x\d+|conv2d_bsr)_\w+\(/);

    const want = await runOrt(b.model, b.samples);
    const d = maxAbsDiff(runC(suite, b), want);
    t.diagnostic(`max |C - ort| = ${d.toExponential(2)}; flash ${b.budget.flash.totalBytes} B; ${notes.join(' | ')}`);
    assert.ok(d <= TOL, `max |C - ort| = ${d}`);
    assert.equal(b.budget.stream.emitted, b.streams, b.budget.stream.note);
    if (b.streams) {
      const ds = maxAbsDiff(streamC(suite, b, b.budget.stream.axis!), want);
      t.diagnostic(`streamed: max |C - ort| = ${ds.toExponential(2)}`);
      assert.ok(ds <= TOL, `stream: max |C - ort| = ${ds}`);
    }
  });
}

/** Closed forms of the two storages (float values; uint16 indices, as every matrix here allows). */
const bsrBytes = (blocks: number, br: number, rows: number) => blocks * br * 4 + blocks * 2 + (Math.ceil(rows / br) + 1) * 2;
const csrBytes = (nnz: number, rows: number) => nnz * 6 + (rows + 1) * 2;

test('zoo LSTM, 8x1 blocks at 75%: W and R are stored block-CSR, in fewer flash bytes than CSR', { skip: existsSync(ZOO) ? false : `${ZOO} is absent` }, (t) => {
  const b = built.find((x) => x.name === 'zoo-lstm/8x1')!;
  const lstm = b.budget.layers.find((l) => l.op === 'LSTM')!;
  // W [512, 28], R [512, 128]: 64 block rows each (128 = 16 blocks of 8 per gate, so no segment padding).
  const kw = b.kept.get(`${lstm.layer}:W0`)!, kr = b.kept.get(`${lstm.layer}:R0`)!;
  assert.equal(kw, 448);
  assert.equal(kr, 2048);
  assert.equal(lstm.storedBytes, bsrBytes(kw, 8, 512) + bsrBytes(kr, 8, 512));
  const csr = csrBytes(8 * kw, 512) + csrBytes(8 * kr, 512);
  assert.ok(lstm.storedBytes < csr * 0.75, `BSR ${lstm.storedBytes} B vs CSR ${csr} B`);
  // The same model without block-CSR: CSR throughout, and more flash in all.
  const noBlocks = budget(b.model, { formats: ['dense', 'csr'] });
  const csrLstm = noBlocks.layers.find((l) => l.op === 'LSTM')!;
  assert.equal(csrLstm.action, 'csr');
  assert.equal(csrLstm.storedBytes, csr);
  assert.ok(b.budget.flash.totalBytes < noBlocks.flash.totalBytes);
  t.diagnostic(`LSTM weights: BSR ${lstm.storedBytes} B, CSR ${csr} B, dense ${lstm.denseBytes} B; flash ${b.budget.flash.totalBytes} vs ${noBlocks.flash.totalBytes} B`);
});

test('every block-CSR helper variant (index types, row maps, shapes) compiles warning-free', () => {
  // The models above reach the uint16_t variants; int32_t ones need > 65,535 blocks or columns.
  const names: string[] = [];
  for (const ci of ['u16', 'i32'] as const) {
    for (const bp of ['u16', 'i32'] as const) {
      names.push(convBsrName(ci, bp), bsrMvName(1, 4, ci, bp, null));
      for (const br of [3, 4, 8, 12, 16]) for (const map of [null, 'i16', 'i32'] as const) names.push(bsrMvName(br, 1, ci, bp, map));
    }
  }
  const src = join(suite.dir, 'bsr_helpers.c');
  writeFileSync(src, ['#include <math.h>', '#include <stdint.h>', '#include <string.h>', ...resolveHelpers(names).map((n) => helperText(n))].join('\n') + '\n');
  execFileSync(needCc(), [...CC_FLAGS, '-Wno-unused-function', '-c', '-o', join(suite.dir, 'bsr_helpers.o'), src], { stdio: ['ignore', 'pipe', 'pipe'] });
});
