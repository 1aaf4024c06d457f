// OPTIONAL: cross-compiles the generated files for a Cortex-M4 and checks the flash
// estimate against the object's real size (text + data, as arm-none-eabi-size reports
// it; static const weights land in .rodata, counted in text). Uses arm-none-eabi-gcc
// when installed; otherwise clang with an ARM target (Debian's gcc-arm-none-eabi is
// 436 MB installed, clang-14 about 50 MB) with two stub headers standing in for
// newlib's math.h and string.h, which only declare what the file calls. Skipped when
// neither toolchain is there. libm is not linked (-c), so the comparison excludes the
// budget's libm estimate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { compileC } from '../../targets/c/index.ts';
import { pruneModel } from './models.ts';

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

test('flash estimate is within 10% of the Cortex-M4 object size (text + data)', {
  skip: tc ? false : 'no ARM cross compiler (arm-none-eabi-gcc, or clang with llvm-size)', timeout: 120_000,
}, (t) => {
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
  for (const [name, m] of models) {
    for (const [tag, model] of [['dense', m], ['pruned90', pruneModel(m, 0.9)]] as const) {
      const r = compileC(model);
      writeFileSync(join(dir, `${name}_${tag}.c`), r.source);
      est.set(`${name}_${tag}`, r.budget.flash.objectBytes);
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
