// `rampart bench` end to end on the zoo LSTM and CNN, a PyTorch export with a dataset
// folder, and a model fine-tuned on non-784 samples: bench.json's schema, the records
// against the points, accuracy against onnxruntime-node run here on the saved models
// (the oracle), sizes against the files on disk, the HTML in headless Chromium, resume,
// and Ctrl-C. Small data,
// few timing rounds: the numbers are not the point here, bench/ is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import { runBench } from '../../src/bench/run.ts';
import { DEFAULT_BURST } from '../../src/bench/latency.ts';
import { compileWasm } from '../../targets/wasm/index.ts';
import type { BenchFile, BenchPoint } from '../../src/bench/types.ts';
import { MAIN_SCHEDULE } from '../../src/bench/finetune.ts';
import { parseBlocks } from '../../src/bench/levels.ts';
import { loadDataset } from '../../src/data/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { assertCleanError, cli, FIXTURES, model, node, ROOT, save, tmp, int } from '../cli/helpers.ts';
import { digitBytes, int64, ortAccuracy, pooledDigits, writeFolder } from '../data/folders.ts';
import { checkBenchFile } from './schema.ts';

const dir = tmp('rampart-bench-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const LSTM = join(ROOT, 'models/lstm/model.onnx');
const CNN = join(ROOT, 'models/cnn/model.onnx');
const readBench = (out: string) => JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchFile;
const tempFiles = (d: string): string[] => readdirSync(d, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));

/** Each point's accuracy is onnxruntime-node's on its saved model (dense-stored and CSR), on the same test samples. */
async function checkAccuracy(f: BenchFile, input: Float32Array, dims: number[], labels: ArrayLike<number>): Promise<void> {
  for (const p of f.points) {
    assert.equal(p.accuracy, await ortAccuracy(p.files.onnx, input, dims, labels), `${p.id}: accuracy`);
    assert.equal(p.accuracy, await ortAccuracy(p.files.csr, input, dims, labels), `${p.id}: the CSR file scores the same`);
  }
}

/** Sizes are the files' own; records are the points' latencies, one per runtime and batch. */
function checkRecords(f: BenchFile, runtimes: string[]): void {
  assert.equal(f.records.length, f.points.length * runtimes.length);
  for (const p of f.points) {
    assert.equal(p.sizes.denseOnnxBytes, statSync(p.files.onnx).size, p.id);
    assert.equal(p.sizes.csrOnnxBytes, statSync(p.files.csr).size, p.id);
    assert.equal(p.allRamanujan, p.layers.every((l) => l.ramanujan === true), p.id);
    for (const r of runtimes) {
      const rec = f.records.find((x) => x.level === p.level && x.block === p.block && x.runtime === r)!;
      assert.ok(rec, `${p.id} ${r}`);
      assert.equal(rec.medianMs, p.latency['1'][r as 'rampart-wasm']!.medianMs);
      assert.equal(rec.denseMedianMs, p.denseLatency['1'][r as 'rampart-wasm']!.medianMs);
      assert.ok(rec.medianMs! > 0 && rec.p10Ms! <= rec.medianMs! && rec.medianMs! <= rec.p90Ms!, `${p.id} ${r}: spread`);
    }
  }
}

const lstmOut = join(dir, 'lstm');
const lstmArgs = ['bench', LSTM, '--data', 'mnist', '--limit', '60', '--train-limit', '64', '--epochs', '1', '--levels', 'dense,guard,0.9',
  '--block', '1x1', '--block', '16x1', '--rounds', '5', '--noise', '0.5', '-o', lstmOut];

