// Target wasm: one WebAssembly module specialised to the model (weights inside it as the
// C target stores them: dense, CSR or block CSR; SIMD128 kernels), with an ES module
// loader and its declarations, and nothing else needed at run time
// (docs/design/wasm-target.md). `-o DIR` gets model.wasm, index.js, index.d.ts and a
// package.json that makes the folder an importable ES module package.
import type { Model } from '../../runtime/ir.ts';
import { compileC, modelName, type CCompilation, type CTargetOptions } from '../c/index.ts';
import type { CompileOptions, CompileResult, TargetDescriptor } from '../types.ts';
import { buildWasm } from './build.ts';
import { glueSource } from './glue.ts';
import { declarationSource, loaderSource, WASM_FILE } from './loader.ts';

export { WASM_FILE } from './loader.ts';

export interface WasmCompilation {
  wasm: Uint8Array;
  /** The loader (index.js) and its declarations (index.d.ts). */
  loader: string;
  declarations: string;
  io: CCompilation['io'];
  c: CCompilation;
}

const PREFIX = 'rampart';

/** Compiles the model to C with the wasm-simd128 helpers, then to a module, plus its loader. */
export function compileWasm(model: Model, opts: CompileOptions = {}): WasmCompilation {
  const c = compileC(model, { ...(opts as CTargetOptions), prefix: PREFIX, isa: 'wasm-simd128', device: undefined });
  const wasm = buildWasm({ model: c.source, glue: glueSource(c.io, PREFIX) }, opts.file);
  const name = modelName(model, opts.file);
  return { wasm, loader: loaderSource(name, opts.file, c.io), declarations: declarationSource(name, c.io), io: c.io, c };
}

const fmt = (n: number) => n.toLocaleString('en-US');

function summary(r: WasmCompilation): string[] {
  const b = r.c.budget;
  const api = ['create()', `run(input: ${r.io.inputs.reduce((a, t) => a + t.size, 0)} floats)`];
  if (r.io.step) api.push(`step(frame: ${r.io.step.inputs.reduce((a, t) => a + t.size, 0)} floats)`, 'reset()');
  return [
    `${WASM_FILE} ${fmt(r.wasm.length)} B: weights ${fmt(b.flash.weightBytes)} + sparse indices ${fmt(b.flash.indexBytes)} + other data ${fmt(b.flash.otherDataBytes)}, the rest code`,
    `memory: arena ${fmt(b.sram.arenaBytes)} B + stream state ${fmt(b.sram.stateBytes)} B + input/output buffers, static (the memory never grows)`,
    `index.js exports ${api.join(', ')}; index.d.ts declares them`,
  ];
}

export const wasmTarget: TargetDescriptor = {
  name: 'wasm',
  description: 'one WebAssembly module for this model (weights inside, dense / CSR / block-CSR as the C target stores them, SIMD128), an ES module loader and a .d.ts',
  extension: '',
  output: 'directory',
  loadableBy: ['Node 20+ and browsers with WebAssembly SIMD (import { create } from "DIR/index.js")'],
  defaultMaxDensity: 1,
  accepts: ['seqLen'],
  compile(model: Model, opts: CompileOptions): CompileResult {
    const r = compileWasm(model, opts);
    const pkg = JSON.stringify({ name: r.c.budget.model.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'model', private: true, type: 'module', main: 'index.js', types: 'index.d.ts' }, null, 2) + '\n';
    const enc = (s: string) => new TextEncoder().encode(s);
    return {
      bytes: r.wasm,
      files: [{ name: WASM_FILE, bytes: r.wasm }, { name: 'index.js', bytes: enc(r.loader) }, { name: 'index.d.ts', bytes: enc(r.declarations) }, { name: 'package.json', bytes: enc(pkg) }],
      size: { bytes: r.wasm.length, label: 'module' },
      layers: r.c.budget.layers,
      summary: summary(r),
    };
  },
};
