// The runtime in a browser: the esbuild bundle (scripts/build-browser.mjs) loaded as
// an ES module into headless Debian chromium (playwright-core, nothing downloaded),
// from a node http server on 127.0.0.1. Each model — the LSTM, GRU and CNN fixtures
// and an LSTM pruned to 90% and compiled with the onnx-csr target — runs in the page
// on the js and wasm backends with onnxruntime-node's outputs on the same inputs; the
// LSTMs also stream one time step at a time. The browser, its profile folder and the
// server are cleaned up whatever happens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Tensor } from '../../runtime/ir.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { readNpy } from '../../src/io/npy.ts';
import { onnxCsrTarget } from '../../targets/onnx-csr/index.ts';
import { magnitudePrune, maxAbsDiff, ortRun } from '../runtime/helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures');
const DIST = join(ROOT, 'runtime/build');
const CHROMIUM = '/usr/bin/chromium';
const TOL = 1e-4;
const BACKENDS = ['js', 'wasm'] as const;

// The page side, plain JS served as a module (not functions shipped through
// page.evaluate: tsx's transform would add helpers the page does not have).
const RUNNER = `
import { InferenceSession, Tensor } from '/dist/rampart.browser.js';

const feedsOf = (feeds) => Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new Tensor('float32', v.data, v.dims)]));
const plain = (out) => Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims, data: Float32Array.from(t.data) }]));

/** Creates a session from the model's URL and runs it once. */
export async function run(model, backend, feeds, wasm) {
  const opts = { backend };
  if (wasm) opts.wasm = new Uint8Array(await (await fetch(wasm)).arrayBuffer());
  const s = await InferenceSession.create(model, opts);
  const out = await s.run(feedsOf(feeds));
  return { backend: s.backendName, csr: s.layers().filter((l) => l.format === 'csr').length, outputs: plain(out) };
}

/** Creates a session from the model's bytes and steps its batch-first input through time. */
export async function stream(model, backend, feeds) {
  const bytes = await (await fetch(model)).arrayBuffer();
  const s = await InferenceSession.create(bytes, { backend, file: model });
  const st = s.createStream();
  const name = s.inputNames[0];
  const x = feeds[name];
  const [N, T, ...rest] = x.dims;
  const inner = rest.reduce((a, b) => a * b, 1);
  let out = {};
  for (let t = 0; t < T; t++) {
    const step = new Float32Array(N * inner);
    for (let b = 0; b < N; b++) step.set(x.data.subarray((b * T + t) * inner, (b * T + t + 1) * inner), b * inner);
    out = st.step({ [name]: new Tensor('float32', step, [N, 1, ...rest]) });
  }
  return plain(out);
}

/** What a failing create says. */
export async function failure(model) {
  try { await InferenceSession.create(model, { backend: 'js' }); return null; }
  catch (e) { return { name: e.name, message: e.message }; }
}
`;

interface Case {
  name: string;
  bytes: Uint8Array;
  feeds: Record<string, Tensor>;
  want: Record<string, Float32Array>;
  csr: boolean;
}

interface PageOut { dims: number[]; data: Float32Array }
interface RunResult { backend: string; csr: number; outputs: Record<string, PageOut> }

const cases: Case[] = [];
const requests: string[] = [];
const pageErrors: string[] = [];
let server: Server | undefined;
let ctx: BrowserContext | undefined;
let page: Page;
let userDir: string | undefined;

function fixtureFeeds(name: string): Record<string, Tensor> {
  return { input: readNpy(join(FIXTURES, `${name}.input.npy`)) };
}

async function makeCases(): Promise<void> {
  for (const name of ['lstm', 'gru', 'cnn_bn']) {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, `${name}.onnx`)));
    const feeds = fixtureFeeds(name);
    cases.push({ name, bytes, feeds, want: await ortRun(bytes, feeds), csr: false });
  }
  // Pruned with a magnitude pruner independent of Rampart's, compiled by the project's
  // own target; the oracle is onnxruntime on the dense pruned model.
  const pruned = magnitudePrune(loadModel(join(FIXTURES, 'lstm.onnx')), 0.9);
  const compiled = onnxCsrTarget.compile(pruned, { file: 'lstm90.onnx' });
  assert.ok(compiled.layers.some((l) => l.action === 'csr'), 'the pruned LSTM has CSR layers');
  const feeds = fixtureFeeds('lstm');
  cases.push({ name: 'lstm90_csr', bytes: compiled.bytes, feeds, want: await ortRun(encodeModel(pruned), feeds), csr: true });
}

const TYPES: Record<string, string> = { js: 'text/javascript', map: 'application/json', wasm: 'application/wasm', onnx: 'application/octet-stream', html: 'text/html' };

