// Pruning masks for fine-tuning: per initializer, 1 keeps a weight and 0 pins it at
// exactly zero. A mask is laid out like the initializer's data (same length, same
// order — the storage layout, not a transposed matrix view).
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { isFloat } from '../../runtime/tensor.ts';
import { tf } from './tf.ts';

export type Masks = Record<string, ArrayLike<number>>;

/** Masks that keep exactly the nonzero entries of the named (default: every float) initializers. */
export function masksFromZeros(model: Model, names?: string[]): Masks {
  const out: Masks = {};
  for (const name of names ?? Object.keys(model.graph.initializers)) {
    const t = model.graph.initializers[name];
    if (!t) throw new RampartError(`no initializer '${name}' to mask`);
    if (!isFloat(t.dtype)) continue;
    const d = t.data as ArrayLike<number>;
    const m = new Uint8Array(d.length);
    for (let i = 0; i < d.length; i++) m[i] = d[i] !== 0 ? 1 : 0;
    out[name] = m;
  }
  return out;
}

/** Checks every mask against its variable and makes boolean tfjs tensors of them. */
export function maskTensors(masks: Masks, variables: Record<string, tf.Variable>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, m] of Object.entries(masks)) {
    const v = variables[name];
    if (!v) throw new RampartError(`mask for '${name}', which is not a float initializer of the model`, { expected: 'masks keyed by weight initializer names' });
    if (m.length !== v.size) {
      throw new RampartError(`mask for '${name}' has ${m.length} entries`, { expected: `${v.size}, the initializer's element count [${v.shape}]` });
    }
    const b = new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) b[i] = m[i] !== 0 ? 1 : 0;
    out[name] = tf.tensor(b, v.shape, 'bool');
  }
  return out;
}

/** Zeroes the masked-out entries of each variable (+0, never -0). */
export function applyMasks(masks: Record<string, tf.Tensor>, variables: Record<string, tf.Variable>): void {
  for (const [name, m] of Object.entries(masks)) {
    const v = variables[name];
    tf.tidy(() => v.assign(tf.where(m, v, tf.zerosLike(v))));
  }
}
