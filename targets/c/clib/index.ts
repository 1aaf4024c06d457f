// The C helpers a generated file may contain. Only the helpers a model uses (and what
// they depend on) are emitted, in table order (each helper after what it uses), so a
// file compiles warning-free under -Wall -Werror (no unused static functions). The
// block-CSR kernels are generated from their names (one per block shape and index
// types, clib/bsr.ts) and come after the table, whose helpers they may use.
import { bsrHelper, convTapN } from './bsr.ts';
import { elementwiseHelpers } from './elementwise.ts';
import { linearHelpers } from './linear.ts';
import { recurrentHelpers } from './recurrent.ts';
import type { Helper } from './types.ts';

export { C_INDEX_TYPE, INDEX_BYTES, type IndexType } from './types.ts';

const HELPERS: Record<string, Helper> = { ...linearHelpers, rp_conv2d_tapn: convTapN, ...elementwiseHelpers, ...recurrentHelpers };

function helper(name: string): Helper {
  const h = HELPERS[name] ?? bsrHelper(name);
  if (!h) throw new Error(`internal: unknown C helper ${name}`);
  return h;
}

/** Helper names in emission order, closed under dependencies. */
export function resolveHelpers(used: Iterable<string>): string[] {
  const need = new Set<string>();
  const visit = (n: string) => {
    if (need.has(n)) return;
    const h = helper(n);
    need.add(n);
    h.deps.forEach(visit);
  };
  for (const n of used) visit(n);
  const generated = [...need].filter((n) => !(n in HELPERS)).sort();
  return [...Object.keys(HELPERS).filter((n) => need.has(n)), ...generated];
}

/** The table's names (generated block-CSR names all start with rp_bsr_ or rp_conv2d_bsr_). */
export function helperNames(): string[] {
  return Object.keys(HELPERS);
}

/** The helper's C text for an instruction set: its SIMD variant where it has one, else the generic C99. */
export function helperText(name: string, isa: 'generic' | 'wasm-simd128' = 'generic'): string {
  const h = helper(name);
  return isa === 'wasm-simd128' && h.wasm ? h.wasm : h.text;
}

export function helperCodeBytes(name: string): number {
  return helper(name).code;
}