function route(path: string): Uint8Array | string | undefined {
  if (path === '/') return '<!doctype html><meta charset="utf-8"><title>rampart</title>';
  if (path === '/runner.js') return RUNNER;
  if (path === '/alt/kernels.wasm') return readFileSync(join(DIST, 'kernels.wasm'));
  const dist = /^\/dist\/(rampart\.browser\.js(\.map)?|kernels\.wasm)$/.exec(path);
  if (dist) return readFileSync(join(DIST, dist[1]));
  const model = /^\/models\/(\w+)\.onnx$/.exec(path);
  return model ? cases.find((c) => c.name === model[1])?.bytes : undefined;
}

async function startServer(): Promise<string> {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const body = route(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path === '/' ? 'html' : path.split('.').pop()!] ?? 'application/octet-stream' });
    res.end(body);
  });
  await new Promise<void>((ok, fail) => {
    server!.once('error', fail);
    server!.listen(0, '127.0.0.1', ok);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  // The bundle is rebuilt only when its sources changed (a hash check, well under a second).
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-browser.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `scripts/build-browser.mjs failed:\n${build.stdout}${build.stderr}`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup.sh (installs Debian chromium)`);
  await makeCases();
  const base = await startServer();
  userDir = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 15_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  page = ctx.pages()[0] ?? await ctx.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}/`);
  await page.evaluate(async () => {
    (globalThis as Record<string, unknown>).runner = await import('/runner.js' as string);
  });
}, { timeout: 30_000 });

after(async () => {
  try {
    await ctx?.close();
  } finally {
    server?.closeAllConnections();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  }
});

type Runner = {
  run(model: string, backend: string, feeds: Record<string, Tensor>, wasm?: string): Promise<RunResult>;
  stream(model: string, backend: string, feeds: Record<string, Tensor>): Promise<Record<string, PageOut>>;
  failure(model: string): Promise<{ name: string; message: string } | null>;
};

function inPage<K extends keyof Runner>(fn: K, ...args: Parameters<Runner[K]>): Promise<Awaited<ReturnType<Runner[K]>>> {
  return page.evaluate(([f, a]) => {
    const r = (globalThis as Record<string, unknown>).runner as Record<string, (...x: unknown[]) => unknown>;
    return r[f as string](...(a as unknown[]));
  }, [fn, args] as const) as Promise<Awaited<ReturnType<Runner[K]>>>;
}

function assertClose(got: Record<string, PageOut>, want: Record<string, Float32Array>, what: string): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: output names`);
  for (const [k, w] of Object.entries(want)) {
    assert.ok(got[k].data instanceof Float32Array, `${what} '${k}' came back as a Float32Array`);
    const d = maxAbsDiff(got[k].data, w);
    assert.ok(d <= TOL, `${what} '${k}': max |diff| ${d} vs onnxruntime-node`);
  }
}

test('the bundle has no node: import and a wasm session loads kernels.wasm from beside it', async () => {
  const src = readFileSync(join(DIST, 'rampart.browser.js'), 'utf8');
  assert.doesNotMatch(src, /(from\s*|import\s*\(\s*)["']node:/);
  const r = await inPage('run', '/models/lstm.onnx', 'wasm', cases[0].feeds);
  assert.equal(r.backend, 'wasm');
  assert.ok(requests.includes('/dist/kernels.wasm'), `requests: ${requests.join(' ')}`);
  assert.deepEqual(pageErrors, []);
});

for (const name of ['lstm', 'gru', 'cnn_bn', 'lstm90_csr']) {
  test(`${name}: js and wasm in the page give onnxruntime-node's outputs`, async () => {
    const c = cases.find((x) => x.name === name)!;
    for (const backend of BACKENDS) {
      const r = await inPage('run', `/models/${name}.onnx`, backend, c.feeds);
      assert.equal(r.backend, backend);
      assertClose(r.outputs, c.want, `${name} ${backend}`);
      // The CSR model runs its weights as CSR natively; the dense fixtures stay dense.
      if (c.csr) assert.ok(r.csr > 0, `${name} ${backend}: CSR weights in use`);
      else assert.equal(r.csr, 0, `${name} ${backend}: no CSR weights`);
    }
  });
}

for (const name of ['lstm', 'lstm90_csr']) {
  test(`${name}: streaming one step at a time in the page ends at the whole-sequence outputs`, async () => {
    const c = cases.find((x) => x.name === name)!;
    for (const backend of BACKENDS) {
      assertClose(await inPage('stream', `/models/${name}.onnx`, backend, c.feeds), c.want, `${name} stream ${backend}`);
    }
  });
}

test('the wasm option takes the kernel bytes; a missing model is refused naming its URL', async () => {
  const c = cases.find((x) => x.name === 'gru')!;
  const r = await inPage('run', '/models/gru.onnx', 'wasm', c.feeds, '/alt/kernels.wasm');
  assertClose(r.outputs, c.want, 'gru wasm with kernels given as bytes');
  assert.ok(requests.includes('/alt/kernels.wasm'));
  const e = await inPage('failure', '/models/nope.onnx');
  assert.equal(e?.name, 'RampartError');
  assert.match(e!.message, /\/models\/nope\.onnx: cannot fetch the model/);
  assert.deepEqual(pageErrors, []);
});
