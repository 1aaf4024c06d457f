import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseLevels, register } from '../../src/cli/commands/analyze.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { prunableWeights } from '../../src/ir/layers.ts';

async function cli(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  // Tee, never swallow: the test runner reports earlier tests on the same stream.
  process.stdout.write = ((s: string, ...rest: never[]) => { out += s; return write(s, ...rest); }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'rampart', 'analyze', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const KEYS = ['layer', 'graph', 'gate', 'direction', 'sparsity', 'nL', 'nR', 'edges', 'dL', 'dR', 'mu0', 'muHat', 'deltaR', 'deltaS', 'imdb', 'imdbGroups', 'narc', 'ramanujan'];

test('rampart analyze on the PyTorch LSTM fixture: table, JSON records, HTML report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-analyze-'));
  try {
    const json = join(dir, 'a.json'), html = join(dir, 'a.html');
    const out = await cli(['test/fixtures/lstm.onnx', '--at', '0.5,0.9', '--json', json, '--html', html]);
    assert.match(out, /Layer verdicts/);
    assert.match(out, /LSTM/);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    // LSTM(28→32): W and R, stacked + 4 gates, one direction; Linear(32→10): 1 graph; 3 levels
    assert.equal(doc.records.length, 3 * (2 * 5 + 1));
    for (const r of doc.records) for (const k of KEYS) assert.ok(k in r, `record lacks ${k}`);
    const w = doc.records.find((r: any) => r.graph === 'W' && r.gate === null && r.level === null);
    assert.equal(w.nL, 28); assert.equal(w.nR, 128); assert.equal(w.edges, 28 * 128);
    const rg = doc.records.find((r: any) => r.graph === 'R' && r.gate === 'f' && r.level === 0.5);
    assert.equal(rg.nR <= 32 && rg.nL <= 32, true);
    const r90 = doc.records.find((r: any) => r.graph === 'R' && r.gate === null && r.level === 0.9);
    assert.ok(Math.abs(r90.sparsity - 0.9) < 1e-3);
    // undefined values are null, never NaN (which JSON would also write as null) or missing
    assert.ok(doc.records.some((r: any) => r.deltaR === null));
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!DOCTYPE html>/);
    assert.ok((page.match(/<svg/g) ?? []).length >= 4, 'Δr and IMDB per layer and across levels');
    assert.doesNotMatch(page, /<script/);
    assert.deepEqual(readdirSync(dir).sort(), ['a.html', 'a.json'], 'no temp files left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rampart analyze on the PyTorch CNN fixture covers every conv and linear weight', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-analyze-'));
  try {
    const json = join(dir, 'c.json');
    await cli(['test/fixtures/cnn_bn.onnx', '--criterion', 'imdb', '--json', json]);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    const pws = prunableWeights(loadModel('test/fixtures/cnn_bn.onnx'));
    assert.deepEqual(pws.map((p) => p.op), ['Conv', 'Conv', 'Gemm']);
    assert.equal(doc.records.length, 3);
    assert.equal(doc.criterion, 'imdb');
    doc.records.forEach((r: any, i: number) => {
      assert.equal(r.nL, pws[i].cols); assert.equal(r.nR, pws[i].rows);
      assert.equal(r.ramanujan, r.imdb === null ? null : r.imdb >= 0);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rampart analyze --block 8x1: quotient columns in the table, JSON and HTML, levels as block masks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-analyze-'));
  try {
    const json = join(dir, 'b.json'), html = join(dir, 'b.html');
    const out = await cli(['test/fixtures/lstm.onnx', '--block', '8x1', '--at', '0.5,0.9', '--json', json, '--html', html]);
    assert.match(out, /q μ̂/);
    assert.match(out, /Quotient-graph verdicts/);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(doc.block, { rows: 8, cols: 1, layout: 'contiguous' });
    for (const r of doc.records) for (const k of ['nL', 'nR', 'edges', 'mu0', 'muHat', 'deltaR', 'ramanujan']) assert.ok(k in r.quotient, `quotient lacks ${k}`);
    // W (128 × 28) dense: 16 block rows × 28 columns, σ1 = √(16·28) = element σ1 / √8.
    const w = doc.records.find((r: any) => r.graph === 'W' && r.gate === null && r.level === null);
    assert.equal(w.quotient.nR, 16); assert.equal(w.quotient.nL, 28); assert.equal(w.quotient.edges, 16 * 28);
    assert.ok(Math.abs(w.quotient.mu0 - Math.sqrt(16 * 28)) < 1e-9 && Math.abs(w.mu0 / w.quotient.mu0 - Math.sqrt(8)) < 1e-9);
    // Per gate: 32 rows of gate f are 4 block rows.
    const f = doc.records.find((r: any) => r.graph === 'R' && r.gate === 'f' && r.level === null);
    assert.equal(f.quotient.nR, 4);
    // A block mask level: whole blocks, so every element edge is one of 8 in a kept block (W and R: 128 rows = 16 full blocks).
    for (const r of doc.records.filter((x: any) => x.level !== null && x.graph !== 'weight')) assert.equal(r.edges, 8 * r.quotient.edges);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /quotient graph/);
    assert.match(page, /Quotient-graph verdicts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rampart analyze --narc reference: the table\'s NaRC column is the reference convention (e = 2|E|), not only the JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-analyze-'));
  try {
    const json = join(dir, 'n.json');
    for (const convention of ['paper', 'reference'] as const) {
      const out = await cli(['test/fixtures/lstm.onnx', '--at', '0.5', '--narc', convention, '--json', json]);
      const lines = out.split('\n');
      const head = lines.findIndex((l) => l.startsWith('layer'));
      assert.match(lines[head], new RegExp(`NaRC \\(${convention}\\)\\s+Ramanujan$`));
      const doc = JSON.parse(readFileSync(json, 'utf8'));
      // One table row per record, in order; NaRC is the next-to-last column.
      const cells = lines.slice(head + 1, head + 1 + doc.records.length).map((l) => l.trim().split(/\s{2,}/).at(-2)!);
      let apart = 0;
      doc.records.forEach((r: { narc: number | null; narcDirected: number | null }, i: number) => {
        const want = convention === 'reference' ? r.narcDirected : r.narc;
        const other = convention === 'reference' ? r.narc : r.narcDirected;
        if (want === null) { assert.equal(cells[i], '—'); return; }
        const shown = Number(cells[i]);
        assert.ok(Math.abs(shown - want) <= 5e-5 + 1e-3 * Math.abs(want), `row ${i}: ${cells[i]} vs ${want}`);
        if (other !== null && Math.abs(other - want) > 1e-3) { apart++; assert.ok(Math.abs(shown - other) > 5e-4, `row ${i} shows the other convention`); }
      });
      assert.ok(apart >= 3, `${apart} rows where the conventions differ`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad flags are RampartErrors naming what was expected', async () => {
  assert.deepEqual(parseLevels('0.5, 90%,0.5'), [0.5, 0.9]);
  assert.throws(() => parseLevels('0.5,1.2'), /expected sparsities/);
  assert.throws(() => parseLevels('abc'), /expected sparsities/);
  await assert.rejects(cli(['test/fixtures/lstm.onnx', '--criterion', 'foo']), /expected delta-r \| imdb \| delta-s/);
  await assert.rejects(cli(['test/fixtures/lstm.onnx', '--block', '8']), /expected RxC/);
  await assert.rejects(cli(['test/fixtures/gru.onnx', '--block', '8x1', '--block-layout', 'gate-fused']), /R a multiple of the 3 gates/);
});
