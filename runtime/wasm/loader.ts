// Loads the compiled kernel module (runtime/wasm/build/kernels.wasm, built from
// source by runtime/wasm/build.mjs). Compiled once per process; each backend
// instance gets its own instance and memory.
import { RampartError } from '../errors.ts';

let compiled: Promise<WebAssembly.Module> | undefined;

async function readBytes(url: URL): Promise<Uint8Array> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const url = new URL('./build/kernels.wasm', import.meta.url);
    let bytes: Uint8Array;
    try {
      bytes = await readBytes(url);
    } catch (e) {
      compiled = undefined;
      throw new RampartError(`cannot read the WASM kernels at ${url.pathname}`, {
        expected: 'a built kernel module: run `node runtime/wasm/build.mjs` (npm test and npm run build:wasm do)',
      }, { cause: e });
    }
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  })();
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
  lstmCell(g: number, c: number, h: number, y: number, hidden: number, peep: number, acts: number, params: number, clip: number, inputForget: number): number;
  gruCell(phase: number, xg: number, rh: number, h: number, tmp: number, y: number, hidden: number, acts: number, params: number, clip: number, lbr: number): number;
  rnnCell(g: number, h: number, y: number, hidden: number, acts: number, params: number, clip: number): number;
  im2col(x: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    dh: number, dw: number, oh: number, ow: number, out: number): number;
  maxPool2d(x: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    dh: number, dw: number, oh: number, ow: number, y: number): number;
  transpose2d(src: number, rows: number, cols: number, dst: number): number;
  applyActivation(kind: number, a: number, b: number, clip: number, p: number, n: number): number;
}

export async function instantiateKernels(): Promise<KernelExports> {
  const inst = await WebAssembly.instantiate(await kernelModule(), { env: { abort: () => { throw new Error('wasm abort'); } } });
  return inst.exports as unknown as KernelExports;
}