test('the zoo LSTM: five points, every runtime (the C target built with cc -O2 included), a schema-valid bench.json, CSV and HTML', async () => {
  const r = await cli(lstmArgs);
  assert.equal(r.code, 0, r.stderr);
  const f = readBench(lstmOut);
  checkBenchFile(f as unknown as Record<string, unknown>);
  assert.equal(f.complete, true);
  assert.deepEqual(f.points.map((p) => p.id), ['dense', '1x1--guard', '1x1--0.9', '16x1--guard', '16x1--0.9']);
  const test60 = loadDataset('mnist', 'test', { limit: 60 });
  await checkAccuracy(f, test60.images, [60, 28, 28], test60.labels);
  const runtimes = ['rampart-wasm', 'rampart-js', 'onnxruntime-node', 'onnxruntime-web', 'c'];
  checkRecords(f, runtimes);
  const byId = (id: string) => f.points.find((p) => p.id === id)!;
  // The guard keeps every layer graph Ramanujan; 90% everywhere does not, and is 90% (within a block).
  for (const id of ['dense', '1x1--guard', '16x1--guard']) assert.equal(byId(id).allRamanujan, true, id);
  assert.ok(Math.abs(byId('1x1--0.9').sparsity - 0.9) < 0.001 && Math.abs(byId('16x1--0.9').sparsity - 0.9) < 0.01);
  assert.equal(byId('1x1--0.9').allRamanujan, false);
  assert.equal(byId('1x1--guard').history.length, 1, 'one epoch of fine-tuning');
  assert.ok(byId('1x1--0.9').sizes.csrOnnxBytes < byId('dense').sizes.csrOnnxBytes / 3, 'a 90% sparse CSR file is small');
  // Noise: accuracy on noisy inputs is measured, and does not beat the clean one on the dense model by much.
  assert.equal(typeof byId('dense').noise['0.5'], 'number');
  // CSV: one row per record, the same numbers.
  const csv = readFileSync(join(lstmOut, 'bench.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, f.records.length + 1);
  const head = csv[0].split(',');
  assert.ok(head.includes('noise_0.5') && head.includes('medianMs'));
  const row = csv[1].split(',');
  assert.equal(Number(row[head.indexOf('medianMs')]), f.records[0].medianMs);
  assert.equal(Number(row[head.indexOf('accuracy')]), f.records[0].accuracy);
  // HTML: the five charts inline, no scripts.
  const html = readFileSync(join(lstmOut, 'bench.html'), 'utf8');
  assert.equal((html.match(/<svg/g) ?? []).length, 5);
  assert.doesNotMatch(html, /<script/i);
  for (const runtime of runtimes) assert.match(html, new RegExp(`>${runtime}<`));
  assert.match(html, /lstm W/);
  assert.match(r.stdout, /5 points, 25 records/);
  assert.deepEqual(tempFiles(lstmOut), []);
});

test('bench.html in headless Chromium: the frontier drawn, a panel per runtime, a line per block', async () => {
  const { chromium } = await import('playwright-core');
  assert.ok(existsSync('/usr/bin/chromium'), '/usr/bin/chromium is missing: run scripts/setup.sh (installs Debian chromium)');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${join(lstmOut, 'bench.html')}`);
    const frontier = await page.evaluate(() => {
      const sec = [...document.querySelectorAll('section')].find((s) => s.querySelector('h2')?.textContent?.startsWith('The frontier'))!;
      const svg = sec.querySelector('svg')!;
      const box = svg.getBoundingClientRect();
      return {
        width: box.width, height: box.height,
        lines: svg.querySelectorAll('[aria-roledescription="line mark"]').length,
        titles: [...svg.querySelectorAll('text')].map((t) => t.textContent),
      };
    });
    assert.ok(frontier.width > 400 && frontier.height > 300, `laid out: ${frontier.width}x${frontier.height}`);
    // 5 runtime panels × 2 blocks (1x1, 16x1), each line from dense through guard and 0.9.
    assert.equal(frontier.lines, 10);
    for (const r of ['rampart-wasm', 'rampart-js', 'onnxruntime-node', 'onnxruntime-web', 'c']) assert.ok(frontier.titles.includes(r), r);
  } finally {
    await browser.close();
  }
});

test('resume: a second run keeps every point; a deleted point is the only one measured again', async () => {
  const before = Object.fromEntries(readdirSync(join(lstmOut, 'points')).map((f) => [f, readFileSync(join(lstmOut, 'points', f), 'utf8')]));
  const again = await cli(lstmArgs);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.stderr.match(/: kept from /g) ?? []).length, 5, again.stderr);
  for (const [f, text] of Object.entries(before)) assert.equal(readFileSync(join(lstmOut, 'points', f), 'utf8'), text, f);
  unlinkSync(join(lstmOut, 'points', '16x1--0.9.json'));
  const third = await cli(lstmArgs);
  assert.equal(third.code, 0, third.stderr);
  assert.equal((third.stderr.match(/: kept from /g) ?? []).length, 4);
  assert.match(third.stderr, /16x1--0\.9: sparsity 0\.9/);
  assert.equal(readBench(lstmOut).points.length, 5);
});

test('Ctrl-C mid-bench leaves whole files only, and the next run goes on from there', async () => {
  const out = join(dir, 'interrupted');
  const args = ['bench', LSTM, '--data', 'mnist', '--limit', '40', '--epochs', '0', '--levels', 'dense,0.8,0.9,0.95', '--block', '1x1', '--rounds', '20', '-o', out];
  const p = spawn(process.execPath, [join(ROOT, 'bin/rampart.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += d));
  // Interrupt as soon as the first point is on disk (the second is then under way).
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (existsSync(join(out, 'points', 'dense.json'))) { clearInterval(poll); p.kill('SIGINT'); resolve(); }
    }, 20);
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => p.on('close', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGINT', stderr);
  assert.deepEqual(tempFiles(out), [], 'no temp file left');
  for (const f of readdirSync(out, { recursive: true }).map(String).filter((x) => x.endsWith('.json'))) JSON.parse(readFileSync(join(out, f), 'utf8'));
  const done = readdirSync(join(out, 'points'));
  assert.ok(done.includes('dense.json') && done.length < 4, done.join(' '));
  const r = await cli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.ok((r.stderr.match(/: kept from /g) ?? []).length >= 1);
  const f = readBench(out);
  assert.equal(f.complete, true);
  assert.deepEqual(f.points.map((x) => x.id), ['dense', '1x1--0.8', '1x1--0.9', '1x1--0.95']);
});

test('the zoo CNN, and a changed setting measures again', async () => {
  const out = join(dir, 'cnn');
  const o = {
    model: CNN, data: 'fashion-mnist', out, levels: ['dense', '0.9'], blocks: parseBlocks(['1x1']), epochs: 0, ft: MAIN_SCHEDULE,
    runtimes: ['rampart-wasm', 'onnxruntime-node'] as ('rampart-wasm' | 'onnxruntime-node')[], rounds: 3, limit: 50, html: false,
  };
  const f = await runBench(o);
  checkBenchFile(f as unknown as Record<string, unknown>);
  const t = loadDataset('fashion-mnist', 'test', { limit: 50 });
  await checkAccuracy(f, t.images, [50, 1, 28, 28], t.labels);
  checkRecords(f, o.runtimes);
  assert.ok(f.points[1].sizes.cFlashBytes! < f.points[0].sizes.cFlashBytes! / 3, 'C flash shrinks at 90%');
  const kept = readFileSync(join(out, 'points', 'dense.json'), 'utf8');
  const g = await runBench({ ...o, rounds: 4 });
  assert.notEqual(readFileSync(join(out, 'points', 'dense.json'), 'utf8'), kept, 'another fingerprint: measured again');
  // Every round records the runs of a burst after the first (src/bench/latency.ts).
  assert.equal(g.points[0].latency['1']['rampart-wasm']!.runs, 4 * (DEFAULT_BURST - 1));
});

test('--runtimes wasm-module: the per-model module is timed beside the runtime and its size recorded', async () => {
  const out = join(dir, 'wasm-module');
  const o = {
    model: LSTM, data: 'mnist', out, levels: ['dense', '0.9'], blocks: parseBlocks(['8x1']), epochs: 0, ft: MAIN_SCHEDULE,
    runtimes: ['rampart-wasm', 'wasm-module'] as ('rampart-wasm' | 'wasm-module')[], rounds: 3, limit: 50, html: false,
  };
  const f = await runBench(o);
  checkBenchFile(f as unknown as Record<string, unknown>);
  checkRecords(f, o.runtimes);
  for (const p of f.points) {
    const m = p.latency['1']['wasm-module'];
    assert.ok(m && m.medianMs > 0 && m.runs === 3 * (DEFAULT_BURST - 1), `${p.id}: wasm-module timed`);
    // The size is the module `compile --target wasm` builds from the point's saved model.
    assert.equal(p.sizes.wasmModuleBytes, compileWasm(loadModel(p.files.onnx), { file: p.files.onnx }).wasm.length, `${p.id}: module size`);
  }
  assert.ok(f.points[1].sizes.wasmModuleBytes! < f.points[0].sizes.wasmModuleBytes! / 3, 'the module shrinks at 90% in 8x1 blocks');
});

test('a dataset folder: a PyTorch export on 8x8 digits, and fine-tuning a model on them', async () => {
  const { bytes, labels } = digitBytes(200);
  const x = pooledDigits(bytes, 0, 200);
  const folder = writeFolder(dir, 'pooled', {
    'x_train.npy': { dtype: 'float32', dims: [150, 1, 8, 8], data: x.slice(0, 150 * 64) }, 'y_train.npy': int64(labels.subarray(0, 150)),
    'x_test.npy': { dtype: 'float32', dims: [50, 1, 8, 8], data: x.slice(150 * 64) }, 'y_test.npy': int64(labels.subarray(150)),
  });
  const base = { data: folder, blocks: parseBlocks(['1x1']), ft: MAIN_SCHEDULE, runtimes: ['rampart-js', 'onnxruntime-node'] as ('rampart-js' | 'onnxruntime-node')[], rounds: 3, html: false };
  const torch = join(FIXTURES, 'extra/edge_ops.onnx');
  const f = await runBench({ ...base, model: torch, out: join(dir, 'torch'), levels: ['dense', '0.5'], epochs: 0 });
  await checkAccuracy(f, x.slice(150 * 64), [50, 1, 8, 8], labels.subarray(150));

  // An MLP on the flat 64 values ([N,1,8,8] → Flatten → 64 → 32 → 10), fine-tuned at 50% for one epoch.
  const rand = mulberry32(3);
  const w = (n: number) => Float32Array.from({ length: n }, () => (rand() - 0.5) * 0.5);
  const mlp: Model = model({
    inputs: [{ name: 'x', shape: ['N', 1, 8, 8] }], outputs: [{ name: 'y', shape: ['N', 10] }],
    initializers: {
      w1: { dtype: 'float32', dims: [32, 64], data: w(32 * 64) }, b1: { dtype: 'float32', dims: [32], data: new Float32Array(32) },
      w2: { dtype: 'float32', dims: [10, 32], data: w(320) }, b2: { dtype: 'float32', dims: [10], data: new Float32Array(10) },
    },
    nodes: [node('Flatten', ['x'], ['f']), node('Gemm', ['f', 'w1', 'b1'], ['h'], { transB: int(1) }), node('Relu', ['h'], ['r']), node('Gemm', ['r', 'w2', 'b2'], ['y'], { transB: int(1) })],
  });
  const path = save(dir, 'mlp.onnx', mlp);
  const g = await runBench({ ...base, model: path, out: join(dir, 'mlp'), levels: ['dense', '0.5'], epochs: 1 });
  await checkAccuracy(g, x.slice(150 * 64), [50, 1, 8, 8], labels.subarray(150));
  assert.equal(g.points[1].history.length, 1);
  assert.ok(g.points[1].accuracy > g.points[0].accuracy, `fine-tuning taught the random MLP something (${g.points[0].accuracy} → ${g.points[1].accuracy})`);
  const zeros = (m: Model, name: string) => (m.graph.initializers[name].data as Float32Array).filter((v) => v === 0).length;
  const tuned = loadModel(g.points[1].files.onnx);
  assert.equal(zeros(tuned, 'w1'), 32 * 32, 'the masks held through fine-tuning');
});

test('bad bench flags and data are refused before any work', async () => {
  const out = join(dir, 'never');
  assertCleanError(await cli(['bench', LSTM, '--data', 'mnist', '--levels', 'dense,1.5', '-o', out]), /--levels: '1\.5'/);
  assertCleanError(await cli(['bench', LSTM, '--data', 'mnist', '--runtimes', 'tflite', '-o', out]), /unknown runtime 'tflite'/);
  assertCleanError(await cli(['bench', LSTM, '--data', 'mnist', '--block', '3', '-o', out]), /--block 3/);
  assertCleanError(await cli(['bench', LSTM, '--data', join(dir, 'nowhere'), '-o', out]), /unknown dataset/);
  assert.equal(existsSync(out), false, 'nothing written');
});
