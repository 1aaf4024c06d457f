// The machine a measurement ran on: CPU, cores, ISA extensions, WebAssembly SIMD,
// threads, node version and the load at the start. Every latency Rampart reports
// carries it (bench/ re-exports this; `rampart bench` writes it into bench.json).
import { arch, cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

export interface Conditions {
  cpu: string;
  cores: number;
  arch: string;
  isa: string[];
  wasmSimd: boolean;
  threads: number;
  batch: number;
  node: string;
  date: string;
  /** 1-minute load average at the start: other processes on a shared machine skew medians. */
  loadAverage: number;
}

export function conditions(): Conditions {
  let flags: string[] = [];
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('flags')) ?? '';
    flags = line.split(':')[1]?.trim().split(/\s+/) ?? [];
  } catch { /* not linux */ }
  const isa = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'neon', 'asimd'].filter((f) => flags.includes(f));
  // The smallest module with a v128 instruction validates only where WASM SIMD exists.
  const simd = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
  return {
    cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, arch: arch(), isa, wasmSimd: simd,
    threads: 1, batch: 1, node: process.version, date: new Date().toISOString(), loadAverage: loadavg()[0],
  };
}
