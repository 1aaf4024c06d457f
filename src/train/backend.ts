// Choosing the tfjs backend per model, by asking each backend for the kernels the
// model's ops need (ops/index.ts KERNELS) rather than by a list of model types.
//
// Preference: wasm first — on this machine it runs the zoo's LSTM and CNN training
// steps 10-25x faster than the cpu backend (bench/train.ts, docs/design/train.md).
// It lacks some gradient kernels (tfjs 4.22: Conv2DBackpropFilter, UnsortedSegmentSum);
// the lowering avoids those (conv2d.ts, Gather as slices), and a model that still
// needs a kernel wasm lacks falls back to the cpu backend, which has them all.
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { tf } from './tf.ts';
import { KERNELS } from './ops/index.ts';

export type BackendName = 'wasm' | 'cpu';
export type Mode = 'train' | 'infer';

const PREFERENCE: BackendName[] = ['wasm', 'cpu'];

/** Kernels `backend` lacks for running (infer) or differentiating (train) `model`. */
export function missingKernels(model: Model, backend: BackendName, mode: Mode, table = KERNELS): string[] {
  const need = new Set<string>();
  for (const n of model.graph.nodes) {
    const k = table[n.op];
    if (!k) continue;
    k.forward.forEach((x) => need.add(x));
    if (mode === 'train') k.backward.forEach((x) => need.add(x));
  }
  return [...need].filter((k) => !tf.getKernel(k, backend));
}

export interface BackendChoice {
  backend: BackendName;
  /** Why: which kernels ruled out the preferred backends (empty when wasm fits). */
  reason: string;
}

/** `table` defaults to the lowering's own needs (ops/index.ts); tests pass others. */
export function pickBackend(model: Model, mode: Mode, table = KERNELS): BackendChoice {
  const reasons: string[] = [];
  for (const b of PREFERENCE) {
    const missing = missingKernels(model, b, mode, table);
    if (missing.length === 0) return { backend: b, reason: reasons.join('; ') || `${b} has every kernel` };
    reasons.push(`${b} lacks ${missing.join(', ')}`);
  }
  throw new RampartError(`no tfjs backend can ${mode === 'train' ? 'train' : 'run'} this model: ${reasons.join('; ')}`);
}

/** Makes `name` the active tfjs backend (tensors made under another one move lazily). */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok) throw new RampartError(`the tfjs ${name} backend failed to initialise`);
  await tf.ready();
}

/** Picks and activates the backend for `model`; returns the choice for manifests and logs. */
export async function useBackendFor(model: Model, mode: Mode): Promise<BackendChoice> {
  const c = pickBackend(model, mode);
  await useBackend(c.backend);
  return c;
}
