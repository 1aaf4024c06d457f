// The compiled targets as runtimes (`rampart run|eval --runtime c|wasm-module|<device>`):
// the model is compiled for that target, run on the given inputs and its outputs read
// back, so every runtime writes the same NAME.npy files.
//   c            the C target built for this machine with the system's cc, run as a process
//   wasm-module  the wasm target's module, instantiated in this process
//   <device>     a device with an emulated board (cortex-m4, ...): the test firmware in qemu-system-arm
// The targets run batch 1 with shapes fixed at compile time: a batch is split along each
// input's batch axis (runtime/dims.ts), the other free dims are bound from the feeds, and
// the per-sample outputs are stacked again. Failures name the step (compile, link,
// emulate) and the tool's own message (targets/c/toolchain.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dim, Model, Tensor } from '../../runtime/ir.ts';
import { RampartError, withContext } from '../../runtime/errors.ts';
import { dimRole } from '../../runtime/dims.ts';
import { sizeOf } from '../../runtime/tensor.ts';
import type { CCompilation, CTargetOptions } from '../../targets/c/index.ts';
import type { Runner, RunnerSource } from './runner.ts';

/**
 * The target runtimes. The devices are those of targets/c/devices.ts with an emulated
 * board that has an FPU (mps2-an385's Cortex-M3 needs a soft-float runtime clang does not
 * ship); test/targets/runtimes.test.ts checks this list against that table.
 */
export const TARGET_RUNTIMES = ['c', 'wasm-module', 'cortex-m4', 'cortex-m7', 'nrf52840', 'mps2-an386', 'mps2-an500', 'mps2-an505', 'mps3-an547'] as const;
export type TargetRuntime = (typeof TARGET_RUNTIMES)[number];

/** Runs batch-1 samples (each the graph inputs concatenated) on one compiled program. */
interface Program {
  io: CCompilation['io'];
  run(samples: Float32Array[]): Float32Array[];
  close(): void;
}

/** The axis of each graph input that is its batch (null: a fixed shape, batch 1). */
function batchAxes(model: Model): (number | null)[] {
  return model.graph.inputs.map((inp) => {
    const shape = inp.shape ?? [];
    const i = shape.findIndex((d, axis) => typeof d !== 'number' && dimRole(d, axis) === 'batch');
    return i < 0 ? null : i;
  });
}

/** Compile options binding the free non-batch dims to the feeds' sizes. */
function bindings(model: Model, feeds: Tensor[], axes: (number | null)[]): Pick<CTargetOptions, 'dims' | 'seqLen'> {
  const dims: Record<string, number> = {};
  let seqLen: number | undefined;
  model.graph.inputs.forEach((inp, k) => (inp.shape ?? []).forEach((d: Dim, axis) => {
    if (typeof d === 'number' && d > 0) return;
    if (axis === axes[k]) return;
    const v = feeds[k].dims[axis];
    if (typeof d === 'string' && d) dims[d] = v;
    else seqLen ??= v;
  }));
  return { dims, seqLen };
}

/** Index s of `axis` (the rest unchanged), as a flat array. */
function sliceAxis(t: Tensor, axis: number | null, s: number): Float32Array {
  const x = t.data as Float32Array;
  if (axis === null) return x;
  const outer = sizeOf(t.dims.slice(0, axis)), n = t.dims[axis], inner = sizeOf(t.dims.slice(axis + 1));
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) out.set(x.subarray((o * n + s) * inner, (o * n + s + 1) * inner), o * inner);
  return out;
}

/** Per-sample outputs (batch 1) stacked along `axis` into one tensor. */
function stack(parts: Float32Array[], dims: number[], axis: number): Tensor {
  const n = parts.length;
  const outer = sizeOf(dims.slice(0, axis)), inner = sizeOf(dims.slice(axis + 1));
  const out = new Float32Array(outer * n * inner);
  parts.forEach((p, s) => { for (let o = 0; o < outer; o++) out.set(p.subarray(o * inner, (o + 1) * inner), (o * n + s) * inner); });
  const d = dims.slice();
  d[axis] = n;
  return { dtype: 'float32', dims: d, data: out };
}

async function program(runtime: TargetRuntime, model: Model, opts: CTargetOptions): Promise<Program> {
  if (runtime === 'wasm-module') {
    const { compileWasm } = await import('../../targets/wasm/index.ts');
    const w = compileWasm(model, opts);
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(w.wasm)), {});
    const e = instance.exports as { memory: WebAssembly.Memory; input(): number; output(): number; run(): number };
    const heap = new Float32Array(e.memory.buffer);
    const outFloats = w.io.outputs.reduce((a, t) => a + t.size, 0);
    return {
      io: w.io,
      run: (samples) => samples.map((x) => {
        heap.set(x, e.input() >>> 2);
        const rc = e.run();
        if (rc !== 0) throw new RampartError(`run failed: the wasm module returned status ${rc}`, { file: opts.file });
        return heap.slice(e.output() >>> 2, (e.output() >>> 2) + outFloats);
      }),
      close: () => {},
    };
  }
  if (runtime === 'c') return hostProgram(model, opts);
  const { Firmware } = await import('../../targets/c/firmware/index.ts');
  const fw = new Firmware(model, { ...opts, device: runtime });
  return {
    io: fw.c.io,
    run: (samples) => {
      const r = fw.run(samples, null, 0, opts.file);
      r.status.forEach((s, i) => { if (s !== 0) throw new RampartError(`emulate: sample ${i} returned status ${s} on ${fw.board.machine}`, { file: opts.file }); });
      return r.outputs;
    },
    close: () => fw.close(),
  };
}

