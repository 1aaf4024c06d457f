// Builds the browser bundle of the runtime: runtime/index.ts bundled by esbuild as one
// ES module, runtime/build/rampart.browser.js, with the WASM kernels copied beside it
// (runtime/build/kernels.wasm, where the bundle looks by default). The bundle is built
// for platform 'browser' with runtime/host.ts swapped for runtime/host.browser.ts
// (fetch instead of node:fs), so a node: import anywhere in it fails the build.
// Builds the kernels first (runtime/wasm/build.mjs). Idempotent and fast when nothing
// changed: a hash of every input is stored beside the output, as build.mjs does.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runtimeDir = join(root, 'runtime');
const outDir = join(runtimeDir, 'build');
const bundleOut = join(outDir, 'rampart.browser.js');
const wasmOut = join(outDir, 'kernels.wasm');
const hashOut = join(outDir, 'rampart.browser.hash');
const kernels = join(runtimeDir, 'wasm', 'build', 'kernels.wasm');
const hostNode = join(runtimeDir, 'host.ts');
const hostBrowser = join(runtimeDir, 'host.browser.ts');

/** Every file the bundle can depend on: runtime sources (not the AssemblyScript or build outputs). */
function inputs(dir = runtimeDir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (p === outDir || p === join(runtimeDir, 'wasm', 'assembly')) continue;
      out.push(...inputs(p));
    } else if (/\.(ts|json|wasm)$/.test(name)) out.push(p);
  }
  return out;
}

function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const swapHost = {
  name: 'rampart-browser-host',
  setup(build) {
    build.onResolve({ filter: /host\.ts$/ }, (args) =>
      resolve(args.resolveDir, args.path) === hostNode ? { path: hostBrowser } : undefined);
  },
};

async function main() {
  const wasmBuild = spawnSync(process.execPath, [join(runtimeDir, 'wasm', 'build.mjs')], { stdio: 'inherit' });
  if (wasmBuild.status !== 0) process.exit(wasmBuild.status ?? 1);

  const esbuild = await import('esbuild');
  const h = createHash('sha256').update(esbuild.version).update(readFileSync(fileURLToPath(import.meta.url)));
  for (const f of inputs()) h.update(f.slice(root.length)).update(readFileSync(f));
  const hash = h.digest('hex');
  const force = process.argv.includes('--force');
  if (!force && existsSync(bundleOut) && existsSync(wasmOut) && existsSync(hashOut) && readFileSync(hashOut, 'utf8') === hash) return;

  const t0 = Date.now();
  const res = await esbuild.build({
    entryPoints: [join(runtimeDir, 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outfile: bundleOut,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'error',
    plugins: [swapHost],
  });
  mkdirSync(outDir, { recursive: true });
  for (const f of res.outputFiles) writeAtomic(f.path, f.contents);
  writeAtomic(wasmOut, readFileSync(kernels));
  writeAtomic(hashOut, hash);
  const kb = (p) => `${(statSync(p).size / 1024).toFixed(0)} KiB`;
  process.stdout.write(`scripts/build-browser.mjs: built ${bundleOut.slice(root.length + 1)} (${kb(bundleOut)}) + kernels.wasm (${kb(wasmOut)}) in ${Date.now() - t0} ms\n`);
}

await main();
