// Builds the WebAssembly module from the generated C: Debian's clang for wasm32 with
// SIMD128 and link-time optimisation (so expf / tanhf inline into the recurrent cells;
// without it the zoo LSTM ran 1.5x slower), linked by wasm-ld from lld, no C library
// (targets/c/freestanding.ts supplies the maths). -O2: -O3 was no faster and a little
// larger; -fassociative-math (vectorised sums everywhere) was no faster on the zoo
// LSTM than the explicit SIMD mat-vec alone, so the float semantics stay strict.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FREESTANDING_FLAGS, FREESTANDING_HEADERS, FREESTANDING_LIBM } from '../c/freestanding.ts';
import { CLANG_NAMES, needTool, runTool } from '../c/toolchain.ts';

const BASE = ['--target=wasm32', '-msimd128', '-O2', '-flto', '-std=c99', ...FREESTANDING_FLAGS, '-Wall', '-Werror'];
/**
 * wasm-ld itself, not through clang: clang 14 runs any `wasm-opt` on PATH after linking,
 * without the SIMD feature flag (npm puts binaryen's there), which then rejects the module.
 * No start function, no names section; exports come from the glue's export_name attributes.
 */
const LINK = ['--no-entry', '--strip-all', '-z', 'stack-size=16384', '--lto-O2'];
const WASM_LD = ['wasm-ld', 'wasm-ld-14', 'wasm-ld-15', 'wasm-ld-16', 'wasm-ld-19'];

export interface WasmSources { model: string; glue: string }

/** The module's bytes; a RampartError naming the step (compile, link) and clang's message on failure. */
export function buildWasm(src: WasmSources, file?: string): Uint8Array {
  const clang = needTool('wasm target: compile', CLANG_NAMES, 'clang');
  const ld = needTool('wasm target: link', WASM_LD, 'lld (wasm-ld)');
  const dir = mkdtempSync(join(tmpdir(), 'rampart-wasm-'));
  try {
    mkdirSync(join(dir, 'include'));
    for (const [n, text] of Object.entries(FREESTANDING_HEADERS)) writeFileSync(join(dir, 'include', n), text);
    const inc = ['-isystem', join(dir, 'include')];
    const units: [string, string][] = [['model.c', src.model], ['glue.c', src.glue], ['rp_libm.c', FREESTANDING_LIBM]];
    for (const [name, text] of units) {
      writeFileSync(join(dir, name), text);
      runTool('wasm target: compile', clang, [...BASE, ...inc, '-c', '-o', name.replace(/\.c$/, '.o'), name], { cwd: dir, file });
    }
    runTool('wasm target: link', ld, [...LINK, '-o', 'model.wasm', ...units.map(([n]) => n.replace(/\.c$/, '.o'))], { cwd: dir, file });
    return new Uint8Array(readFileSync(join(dir, 'model.wasm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
