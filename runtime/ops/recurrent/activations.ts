// The activation functions an ONNX recurrent node may name in its `activations`
// attribute, with their alpha/beta parameters (float64 maths, reference form). The
// js backend computes these same functions (runtime/kernels/activations.ts); the
// WASM cells (runtime/wasm/assembly/math.ts) mirror them in float32, checked against
// this file by test/recurrent/backends.test.ts.
import { RampartError } from '../../errors.ts';

export type ActivationName =
  | 'Sigmoid' | 'Tanh' | 'Relu' | 'HardSigmoid' | 'LeakyRelu' | 'ThresholdedRelu'
  | 'ScaledTanh' | 'Affine' | 'Elu' | 'Softsign' | 'Softplus';

export interface Activation {
  name: ActivationName;
  alpha: number;
  beta: number;
  fn: (x: number) => number;
}

interface ActivationDef {
  /** Which of alpha / beta the function reads (and so consumes from the attribute lists). */
  usesAlpha: boolean;
  usesBeta: boolean;
  /**
   * Defaults: the spec says "the same as of corresponding ONNX operators". Affine's
   * (1, 0) and ThresholdedRelu's 1.0 are those operators' defaults; ScaledTanh never had
   * any, so (1, 1) makes it plain tanh. onnxruntime uses 0 for all three instead
   * (docs/design/recurrent.md); exported models spell these values out anyway.
   */
  alpha: number;
  beta: number;
  make: (alpha: number, beta: number) => (x: number) => number;
}

/** Never forms e^|x|, so no overflow for large |x|. */
export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** log(1 + e^x) written so large x does not overflow and very negative x keeps its e^x. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

const DEFS: Record<ActivationName, ActivationDef> = {
  Sigmoid: { usesAlpha: false, usesBeta: false, alpha: 0, beta: 0, make: () => sigmoid },
  Tanh: { usesAlpha: false, usesBeta: false, alpha: 0, beta: 0, make: () => Math.tanh },
  Relu: { usesAlpha: false, usesBeta: false, alpha: 0, beta: 0, make: () => (x) => (x > 0 ? x : 0) },
  HardSigmoid: {
    usesAlpha: true, usesBeta: true, alpha: 0.2, beta: 0.5,
    make: (a, b) => (x) => Math.min(1, Math.max(0, a * x + b)),
  },
  LeakyRelu: { usesAlpha: true, usesBeta: false, alpha: 0.01, beta: 0, make: (a) => (x) => (x >= 0 ? x : a * x) },
  ThresholdedRelu: { usesAlpha: true, usesBeta: false, alpha: 1.0, beta: 0, make: (a) => (x) => (x > a ? x : 0) },
  ScaledTanh: { usesAlpha: true, usesBeta: true, alpha: 1.0, beta: 1.0, make: (a, b) => (x) => a * Math.tanh(b * x) },
  Affine: { usesAlpha: true, usesBeta: true, alpha: 1.0, beta: 0, make: (a, b) => (x) => a * x + b },
  Elu: { usesAlpha: true, usesBeta: false, alpha: 1.0, beta: 0, make: (a) => (x) => (x >= 0 ? x : a * (Math.exp(x) - 1)) },
  Softsign: { usesAlpha: false, usesBeta: false, alpha: 0, beta: 0, make: () => (x) => x / (1 + Math.abs(x)) },
  Softplus: { usesAlpha: false, usesBeta: false, alpha: 0, beta: 0, make: () => softplus },
};

export const ACTIVATION_NAMES = Object.keys(DEFS) as ActivationName[];

/** The function `name` computes with these alpha / beta values. */
export function activationFn(name: ActivationName, alpha: number, beta: number): (x: number) => number {
  return DEFS[name].make(alpha, beta);
}

/** Case-insensitive lookup (onnxruntime accepts 'tanh' as well as 'Tanh'). */
export function activationName(name: string): ActivationName | undefined {
  const lower = name.toLowerCase();
  return ACTIVATION_NAMES.find((n) => n.toLowerCase() === lower);
}

/**
 * Builds the activations of a list, consuming alpha and beta values in list order,
 * each only by a function that reads it (onnxruntime's reading of the spec's
 * "consumed in the order of activation functions").
 */
export function buildActivations(
  names: readonly string[],
  alphas: readonly number[],
  betas: readonly number[],
  where: { node: string; op: string },
): Activation[] {
  let ia = 0;
  let ib = 0;
  const out = names.map((raw) => {
    const name = activationName(raw);
    if (!name) {
      throw new RampartError(`unknown activation '${raw}'`, { ...where, expected: `one of ${ACTIVATION_NAMES.join(', ')}` });
    }
    const d = DEFS[name];
    const alpha = d.usesAlpha && ia < alphas.length ? alphas[ia++] : d.alpha;
    const beta = d.usesBeta && ib < betas.length ? betas[ib++] : d.beta;
    return { name, alpha, beta, fn: d.make(alpha, beta) };
  });
  if (ia < alphas.length || ib < betas.length) {
    throw new RampartError(
      `activation_alpha has ${alphas.length} and activation_beta ${betas.length} values but the activations [${names.join(', ')}] read only ${ia} and ${ib}`,
      { ...where, expected: 'one alpha (beta) per activation that takes one, in list order' },
    );
  }
  return out;
}
