// Cross-compiles the generated files for a Cortex-M4 and checks the flash estimate
// against the object's real size (text + data, as arm-none-eabi-size reports it; static
// const weights land in .rodata, counted in text): the PyTorch fixtures and the zoo
// LSTM dense and pruned to 90%, and block-pruned models whose weights are block-CSR.
// Uses arm-none-eabi-gcc when installed; otherwise clang with an ARM target (Debian's
// gcc-arm-none-eabi is 436 MB installed, clang-14 about 50 MB) with two stub headers
// standing in for newlib's math.h and string.h, which only declare what the file calls.
// scripts/setup.sh installs clang and llvm, so with neither toolchain the test fails
// (naming the step), never skips. libm is not linked (-c), so the comparison excludes
// the budget's libm estimate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { compileC } from '../../targets/c/index.ts';
import { blockPruneModel, pruneModel } from './models.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MCU = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-std=c99', '-Wall', '-Werror'];

const works = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

interface Toolchain { name: string; cc: string; args: string[]; size: string; stubs: boolean }

function toolchain(): Toolchain | null {
  if (works('arm-none-eabi-gcc', ['--version']) && works('arm-none-eabi-size', ['--version'])) {
    return { name: 'arm-none-eabi-gcc', cc: 'arm-none-eabi-gcc', args: MCU, size: 'arm-none-eabi-size', stubs: false };
  }
  for (const cc of ['clang', 'clang-14', 'clang-15', 'clang-16']) {
    for (const size of ['llvm-size', 'llvm-size-14']) {
      if (works(cc, ['--version']) && works(size, ['--version'])) {
        return { name: `${cc} --target=arm-none-eabi`, cc, args: ['--target=arm-none-eabi', '-ffreestanding', ...MCU], size, stubs: true };
      }
    }
  }
  return null;
}

const tc = toolchain();

const NO_TOOLCHAIN = 'no ARM cross toolchain (arm-none-eabi-gcc with arm-none-eabi-size, or clang with llvm-size): ' +
  'run `bash scripts/setup.sh` (it installs Debian\'s clang and llvm)';

test('flash estimate is within 10% of the Cortex-M4 object size (text + data)', { timeout: 120_000 }, (t) => {
  assert.ok(tc, NO_TOOLCHAIN);
  const dir = mkdtempSync(join(tmpdir(), 'rampart-arm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const inc = join(dir, 'inc');
  if (tc!.stubs) {
    mkdirSync(inc);
    writeFileSync(join(inc, 'math.h'), 'float expf(float); float tanhf(float); float logf(float);\n#define INFINITY (__builtin_inff())\n');
    writeFileSync(join(inc, 'string.h'), 'typedef __SIZE_TYPE__ size_t;\n#define NULL ((void *)0)\nvoid *memcpy(void *, const void *, size_t);\nvoid *memset(void *, int, size_t);\n');
  }
  const models: [string, Model][] = ['lstm', 'gru', 'rnn_tanh', 'lstm_stacked', 'lstm_bidir', 'cnn_bn', 'lstm_state',
    'extra/gru_opset11', 'extra/lstm_time_major', 'extra/cnn_stride2']
    .map((f) => [f.replace('extra/', ''), loadModel(join(ROOT, 'test', 'fixtures', `${f}.onnx`))]);
  const zoo = join(ROOT, 'models', 'lstm', 'model.onnx');
  if (existsSync(zoo)) models.push(['zoo_lstm', loadModel(zoo)]);
  const est = new Map<string, number>();
  const add = (key: string, model: Model, seqLen?: number) => {
    const r = compileC(model, { seqLen });
    writeFileSync(join(dir, `${key}.c`), r.source);
    est.set(key, r.budget.flash.objectBytes);
  };
  for (const [name, m] of models) {
    add(`${name}_dense`, m);
    add(`${name}_pruned90`, pruneModel(m, 0.9));
  }
  // Block-CSR storage, 75% of the blocks zeroed: the fixtures and the zoo model with
  // natural and gate-fused blocks (each recurrent fixture gets both).
  const nat = (br: number) => ({ br, bc: 1, layout: 'natural' as const });
  const fused = (br: number) => ({ br, bc: 1, layout: 'gate-fused' as const });
  const masks: Record<string, { br: number; bc: number; layout: 'natural' | 'gate-fused' }[]> = {
    lstm: [nat(8), fused(16)], gru: [nat(4), fused(6)], rnn_tanh: [nat(8)], lstm_bidir: [fused(8)], cnn_bn: [nat(4)], cnn_stride2: [nat(4)], zoo_lstm: [nat(8), nat(16), fused(8)],
  };
  for (const [name, m] of models) {
    for (const mask of masks[name] ?? []) {
      const key = `${name}_${mask.layout === 'natural' ? '' : 'fused'}${mask.br}x${mask.bc}`;
      add(key, blockPruneModel(m, 0.75, mask).model);
      assert.match(readFileSync(join(dir, `${key}.c`), 'utf8'), /rp_(bsr_mv_\w+|conv2d_bsr_\w+)\(/, `${key} has block-CSR weights`);
    }
  }
  const files = [...est.keys()].map((k) => `${k}.c`);
  execFileSync(tc!.cc, [...tc!.args, ...(tc!.stubs ? ['-isystem', inc] : []), '-c', ...files], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = execFileSync(tc!.size, [...est.keys()].map((k) => `${k}.o`), { cwd: dir }).toString();
  t.diagnostic(`toolchain: ${tc!.name}`);
  let checked = 0;
  for (const line of out.split('\n').slice(1)) {
    const [text, data, , , , file] = line.trim().split(/\s+/);
    if (!file) continue;
    const key = file.replace(/\.o$/, '').split('/').pop()!;
    const real = Number(text) + Number(data);
    const ratio = est.get(key)! / real;
    t.diagnostic(`${key}: estimate ${est.get(key)} B, object text+data ${real} B (${((ratio - 1) * 100).toFixed(1)}%)`);
    assert.ok(Math.abs(ratio - 1) <= 0.1, `${key}: estimate ${est.get(key)} vs ${real}`);
    checked++;
  }
  assert.equal(checked, est.size);
});
