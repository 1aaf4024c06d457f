// Scalar activations for the JS backend and ONNX attribute parsing for the recurrent
// ops. Defaults for alpha/beta follow the ONNX operator of the same name.
import type { Node } from '../ir.ts';
import { attrFloats, attrStrings, fail } from '../ops/attrs.ts';
import { Activation, activationId, ACTIVATION_NAMES } from './enums.ts';
import type { ActivationSpec } from './linalg.ts';

const SIGMOID = Activation.Sigmoid, TANH = Activation.Tanh, RELU = Activation.Relu, AFFINE = Activation.Affine;
const LEAKY = Activation.LeakyRelu, THRESH = Activation.ThresholdedRelu, STANH = Activation.ScaledTanh;
const HSIG = Activation.HardSigmoid, ELU = Activation.Elu, SOFTSIGN = Activation.Softsign, SOFTPLUS = Activation.Softplus;

const NEEDS_ALPHA = new Set([AFFINE, LEAKY, THRESH, STANH, HSIG, ELU]);
const NEEDS_BETA = new Set([AFFINE, STANH, HSIG]);
const DEFAULT_ALPHA: Record<number, number> = { [AFFINE]: 1, [LEAKY]: 0.01, [THRESH]: 1, [STANH]: 1, [HSIG]: 0.2, [ELU]: 1 };
const DEFAULT_BETA: Record<number, number> = { [AFFINE]: 0, [STANH]: 1, [HSIG]: 0.5 };

export function activate(a: ActivationSpec, x: number): number {
  switch (a.id) {
    case SIGMOID: return 1 / (1 + Math.exp(-x));
    case TANH: return Math.tanh(x);
    case RELU: return x > 0 ? x : 0;
    case AFFINE: return a.alpha * x + a.beta;
    case LEAKY: return x >= 0 ? x : a.alpha * x;
    case THRESH: return x > a.alpha ? x : 0;
    case STANH: return a.alpha * Math.tanh(a.beta * x);
    case HSIG: return Math.max(0, Math.min(1, a.alpha * x + a.beta));
    case ELU: return x >= 0 ? x : a.alpha * (Math.exp(x) - 1);
    case SOFTSIGN: return x / (1 + Math.abs(x));
    case SOFTPLUS: return Math.log(1 + Math.exp(x));
  }
  throw new Error(`unknown activation id ${a.id}`);
}

/** In place over p[from..to): act(clip(p)). */
export function activateRange(a: ActivationSpec, clip: number, p: Float32Array, from: number, to: number): void {
  const lo = clip > 0 ? -clip : -Infinity, hi = clip > 0 ? clip : Infinity;
  if (a.id === SIGMOID) {
    for (let i = from; i < to; i++) p[i] = 1 / (1 + Math.exp(-Math.min(hi, Math.max(lo, p[i]))));
  } else if (a.id === TANH) {
    for (let i = from; i < to; i++) p[i] = Math.tanh(Math.min(hi, Math.max(lo, p[i])));
  } else {
    for (let i = from; i < to; i++) p[i] = activate(a, Math.min(hi, Math.max(lo, p[i])));
  }
}

/**
 * The activations of a recurrent node, per direction: ONNX `activations` with
 * `activation_alpha`/`activation_beta` consumed in order by the functions that take
 * them (as onnxruntime does), else the op's defaults.
 */
export function recurrentActivations(node: Node, perDirection: string[], directions: number): ActivationSpec[][] {
  const names = attrStrings(node, 'activations') ?? [];
  const all = names.length ? names : Array.from({ length: directions }, () => perDirection).flat();
  if (all.length !== perDirection.length * directions) {
    fail(node, `has ${all.length} activations`, `${perDirection.length * directions} (${perDirection.length} per direction)`);
  }
  const alphas = attrFloats(node, 'activation_alpha') ?? [];
  const betas = attrFloats(node, 'activation_beta') ?? [];
  let ai = 0, bi = 0;
  const specs = all.map((name) => {
    const id = activationId(name);
    if (id === undefined) fail(node, `unsupported activation '${name}'`, `one of ${ACTIVATION_NAMES.join(', ')}`);
    const alpha = NEEDS_ALPHA.has(id) ? (ai < alphas.length ? alphas[ai++] : DEFAULT_ALPHA[id]) : 0;
    const beta = NEEDS_BETA.has(id) ? (bi < betas.length ? betas[bi++] : DEFAULT_BETA[id]) : 0;
    return { id, alpha, beta };
  });
  return Array.from({ length: directions }, (_, d) => specs.slice(d * perDirection.length, (d + 1) * perDirection.length));
}
