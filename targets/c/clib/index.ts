// The C helpers a generated file may contain. Only the helpers a model uses (and what
// they depend on) are emitted, in table order (each helper after what it uses), so a
// file compiles warning-free under -Wall -Werror (no unused static functions).
import { elementwiseHelpers } from './elementwise.ts';
import { linearHelpers } from './linear.ts';
import { recurrentHelpers } from './recurrent.ts';
import type { Helper } from './types.ts';

export { C_INDEX_TYPE, INDEX_BYTES, type IndexType } from './types.ts';

const HELPERS: Record<string, Helper> = { ...linearHelpers, ...elementwiseHelpers, ...recurrentHelpers };

/** Helper names in emission order, closed under dependencies. */
export function resolveHelpers(used: Iterable<string>): string[] {
  const need = new Set<string>();
  const visit = (n: string) => {
    if (need.has(n)) return;
    const h = HELPERS[n];
    if (!h) throw new Error(`internal: unknown C helper ${n}`);
    need.add(n);
    h.deps.forEach(visit);
  };
  for (const n of used) visit(n);
  return Object.keys(HELPERS).filter((n) => need.has(n));
}

export function helperNames(): string[] {
  return Object.keys(HELPERS);
}

export function helperText(name: string): string {
  return HELPERS[name].text;
}

export function helperCodeBytes(name: string): number {
  return HELPERS[name].code;
}
