// What the gradient-based scorers need from autodiff, as an interface: the tfjs
// implementation lives in tfgrad.ts (over src/train's lowering); tests may supply
// their own. Arrays are keyed by initializer name in the initializer's storage
// layout (the scorers convert to matrix layout with targets.ts).
import type { Model, Tensor } from '../../runtime/ir.ts';
import type { Batch } from './types.ts';

export type Grads = Record<string, Float32Array>;

export interface LossOptions {
  /** Logits are divided by this before the softmax cross-entropy (GraSP uses 200). */
  temperature?: number;
}

export interface GradientOracle {
  /** ∂L/∂θ of the mean softmax cross-entropy of the model's first output (logits / T) against the labels. */
  lossGradient(model: Model, batch: Batch, names: string[], opts?: LossOptions): Promise<Grads>;
  /**
   * H·v, H the Hessian of that loss with respect to the named weights: the gradient
   * of ⟨v, ∂L/∂θ⟩ (double backprop), or a central finite difference of ∂L/∂θ along v
   * where double backprop is unavailable; `method` says which.
   */
  hessianVector(model: Model, batch: Batch, names: string[], v: Grads, opts?: LossOptions): Promise<{ hv: Grads; method: 'autodiff' | 'finite-difference' }>;
  /** ∂(Σ of the model's first output)/∂θ on `input`. */
  outputSumGradient(model: Model, input: Tensor, names: string[]): Promise<Grads>;
}
