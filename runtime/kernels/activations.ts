// The recurrent activations on the js/wasm backends. The functions and their alpha/beta
// come from the reference (runtime/ops/recurrent/activations.ts): a spec carries the
// enum id the WASM cells switch on (runtime/wasm/enums.json), and the JS cells call
// the reference's own function, so the two backends cannot drift from the oracle.
import { activationFn, sigmoid, type Activation as ReferenceActivation, type ActivationName } from '../ops/recurrent/activations.ts';
import { Activation, ACTIVATION_NAMES } from './enums.ts';
import type { ActivationSpec } from './linalg.ts';

/** The backend form of a parsed activation (enums.json has every ActivationName; a test checks it). */
export function activationSpec(a: ReferenceActivation): ActivationSpec {
  return { id: Activation[a.name], alpha: a.alpha, beta: a.beta };
}

const fns = new WeakMap<ActivationSpec, (x: number) => number>();

/** The reference function of a spec, made once per spec object. */
function fnOf(a: ActivationSpec): (x: number) => number {
  let f = fns.get(a);
  if (!f) {
    const name = ACTIVATION_NAMES[a.id] as ActivationName | undefined;
    if (name === undefined) throw new Error(`unknown activation id ${a.id}`);
    f = activationFn(name, a.alpha, a.beta);
    fns.set(a, f);
  }
  return f;
}

/** In place over p[from..to): act(clip(p)); clip <= 0 means none. */
export function activateRange(a: ActivationSpec, clip: number, p: Float32Array, from: number, to: number): void {
  const lo = clip > 0 ? -clip : -Infinity, hi = clip > 0 ? clip : Infinity;
  // Sigmoid and tanh are the hot gates: a loop of their own keeps the call monomorphic.
  if (a.id === Activation.Sigmoid) {
    for (let i = from; i < to; i++) p[i] = sigmoid(Math.min(hi, Math.max(lo, p[i])));
  } else if (a.id === Activation.Tanh) {
    for (let i = from; i < to; i++) p[i] = Math.tanh(Math.min(hi, Math.max(lo, p[i])));
  } else {
    const f = fnOf(a);
    for (let i = from; i < to; i++) p[i] = f(Math.min(hi, Math.max(lo, p[i])));
  }
}
