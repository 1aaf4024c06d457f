// Target wasm in headless Chromium: the compiled folders (index.js + model.wasm) served
// from a node http server on 127.0.0.1 and imported by a page as a user's page would;
// create() fetches model.wasm from beside index.js. Zoo LSTM dense and in 8x1 blocks
// (block CSR; also streamed step by step) and the zoo CNN pruned to 90% (CSR), against
// onnxruntime-node at 1e-5. Browser, profile folder and server are cleaned up whatever happens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { wasmTarget } from '../../targets/wasm/index.ts';
import { flat, maxDiff, targetCase, type TargetCase, type Variant } from '../targets/cases.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOL = 1e-5;
const CASES: [string, Variant][] = [['lstm', 'dense'], ['lstm', '8x1'], ['cnn', 'pruned90']];

const files = new Map<string, Uint8Array>();
const cases = new Map<string, TargetCase>();
const requests: string[] = [];
const pageErrors: string[] = [];
let server: Server | undefined;
let ctx: BrowserContext | undefined;
let page: Page;
let userDir: string | undefined;

const TYPES: Record<string, string> = { js: 'text/javascript', wasm: 'application/wasm', ts: 'text/plain', json: 'application/json' };

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup.sh (installs Debian chromium)`);
  for (const [zoo, v] of CASES) {
    const c = await targetCase(zoo, v, 2, 9);
    cases.set(c.name, c);
    for (const f of wasmTarget.compile(c.model, { file: `${zoo}.onnx` }).files!) files.set(`/${zoo}_${v}/${f.name}`, f.bytes);
  }
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    if (path === '/') { res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>rampart wasm</title>'); return; }
    const body = files.get(path);
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.split('.').pop()!] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((ok, fail) => { server!.once('error', fail); server!.listen(0, '127.0.0.1', ok); });
  userDir = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM, headless: true, timeout: 15_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = ctx.pages()[0] ?? await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}, { timeout: 300_000 });

after(async () => {
  try {
    await ctx?.close();
  } finally {
    server?.closeAllConnections();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  }
});

interface PageResult { run: number[][]; stepped: number[] | null; hasStep: boolean; error: string }

/** In the page: import the folder's index.js, create(), run each sample; stream the first if it can. */
function inPage(dir: string, samples: number[][], frame: number): Promise<PageResult> {
  return page.evaluate(async ([d, xs, n]) => {
    const mod = await import(`/${d}/index.js`);
    const m = await mod.create();
    const run = xs.map((x: number[]) => Array.from(m.run(Float32Array.from(x)) as Float32Array));
    let stepped: number[] | null = null;
    if (m.step) {
      m.reset();
      let y: Float32Array = new Float32Array();
      for (let s = 0; s * n < xs[0].length; s++) y = m.step(Float32Array.from(xs[0].slice(s * n, (s + 1) * n)));
      stepped = Array.from(y);
    }
    let error = '';
    try { m.run(new Float32Array(3)); } catch (e) { error = `${(e as Error).name}: ${(e as Error).message}`; }
    return { run, stepped, hasStep: typeof m.step === 'function', error };
  }, [dir, samples, frame] as const);
}

for (const [zoo, v] of CASES) {
  test(`${zoo}/${v}: the module in Chromium matches onnxruntime-node within ${TOL}`, async () => {
    const c = cases.get(`${zoo}/${v}`)!;
    const r = await inPage(`${zoo}_${v}`, c.samples.map((s) => Array.from(flat(s))), 28);
    r.run.forEach((y, i) => assert.ok(maxDiff(y, c.want[i]) <= TOL, `sample ${i}: ${maxDiff(y, c.want[i])}`));
    assert.equal(r.hasStep, zoo === 'lstm');
    if (zoo === 'lstm') assert.ok(maxDiff(r.stepped!, c.want[0]) <= TOL, `streamed: ${maxDiff(r.stepped!, c.want[0])}`);
    assert.match(r.error, /^RangeError: lstm\.run: got 3 values|^RangeError: cnn\.run: got 3 values/);
    assert.ok(requests.includes(`/${zoo}_${v}/model.wasm`), 'model.wasm fetched from beside index.js');
    assert.deepEqual(pageErrors, []);
  });
}
