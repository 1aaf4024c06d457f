// The compiled targets on the zoo LSTM, dense and at the Δr guard's level (unstructured,
// and in 8x1 blocks), each produced by the documented CLI commands:
//   wasm: module size and batch-1 latency of the module's run() against onnxruntime-web
//         (wasm EP, SIMD, one thread) on the same ONNX model, in the same process,
//         interleaved rounds, medians;
//   Cortex-M4 (QEMU mps2-an386): flash and RAM of the linked firmware (stack high-water
//         mark included) and instructions per inference (-icount shift=0, SysTick),
//         at -Os (the default) and -O2.
// `npx tsx bench/targets.ts [rounds]` writes bench/results/targets.json and targets.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { loadModel } from '../src/onnx/import.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { median } from '../src/eval/median.ts';
import { rng } from '../src/util/random.ts';
import { Firmware } from '../targets/c/firmware/index.ts';
import { compileWasm } from '../targets/wasm/index.ts';
import { conditions, table, writeJson } from './common.ts';

const ROOT = join(import.meta.dirname, '..');
const ZOO = join(ROOT, 'models', 'lstm', 'model.onnx');
const CLI = join(ROOT, 'bin', 'rampart.js');

interface Row {
  model: string; command: string; sparsity: number; storage: string;
  wasm: { bytes: number; ms: number; ortWebMs: number; minMs: number; ortWebMinMs: number };
  m4: { Os: { flash: number; ram: number; data: number; bss: number; stack: number; instructions: number }; O2: { flash: number; ram: number; instructions: number } };
}

/** Fraction of zeros over the model's weight matrices (initializers of rank >= 2). */
function sparsity(path: string): number {
  let z = 0, n = 0;
  for (const t of Object.values(loadModel(path).graph.initializers)) {
    if (t.dims.length < 2) continue;
    for (const v of t.data as Float32Array) { n++; if (v === 0) z++; }
  }
  return z / n;
}

export async function run(args: string[] = []): Promise<void> {
  const rounds = Number(args[0] ?? 30);
  const cond = conditions();
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-targets-'));
  try {
    const models: [string, string, string][] = [['zoo LSTM dense', ZOO, '(models/lstm/model.onnx)']];
    for (const [label, extra] of [['guard level, unstructured', []], ['guard level, 8x1 blocks', ['--block', '8x1']]] as [string, string[]][]) {
      const out = join(dir, `${extra.length ? 'block' : 'guard'}.onnx`);
      const cmd = ['prune', ZOO, '--method', 'magnitude', '--guard', 'delta-r', '--sparsity', 'auto', ...extra, '-o', out];
      execFileSync(process.execPath, [CLI, ...cmd], { stdio: 'ignore' });
      models.push([`zoo LSTM ${label}`, out, `rampart ${cmd.join(' ').replace(ZOO, 'models/lstm/model.onnx').replace(out, 'x.onnx')}`]);
    }
    ort.env.wasm.numThreads = 1;
    const r = rng(3);
    const x = Float32Array.from({ length: 784 }, () => r(0, 1));
    const rows: Row[] = [];
    for (const [name, path, command] of models) {
      const model = loadModel(path);
      const w = compileWasm(model, { file: path });
      const inst = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(w.wasm)), {});
      const e = inst.exports as { memory: WebAssembly.Memory; input(): number; run(): number };
      new Float32Array(e.memory.buffer).set(x, e.input() >>> 2);
      const session = await ort.InferenceSession.create(path, { executionProviders: ['wasm'] });
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, [1, 28, 28]) };
      const tm: number[] = [], to: number[] = [];
      for (let k = 0; k < 5; k++) { e.run(); await session.run(feeds); }
      for (let k = 0; k < rounds; k++) { // interleaved: both see the same machine load
        let t = performance.now(); for (let i = 0; i < 10; i++) e.run(); tm.push((performance.now() - t) / 10);
        t = performance.now(); for (let i = 0; i < 10; i++) await session.run(feeds); to.push((performance.now() - t) / 10);
      }
      await session.release();
      const m4 = (optimize: 'Os' | 'O2') => {
        const fw = new Firmware(model, { device: 'cortex-m4', file: path, optimize });
        try { return fw.run([x]); } finally { fw.close(); }
      };
      const os = m4('Os'), o2 = m4('O2');
      rows.push({
        model: name, command, sparsity: sparsity(path), storage: w.c.budget.layers.map((l) => `${l.layer}: ${l.action}`).join(', '),
        wasm: { bytes: w.wasm.length, ms: median(tm), ortWebMs: median(to), minMs: Math.min(...tm), ortWebMinMs: Math.min(...to) },
        m4: {
          Os: { flash: os.flashBytes, ram: os.ramBytes, data: os.dataBytes, bss: os.bssBytes, stack: os.stackBytes, instructions: os.instructions[0] },
          O2: { flash: o2.flashBytes, ram: o2.ramBytes, instructions: o2.instructions[0] },
        },
      });
      console.error(`${name}: done`);
    }
    writeJson(join(ROOT, 'bench', 'results', 'targets.json'), { conditions: cond, rounds, rows });
    const f = (n: number) => n.toLocaleString('en-US');
    const md = [
      '# Compiled targets on the zoo LSTM (bench/targets.ts)', '',
      `Conditions: ${cond.cpu}, ${cond.cores} cores, node ${cond.node}, wasm SIMD ${cond.wasmSimd}, batch 1, one thread, load average ${cond.loadAverage.toFixed(1)} at the start, ${cond.date.slice(0, 10)}; ${rounds} interleaved rounds of 10 runs, medians.`, '',
      ...models.map(([n, , c]) => `- ${n}: \`${c}\``), '',
      '## wasm target: module size and batch-1 latency', '',
      'Each cell: median (least) ms per run; on a loaded machine the least is the steadier estimate of the code itself.', '',
      table(['model', 'sparsity', 'storage', 'model.wasm', 'module ms', 'onnxruntime-web ms', 'speed-up (medians)', 'speed-up (least)'],
        rows.map((r) => [r.model, r.sparsity.toFixed(3), r.storage, `${f(r.wasm.bytes)} B`, `${r.wasm.ms.toFixed(3)} (${r.wasm.minMs.toFixed(3)})`,
          `${r.wasm.ortWebMs.toFixed(3)} (${r.wasm.ortWebMinMs.toFixed(3)})`, `${(r.wasm.ortWebMs / r.wasm.ms).toFixed(2)}x`, `${(r.wasm.ortWebMinMs / r.wasm.minMs).toFixed(2)}x`])), '',
      '## Cortex-M4F (QEMU mps2-an386, clang 14 + ld.lld): firmware flash, RAM, instructions per inference', '',
      'Flash = .text (code and constants) + .data initial values of the linked ELF, the test vectors excluded, the harness (~1 KB) and freestanding libm included; RAM = .data + .bss + the stack high-water mark; instructions counted by QEMU (-icount shift=0, SysTick calibrated against a loop of known length).', '',
      table(['model', 'flash -Os', 'RAM -Os (bss + stack)', 'instructions -Os', 'flash -O2', 'instructions -O2'],
        rows.map((r) => [r.model, `${f(r.m4.Os.flash)} B`, `${f(r.m4.Os.ram)} B (${f(r.m4.Os.bss)} + ${f(r.m4.Os.stack)})`, f(r.m4.Os.instructions), `${f(r.m4.O2.flash)} B`, f(r.m4.O2.instructions)])), '',
    ].join('\n');
    writeFileAtomic(join(ROOT, 'bench', 'results', 'targets.md'), md);
    process.stdout.write(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
