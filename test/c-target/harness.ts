// Builds many generated C files into ONE host program (one `cc` run for the whole
// suite: each file gets its own symbol prefix), feeds it batch-1 samples through stdin
// and reads its outputs from stdout; and runs the same samples through onnxruntime.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { sizeOf, stridesOf } from '../../runtime/tensor.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { compileC, type CBudget, type CTargetOptions } from '../../targets/c/index.ts';
import { isBatchName } from '../../runtime/dims.ts';

/** The brief's flags, plus the stricter warnings the generated files are also clean under. */
export const CC_FLAGS = ['-O2', '-std=c99', '-Wall', '-Werror', '-Wextra', '-pedantic', '-Wshadow', '-Wconversion'];

/** The host C compiler, or null. */
export function findCc(): string | null {
  for (const c of ['cc', 'gcc', 'clang']) {
    if (spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0) return c;
  }
  return null;
}

/**
 * The host C compiler; throws (the tests then fail, never skip) naming what installs
 * it: scripts/setup.sh puts gcc on a fresh machine, so a missing one is a broken setup.
 */
export function needCc(): string {
  const cc = findCc();
  if (!cc) throw new Error('no C compiler on PATH (tried cc, gcc, clang): run `bash scripts/setup.sh` (it installs Debian\'s gcc and libc6-dev)');
  return cc;
}

export interface Case {
  name: string;
  model: Model;
  opts: CTargetOptions;
  /** Per sample, the graph inputs (batch 1) in graph order. */
  samples: Tensor[][];
}

export interface Built extends Case {
  index: number;
  source: string;
  budget: CBudget;
  inFloats: number;
  outFloats: number;
  stepIn: number;
  stepOut: number;
}

/** Splits a batch tensor along the graph input's batch axis (its symbolic batch dim). */
export function samplesOf(model: Model, feeds: Tensor[]): Tensor[][] {
  const parts = feeds.map((t, i) => {
    const shape = model.graph.inputs[i].shape ?? [];
    const axis = shape.findIndex((d) => typeof d === 'string' && isBatchName(d));
    return axis < 0 ? [t] : sliceAxis(t, axis);
  });
  const n = Math.max(...parts.map((p) => p.length));
  return Array.from({ length: n }, (_, s) => parts.map((p) => p[Math.min(s, p.length - 1)]));
}

/** Every index of `axis` as its own tensor (that axis of size 1). */
export function sliceAxis(t: Tensor, axis: number): Tensor[] {
  const st = stridesOf(t.dims);
  const od = t.dims.slice();
  od[axis] = 1;
  const ost = stridesOf(od);
  const src = t.data as Float32Array;
  return Array.from({ length: t.dims[axis] }, (_, k) => {
    const out = new Float32Array(sizeOf(od));
    for (let i = 0; i < out.length; i++) {
      let at = k * st[axis];
      for (let d = 0; d < od.length; d++) at += (Math.floor(i / ost[d]) % od[d]) * st[d];
      out[i] = src[at];
    }
    return { dtype: 'float32', dims: od, data: out };
  });
}

export interface Suite {
  dir: string;
  exe: string;
  built: Built[];
  compileMs: number;
}

