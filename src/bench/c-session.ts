// The C target as a timed runtime: the model compiled by targets/c, built for this
// machine with the system's cc -O2 (as `rampart run --runtime c` builds it), and kept
// running as a child process that times each call itself. Native code cannot run in
// this process, and a pipe round trip (tens of µs) would swamp a 0.1 ms call, so the
// child measures rampart_run with clock_gettime and sends the time back; the parent
// asks for one call per round, so the C session sits in the same interleaved rounds
// as the others and load hits it alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RampartError } from '../../runtime/errors.ts';
import type { Tensor } from '../../runtime/ir.ts';
import { compileC } from '../../targets/c/index.ts';
import { findTool, runTool } from '../../targets/c/toolchain.ts';
import { loadModel } from '../onnx/import.ts';
import type { Timed } from './latency.ts';

const DRIVER = (inF: number, outF: number) => `/* rampart bench: the input once on stdin, then one call per byte 'r'; each call's ns back as a double. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
int rampart_run(const float *input, float *output);
static float x[${Math.max(1, inF)}], y[${Math.max(1, outF)}];
int main(void) {
  if (fread(x, sizeof(float), ${inF}, stdin) != ${inF}) return 2;
  int c;
  while ((c = getchar()) == 'r') {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (rampart_run(x, y) != 0) return 3;
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    if (fwrite(&ns, sizeof ns, 1, stdout) != 1) return 4;
    fflush(stdout);
  }
  return 0;
}
`;

/** A native build of `file` fed `feeds` (batch 1; free non-batch dims at `seqLen`). */
export async function cSession(file: string, feeds: Record<string, Tensor>, label: string, seqLen = 28): Promise<Timed> {
  const model = loadModel(file);
  const c = compileC(model, { prefix: 'rampart', seqLen, file });
  const input = new Float32Array(c.io.inputs.reduce((a, t) => a + t.size, 0));
  for (const t of c.io.inputs) {
    const f = feeds[t.name];
    if (!f || f.data.length !== t.size) throw new RampartError(`input '${t.name}': the C build takes ${t.size} values`, { file, expected: 'batch-1 feeds of the compiled shape' });
    input.set(f.data as Float32Array, t.offset);
  }
  const outF = c.io.outputs.reduce((a, t) => a + t.size, 0);
  const cc = findTool(['cc', 'gcc', 'clang']);
  if (!cc) throw new RampartError('compile: no C compiler on PATH (tried cc, gcc, clang)', { expected: "Debian's gcc and libc6-dev: run `bash scripts/setup.sh`" });
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-c-'));
  try {
    writeFileSync(join(dir, 'model.c'), c.source);
    writeFileSync(join(dir, 'main.c'), DRIVER(input.length, outF));
    runTool('compile', cc, ['-O2', '-std=c99', '-o', 'model', 'main.c', 'model.c', '-lm'], { cwd: dir, file });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const child = spawn(join(dir, 'model'), [], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.write(new Uint8Array(input.buffer));
  let buf = Buffer.alloc(0);
  let waiting: { resolve: (ms: number) => void; reject: (e: Error) => void } | null = null;
  let failed: Error | null = null;
  child.stdout.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (waiting && buf.length >= 8) {
      const ns = buf.readDoubleLE(0);
      buf = buf.subarray(8);
      const w = waiting;
      waiting = null;
      w.resolve(ns / 1e6);
    }
  });
  child.on('exit', (code, signal) => {
    failed = new RampartError(`run failed: the C program of ${label} ended (status ${code}${signal ? `, ${signal}` : ''})`, { file });
    waiting?.reject(failed);
    waiting = null;
  });
  // A child that died closes the pipe: the write fails quietly and the exit above reports it.
  child.stdin.on('error', () => {});
  child.on('error', (e) => {
    failed = new RampartError(`run failed: cannot start the C program of ${label}: ${e.message}`, { file });
    waiting?.reject(failed);
    waiting = null;
  });
  const measure = () => new Promise<number>((resolve, reject) => {
    if (failed) return reject(failed);
    waiting = { resolve, reject };
    child.stdin.write('r');
  });
  return {
    label, run: measure, measure,
    close: () => {
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.on('error', () => {});
      child.stdin.end();
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
