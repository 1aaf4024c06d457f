// The JS view of the enums shared with the WASM kernels. The one source is
// runtime/wasm/enums.json; build.mjs generates the AssemblyScript side from it, and
// this file derives name -> number maps from the same list, so the two never drift.
import spec from '../wasm/enums.json' with { type: 'json' };

function toEnum(names: readonly string[]): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => { out[n] = i; });
  // A misspelt member is a bug, not undefined: fail loudly on unknown names.
  return new Proxy(out, {
    get(t, k) {
      if (typeof k === 'string' && !(k in t)) throw new Error(`enums.json has no member '${k}'`);
      return t[k as string];
    },
  });
}

export const Activation = toEnum(spec.Activation);
export const Status = toEnum(spec.Status);
export const Matrix = toEnum(spec.Matrix);

export const ACTIVATION_NAMES: readonly string[] = spec.Activation;
export const STATUS_NAMES: readonly string[] = spec.Status;

/** ONNX activation name (case-insensitive) -> enum value, or undefined. */
export function activationId(name: string): number | undefined {
  const i = ACTIVATION_NAMES.findIndex((n) => n.toLowerCase() === name.toLowerCase());
  return i < 0 ? undefined : i;
}
