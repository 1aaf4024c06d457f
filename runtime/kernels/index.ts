// The kernel tables of the js and wasm backends: the reference table
// (runtime/ops/index.ts, dense and obviously correct) overlaid with the kernels that
// have a sparse path — Gemm, MatMul, Conv, LSTM, GRU, RNN — plus the reference
// kernels the CSR functions' bodies need. One overlay, two backends: only the Linalg
// plug differs.
import type { FunctionDef } from '../ir.ts';
import { RAMPART_DOMAIN } from '../ir.ts';
import { referenceKernels } from '../ops/index.ts';
import { kernelKey, type KernelTable } from '../ops/types.ts';
import { convKernel } from './conv.ts';
import { csrOpOfFunction } from '../csr-format.ts';
import { csrFunctionKernel } from './csr-ops.ts';
import { KernelEnv } from './env.ts';
import { denseOverlay } from './dense-ops.ts';
import { gemmKernel, matMulKernel } from './gemm.ts';
import { JsLinalg } from './js-linalg.ts';
import type { Linalg } from './linalg.ts';
import { recurrentKernel } from './recurrent.ts';
import { WasmLinalg } from './wasm-linalg.ts';

export type BackendName = 'reference' | 'js' | 'wasm';

export interface Backend {
  name: BackendName;
  table: KernelTable;
  /** Null for the reference backend (no packing, no sparse kernels). */
  env: KernelEnv | null;
}

/** The reference table plus the ops CSR function bodies use. */
export const referenceTable: KernelTable = { ...referenceKernels };

export function overlayTable(env: KernelEnv): KernelTable {
  return {
    ...env.base,
    ...denseOverlay(env),
    Gemm: gemmKernel(env),
    MatMul: matMulKernel(env),
    Conv: convKernel(env),
    LSTM: recurrentKernel(env, 'LSTM'),
    GRU: recurrentKernel(env, 'GRU'),
    RNN: recurrentKernel(env, 'RNN'),
  };
}

export function backendFromLinalg(la: Linalg, base: KernelTable = referenceTable): Backend {
  const env = new KernelEnv(la, base);
  return { name: la.name, table: overlayTable(env), env };
}

export async function createBackend(name: BackendName): Promise<Backend> {
  if (name === 'reference') return { name, table: { ...referenceTable }, env: null };
  return backendFromLinalg(name === 'js' ? new JsLinalg() : await WasmLinalg.create());
}

/**
 * Adds native kernels for the model's Rampart CSR functions (CsrMatMul & co.) to a
 * backend's table. Without them (reference backend) the executor expands the
 * function bodies instead.
 */
export function addCsrFunctions(backend: Backend, functions: FunctionDef[]): void {
  if (!backend.env) return;
  for (const fn of functions) {
    if (fn.domain === RAMPART_DOMAIN && csrOpOfFunction(fn.name)) {
      backend.table[kernelKey(fn.domain, fn.name)] = csrFunctionKernel(backend.env, fn);
    }
  }
}

/** A js-backend table for tests and tools that want a plain KernelTable. */
export function jsKernelTable(): KernelTable {
  return backendFromLinalg(new JsLinalg()).table;
}

export async function wasmKernelTable(): Promise<KernelTable> {
  return backendFromLinalg(await WasmLinalg.create()).table;
}
