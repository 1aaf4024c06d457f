// The CLI side of the targets: `compile --target c` reports the flash estimate as the
// artifact's size (not the C source's), `--target wasm -o DIR` writes the module folder
// and reports the module's size, `--firmware DIR` writes a firmware folder whose build.sh
// builds and runs it in QEMU with a passing self-check, and misuse is refused cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/onnx/import.ts';
import { budget } from '../../targets/c/index.ts';
import { assertCleanError, cli, FIXTURES, tmp } from '../cli/helpers.ts';

const LSTM = join(FIXTURES, 'lstm.onnx');
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

test('compile --target c: the summary and --json give the flash estimate, not the size of the C file', async () => {
  const dir = tmp();
  const flash = budget(loadModel(LSTM), { file: LSTM }).flash.totalBytes;
  const r = await cli(['compile', LSTM, '--target', 'c', '-o', join(dir, 'lstm.c')]);
  assert.equal(r.code, 0, r.stderr);
  const source = statSync(join(dir, 'lstm.c')).size;
  assert.ok(source > 2 * flash, 'the C text is much larger than what it compiles to');
  assert.match(r.stdout, new RegExp(`lstm\\.c \\(c\\): flash estimate ${kib(flash).replace('.', '\\.')}, dense model`));
  assert.doesNotMatch(r.stdout, new RegExp(`\\(c\\): ${kib(source).replace('.', '\\.')}`));
  const j = await cli(['compile', LSTM, '--target', 'c', '-o', join(dir, 'lstm.c'), '--json']);
  const rep = JSON.parse(j.stdout);
  assert.equal(rep.sizeBytes, flash);
  assert.equal(rep.sizeLabel, 'flash estimate');
  assert.equal(rep.fileBytes, source);
});

test('compile --target wasm -o DIR: the module folder, and the module size in the summary', async () => {
  const dir = join(tmp(), 'lstm-wasm');
  const r = await cli(['compile', LSTM, '--target', 'wasm', '-o', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['index.d.ts', 'index.js', 'model.wasm', 'package.json']);
  const size = statSync(join(dir, 'model.wasm')).size;
  assert.match(r.stdout, new RegExp(`lstm-wasm \\(wasm\\): module ${kib(size).replace('.', '\\.')}`));
  assert.match(r.stdout, /index\.js exports create\(\), run\(input: 784 floats\), step\(frame: 28 floats\), reset\(\)/);
  assert.match(readFileSync(join(dir, 'index.d.ts'), 'utf8'), /step\(frame: ArrayLike<number>\): Float32Array;/);
});

test('compile --firmware DIR: build.sh builds the firmware and QEMU runs it with its self-check passing', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const r = await cli(['compile', LSTM, '--target', 'c', '--device', 'cortex-m4', '-o', join(dir, 'lstm.c'), '--firmware', join(dir, 'fw')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(join(dir, 'fw')).sort(), ['board.ld', 'build.sh', 'include', 'main.c', 'model.c', 'rp_libm.c', 'startup.c', 'testdata.c']);
  const run = spawnSync('sh', [join(dir, 'fw', 'build.sh')], { encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /^check 00000000 [0-9a-f]{8}$/m);
  assert.match(run.stdout, /^done 00000000$/m);
});

test('--firmware without target c and a device is refused; so is a device QEMU does not model', async () => {
  const dir = tmp();
  assertCleanError(await cli(['compile', LSTM, '--target', 'wasm', '-o', join(dir, 'w'), '--firmware', join(dir, 'fw')]), /--firmware needs --target c and --device/);
  assertCleanError(await cli(['compile', LSTM, '--target', 'c', '-o', join(dir, 'x.c'), '--firmware', join(dir, 'fw')]), /--firmware needs --target c and --device/);
  assertCleanError(await cli(['compile', LSTM, '--target', 'c', '--device', 'esp32', '-o', join(dir, 'x.c'), '--firmware', join(dir, 'fw')]), /device 'esp32' has no emulated board/);
  assertCleanError(await cli(['compile', LSTM, '--target', 'wasm', '--device', 'cortex-m4', '-o', join(dir, 'w')]), /--device does not apply to target 'wasm'/);
});
