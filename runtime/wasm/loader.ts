// Loads the compiled kernel module (runtime/wasm/build/kernels.wasm, built from
// source by runtime/wasm/build.mjs; in the browser bundle, kernels.wasm beside the
// bundle — see runtime/host.ts). Compiled once per process and kernel source; each
// backend instance gets its own instance and memory.
import { RampartError } from '../errors.ts';
import { defaultKernelUrl, readBytes } from '../host.ts';

/** Where the kernels come from: a URL or path, the .wasm bytes, or a compiled module. */
export type KernelSource = string | URL | Uint8Array | ArrayBuffer | WebAssembly.Module;

let compiled: Promise<WebAssembly.Module> | undefined;
let source: KernelSource | undefined;

/** Sets where later backends load the kernels from (backends already made keep theirs). */
export function setKernelSource(src: KernelSource): void {
  if (src === source) return;
  source = src;
  compiled = undefined;
}

async function compileFrom(src: KernelSource | undefined): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  let bytes: Uint8Array;
  if (src instanceof Uint8Array) bytes = src;
  else if (src instanceof ArrayBuffer) bytes = new Uint8Array(src);
  else {
    const where = src ?? defaultKernelUrl();
    try {
      bytes = await readBytes(where);
    } catch (e) {
      throw new RampartError(`cannot read the WASM kernels at ${where instanceof URL && where.protocol === 'file:' ? where.pathname : String(where)}`, {
        expected: 'a built kernel module: run `node runtime/wasm/build.mjs` (npm test and npm run build:wasm do)',
      }, { cause: e });
    }
  }
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new RampartError(`the WASM kernel module does not compile: ${(e as Error).message}`, {
      expected: 'the kernels.wasm built by runtime/wasm/build.mjs from this version of the runtime',
    }, { cause: e });
  }
}

export function kernelModule(): Promise<WebAssembly.Module> {
  if (!compiled) {
    const p = compileFrom(source);
    compiled = p;
    // A failed load is retried by the next caller.
    p.catch(() => { if (compiled === p) compiled = undefined; });
  }
  return compiled;
}

export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemvDense(w: number, cols: number, x: number, y: number, bias: number, r0: number, r1: number, acc: number): number;
  gemvCsr16(values: number, cols: number, rowPtr: number, x: number, y: number, bias: number, r0: number, r1: number, acc: number): number;
  gemvCsr32(values: number, cols: number, rowPtr: number, x: number, y: number, bias: number, r0: number, r1: number, acc: number): number;
  gemvBlk16(values: number, cols: number, gptr: number, x: number, y: number, bias: number, r0: number, r1: number, acc: number): number;
  gemvBlk32(values: number, cols: number, gptr: number, x: number, y: number, bias: number, r0: number, r1: number, acc: number): number;
  gemmBlk16T(values: number, cols: number, gptr: number, rows: number, xt: number, p: number, yt: number, bias: number, acc: number): number;
  gemmBlk32T(values: number, cols: number, gptr: number, rows: number, xt: number, p: number, yt: number, bias: number, acc: number): number;
  gemmDenseT(w: number, rows: number, cols: number, xt: number, p: number, yt: number, bias: number, acc: number): number;
  gemmCsr16T(values: number, cols: number, rowPtr: number, rows: number, xt: number, p: number, yt: number, bias: number, acc: number): number;
  gemmCsr32T(values: number, cols: number, rowPtr: number, rows: number, xt: number, p: number, yt: number, bias: number, acc: number): number;
  gemvBsr16(br: number, values: number, blockCol: number, blockPtr: number, rowMap: number, rows: number, cols: number,
    x: number, y: number, bias: number, b0: number, b1: number, r0: number, r1: number, acc: number): number;
  gemvBsr32(br: number, values: number, blockCol: number, blockPtr: number, rowMap: number, rows: number, cols: number,
    x: number, y: number, bias: number, b0: number, b1: number, r0: number, r1: number, acc: number): number;
  gemmBsr16T(br: number, values: number, blockCol: number, blockPtr: number, rowMap: number, nb: number, rows: number, cols: number,
    xt: number, p: number, yt: number, bias: number, acc: number): number;
  gemmBsr32T(br: number, values: number, blockCol: number, blockPtr: number, rowMap: number, nb: number, rows: number, cols: number,
    xt: number, p: number, yt: number, bias: number, acc: number): number;
  lstmCell(g: number, c: number, h: number, y: number, hidden: number, peep: number, acts: number, params: number, clip: number, inputForget: number): number;
  gruCell(phase: number, xg: number, rh: number, h: number, tmp: number, y: number, hidden: number, acts: number, params: number, clip: number, lbr: number): number;
  rnnCell(g: number, h: number, y: number, hidden: number, acts: number, params: number, clip: number): number;
  lstmSequence(m: number, gx: number, steps: number, batch: number, hidden: number, lens: number, reverse: number, h: number, c: number,
    y: number, yStep: number, yBatch: number, peep: number, acts: number, params: number, clip: number, inputForget: number): number;
  gruSequence(m: number, gx: number, steps: number, batch: number, hidden: number, lens: number, reverse: number, h: number,
    y: number, yStep: number, yBatch: number, rh: number, tmp: number, rb: number, acts: number, params: number, clip: number, lbr: number): number;
  rnnSequence(m: number, gx: number, steps: number, batch: number, hidden: number, lens: number, reverse: number, h: number,
    y: number, yStep: number, yBatch: number, acts: number, params: number, clip: number): number;
  im2col(x: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    dh: number, dw: number, oh: number, ow: number, out: number): number;
  maxPool2d(x: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    dh: number, dw: number, oh: number, ow: number, y: number): number;
  transpose2d(src: number, rows: number, cols: number, dst: number): number;
  reluInPlace(p: number, n: number): number;
  applyActivation(kind: number, a: number, b: number, clip: number, p: number, n: number): number;
}

export async function instantiateKernels(): Promise<KernelExports> {
  const inst = await WebAssembly.instantiate(await kernelModule(), { env: { abort: () => { throw new Error('wasm abort'); } } });
  return inst.exports as unknown as KernelExports;
}