/** Compiles every case to C and all of them, with a driver, into one program. */
export function buildSuite(cc: string, cases: Case[]): Suite {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-c-'));
  const built: Built[] = cases.map((c, index) => {
    const prefix = `m${index}`;
    const { source, budget } = compileC(c.model, { ...c.opts, prefix });
    writeFileSync(join(dir, `${prefix}.c`), source);
    const macro = (name: string) => Number(new RegExp(`#define M${index}_${name} (\\d+)`).exec(source)?.[1] ?? 0);
    return { ...c, index, source, budget, inFloats: macro('INPUT_SIZE'), outFloats: macro('OUTPUT_SIZE'), stepIn: macro('STEP_INPUT_SIZE'), stepOut: macro('STEP_OUTPUT_SIZE') };
  });
  writeFileSync(join(dir, 'driver.c'), driver(built));
  const exe = join(dir, 'suite');
  const t0 = Date.now();
  execFileSync(cc, [...CC_FLAGS, '-o', exe, join(dir, 'driver.c'), ...built.map((b) => join(dir, `m${b.index}.c`)), '-lm'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { dir, exe, built, compileMs: Date.now() - t0 };
}

export function removeSuite(suite: Suite | undefined): void {
  if (suite) rmSync(suite.dir, { recursive: true, force: true });
}

function driver(built: Built[]): string {
  const protos = built.flatMap((b) => [
    `int m${b.index}_run(const float *input, float *output);`,
    ...(b.stepIn ? [`int m${b.index}_stream_step(const float *input, float *output);`, `void m${b.index}_stream_reset(void);`] : []),
  ]);
  const rows = built.map((b) => b.stepIn
    ? `  { m${b.index}_run, m${b.index}_stream_step, m${b.index}_stream_reset, ${b.inFloats}, ${b.outFloats}, ${b.stepIn}, ${b.stepOut} }`
    : `  { m${b.index}_run, 0, 0, ${b.inFloats}, ${b.outFloats}, 0, 0 }`);
  return `/* Test driver: suite <model> run|stream|null <samples> <steps>; float32 samples on stdin, outputs on stdout. */
#include <stdio.h>
#include <stdlib.h>
typedef int (*run_fn)(const float *, float *);
typedef void (*reset_fn)(void);
${protos.join('\n')}
struct model { run_fn run, step; reset_fn reset; long in, out, step_in, step_out; };
static const struct model M[] = {
${rows.join(',\n')}
};
int main(int argc, char **argv) {
  long k, samples, steps, s, t, cap = 1024, n = 0;
  size_t got;
  float *x, *y;
  const struct model *m;
  if (argc < 5) return 2;
  k = atol(argv[1]); samples = atol(argv[3]); steps = atol(argv[4]);
  m = &M[k];
  x = malloc((size_t)cap * sizeof(float));
  while (x && (got = fread(x + n, sizeof(float), (size_t)(cap - n), stdin)) > 0) {
    n += (long)got;
    if (n == cap) { cap *= 2; x = realloc(x, (size_t)cap * sizeof(float)); }
  }
  y = malloc((size_t)(m->out + m->step_out + 1) * sizeof(float));
  if (!x || !y) return 4;
  if (argv[2][0] == 'n') { printf("%d %d\\n", m->run(0, y), m->run(x, 0)); return 0; }
  for (s = 0; s < samples; ++s) {
    if (argv[2][0] == 'r') {
      if (n < (s + 1) * m->in || m->run(x + s * m->in, y) != 0) return 3;
      fwrite(y, sizeof(float), (size_t)m->out, stdout);
    } else {
      if (!m->step || n < (s + 1) * steps * m->step_in) return 3;
      m->reset();
      for (t = 0; t < steps; ++t) if (m->step(x + (s * steps + t) * m->step_in, y) != 0) return 3;
      fwrite(y, sizeof(float), (size_t)m->step_out, stdout);
    }
  }
  free(x); free(y);
  return 0;
}
`;
}

function floats(parts: Float32Array[]): Buffer {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const all = new Float32Array(n);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return Buffer.from(all.buffer);
}

/** Runs the compiled model on each sample (rampart_run); one output array per sample. */
export function runC(suite: Suite, b: Built): Float32Array[] {
  const input = floats(b.samples.flatMap((s) => s.map((t) => t.data as Float32Array)));
  const out = execFileSync(suite.exe, [String(b.index), 'run', String(b.samples.length), '0'], { input, maxBuffer: 1 << 26 });
  return split(out, b.samples.length, b.outFloats);
}

/** Streams each sample step by step along `axis` of its (single) input; the last step's outputs. */
export function streamC(suite: Suite, b: Built, axis: number): Float32Array[] {
  const steps = b.samples[0][0].dims[axis];
  const input = floats(b.samples.flatMap((s) => sliceAxis(s[0], axis).map((t) => t.data as Float32Array)));
  const out = execFileSync(suite.exe, [String(b.index), 'stream', String(b.samples.length), String(steps)], { input, maxBuffer: 1 << 26 });
  return split(out, b.samples.length, b.stepOut);
}

/** The driver's NULL-pointer probe: rampart_run(NULL, y) and rampart_run(x, NULL). */
export function nullCodes(suite: Suite, b: Built): string {
  return execFileSync(suite.exe, [String(b.index), 'null', '0', '0'], { input: Buffer.alloc(4) }).toString().trim();
}

function split(out: Buffer, n: number, per: number): Float32Array[] {
  const f = new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
  if (f.length !== n * per) throw new Error(`C program wrote ${f.length} floats, expected ${n} x ${per}`);
  return Array.from({ length: n }, (_, s) => f.slice(s * per, (s + 1) * per));
}

/** onnxruntime on each sample of the case's model: all graph outputs concatenated. */
export async function runOrt(model: Model, samples: Tensor[][]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  const res: Float32Array[] = [];
  for (const s of samples) {
    const feeds: Record<string, ort.Tensor> = {};
    model.graph.inputs.forEach((inp, i) => { feeds[inp.name] = new ort.Tensor('float32', s[i].data as Float32Array, s[i].dims); });
    const out = await session.run(feeds);
    res.push(Float32Array.from(model.graph.outputs.flatMap((o) => Array.from(out[o.name].data as Float32Array))));
  }
  return res;
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, s) => {
    if (x.length !== b[s].length) throw new Error(`length ${x.length} vs ${b[s].length}`);
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - b[s][i]));
  });
  return m;
}
