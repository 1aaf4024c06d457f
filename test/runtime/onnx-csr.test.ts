// CSR-sparse ONNX: for every fixture and zoo model pruned to 90%, the onnx-csr file
// runs in onnxruntime-node (through the function bodies) with the outputs of the
// dense pruned model, in Rampart's js and wasm backends natively (weights as CSR),
// and in the reference backend by expanding the bodies; onnx-sparse loads in
// onnxruntime with the same outputs. Both files are smaller than the dense one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { InferenceSession } from '../../runtime/index.ts';
import { RAMPART_DOMAIN, type Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { register } from '../../src/cli/commands/compile.ts';
import { onnxCsrTarget } from '../../targets/onnx-csr/index.ts';
import { onnxSparseTarget } from '../../targets/onnx-sparse/index.ts';
import { corpus } from './corpus.ts';
import { syntheticModels } from './synthetic.ts';
import { magnitudePrune, maxAbsDiff, ortRun } from './helpers.ts';

const TOL = 1e-4;

for (const c of [...corpus(), ...syntheticModels()]) {
  test(`${c.name} pruned 90%: onnx-csr and onnx-sparse files run with the dense model's outputs`, async () => {
    const model = magnitudePrune(c.model, 0.9);
    const dense = encodeModel(model);
    const want = await ortRun(dense, c.feeds);
    const csr = onnxCsrTarget.compile(model, {});
    assert.ok(csr.layers.some((l) => l.action === 'csr'), 'some layer was stored as CSR');
    const viaOrt = await ortRun(csr.bytes, c.feeds);
    for (const k of Object.keys(want)) assert.ok(maxAbsDiff(viaOrt[k], want[k]) <= TOL, `onnxruntime on onnx-csr: '${k}'`);
    for (const backend of ['reference', 'js', 'wasm'] as const) {
      const s = await InferenceSession.create(csr.bytes, { backend });
      assert.ok(s.model.graph.nodes.some((n) => n.domain === RAMPART_DOMAIN));
      const got = await s.run(c.feeds);
      for (const k of Object.keys(want)) assert.ok(maxAbsDiff(got[k].data as Float32Array, want[k]) <= TOL, `${backend} on onnx-csr: '${k}'`);
      if (backend !== 'reference') assert.ok(s.layers().some((l) => l.format !== 'dense'), `${backend} ran sparse weights natively`);
    }
    const coo = onnxSparseTarget.compile(model, {});
    const viaOrtCoo = await ortRun(coo.bytes, c.feeds);
    for (const k of Object.keys(want)) assert.ok(maxAbsDiff(viaOrtCoo[k], want[k]) <= TOL, `onnxruntime on onnx-sparse: '${k}'`);
    // Each onnx-csr function body costs ~2 KiB: below ~8 KiB of weights it outweighs the savings.
    if (dense.length > 8192) {
      assert.ok(coo.bytes.length < dense.length, `onnx-sparse ${coo.bytes.length} < dense ${dense.length}`);
      assert.ok(csr.bytes.length < dense.length, `onnx-csr ${csr.bytes.length} < dense ${dense.length}`);
    }
  });
}

test('a dense model is left dense by onnx-csr (no layer under the size crossover)', () => {
  const c = corpus()[0];
  const r = onnxCsrTarget.compile(c.model, {});
  assert.ok(r.layers.every((l) => l.action === 'dense' && /density/.test(l.note ?? '')));
});

test('onnx-csr refuses a model older than opset 13 with a message naming the alternative', () => {
  const m: Model = structuredClone(corpus()[0].model);
  m.opsetImports = [{ domain: '', version: 11 }];
  assert.throws(() => onnxCsrTarget.compile(m, { file: 'old.onnx' }), (e: unknown) =>
    e instanceof RampartError && /old\.onnx/.test(e.message) && /onnx-sparse/.test(e.message));
});

test('rampart compile writes the file and a size report against the dense model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-compile-'));
  try {
    const c = corpus()[0];
    const input = join(dir, 'pruned.onnx');
    writeFileSync(input, encodeModel(magnitudePrune(c.model, 0.9)));
    const out = join(dir, 'out.onnx');
    const program = new Command();
    register(program);
    let printed = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => { printed += s; return true; }) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'rampart', 'compile', input, '--target', 'onnx-csr', '-o', out, '--json']);
    } finally {
      process.stdout.write = write;
    }
    const report = JSON.parse(printed) as { fileBytes: number; denseFileBytes: number; layers: unknown[] };
    assert.equal(report.fileBytes, readFileSync(out).length);
    assert.ok(report.fileBytes < report.denseFileBytes);
    const s = await InferenceSession.create(out, { backend: 'wasm' });
    assert.ok((await s.run(c.feeds))[s.outputNames[0]].data.length > 0);
    const bad = new Command();
    register(bad);
    bad.exitOverride();
    await assert.rejects(bad.parseAsync(['node', 'rampart', 'compile', input, '--target', 'nope', '-o', out]), /unknown target 'nope'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