/** The generated C with a driver main (samples on stdin, outputs on stdout), built by the system's cc. */
async function hostProgram(model: Model, opts: CTargetOptions): Promise<Program> {
  const { compileC } = await import('../../targets/c/index.ts');
  const { findTool, runTool } = await import('../../targets/c/toolchain.ts');
  const c = compileC(model, { ...opts, prefix: 'rampart' });
  const inF = c.io.inputs.reduce((a, t) => a + t.size, 0), outF = c.io.outputs.reduce((a, t) => a + t.size, 0);
  const cc = findTool(['cc', 'gcc', 'clang']);
  if (!cc) throw new RampartError('compile: no C compiler on PATH (tried cc, gcc, clang)', { expected: "Debian's gcc and libc6-dev: run `bash scripts/setup.sh`" });
  const dir = mkdtempSync(join(tmpdir(), 'rampart-c-run-'));
  try {
    writeFileSync(join(dir, 'model.c'), c.source);
    writeFileSync(join(dir, 'main.c'), `/* rampart run --runtime c: float32 samples on stdin, their outputs on stdout. */
#include <stdio.h>
int rampart_run(const float *input, float *output);
static float x[${Math.max(1, inF)}], y[${Math.max(1, outF)}];
int main(void) {
  size_t got;
  while ((got = fread(x, sizeof(float), ${inF}, stdin)) == ${inF}) {
    if (rampart_run(x, y) != 0) return 3;
    if (fwrite(y, sizeof(float), ${outF}, stdout) != ${outF}) return 4;
  }
  return got == 0 ? 0 : 2;
}
`);
    runTool('compile', cc, ['-O2', '-std=c99', '-o', 'model', 'main.c', 'model.c', '-lm'], { cwd: dir, file: opts.file });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    io: c.io,
    run: (samples) => {
      const input = new Float32Array(samples.length * inF);
      samples.forEach((s, i) => input.set(s, i * inF));
      const r = runTool('run', join(dir, 'model'), [], { input: new Uint8Array(input.buffer), file: opts.file });
      const out = new Float32Array(r.bytes.buffer.slice(r.bytes.byteOffset, r.bytes.byteOffset + r.bytes.byteLength));
      if (out.length !== samples.length * outF) throw new RampartError(`run failed: the C program wrote ${out.length} floats, expected ${samples.length * outF}`, { file: opts.file });
      return samples.map((_, i) => out.slice(i * outF, (i + 1) * outF));
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function targetRunner(src: RunnerSource, runtime: TargetRuntime): Promise<Runner> {
  const model = src.model;
  const axes = batchAxes(model);
  // One compiled program per bound shape (eval's last batch differs only in its batch size).
  const programs = new Map<string, Program>();
  const close = async () => { for (const p of programs.values()) p.close(); programs.clear(); };
  return {
    runtime,
    run: async (feeds) => {
      const ins = model.graph.inputs.map((inp) => {
        const t = feeds[inp.name];
        if (!t) throw new RampartError(`graph input '${inp.name}' was not given`, { file: src.path });
        if (t.dtype !== 'float32') throw new RampartError(`input '${inp.name}' is ${t.dtype}`, { file: src.path, expected: `float32 (the ${runtime} target computes in float)` });
        return t;
      });
      const n = Math.max(1, ...ins.map((t, k) => (axes[k] === null ? 1 : t.dims[axes[k]!])));
      const bind = bindings(model, ins, axes);
      const key = JSON.stringify(bind);
      let prog = programs.get(key);
      if (!prog) {
        try {
          prog = await program(runtime, model, { ...bind, file: src.path });
        } catch (e) {
          throw withContext(e, { file: src.path });
        }
        programs.set(key, prog);
      }
      const samples = Array.from({ length: n }, (_, s) => {
        const parts = ins.map((t, k) => sliceAxis(t, axes[k], axes[k] === null ? 0 : s));
        const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
        let at = 0;
        for (const p of parts) { all.set(p, at); at += p.length; }
        return all;
      });
      const outs = prog.run(samples);
      const res: Record<string, Tensor> = {};
      prog.io.outputs.forEach((o) => {
        const declared = model.graph.outputs.find((g) => g.name === o.name)?.shape ?? null;
        let axis = declared ? declared.findIndex((d, i) => typeof d !== 'number' && dimRole(d, i) === 'batch') : -1;
        if (axis < 0) axis = 0;
        if (n > 1 && o.dims[axis] !== 1) throw new RampartError(`output '${o.name}' [${o.dims.join(',')}] has no batch axis to stack ${n} samples on`, { file: src.path, expected: 'batch 1 inputs for this model' });
        const parts = outs.map((y) => y.subarray(o.offset, o.offset + o.size));
        res[o.name] = n === 1 ? { dtype: 'float32', dims: o.dims.slice(), data: Float32Array.from(parts[0]) } : stack(parts, o.dims, axis);
      });
      return res;
    },
    close,
  };
}
